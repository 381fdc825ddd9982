//! Applications as pages (and later clients) use them: who may see an application, who may
//! take which step, and the checks a step needs — the call open, the form complete, the
//! programme's eligibility rule, experts without conflicts, amounts by the programme's rule.

use crate::auth::{AsApplicant, AsBureau, Principal};
use crate::clock::{parse_day, today_in_china};
use crate::{Error, Missing, Saved};
use chrono::NaiveDate;
use kechuang_domain::application::{
    assign, transition, Actor as Who, AppAction, AppStatus, FormSpec, REQUESTED,
};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::money::{Fen, FEN_PER_WAN};
use kechuang_domain::programme::{
    Candidate, EnterpriseFacts, EventFacts, Programme, Rules, Verdict,
};
use kechuang_domain::text::fields;
use kechuang_domain::RegionCode;
use kechuang_store::{ApplicationRecord, Store};
use std::collections::HashMap;

/// The part a caller plays in the workflow, by role.
pub fn who(p: &Principal) -> Option<Who> {
    match p.role() {
        Role::Enterprise => Some(Who::Enterprise),
        Role::County => Some(Who::County),
        Role::Bureau => Some(Who::Bureau),
        _ => None,
    }
}

kechuang_domain::problems! {
    pub enum ApplicationProblem {
        NoPart = "no_part_in_applications" {
            zh: "您的账号不办理申报", en: "your account has no part in applications",
        },
        CallClosed { opens: NaiveDate, closes: NaiveDate } = "call_closed" {
            zh: "申报时间为 {opens} 至 {closes}，现不在申报期内",
            en: "the call is open from {opens} to {closes}, not now",
        },
        AnswersMissing { names: String } = "answers_missing" {
            zh: "请填写：{names}", en: "answers still to give: {names}",
        },
        AttachmentsMissing { names: String } = "attachments_missing" {
            zh: "请上传：{names}", en: "attachments still to upload: {names}",
        },
        NotEligible { rule: String } = "not_eligible" {
            zh: "不符合申报条件：{rule}", en: "not eligible under the programme's rule: {rule}",
        },
        ReasonRequired = "reason_required" {
            zh: "退回或不通过须写明理由", en: "say why when returning or rejecting",
        },
        ReportMissing = "report_missing" {
            zh: "请先上传验收报告", en: "upload the acceptance report first",
        },
        EnterprisesApply = "enterprises_apply" {
            zh: "仅企业可申报", en: "only enterprises apply",
        },
        CallDates { opens: NaiveDate, closes: NaiveDate } = "call_dates" {
            zh: "截止日期 {closes} 早于开始日期 {opens}", en: "the call closes ({closes}) before it opens ({opens})",
        },
        TitleRequired = "title_required" {
            zh: "请填写申报指南的标题", en: "a call needs a title",
        },
        GuideFileType { name: String } = "guide_file_type" {
            zh: "「{name}」不是可作为申报指南附件的文件（接受 pdf、doc、docx、wps、xls、xlsx、et、ofd、zip）",
            en: "'{name}' is not a guide attachment (pdf, doc, docx, wps, xls, xlsx, et, ofd or zip)",
        },
        GuideFileTooLarge { name: String } = "guide_file_too_large" {
            zh: "「{name}」超过 20 MB", en: "'{name}' is larger than 20 MB",
        },
        NotScoredHere { id: i64, title: String } = "not_scored_in_call" {
            zh: "申报 {id}「{title}」尚未完成评审或不属于本指南",
            en: "application {id} '{title}' is not scored or not in this call",
        },
    }
}

/// An application the caller may see: the enterprise its own, county and bureau officers
/// those of their region, an expert those assigned. Anything else is not found.
pub async fn visible(store: &Store, p: &Principal, id: i64) -> Result<ApplicationRecord, Error> {
    let a = store.application(id).await?;
    let tree = store.region_tree().await?;
    let ok = match p.scope() {
        DataScope::Enterprise(u) => *u == a.uscc,
        DataScope::Region(_) => {
            a.status != AppStatus::Draft
                && RegionCode::parse(&a.region_code)
                    .is_ok_and(|r| p.scope().covers_region(&tree, &r))
        }
        DataScope::Assigned => store
            .scores(id)
            .await?
            .iter()
            .any(|s| s.expert == p.username()),
        _ => false,
    };
    if ok {
        Ok(a)
    } else {
        Err(Error::not_found(Missing::Application { id }))
    }
}

/// A programme that takes applications, with its form. A reward programme's form is a
/// competition's entry form (`competitions`): it takes no calls.
pub async fn programme_form(store: &Store, code: &str) -> Result<(Programme, FormSpec), Error> {
    let p = store.programme(code).await?;
    let calls = p.kind != kechuang_domain::programme::ProgrammeKind::Reward;
    let form = p.form.clone().filter(|_| calls).ok_or_else(|| {
        Error::not_found(Missing::ApplicationForm {
            programme: code.to_owned(),
        })
    })?;
    Ok((p, form))
}

fn day(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(Error::internal)
}

/// The rules' view of an applicant: the enterprise, its facts of the call's year, and the
/// application's amount (万元) and score.
async fn candidate(
    store: &Store,
    a: &ApplicationRecord,
    programme: &Programme,
) -> Result<Candidate, Error> {
    // Before the experts have scored, the score is 0: a rule may rank by it either way.
    applicant(
        store,
        programme,
        (&a.uscc, &a.region_code, &a.title),
        (a.requested, a.score.unwrap_or(0.0)),
    )
    .await
}

/// The rules' view of an enterprise asking a programme for `requested` with `score`: where it
/// lies is `region_code` (the enterprise's county, or for an off-site applicant the county of
/// its site). Competition prizes are judged the same way, the prize as the amount asked.
pub(crate) async fn applicant(
    store: &Store,
    programme: &Programme,
    (uscc, region_code, title): (&str, &str, &str),
    (requested, score): (Fen, f64),
) -> Result<Candidate, Error> {
    let e = store.enterprise(uscc).await?;
    let region = store.programme_region(&programme.code).await?;
    let tree = store.region_tree().await?;
    let in_region = RegionCode::parse(region_code).is_ok_and(|r| tree.is_within(&r, &region));
    let application = HashMap::from([
        (
            REQUESTED.to_owned(),
            requested.0 as f64 / FEN_PER_WAN as f64,
        ),
        ("score".to_owned(), score),
    ]);
    Ok(Candidate {
        enterprise: EnterpriseFacts {
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            region: region_code.to_owned(),
            registered_year: e
                .registered_on
                .as_deref()
                .map(kechuang_domain::programme::year_of)
                .unwrap_or(0),
            size: e.size.clone(),
            above_scale: e.above_scale,
            hitech_field: e.hitech_field.clone(),
            industry: e.industry.clone(),
        },
        // Applications have no registry event; the rule sees an empty one.
        event: EventFacts {
            kind: String::new(),
            number: String::new(),
            title: title.to_owned(),
            issued_on: String::new(),
            issued_year: 0,
            batch: String::new(),
            first: false,
            revoked: false,
        },
        facts: HashMap::new(),
        in_region,
        application,
    })
}

/// Takes a review step for the caller. `comment` is required to send back or reject.
pub async fn take_step(
    store: &Store,
    p: &Principal,
    id: i64,
    action: &str,
    comment: &str,
    payment: Option<(NaiveDate, String)>,
) -> Result<AppStatus, Error> {
    crate::within_limits(&[
        (&fields::COMMENT, comment),
        (
            &fields::PAYMENT_REFERENCE,
            payment.as_ref().map_or("", |(_, r)| r.as_str()),
        ),
    ])?;
    let a = visible(store, p, id).await?;
    let me = who(p).ok_or_else(|| Error::forbidden(ApplicationProblem::NoPart))?;
    let action = AppAction::parse(action).ok_or_else(|| {
        Error::invalid(Missing::Action {
            action: action.to_owned(),
        })
    })?;
    // A step that belongs to another role is forbidden, not merely out of order.
    if let Some(owner) = [Who::Enterprise, Who::County, Who::Bureau]
        .into_iter()
        .find(|w| transition(a.status, action, Some(*w)).is_ok())
    {
        if owner != me {
            return Err(match transition(a.status, action, Some(me)) {
                Err(refused) => Error::forbidden(refused),
                Ok(_) => Error::forbidden(ApplicationProblem::NoPart),
            });
        }
    }
    let to = transition(a.status, action, Some(me)).map_err(Error::conflict)?;
    let (programme, form) = programme_form(store, &a.programme_code).await?;
    let comment = comment.trim();
    match action {
        AppAction::Submit => {
            let today = today_in_china();
            let (opens, closes) = (
                day(&store.call(a.call_id).await?.opens_on)?,
                day(&a.closes_on)?,
            );
            if today < opens || today > closes {
                return Err(Error::conflict(ApplicationProblem::CallClosed {
                    opens,
                    closes,
                }));
            }
            // Stored answers were checked when saved; what may still lack is a required one.
            let missing = form.check_each(&a.answers).missing;
            if !missing.is_empty() {
                let labels: Vec<&str> = missing.iter().filter_map(|m| m.label.as_deref()).collect();
                return Err(Error::conflict(ApplicationProblem::AnswersMissing {
                    names: labels.join("、"),
                }));
            }
            let given: Vec<String> = store.files(id).await?.into_iter().map(|f| f.slot).collect();
            let missing = form.missing_attachments(&given);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|m| m.label.as_str()).collect();
                return Err(Error::conflict(ApplicationProblem::AttachmentsMissing {
                    names: names.join("、"),
                }));
            }
            let rules =
                Rules::compile(&programme).map_err(|e| Error::internal(format!("{e:?}")))?;
            let c = candidate(store, &a, &programme).await?;
            if rules.judge(a.year, &c).map_err(Error::internal)? == Verdict::NotEligible {
                return Err(Error::conflict(ApplicationProblem::NotEligible {
                    rule: programme.eligibility.clone(),
                }));
            }
        }
        AppAction::Return | AppAction::Reject | AppAction::RejectReport if comment.is_empty() => {
            return Err(Error::invalid(ApplicationProblem::ReasonRequired));
        }
        AppAction::Report
            if !store
                .files(id)
                .await?
                .iter()
                .any(|f| f.slot == kechuang_domain::application::REPORT) =>
        {
            return Err(Error::conflict(ApplicationProblem::ReportMissing));
        }
        AppAction::AssignExperts => {
            let experts = store.experts().await?;
            let load = store.expert_load().await?;
            let field = store.enterprise(&a.uscc).await?.hitech_field;
            let chosen = assign(
                &experts,
                &a.uscc,
                &a.name,
                &field,
                form.experts as usize,
                &load,
            )
            .map_err(Error::conflict)?;
            let names: Vec<String> = chosen.iter().map(|e| e.username.clone()).collect();
            store.assign_experts(id, &names, &p.actor()).await?;
            return Ok(to);
        }
        AppAction::Accept => {
            let (on, reference) = payment.unwrap_or_else(|| (today_in_china(), String::new()));
            store
                .accept(id, &form.instalments, on, &reference, &p.actor(), comment)
                .await?;
            return Ok(to);
        }
        _ => {}
    }
    store
        .move_application(id, a.status, to, &p.actor(), comment)
        .await?;
    Ok(to)
}

/// Scored applications proposed for funding as a batch: each at the amount the programme's
/// rule gives for its request and score.
pub async fn propose(store: &Store, p: &Principal, call: i64, ids: &[i64]) -> Result<i64, Error> {
    let c = store.call(call).await?;
    let (programme, _) = programme_form(store, &c.programme_code).await?;
    let rules = Rules::compile(&programme).map_err(|e| Error::internal(format!("{e:?}")))?;
    let mut awards = Vec::new();
    for id in ids {
        let a = store.application(*id).await?;
        if a.call_id != call || a.status != AppStatus::Scored {
            return Err(Error::conflict(ApplicationProblem::NotScoredHere {
                id: *id,
                title: a.title.clone(),
            }));
        }
        let cand = candidate(store, &a, &programme).await?;
        let amount = match rules.judge(a.year, &cand).map_err(Error::internal)? {
            Verdict::Eligible { amount, .. } => amount,
            Verdict::NotEligible => {
                return Err(Error::conflict(ApplicationProblem::NotEligible {
                    rule: programme.eligibility.clone(),
                }))
            }
        };
        let basis = format!(
            "项目「{}」，申请 {} 万元，专家评分 {:.1}",
            a.title,
            a.requested.wan_text(),
            a.score.unwrap_or(0.0)
        );
        awards.push((*id, amount, basis));
    }
    Ok(store
        .propose(&programme, c.year, &awards, &p.actor())
        .await?)
}

/// An expert's scores for an application, checked against the rubric: saved, or the
/// problems by criterion with nothing saved.
pub async fn score(
    store: &Store,
    p: &Principal,
    id: i64,
    raw: &HashMap<String, String>,
) -> Result<Saved, Error> {
    let a = visible(store, p, id).await?;
    let (_, form) = programme_form(store, &a.programme_code).await?;
    let total = match form.check_scores(raw) {
        Ok(total) => total,
        Err(problems) => return Ok(Saved::Refused(problems)),
    };
    let criteria: HashMap<String, f64> = form
        .rubric
        .iter()
        .filter_map(|c| {
            raw.get(&c.key)
                .and_then(|v| v.trim().parse().ok())
                .map(|v| (c.key.clone(), v))
        })
        .collect();
    let comment = raw.get("comment").map(|s| s.trim()).unwrap_or_default();
    store
        .submit_score(
            id,
            &p.actor(),
            &criteria,
            total,
            comment,
            form.drop_extremes,
        )
        .await?;
    Ok(Saved::Done)
}

/// Amounts typed in a form, as fen.
pub fn money(raw: &str) -> Result<Fen, Error> {
    Fen::parse(raw).map_err(Error::invalid)
}

/// A call for applications as the bureau publishes it.
pub struct CallInput<'a> {
    pub programme: &'a str,
    pub year: &'a str,
    pub title: &'a str,
    pub opens_on: &'a str,
    pub closes_on: &'a str,
    /// Open to enterprises registered outside the city with a site in it (异地申报).
    pub offsite_open: bool,
}

/// The bureau publishes a call for a programme that takes applications.
pub async fn create_call(
    store: &Store,
    who: AsBureau<'_>,
    c: &CallInput<'_>,
) -> Result<i64, Error> {
    crate::programmes::funds_scope(store, &who)
        .await?
        .check(c.programme)?;
    let (p, _) = programme_form(store, c.programme).await?;
    let year = crate::programmes::parse_year(c.year)?;
    let opens = parse_day("opens_on", c.opens_on)?;
    let closes = parse_day("closes_on", c.closes_on)?;
    if closes < opens {
        return Err(Error::invalid(ApplicationProblem::CallDates {
            opens,
            closes,
        }));
    }
    let title = c.title.trim();
    crate::within_limits(&[(&fields::CALL_TITLE, title)])?;
    if title.is_empty() {
        return Err(Error::invalid(ApplicationProblem::TitleRequired));
    }
    Ok(store
        .create_call(
            &p,
            year,
            title,
            (opens, closes),
            c.offsite_open,
            &who.actor(),
        )
        .await?)
}

/// An enterprise starts an application (a draft) to a call that is open today, or opens the
/// one it has for the call already (`false`): one application per enterprise and call. An
/// off-site enterprise applies through one of its sites (`site`, or its first), when the call
/// takes off-site applicants.
pub async fn apply(
    store: &Store,
    who: &Principal,
    call: i64,
    site: Option<i64>,
) -> Result<(i64, bool), Error> {
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::forbidden(ApplicationProblem::EnterprisesApply));
    };
    let c = store.call(call).await?;
    let (opens, closes) = (day(&c.opens_on)?, day(&c.closes_on)?);
    let today = today_in_china();
    if today < opens || today > closes {
        return Err(Error::conflict(ApplicationProblem::CallClosed {
            opens,
            closes,
        }));
    }
    let site = crate::offsite::applying_site(store, uscc, &c, site).await?;
    Ok(store
        .create_application(
            call,
            uscc,
            site.as_ref().map(|(id, county)| (*id, county.as_str())),
            &who.actor(),
        )
        .await?)
}

/// A file an applicant sends for one of the form's attachment slots.
pub struct Attachment {
    pub slot: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What the applicant does with what they send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAction {
    /// Keep it as a draft: valid answers are kept while required ones may still be missing.
    Save,
    /// Save and submit: every required answer must be there.
    Submit,
    /// Send the acceptance report and ask for acceptance.
    Report,
}

/// The applicant saves answers (when given) and files, and may submit or ask for acceptance
/// in the same step. Every answer and file is checked first; with any problem nothing is
/// saved. An acceptance report comes alone: answers sent with it are not looked at.
pub async fn save(
    store: &Store,
    who: AsApplicant<'_>,
    id: i64,
    answers: Option<&HashMap<String, String>>,
    uploads: &[Attachment],
    action: SaveAction,
) -> Result<Saved, Error> {
    let a = visible(store, &who, id).await?;
    let (_, form) = programme_form(store, &a.programme_code).await?;
    let mut problems = Vec::new();
    for u in uploads {
        if let Err(mut e) = fields::FILE_NAME.check(&u.file_name) {
            e.field = u.slot.clone();
            problems.push(e);
        } else if let Err(e) = form.check_attachment(&u.slot, &u.file_name, u.bytes.len()) {
            problems.push(e);
        }
    }
    // The answers are checked one by one, and a draft keeps what is valid while required
    // answers may still be missing; submitting checks those against what is stored.
    let values = match answers.filter(|_| action != SaveAction::Report) {
        None => None,
        Some(answers) => {
            let checked = form.check_each(answers);
            let mut values = checked.values;
            // A mistyped answer does not erase the one stored before it: that stays until a
            // valid one replaces it.
            for p in &checked.invalid {
                if let Some(stored) = a.answers.get(&p.field) {
                    values
                        .entry(p.field.clone())
                        .or_insert_with(|| stored.clone());
                }
            }
            problems.extend(checked.invalid);
            if action == SaveAction::Submit {
                problems.extend(checked.missing);
            }
            Some(values)
        }
    };
    // What passed its check is kept even when something else did not: a file the applicant
    // sent is never thrown away because a date beside it was mistyped. Each answer and file is
    // whole on its own; nothing moves the application on until everything passes.
    let actor = who.actor();
    if let Some(x) = &values {
        store.save_answers(id, x, &actor).await?;
    }
    for u in uploads {
        if problems.iter().any(|p| p.field == u.slot) {
            continue;
        }
        store
            .put_file(id, &u.slot, &u.file_name, &u.content_type, &u.bytes, &actor)
            .await?;
    }
    if !problems.is_empty() {
        return Ok(Saved::Refused(problems));
    }
    match action {
        SaveAction::Submit => take_step(store, &who, id, "submit", "", None).await?,
        SaveAction::Report => take_step(store, &who, id, "report", "", None).await?,
        SaveAction::Save => return Ok(Saved::Done),
    };
    Ok(Saved::Done)
}

/// Document types an attachment may be served as; anything else is served as bytes, so no
/// upload can be shown as a page of this site.
const DOCUMENT_TYPES: [&str; 5] = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// An attachment, to whoever may see the application: its name, the type to serve it as,
/// and its bytes.
pub async fn attachment(
    store: &Store,
    who: &Principal,
    id: i64,
    slot: &str,
) -> Result<(String, &'static str, Vec<u8>), Error> {
    visible(store, who, id).await?;
    let (name, ctype, data) = store.file(id, slot).await?;
    let served = DOCUMENT_TYPES
        .into_iter()
        .find(|t| *t == ctype)
        .unwrap_or("application/octet-stream");
    Ok((name, served, data))
}

/// An expert in the pool as the bureau describes them.
pub struct ExpertInput<'a> {
    pub username: &'a str,
    pub name: &'a str,
    /// Fields, separated by commas or 、.
    pub fields: &'a str,
    pub affiliation: &'a str,
    pub affiliation_uscc: Option<&'a str>,
    /// USCCs of enterprises the expert declared a conflict with, separated alike.
    pub conflicts: Option<&'a str>,
}

/// Adds an expert to the pool, or updates one.
pub async fn save_expert(
    store: &Store,
    who: AsBureau<'_>,
    e: &ExpertInput<'_>,
) -> Result<(), Error> {
    crate::within_limits(&[
        (&fields::EXPERT_NAME, e.name),
        (&fields::AFFILIATION, e.affiliation),
        (&fields::EXPERT_FIELDS, e.fields),
        (&fields::CONFLICTS, e.conflicts.unwrap_or_default()),
    ])?;
    let list = |s: &str| -> Vec<String> {
        s.split([',', '，', '、'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let expert = kechuang_domain::application::Expert {
        username: e.username.trim().to_owned(),
        name: e.name.trim().to_owned(),
        fields: list(e.fields),
        affiliation: e.affiliation.trim().to_owned(),
        affiliation_uscc: e
            .affiliation_uscc
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        conflicts: list(e.conflicts.unwrap_or_default()),
    };
    Ok(store.save_expert(&expert, &who.actor()).await?)
}

/// A call with the applications the caller may see: an enterprise its own, officers those of
/// their region's subtree (a county's, or the whole city's for the bureau).
pub async fn call_with_applications(
    store: &Store,
    who: &Principal,
    call: i64,
) -> Result<(kechuang_store::CallRecord, Vec<ApplicationRecord>), Error> {
    let c = store.call(call).await?;
    let filter = match who.scope() {
        DataScope::Enterprise(uscc) => kechuang_store::ApplicationFilter {
            call: Some(call),
            uscc: Some(uscc.clone()),
            ..Default::default()
        },
        _ => {
            let tree = store.region_tree().await?;
            let regions = who
                .regions(&tree)?
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect();
            kechuang_store::ApplicationFilter {
                call: Some(call),
                regions: Some(regions),
                ..Default::default()
            }
        }
    };
    let apps = store.applications(&filter).await?;
    Ok((c, apps))
}

/// The files of a call's guide.
pub async fn guide_files(store: &Store, call: i64) -> Result<Vec<kechuang_store::CallFile>, Error> {
    store.call(call).await?;
    Ok(store.call_files(call).await?)
}

/// The bureau writes a call's guide (申报指南) text.
pub async fn set_guide(
    store: &Store,
    who: AsBureau<'_>,
    call: i64,
    guide: &str,
) -> Result<(), Error> {
    let guide = guide.trim();
    crate::within_limits(&[(&fields::CALL_GUIDE, guide)])?;
    let c = store.call(call).await?;
    crate::programmes::funds_scope(store, &who)
        .await?
        .check(&c.programme_code)?;
    Ok(store.set_call_guide(call, guide, &who.actor()).await?)
}

const GUIDE_TYPES: [&str; 9] = [
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip",
];
const GUIDE_MAX_BYTES: usize = 20 * 1024 * 1024;

/// The bureau attaches a file to a call's guide (the guide as issued, forms to fill in).
pub async fn put_guide_file(
    store: &Store,
    who: AsBureau<'_>,
    call: i64,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<i64, Error> {
    let name = file_name.trim();
    fields::FILE_NAME.check(name).map_err(Error::invalid)?;
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !ext.as_deref().is_some_and(|e| GUIDE_TYPES.contains(&e)) {
        return Err(Error::invalid(ApplicationProblem::GuideFileType {
            name: name.to_owned(),
        }));
    }
    if bytes.len() > GUIDE_MAX_BYTES {
        return Err(Error::invalid(ApplicationProblem::GuideFileTooLarge {
            name: name.to_owned(),
        }));
    }
    let c = store.call(call).await?;
    crate::programmes::funds_scope(store, &who)
        .await?
        .check(&c.programme_code)?;
    Ok(store
        .put_call_file(call, name, content_type, bytes, &who.actor())
        .await?)
}

/// A file of a call's guide, to anyone who may read calls: its name, the type to serve it as
/// (a document type or bytes, never a page) and its bytes.
pub async fn guide_file(
    store: &Store,
    call: i64,
    file: i64,
) -> Result<(String, &'static str, Vec<u8>), Error> {
    let (name, ctype, data) = store.call_file(call, file).await?;
    let served = DOCUMENT_TYPES
        .into_iter()
        .find(|t| *t == ctype)
        .unwrap_or("application/octet-stream");
    Ok((name, served, data))
}

/// The applicant deletes its draft.
pub async fn delete_draft(store: &Store, who: AsApplicant<'_>, id: i64) -> Result<(), Error> {
    visible(store, &who, id).await?;
    Ok(store.delete_draft(id, &who.actor()).await?)
}
