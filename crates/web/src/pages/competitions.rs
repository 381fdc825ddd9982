//! The innovation competition's pages: the list (public) with the bureau's set-up form; a
//! competition (public: dates, prizes, rounds, results once published; an enterprise's entry
//! form; the bureau's screening, rounds and prizes; a county's entries); an entry (the entrant,
//! officers, and the experts scoring it).

use super::{render_form, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::application::FieldKind;
use kechuang_domain::auth::Role;
use kechuang_domain::competition::{industry_en, may_open, EntryStatus, Stage, Track, INDUSTRIES};
use kechuang_domain::problem::FieldProblem;
use kechuang_service::competitions::{self as service, CompetitionInput, EntryInput, Upload};
use kechuang_service::Saved;
use kechuang_store::{CompetitionRecord, EntryRecord, RoundRecord};
use serde::Deserialize;
use std::collections::HashMap;

fn track_name(t: Track, lang: Lang) -> &'static str {
    if lang.is_en() {
        t.name_en()
    } else {
        t.name_zh()
    }
}

fn stage_name(s: Stage, lang: Lang) -> &'static str {
    if lang.is_en() {
        s.name_en()
    } else {
        s.name_zh()
    }
}

fn industry_name(zh: &str, lang: Lang) -> String {
    if lang.is_en() && !industry_en(zh).is_empty() {
        industry_en(zh).to_owned()
    } else {
        zh.to_owned()
    }
}

fn status_view(s: EntryStatus, lang: Lang) -> (String, &'static str) {
    let name = if lang.is_en() {
        s.name_en()
    } else {
        s.name_zh()
    };
    let class = match s {
        EntryStatus::Registered => "due",
        EntryStatus::Eligible => "on_track",
        EntryStatus::Ineligible => "behind",
    };
    (name.to_owned(), class)
}

/// Where a competition stands, in words: registration, screening, a round, the results.
fn phase(c: &CompetitionRecord, rounds: &[RoundRecord], public: bool, lang: Lang) -> String {
    let t = lang.tr();
    let today = crate::format::today_in_china().to_string();
    if public {
        return t.cp_phase_results.into();
    }
    match rounds.last() {
        Some(r) if !r.closed => format!("{}{}", stage_name(r.stage, lang), t.cp_phase_scoring),
        Some(r) => format!("{}{}", stage_name(r.stage, lang), t.cp_phase_closed),
        None if today < c.registration_opens => t.cp_phase_soon.into(),
        None if today <= c.registration_closes => t.cp_phase_open.into(),
        None => t.cp_phase_screening.into(),
    }
}

fn wan(f: kechuang_domain::money::Fen) -> String {
    f.wan_text()
}

struct CompRow {
    id: i64,
    year: i32,
    title: String,
    window: String,
    entries: i64,
    phase: String,
}

#[derive(Template)]
#[template(path = "competitions.html")]
struct ListPage {
    chrome: Chrome,
    csrf: String,
    bureau: bool,
    items: Vec<CompRow>,
    programmes: Vec<(String, String)>,
    input: CompetitionInput,
    problems: Vec<(String, String)>,
    error: String,
}

impl ListPage {
    fn problem(&self, field: &str) -> String {
        super::field_problem(&self.problems, field)
    }
}

async fn list_page(
    st: &AppState,
    v: &Viewer,
    uri: &Uri,
    (typed, problems, error): (
        Option<CompetitionInput>,
        Vec<(String, String)>,
        Option<AppError>,
    ),
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = v.who.as_ref().is_some_and(|w| w.role() == Role::Bureau);
    let mut items = Vec::new();
    for c in service::list(&st.store).await.page(lang)? {
        let rounds = service::rounds(&st.store, c.id).await.page(lang)?;
        let public = service::results_public(&st.store, &c).await.page(lang)?;
        items.push(CompRow {
            id: c.id,
            year: c.year,
            title: c.title.clone(),
            window: format!(
                "{} — {}",
                crate::format::day_text(&c.registration_opens, lang),
                crate::format::day_text(&c.registration_closes, lang)
            ),
            entries: c.entries,
            phase: phase(&c, &rounds, public, lang),
        });
    }
    let programmes = if bureau {
        st.store
            .programmes()
            .await
            .page(lang)?
            .into_iter()
            .filter(|p| {
                p.kind == kechuang_domain::programme::ProgrammeKind::Reward && p.form.is_some()
            })
            .map(|p| (p.code, if lang.is_en() { p.name_en } else { p.name }))
            .collect()
    } else {
        Vec::new()
    };
    let year = chrono::Datelike::year(&crate::format::today_in_china());
    let input = typed.unwrap_or_else(|| CompetitionInput {
        year: year.to_string(),
        title: format!("{year}年中国创新创业大赛（韶关分赛区）"),
        prizes: "一等奖 1 20万元\n二等奖 2 10万元\n三等奖 3 5万元".into(),
        ..Default::default()
    });
    let (error, status) = shown(error, lang);
    let page = ListPage {
        chrome: Chrome::new(v, "competitions", lang.tr().cp_title.into(), uri, None),
        csrf: v
            .who
            .as_ref()
            .map(|w| w.csrf().to_owned())
            .unwrap_or_default(),
        bureau,
        items,
        programmes,
        input,
        problems,
        error,
    };
    render_form(&page, lang, status, &page.problems)
}

/// `/competitions`: every competition, where it stands; the bureau's set-up form.
pub async fn list(State(st): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    list_page(&st, &v, &uri, (None, Vec::new(), None)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompetitionForm {
    year: String,
    title: String,
    programme: String,
    description: String,
    registration_opens: String,
    registration_closes: String,
    prizes: String,
}

/// `POST /competitions`: the bureau sets a competition up.
pub async fn create(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<CompetitionForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let input = CompetitionInput {
        year: f.year,
        title: f.title,
        programme: f.programme,
        description: f.description,
        registration_opens: f.registration_opens,
        registration_closes: f.registration_closes,
        prizes: f.prizes,
    };
    match service::create(&st.store, who.as_bureau().page(lang)?, &input).await {
        Ok((Saved::Done, Some(id))) => {
            Ok(Redirect::to(&format!("/competitions/{id}")).into_response())
        }
        Ok((Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, lang.into());
            list_page(&st, &v, &uri, (Some(input), p, None)).await
        }
        Ok((Saved::Done, None)) => Err(PageError(AppError::internal("saved without an id"), lang)),
        Err(e) => list_page(&st, &v, &uri, (Some(input), Vec::new(), Some(e))).await,
    }
}

struct FieldView {
    key: String,
    label: String,
    long: bool,
    kind: &'static str,
    required: bool,
}

struct FileSlot {
    key: String,
    label: String,
    accept: String,
    types: String,
    max_mb: u32,
    required: bool,
}

struct EntryRow {
    id: i64,
    name: String,
    team: bool,
    title: String,
    track: String,
    industry: String,
    county: String,
    status: String,
    status_class: &'static str,
    note: String,
    prize: String,
}

struct RoundRow {
    entry_id: i64,
    name: String,
    title: String,
    track: String,
    score: String,
    place: String,
    advanced: bool,
    progress: String,
}

struct RoundView {
    id: i64,
    stage: String,
    closed: bool,
    experts: i64,
    advance: String,
    rows: Vec<RoundRow>,
}

struct Winner {
    prize: String,
    title: String,
    name: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "competition.html")]
struct CompetitionPage {
    chrome: Chrome,
    csrf: String,
    c: CompetitionRecord,
    phase: String,
    window: String,
    prizes: Vec<(String, u32, String)>,
    done: String,
    error: String,
    problems: Vec<(String, String)>,
    bureau: bool,
    can_enter: bool,
    /// Why an enterprise (or a visitor) has no entry form: not yet open, closed, log in.
    register_note: String,
    login: bool,
    team_form: bool,
    fields: Vec<FieldView>,
    slots: Vec<FileSlot>,
    tracks: Vec<(&'static str, &'static str)>,
    industries: Vec<(&'static str, String)>,
    counties: Vec<(String, String)>,
    input: EntryInput,
    startup_since: String,
    mine: Vec<EntryRow>,
    entries: Vec<EntryRow>,
    waiting: usize,
    rounds: Vec<RoundView>,
    next_stages: Vec<(&'static str, &'static str)>,
    open_round: Option<(String, bool)>,
    finished: bool,
    article: Option<(i64, String)>,
    batch: Option<i64>,
    results_public: bool,
    winners: Vec<(String, Vec<Winner>)>,
}

impl CompetitionPage {
    fn problem(&self, field: &str) -> String {
        super::field_problem(&self.problems, field)
    }
    fn answer(&self, key: &str) -> String {
        self.input.answers.get(key).cloned().unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

type Refused = (Option<EntryInput>, Vec<(String, String)>, Option<AppError>);

fn entry_row(e: &EntryRecord, tree: &kechuang_domain::region::RegionTree, lang: Lang) -> EntryRow {
    let (status, status_class) = status_view(e.status, lang);
    EntryRow {
        id: e.id,
        name: e.name.clone(),
        team: e.uscc.is_none(),
        title: e.title.clone(),
        track: track_name(e.track, lang).into(),
        industry: industry_name(&e.industry, lang),
        county: super::region_name(tree, lang, &e.region_code),
        status,
        status_class,
        note: e.screen_note.clone(),
        prize: e
            .prize
            .as_ref()
            .map(|p| {
                format!(
                    "{p}（{} 万元）",
                    e.prize_amount.map(wan).unwrap_or_default()
                )
            })
            .unwrap_or_default(),
    }
}

async fn competition_page(
    st: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    done: &str,
    (typed, problems, error): Refused,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let t = lang.tr();
    let c = service::competition(&st.store, id).await.page(lang)?;
    let who = v.who.as_deref();
    let role = who.map(|w| w.role());
    let bureau = role == Some(Role::Bureau);
    let tree = st.store.region_tree().await.page(lang)?;
    let rounds = service::rounds(&st.store, id).await.page(lang)?;
    let public = service::results_public(&st.store, &c).await.page(lang)?;
    let form = service::form(&st.store, &c).await.page(lang)?;
    let open = service::registration_open(&st.store, &c).await.page(lang)?;
    let visible = service::entries(&st.store, who, id).await.page(lang)?;
    let (mine, entries): (Vec<&EntryRecord>, Vec<&EntryRecord>) = visible
        .iter()
        .partition(|e| role == Some(Role::Enterprise) && e.uscc.is_some());
    let can_enter = open && role == Some(Role::Enterprise) && mine.is_empty();
    let today = crate::format::today_in_china().to_string();
    let register_note = match role {
        Some(Role::Enterprise) if mine.is_empty() && !open => {
            if today < c.registration_opens {
                format!(
                    "{}{}",
                    t.cp_reg_soon,
                    crate::format::day_text(&c.registration_opens, lang)
                )
            } else {
                t.cp_reg_closed.to_owned()
            }
        }
        None if open => t.cp_reg_login.to_owned(),
        _ => String::new(),
    };
    let mut round_views = Vec::new();
    if bureau {
        for r in &rounds {
            let rows = service::round_entries(&st.store, r.id)
                .await
                .page(lang)?
                .into_iter()
                .map(|x| RoundRow {
                    entry_id: x.entry_id,
                    name: x.name,
                    title: x.title,
                    track: track_name(x.track, lang).into(),
                    score: x.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    place: x.place.map(|p| p.to_string()).unwrap_or_default(),
                    advanced: x.advanced,
                    progress: format!("{}/{}", x.scored, x.experts),
                })
                .collect();
            round_views.push(RoundView {
                id: r.id,
                stage: stage_name(r.stage, lang).into(),
                closed: r.closed,
                experts: r.experts_per_entry,
                advance: r.advance.map(|a| a.to_string()).unwrap_or_default(),
                rows,
            });
        }
    }
    let held: Vec<Stage> = rounds.iter().map(|r| r.stage).collect();
    let any_open = rounds.iter().any(|r| !r.closed);
    let next_stages = Stage::ALL
        .into_iter()
        .filter(|s| may_open(*s, &held, any_open).is_ok())
        .map(|s| (s.code(), stage_name(s, lang)))
        .collect();
    // Named within a sentence: "Close the preliminary round".
    let open_round = rounds.iter().find(|r| !r.closed).map(|r| {
        let name = stage_name(r.stage, lang);
        let name = if lang.is_en() {
            name.to_lowercase()
        } else {
            name.to_owned()
        };
        (name, r.stage == Stage::Final)
    });
    let finished = rounds.iter().any(|r| r.stage == Stage::Final && r.closed);
    let article = match c.results_article {
        Some(a) => {
            let rec = st.store.article(a).await.page(lang)?;
            let status = if lang.is_en() {
                rec.status.name_en()
            } else {
                rec.status.name_zh()
            };
            Some((a, status.to_owned()))
        }
        None => None,
    };
    let mut winners = Vec::new();
    if public {
        let all = st.store.competition_entries(id).await.page(lang)?;
        for (track, won) in service::winners(&c, &all) {
            winners.push((
                track_name(track, lang).to_owned(),
                won.iter()
                    .map(|e| Winner {
                        prize: e.prize.clone().unwrap_or_default(),
                        title: e.title.clone(),
                        name: e.name.clone(),
                        amount: e.prize_amount.map(wan).unwrap_or_default(),
                    })
                    .collect(),
            ));
        }
    }
    let fields = form
        .fields
        .iter()
        .map(|f| FieldView {
            key: f.key.clone(),
            label: f.label.clone(),
            long: f.kind == FieldKind::Long,
            kind: match f.kind {
                FieldKind::Date => "date",
                _ => "text",
            },
            required: f.required,
        })
        .collect();
    let slots = form
        .attachments
        .iter()
        .map(|a| FileSlot {
            key: a.key.clone(),
            label: a.label.clone(),
            accept: a
                .types
                .iter()
                .map(|x| format!(".{x}"))
                .collect::<Vec<_>>()
                .join(","),
            types: a.types.join("、"),
            max_mb: a.max_mb,
            required: a.required,
        })
        .collect();
    let (error, status) = shown(error, lang);
    let page = CompetitionPage {
        chrome: Chrome::new(v, "competitions", c.title.clone(), uri, None),
        csrf: who.map(|w| w.csrf().to_owned()).unwrap_or_default(),
        phase: phase(&c, &rounds, public, lang),
        window: format!(
            "{} — {}",
            crate::format::day_text(&c.registration_opens, lang),
            crate::format::day_text(&c.registration_closes, lang)
        ),
        prizes: c
            .prizes
            .iter()
            .map(|p| (p.name.clone(), p.count, wan(p.amount)))
            .collect(),
        done: match done {
            "entered" => t.cp_done_entered,
            "screened" => t.cp_done_screened,
            "round" => t.cp_done_round,
            "closed" => t.cp_done_closed,
            "published" => t.cp_done_published,
            _ => "",
        }
        .to_owned(),
        error,
        problems,
        bureau,
        can_enter,
        login: who.is_none() && open,
        register_note,
        team_form: bureau && open,
        fields,
        slots,
        tracks: Track::ALL
            .iter()
            .map(|t| (t.code(), track_name(*t, lang)))
            .collect(),
        industries: INDUSTRIES
            .iter()
            .map(|(zh, _)| (*zh, industry_name(zh, lang)))
            .collect(),
        counties: super::counties(&tree, lang),
        input: typed.unwrap_or_default(),
        startup_since: crate::format::date(
            kechuang_domain::competition::startup_since(c.year),
            lang,
        ),
        mine: mine.iter().map(|e| entry_row(e, &tree, lang)).collect(),
        waiting: entries
            .iter()
            .filter(|e| e.status == EntryStatus::Registered)
            .count(),
        entries: entries.iter().map(|e| entry_row(e, &tree, lang)).collect(),
        rounds: round_views,
        next_stages,
        open_round,
        finished,
        article,
        batch: c.batch_id,
        results_public: public,
        winners,
        c,
    };
    render_form(&page, lang, status, &page.problems)
}

/// `/competitions/{id}`.
pub async fn competition(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let done = d.done.unwrap_or_default();
    competition_page(&st, &v, &uri, id, &done, (None, Vec::new(), None)).await
}

/// `POST /competitions/{id}/entries`: the entry form with its files in one request — an
/// enterprise for itself, the bureau for a team.
pub async fn enter(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bad = super::frame::unreadable_form(lang);
    let mut input = EntryInput::default();
    let mut uploads = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(slot) = name.strip_prefix("file_") {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            uploads.push(Upload {
                slot: slot.to_owned(),
                file_name,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "track" => input.track = text,
            "industry" => input.industry = text,
            "title" => input.title = text,
            "team" => input.team = text,
            "leader" => input.leader = text,
            "region" => input.region = text,
            "csrf" => {}
            other => {
                if let Some(key) = other.strip_prefix("a_") {
                    input.answers.insert(key.to_owned(), text);
                }
            }
        }
    }
    match service::enter(&st.store, &who, id, &input, Some(&uploads)).await {
        Ok((Saved::Done, _)) => {
            Ok(Redirect::to(&format!("/competitions/{id}?done=entered#entries")).into_response())
        }
        Ok((Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, lang.into());
            competition_page(&st, &v, &uri, id, "", (Some(input), p, None)).await
        }
        Err(e @ (AppError::NotFound(_) | AppError::Forbidden(_))) => Err(PageError(e, lang)),
        Err(e) => competition_page(&st, &v, &uri, id, "", (Some(input), Vec::new(), Some(e))).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoundForm {
    stage: String,
    experts: String,
    advance: String,
}

/// `POST /competitions/{id}/{action}`: the bureau opens a round, closes the open one, publishes
/// the results or puts the prizes in a batch.
pub async fn act(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<RoundForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let done: Result<String, AppError> = match action.as_str() {
        "rounds" => service::open_round(&st.store, bureau, id, &f.stage, &f.experts)
            .await
            .map(|_| format!("/competitions/{id}?done=round#rounds")),
        "close-round" => service::close_round(&st.store, bureau, id, &f.advance)
            .await
            .map(|_| format!("/competitions/{id}?done=closed#rounds")),
        "publish" => service::publish(&st.store, bureau, id)
            .await
            .map(|_| format!("/competitions/{id}?done=published#results")),
        "prizes" => service::award(&st.store, bureau, id)
            .await
            .map(|b| format!("/batches/{b}")),
        _ => Err(AppError::not_found(kechuang_service::Missing::Page {
            path: uri.path().to_owned(),
        })),
    };
    match done {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => competition_page(&st, &v, &uri, id, "", (None, Vec::new(), Some(e))).await,
    }
}

struct ScoreRow {
    round: String,
    expert: String,
    total: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "competition_entry.html")]
struct EntryPage {
    chrome: Chrome,
    csrf: String,
    competition: CompetitionRecord,
    e: EntryRow,
    uscc: String,
    leader: String,
    registered: String,
    answers: Vec<(String, String)>,
    files: Vec<(String, String, String, String)>,
    standings: Vec<(String, String, String, bool)>,
    screenable: bool,
    scoring: bool,
    rubric: Vec<(String, String, u32)>,
    scores: Vec<ScoreRow>,
    done: String,
    error: String,
    problems: Vec<(String, String)>,
    typed: HashMap<String, String>,
}

impl EntryPage {
    fn problem(&self, field: &str) -> String {
        super::field_problem(&self.problems, field)
    }
    fn typed(&self, key: &str) -> String {
        self.typed.get(key).cloned().unwrap_or_default()
    }
}

/// What the entry page shows again after a refused score: the scores typed and why.
type ScoreRefused = (
    HashMap<String, String>,
    Vec<(String, String)>,
    Option<AppError>,
);

async fn entry_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    id: i64,
    done: &str,
    (typed, problems, error): ScoreRefused,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let t = lang.tr();
    let e = service::entry(&st.store, who, id).await.page(lang)?;
    let c = service::competition(&st.store, e.competition_id)
        .await
        .page(lang)?;
    let form = service::form(&st.store, &c).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let rounds = service::rounds(&st.store, c.id).await.page(lang)?;
    let stored: HashMap<String, String> = serde_json::from_str(&e.answers).unwrap_or_default();
    let answers = form
        .fields
        .iter()
        .filter_map(|f| {
            let v = stored.get(&f.key)?;
            let shown = match f.kind {
                FieldKind::Money => v
                    .parse::<i64>()
                    .map(|x| format!("{} 万元", kechuang_domain::money::Fen(x).wan_text()))
                    .unwrap_or_else(|_| v.clone()),
                _ => v.clone(),
            };
            Some((f.label.clone(), shown))
        })
        .collect();
    let files = st
        .store
        .entry_files(id)
        .await
        .page(lang)?
        .into_iter()
        .map(|f| {
            let label = form
                .attachments
                .iter()
                .find(|a| a.key == f.slot)
                .map(|a| a.label.clone())
                .unwrap_or_else(|| f.slot.clone());
            (f.slot, label, f.file_name, crate::format::bytes(f.size))
        })
        .collect();
    let mut standings = Vec::new();
    let mut scores = Vec::new();
    for r in &rounds {
        let Some(s) = service::round_entries(&st.store, r.id)
            .await
            .page(lang)?
            .into_iter()
            .find(|x| x.entry_id == id)
        else {
            continue;
        };
        // The score and place are shown once the round has closed.
        standings.push((
            stage_name(r.stage, lang).to_owned(),
            s.score
                .filter(|_| r.closed)
                .map(|x| format!("{x:.2}"))
                .unwrap_or_default(),
            s.place.map(|p| p.to_string()).unwrap_or_default(),
            s.advanced,
        ));
        if matches!(who.role(), Role::Bureau | Role::Expert) {
            for x in service::scores(&st.store, who, r.id, id).await.page(lang)? {
                scores.push(ScoreRow {
                    round: stage_name(r.stage, lang).to_owned(),
                    expert: x.expert_name,
                    total: x
                        .total
                        .map(|v| format!("{v:.1}"))
                        .unwrap_or_else(|| "—".into()),
                    comment: x.comment,
                });
            }
        }
    }
    let scoring = service::scoring_round(&st.store, who, id)
        .await
        .page(lang)?
        .is_some();
    let (error, status) = shown(error, lang);
    let page = EntryPage {
        chrome: Chrome::new(v, "competitions", e.title.clone(), uri, None),
        csrf: who.csrf().to_owned(),
        uscc: e.uscc.clone().unwrap_or_default(),
        leader: e.leader.clone(),
        registered: crate::format::local_day(&e.registered_at),
        e: entry_row(&e, &tree, lang),
        answers,
        files,
        standings,
        screenable: who.role() == Role::Bureau && rounds.is_empty(),
        scoring,
        rubric: form
            .rubric
            .iter()
            .map(|k| (k.key.clone(), k.label.clone(), k.max))
            .collect(),
        scores,
        done: match done {
            "scored" => t.cp_done_scored,
            "screened" => t.cp_done_screened,
            _ => "",
        }
        .to_owned(),
        error,
        problems,
        typed,
        competition: c,
    };
    render_form(&page, lang, status, &page.problems)
}

/// `/competitions/entries/{id}`: to the entrant, officers and assigned experts.
pub async fn entry(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let done = d.done.unwrap_or_default();
    entry_page(&st, &v, &who, &uri, id, &done, Default::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScreenForm {
    decision: String,
    note: String,
}

/// `POST /competitions/entries/{id}/screen`: eligible or not, with the reason.
pub async fn screen(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ScreenForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let eligible = f.decision == "eligible";
    match service::screen(&st.store, bureau, id, eligible, &f.note).await {
        Ok(()) => {
            let e = st.store.competition_entry(id).await.page(lang)?;
            Ok(Redirect::to(&format!(
                "/competitions/{}?done=screened#entries",
                e.competition_id
            ))
            .into_response())
        }
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => {
            entry_page(
                &st,
                &v,
                &who,
                &uri,
                id,
                "",
                (HashMap::new(), Vec::new(), Some(e)),
            )
            .await
        }
    }
}

/// `POST /competitions/entries/{id}/score`: an assigned expert's scores by the rubric.
pub async fn score(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(raw): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    match service::score(&st.store, &who, id, &raw).await {
        Ok(Saved::Done) => {
            Ok(Redirect::to(&format!("/competitions/entries/{id}?done=scored")).into_response())
        }
        Ok(Saved::Refused(p)) => {
            let p = FieldProblem::worded(&p, lang.into());
            entry_page(&st, &v, &who, &uri, id, "", (raw, p, None)).await
        }
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => entry_page(&st, &v, &who, &uri, id, "", (raw, Vec::new(), Some(e))).await,
    }
}

/// `/competitions/entries/{id}/files/{slot}`.
pub async fn file(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((id, slot)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (name, ctype, data) = service::file(&st.store, &who, id, &slot)
        .await
        .page(v.lang)?;
    Ok(crate::format::served_file(&name, ctype, data))
}
