//! The innovation competition (中国创新创业大赛韶关分赛区, plan §四(五)3). The bureau sets a
//! competition up on a reward programme whose form is the entry form and the rubric; enterprises
//! enter by track and industry with their files (a team not yet registered is entered by the
//! bureau); the bureau screens eligibility; rounds are scored by experts from the pool without
//! conflicts; each round ranks per track and the best advance; the final's ranking gives the
//! prizes, which are published as a portal article and paid as a batch of the programme.

use crate::auth::{AsBureau, Principal};
use crate::clock::{parse_day, today_in_china};
use crate::{Error, Saved};
use kechuang_domain::application::{assign, AssignRefused, FormSpec};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::competition::{
    advancing, award_prizes, industry, parse_prizes, rank, track_fits, CompetitionProblem,
    EntryStatus, Stage, Track,
};
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::programme::{BatchStatus, Programme, ProgrammeKind, Rules, Verdict};
use kechuang_domain::text::fields;
use kechuang_store::{
    Absent, Closing, CompetitionRecord, EntryRecord, NewCompetition, NewEntry, RoundEntry,
    RoundRecord, RoundScore, Store, StoreError,
};
use std::collections::HashMap;

/// A competition as the bureau types it.
#[derive(Debug, Clone, Default)]
pub struct CompetitionInput {
    pub year: String,
    pub title: String,
    pub programme: String,
    pub description: String,
    pub registration_opens: String,
    pub registration_closes: String,
    /// One prize a line: `一等奖 1 20万元`.
    pub prizes: String,
}

fn required(problems: &mut Vec<FieldProblem>, key: &str, value: &str, zh: &str) {
    if value.trim().is_empty() {
        problems.push(FieldProblem::new(
            key,
            CompetitionProblem::Required {
                field: zh.to_owned(),
            },
        ));
    }
}

/// The programme a competition pays its prizes from: a reward programme with a form, whose
/// fields are the entry form and whose rubric the experts score by.
async fn prize_programme(store: &Store, code: &str) -> Result<(Programme, FormSpec), Error> {
    let p = store.programme(code).await?;
    match (&p.kind, &p.form) {
        (ProgrammeKind::Reward, Some(f)) if !f.rubric.is_empty() => {
            let form = f.clone();
            Ok((p, form))
        }
        _ => Err(Error::invalid(FieldProblem::new(
            "programme",
            CompetitionProblem::NotPrizeProgramme {
                code: code.to_owned(),
            },
        ))),
    }
}

/// Sets a competition up; the problems by field with nothing saved.
pub async fn create(
    store: &Store,
    who: AsBureau<'_>,
    input: &CompetitionInput,
) -> Result<(Saved, Option<i64>), Error> {
    crate::within_limits(&[
        (&fields::CALL_TITLE, input.title.as_str()),
        (&fields::DESCRIPTION, input.description.as_str()),
        (&fields::DESCRIPTION, input.prizes.as_str()),
    ])?;
    let mut problems = Vec::new();
    required(&mut problems, "title", &input.title, "大赛名称");
    let year = input
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1949..=2200).contains(y));
    if year.is_none() {
        problems.push(FieldProblem::new(
            "year",
            CompetitionProblem::Year {
                raw: input.year.trim().to_owned(),
            },
        ));
    }
    let programme = input.programme.trim();
    let scope = crate::programmes::funds_scope(store, &who).await?;
    if !scope.covers(programme) || prize_programme(store, programme).await.is_err() {
        problems.push(FieldProblem::new(
            "programme",
            CompetitionProblem::NotPrizeProgramme {
                code: programme.to_owned(),
            },
        ));
    }
    let mut day = |key: &str, raw: &str| {
        let d = kechuang_domain::text::written_date(raw);
        if d.is_none() {
            problems.push(FieldProblem::new(
                key,
                CompetitionProblem::NotADate {
                    raw: raw.trim().to_owned(),
                },
            ));
        }
        d
    };
    let opens = day("registration_opens", &input.registration_opens);
    let closes = day("registration_closes", &input.registration_closes);
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            problems.push(FieldProblem::new(
                "registration_closes",
                CompetitionProblem::Dates {
                    opens: o,
                    closes: c,
                },
            ));
        }
    }
    let prizes = parse_prizes(&input.prizes)
        .map_err(|e| problems.push(FieldProblem::new("prizes", e)))
        .ok();
    let (Some(year), Some(opens), Some(closes), Some(prizes), true) =
        (year, opens, closes, prizes, problems.is_empty())
    else {
        return Ok((Saved::Refused(problems), None));
    };
    let c = NewCompetition {
        year,
        title: input.title.trim().to_owned(),
        programme_code: programme.to_owned(),
        description: input.description.trim().to_owned(),
        registration_opens: opens.to_string(),
        registration_closes: closes.to_string(),
        prizes,
    };
    Ok((
        Saved::Done,
        Some(store.create_competition(&c, &who.actor()).await?),
    ))
}

pub async fn list(store: &Store) -> Result<Vec<CompetitionRecord>, Error> {
    Ok(store.competitions().await?)
}

pub async fn competition(store: &Store, id: i64) -> Result<CompetitionRecord, Error> {
    Ok(store.competition(id).await?)
}

/// The entry form and the rubric: the prize programme's form.
pub async fn form(store: &Store, c: &CompetitionRecord) -> Result<FormSpec, Error> {
    Ok(prize_programme(store, &c.programme_code).await?.1)
}

/// Registration is open today, and no round has begun.
pub async fn registration_open(store: &Store, c: &CompetitionRecord) -> Result<bool, Error> {
    let today = today_in_china().to_string();
    Ok(c.registration_opens <= today
        && today <= c.registration_closes
        && store.competition_rounds(c.id).await?.is_empty())
}

/// An entry as typed: the track, industry and project, the form's answers; for a team the
/// bureau enters, the team's name, leader and county.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub track: String,
    pub industry: String,
    pub title: String,
    pub answers: HashMap<String, String>,
    pub team: String,
    pub leader: String,
    pub region: String,
}

/// A file sent with an entry: the form's slot, its name, its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub slot: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Registers an entry: an enterprise for itself, the bureau for a team. With `Some(uploads)`
/// (the registration form) the form's required files must come with it; with `None` (the API)
/// they follow one by one, and the screening waits for them. The problems by field with
/// nothing saved.
pub async fn enter(
    store: &Store,
    who: &Principal,
    competition: i64,
    input: &EntryInput,
    uploads: Option<&[Upload]>,
) -> Result<(Saved, Option<i64>), Error> {
    let sent = uploads.is_some();
    let uploads = uploads.unwrap_or_default();
    crate::within_limits(&[
        (&fields::CALL_TITLE, input.title.as_str()),
        (&fields::CALL_TITLE, input.team.as_str()),
        (&fields::CALL_TITLE, input.leader.as_str()),
    ])?;
    let c = store.competition(competition).await?;
    let today = today_in_china();
    let (opens, closes) = (
        parse_day("registration_opens", &c.registration_opens)?,
        parse_day("registration_closes", &c.registration_closes)?,
    );
    if today < opens {
        return Err(Error::conflict(CompetitionProblem::RegistrationNotOpen {
            opens,
        }));
    }
    // Closed on its day, or as soon as the first round begins (the store checks it again in
    // the write).
    if today > closes || !store.competition_rounds(competition).await?.is_empty() {
        return Err(Error::conflict(CompetitionProblem::RegistrationClosed {
            closes,
        }));
    }
    let form = form(store, &c).await?;
    let mut problems = Vec::new();
    let track = Track::parse(&input.track);
    if track.is_none() {
        problems.push(FieldProblem::new(
            "track",
            CompetitionProblem::TrackUnknown {
                track: input.track.trim().to_owned(),
            },
        ));
    }
    let industry = industry(&input.industry);
    if industry.is_none() {
        problems.push(FieldProblem::new(
            "industry",
            CompetitionProblem::IndustryUnknown {
                industry: input.industry.trim().to_owned(),
            },
        ));
    }
    required(&mut problems, "title", &input.title, "项目名称");
    // Who enters: an enterprise (its registry record), or a team the bureau enters.
    let (uscc, name, leader, region) = match who.scope() {
        DataScope::Enterprise(uscc) => {
            let e = store.enterprise(uscc).await?;
            if let (Some(t), Some(on)) = (
                track,
                e.registered_on
                    .as_deref()
                    .and_then(kechuang_domain::text::written_date),
            ) {
                if let Err(p) = track_fits(t, Some(on), c.year) {
                    problems.push(FieldProblem::new("track", p));
                }
            }
            (
                Some(e.uscc),
                e.name,
                input.leader.trim().to_owned(),
                e.region_code,
            )
        }
        _ if who.role() == Role::Bureau => {
            required(&mut problems, "team", &input.team, "团队名称");
            required(&mut problems, "leader", &input.leader, "团队负责人");
            if track == Some(Track::Growth) {
                problems.push(FieldProblem::new("track", CompetitionProblem::TeamGrowth));
            }
            let tree = store.region_tree().await?;
            let region = crate::offsite::county_of(&tree, &input.region);
            if region.is_none() {
                problems.push(FieldProblem::new(
                    "region",
                    CompetitionProblem::NotACounty {
                        raw: input.region.trim().to_owned(),
                    },
                ));
            }
            let region = region.map(|r| r.as_str().to_owned()).unwrap_or_default();
            (
                None,
                input.team.trim().to_owned(),
                input.leader.trim().to_owned(),
                region,
            )
        }
        _ => return Err(Error::forbidden(crate::auth::RoleRequired::Applicant)),
    };
    let checked = form.check_each(&input.answers);
    problems.extend(checked.missing);
    problems.extend(checked.invalid);
    let mut given = Vec::new();
    for u in uploads {
        if u.file_name.is_empty() && u.bytes.is_empty() {
            continue;
        }
        match form.check_attachment(&u.slot, &u.file_name, u.bytes.len()) {
            Ok(()) => given.push(u.slot.clone()),
            Err(p) => problems.push(p),
        }
    }
    for a in form.missing_attachments(&given) {
        if sent && !problems.iter().any(|p| p.field == a.key) {
            problems.push(FieldProblem::labelled(
                &a.key,
                &a.label,
                kechuang_domain::application::FormProblem::Required,
            ));
        }
    }
    let (Some(track), Some(industry), true) = (track, industry, problems.is_empty()) else {
        return Ok((Saved::Refused(problems), None));
    };
    let entry = NewEntry {
        uscc,
        name,
        leader,
        region_code: region,
        track,
        industry: industry.to_owned(),
        title: input.title.trim().to_owned(),
        answers: serde_json::to_string(&checked.values).map_err(Error::internal)?,
    };
    let files: Vec<(&str, &str, &str, &[u8])> = uploads
        .iter()
        .filter(|u| given.contains(&u.slot))
        .map(|u| {
            (
                u.slot.as_str(),
                u.file_name.as_str(),
                crate::portal::served_type(&u.file_name),
                u.bytes.as_slice(),
            )
        })
        .collect();
    let id = store
        .enter_competition(competition, &entry, &files, &who.actor())
        .await?;
    Ok((Saved::Done, Some(id)))
}

/// Whether the caller may see an entry: the bureau all, a county those in its area, an
/// enterprise its own, an expert those assigned to them.
async fn may_see(store: &Store, who: &Principal, e: &EntryRecord) -> Result<bool, Error> {
    Ok(match who.scope() {
        DataScope::System => true,
        DataScope::Region(_) => {
            let tree = store.region_tree().await?;
            let regions = who.regions(&tree)?;
            regions.iter().any(|r| r.as_str() == e.region_code)
        }
        DataScope::Enterprise(u) => e.uscc.as_deref() == Some(u.as_str()),
        DataScope::Assigned => store
            .expert_assignments(who.username())
            .await?
            .iter()
            .any(|a| a.entry_id == e.id),
        _ => false,
    })
}

/// An entry the caller may see; a stranger is told it does not exist.
pub async fn entry(store: &Store, who: &Principal, id: i64) -> Result<EntryRecord, Error> {
    let e = store.competition_entry(id).await?;
    if may_see(store, who, &e).await? {
        Ok(e)
    } else {
        Err(StoreError::NotFound(Absent::Entry { id }).into())
    }
}

/// The entries of a competition the caller may see.
pub async fn entries(
    store: &Store,
    who: Option<&Principal>,
    competition: i64,
) -> Result<Vec<EntryRecord>, Error> {
    let Some(who) = who else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in store.competition_entries(competition).await? {
        if may_see(store, who, &e).await? {
            out.push(e);
        }
    }
    Ok(out)
}

/// A file of an entry: (name, type to serve it as, bytes).
pub async fn file(
    store: &Store,
    who: &Principal,
    id: i64,
    slot: &str,
) -> Result<(String, &'static str, Vec<u8>), Error> {
    entry(store, who, id).await?;
    let (name, _, data) = store.entry_file(id, slot).await?;
    Ok((name.clone(), crate::portal::served_type(&name), data))
}

/// Adds or replaces a file of the caller's entry until the rounds begin.
pub async fn add_file(
    store: &Store,
    who: &Principal,
    id: i64,
    upload: &Upload,
) -> Result<(), Error> {
    // The entrant (an enterprise sees only its own) or the bureau; not a county or an expert.
    let e = entry(store, who, id).await?;
    if !matches!(who.role(), Role::Bureau | Role::Enterprise) {
        return Err(StoreError::NotFound(Absent::Entry { id }).into());
    }
    let c = store.competition(e.competition_id).await?;
    let form = form(store, &c).await?;
    form.check_attachment(&upload.slot, &upload.file_name, upload.bytes.len())
        .map_err(Error::invalid)?;
    store
        .put_entry_file(
            id,
            (
                &upload.slot,
                &upload.file_name,
                crate::portal::served_type(&upload.file_name),
                &upload.bytes,
            ),
            &who.actor(),
        )
        .await?;
    Ok(())
}

/// The eligibility screening: eligible (its required files there) or not, with the reason.
pub async fn screen(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    eligible: bool,
    note: &str,
) -> Result<(), Error> {
    crate::within_limits(&[(&fields::COMMENT, note)])?;
    let e = store.competition_entry(id).await?;
    let note = note.trim();
    if !eligible && note.is_empty() {
        return Err(Error::invalid(FieldProblem::new(
            "note",
            CompetitionProblem::ReasonRequired,
        )));
    }
    if eligible {
        let c = store.competition(e.competition_id).await?;
        let form = form(store, &c).await?;
        let given: Vec<String> = store
            .entry_files(id)
            .await?
            .into_iter()
            .map(|f| f.slot)
            .collect();
        let missing: Vec<&str> = form
            .missing_attachments(&given)
            .iter()
            .map(|a| a.label.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::conflict(CompetitionProblem::FilesMissing {
                files: missing.join("、"),
            }));
        }
    }
    let status = if eligible {
        EntryStatus::Eligible
    } else {
        EntryStatus::Ineligible
    };
    Ok(store.screen_entry(id, status, note, &who.actor()).await?)
}

pub async fn rounds(store: &Store, competition: i64) -> Result<Vec<RoundRecord>, Error> {
    Ok(store.competition_rounds(competition).await?)
}

pub async fn round_entries(store: &Store, round: i64) -> Result<Vec<RoundEntry>, Error> {
    Ok(store.round_entries(round).await?)
}

/// Opens the next round: its entries (the eligible ones, or those the last round advanced),
/// each with `experts` experts from the pool, none with a conflict of interest with the
/// entrant, those of the entry's industry first, then the least loaded.
pub async fn open_round(
    store: &Store,
    who: AsBureau<'_>,
    competition: i64,
    stage: &str,
    experts: &str,
) -> Result<i64, Error> {
    let stage = Stage::parse(stage).ok_or_else(|| {
        Error::invalid(FieldProblem::new(
            "stage",
            CompetitionProblem::RoundOrder { stage: "该轮次" },
        ))
    })?;
    let n: usize = experts
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=9).contains(n))
        .ok_or_else(|| {
            Error::invalid(FieldProblem::new(
                "experts",
                CompetitionProblem::ExpertsPerEntry,
            ))
        })?;
    let held = store.competition_rounds(competition).await?;
    let entries = store.competition_entries(competition).await?;
    let taking: Vec<&EntryRecord> = match held.iter().filter(|r| r.closed).max_by_key(|r| r.stage) {
        None => entries
            .iter()
            .filter(|e| e.status == EntryStatus::Eligible)
            .collect(),
        Some(last) => {
            let up: Vec<i64> = store
                .round_entries(last.id)
                .await?
                .into_iter()
                .filter(|r| r.advanced)
                .map(|r| r.entry_id)
                .collect();
            entries.iter().filter(|e| up.contains(&e.id)).collect()
        }
    };
    let pool = store.experts().await?;
    let mut load = store.expert_load().await?;
    let mut participants = Vec::with_capacity(taking.len());
    for e in taking {
        let chosen = assign(
            &pool,
            e.uscc.as_deref().unwrap_or(""),
            &e.name,
            &e.industry,
            n,
            &load,
        )
        .map_err(|AssignRefused::TooFewExperts { fit, needed }| {
            Error::conflict(CompetitionProblem::TooFewExperts {
                name: e.name.clone(),
                fit,
                needed,
            })
        })?;
        let names: Vec<String> = chosen.iter().map(|x| x.username.clone()).collect();
        for x in &names {
            *load.entry(x.clone()).or_default() += 1;
        }
        participants.push((e.id, names));
    }
    Ok(store
        .open_round(
            competition,
            (stage, i64::try_from(n).unwrap_or(1)),
            &participants,
            &who.actor(),
        )
        .await?)
}

/// The open round in which `who` (an expert) scores an entry.
async fn open_assignment(store: &Store, who: &Principal, entry: i64) -> Result<i64, Error> {
    store
        .expert_assignments(who.username())
        .await?
        .into_iter()
        .find(|a| a.entry_id == entry && !a.closed)
        .map(|a| a.round_id)
        .ok_or_else(|| Error::conflict(CompetitionProblem::NotYourEntry))
}

/// An expert's scores for an entry in the open round, checked against the rubric: saved, or
/// the problems by criterion with nothing saved.
pub async fn score(
    store: &Store,
    who: &Principal,
    entry_id: i64,
    raw: &HashMap<String, String>,
) -> Result<Saved, Error> {
    let e = entry(store, who, entry_id).await?;
    let round = open_assignment(store, who, entry_id).await?;
    let c = store.competition(e.competition_id).await?;
    let form = form(store, &c).await?;
    let total = match form.check_scores(raw) {
        Ok(t) => t,
        Err(p) => return Ok(Saved::Refused(p)),
    };
    let criteria: HashMap<String, f64> = form
        .rubric
        .iter()
        .filter_map(|k| {
            raw.get(&k.key)
                .and_then(|v| v.trim().parse().ok())
                .map(|v| (k.key.clone(), v))
        })
        .collect();
    let comment = raw.get("comment").map(|s| s.trim()).unwrap_or_default();
    crate::within_limits(&[(&fields::COMMENT, comment)])?;
    store
        .submit_round_score(
            (round, entry_id),
            &serde_json::to_string(&criteria).map_err(Error::internal)?,
            (total, comment),
            form.drop_extremes,
            &who.actor(),
        )
        .await?;
    Ok(Saved::Done)
}

/// The experts' scores of an entry in a round, for the bureau; an expert sees their own.
pub async fn scores(
    store: &Store,
    who: &Principal,
    round: i64,
    entry_id: i64,
) -> Result<Vec<RoundScore>, Error> {
    entry(store, who, entry_id).await?;
    let all = store.round_scores(round, entry_id).await?;
    Ok(match who.role() {
        Role::Bureau => all,
        _ => all
            .into_iter()
            .filter(|s| s.expert == who.username())
            .collect(),
    })
}

/// The round an expert scores an entry in, if one is open for them.
pub async fn scoring_round(
    store: &Store,
    who: &Principal,
    entry_id: i64,
) -> Result<Option<i64>, Error> {
    if who.role() != Role::Expert {
        return Ok(None);
    }
    Ok(open_assignment(store, who, entry_id).await.ok())
}

/// Closes the open round once every score is in: places per track; `advance` places of each
/// track go on (ties at the cut with them); after the final, the prize table is given down
/// each track's ranking.
pub async fn close_round(
    store: &Store,
    who: AsBureau<'_>,
    competition: i64,
    advance: &str,
) -> Result<Closing, Error> {
    let c = store.competition(competition).await?;
    let open = store
        .competition_rounds(competition)
        .await?
        .into_iter()
        .find(|r| !r.closed)
        .ok_or_else(|| Error::conflict(CompetitionProblem::RoundNotScoring { stage: "本轮" }))?;
    let quota = if open.stage == Stage::Final {
        None
    } else {
        Some(
            advance
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    Error::invalid(FieldProblem::new("advance", CompetitionProblem::Advance))
                })?,
        )
    };
    let prizes = c.prizes.clone();
    let decide = move |scored: &[(i64, Track, f64)]| {
        let places = rank(scored);
        match quota {
            Some(q) => Closing {
                advanced: advancing(&places, q),
                places,
                prizes: Vec::new(),
            },
            None => {
                let won = award_prizes(&places, &prizes)
                    .into_iter()
                    .filter_map(|(e, i)| prizes.get(i).map(|p| (e, p.name.clone(), p.amount)))
                    .collect();
                Closing {
                    places,
                    advanced: Vec::new(),
                    prizes: won,
                }
            }
        }
    };
    Ok(store
        .close_round(open.id, quota.map(i64::from), decide, &who.actor())
        .await?)
}

/// The final has closed.
async fn finished(store: &Store, competition: i64) -> Result<bool, Error> {
    Ok(store
        .competition_rounds(competition)
        .await?
        .iter()
        .any(|r| r.stage == Stage::Final && r.closed))
}

/// The results are public: their article is published and visible.
pub async fn results_public(store: &Store, c: &CompetitionRecord) -> Result<bool, Error> {
    let Some(article) = c.results_article else {
        return Ok(false);
    };
    let a = store.article(article).await?;
    Ok(crate::portal::is_visible(&a, chrono::Utc::now()))
}

/// Text an entrant wrote, as literal Markdown: every ASCII punctuation mark escaped, so a title
/// cannot add a link, emphasis or a table cell to the bureau's notice.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| !c.is_control()) {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The winners of each track that has any, in the prize table's order: what the notice, the
/// competition's page and the API list.
pub fn winners<'a>(
    c: &CompetitionRecord,
    entries: &'a [EntryRecord],
) -> Vec<(Track, Vec<&'a EntryRecord>)> {
    Track::ALL
        .into_iter()
        .filter_map(|track| {
            let mut won: Vec<&EntryRecord> = entries
                .iter()
                .filter(|e| e.track == track && e.prize.is_some())
                .collect();
            won.sort_by_key(|e| {
                c.prizes
                    .iter()
                    .position(|p| Some(&p.name) == e.prize.as_ref())
                    .unwrap_or(usize::MAX)
            });
            (!won.is_empty()).then_some((track, won))
        })
        .collect()
}

/// The results as the article tells them: the winners of each track with their prizes, and
/// how many took part in each round.
async fn results_text(store: &Store, c: &CompetitionRecord) -> Result<String, Error> {
    let entries = store.competition_entries(c.id).await?;
    let rounds = store.competition_rounds(c.id).await?;
    let mut body = format!("{}经资格审查、专家评审，现将获奖结果公布如下。\n", c.title);
    for (track, won) in winners(c, &entries) {
        body.push_str(&format!("\n## {}\n\n", track.name_zh()));
        body.push_str("| 奖项 | 项目 | 参赛单位 | 奖金（万元） |\n|---|---|---|---|\n");
        for e in won {
            body.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                e.prize.as_deref().unwrap_or_default(),
                md_text(&e.title),
                md_text(&e.name),
                e.prize_amount.map(|a| a.wan_text()).unwrap_or_default()
            ));
        }
    }
    body.push_str("\n## 各轮评审\n\n");
    for r in rounds {
        let n = store.round_entries(r.id).await?.len();
        body.push_str(&format!(
            "- {}：{} 个项目，每个项目 {} 位专家评审\n",
            r.stage.name_zh(),
            n,
            r.experts_per_entry
        ));
    }
    if entries
        .iter()
        .any(|e| e.uscc.is_none() && e.prize.is_some())
    {
        body.push_str("\n团队获奖项目须在本市注册企业后兑现奖金。\n");
    }
    body.push_str(&format!("\n详见[大赛页面](/competitions/{})。\n", c.id));
    Ok(body)
}

/// Publishes the results as a portal article under 通知公告, sent for the portal's review
/// (another officer publishes it); the competition's page shows them once it is published.
pub async fn publish(store: &Store, who: AsBureau<'_>, competition: i64) -> Result<i64, Error> {
    let c = store.competition(competition).await?;
    if !finished(store, competition).await? {
        return Err(Error::conflict(CompetitionProblem::NotFinished));
    }
    if c.results_article.is_some() {
        return Err(Error::conflict(CompetitionProblem::ResultsPublished));
    }
    let input = crate::portal::ArticleInput {
        category: "notices".into(),
        title: format!("{}获奖结果公布", c.title),
        summary: format!("{}获奖名单", c.title),
        body: results_text(store, &c).await?,
        source: "韶关市科学技术局".into(),
        tags: "创新创业大赛".into(),
        links: format!("programme:{}", c.programme_code),
        ..Default::default()
    };
    let (saved, id) = crate::portal::create(store, who, &input).await?;
    let id = match (saved, id) {
        (Saved::Done, Some(id)) => id,
        _ => return Err(Error::internal("the results article was refused")),
    };
    crate::portal::act(store, who, id, "submit", "").await?;
    store
        .set_results_article(competition, id, &who.actor())
        .await?;
    Ok(id)
}

/// The prizes of the final as a batch of the competition's programme: each winning enterprise
/// judged by the programme's rule with its prize as the amount asked; the batch then goes
/// through notice, approval and payment. A team is paid once it has registered an enterprise.
pub async fn award(store: &Store, who: AsBureau<'_>, competition: i64) -> Result<i64, Error> {
    let c = store.competition(competition).await?;
    crate::programmes::funds_scope(store, &who)
        .await?
        .check(&c.programme_code)?;
    if !finished(store, competition).await? {
        return Err(Error::conflict(CompetitionProblem::NotFinished));
    }
    if let Some(b) = c.batch_id {
        if store.batch(b).await?.status != BatchStatus::Void {
            return Err(Error::conflict(CompetitionProblem::PrizesAwarded));
        }
    }
    let (programme, _) = prize_programme(store, &c.programme_code).await?;
    let rules = Rules::compile(&programme).map_err(|e| Error::internal(format!("{e:?}")))?;
    let mut prizes = Vec::new();
    for e in store.competition_entries(competition).await? {
        let (Some(uscc), Some(prize), Some(amount)) = (&e.uscc, &e.prize, e.prize_amount) else {
            continue;
        };
        let cand = crate::applications::applicant(
            store,
            &programme,
            (uscc, &e.region_code, &e.title),
            (amount, 0.0),
        )
        .await?;
        let paid = match rules.judge(c.year, &cand).map_err(Error::internal)? {
            Verdict::Eligible { amount, .. } => amount,
            Verdict::NotEligible => {
                return Err(Error::conflict(CompetitionProblem::PrizeNotEligible {
                    name: e.name.clone(),
                    rule: programme.eligibility.clone(),
                }))
            }
        };
        prizes.push((
            e.id,
            uscc.clone(),
            e.name.clone(),
            e.region_code.clone(),
            paid,
            format!("{}（{}）{}：{}", c.title, e.track.name_zh(), prize, e.title),
        ));
    }
    Ok(store
        .commit_prizes(
            competition,
            (&c.programme_code, c.year),
            &prizes,
            &who.actor(),
        )
        .await?)
}

/// An enterprise's entries, for its page and workbench.
pub async fn entries_of(store: &Store, uscc: &str) -> Result<Vec<EntryRecord>, Error> {
    Ok(store.entries_of(uscc).await?)
}

/// Entries waiting for an expert's score in open rounds, for the workbench.
pub async fn to_score(
    store: &Store,
    who: &Principal,
) -> Result<Vec<kechuang_store::Assignment>, Error> {
    if who.role() != Role::Expert {
        return Ok(Vec::new());
    }
    Ok(store
        .expert_assignments(who.username())
        .await?
        .into_iter()
        .filter(|a| !a.closed && !a.scored)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::md_text;

    #[test]
    fn an_entrants_text_stays_literal_in_the_notice() {
        assert_eq!(md_text("智能分拣机器人"), "智能分拣机器人");
        assert_eq!(
            md_text("[领奖](http://x.example) | **A**"),
            "\\[领奖\\]\\(http\\:\\/\\/x\\.example\\) \\| \\*\\*A\\*\\*"
        );
        assert_eq!(md_text("a\nb"), "ab");
    }
}
