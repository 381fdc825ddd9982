//! R&D statistics pages: 应统尽统 — the coverage by county for a year and, for a county, the
//! enterprises that should report R&D and did not, with why, as a list to follow up and export.

use super::{render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::response::Response;
use chrono::Datelike;
use kechuang_domain::rd::{SurveyAction, SurveyStatus};
use kechuang_service::rd as service;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct CoverageQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    region: String,
}

struct CountyRow {
    code: String,
    name: String,
    should: usize,
    reported: usize,
    rate: String,
}

struct RollupRow {
    code: String,
    name: String,
    enterprises: usize,
    surveyed: String,
    official: String,
    share: String,
}

struct SurveyRow {
    uscc: String,
    name: String,
    county: String,
    staff: i64,
    total: String,
    labour: String,
}

struct MissingRow {
    uscc: String,
    name: String,
    county: String,
    reasons: String,
    trained: bool,
}

struct WaitingRow {
    uscc: String,
    name: String,
    county: String,
    year: i32,
    total: String,
}

struct TrainingRow {
    held_on: String,
    title: String,
    place: String,
    attendees: i64,
}

#[derive(Template)]
#[template(path = "rd.html")]
struct CoveragePage {
    chrome: Chrome,
    error: String,
    year: String,
    region: String,
    region_name: String,
    should: usize,
    reported: usize,
    rate: String,
    counties: Vec<CountyRow>,
    missing: Vec<MissingRow>,
    regions: Vec<(String, String)>,
    rollup: Vec<RollupRow>,
    surveys: Vec<SurveyRow>,
    /// Missing enterprises that attended no training session for the year.
    untrained: usize,
    /// Enterprises' own surveys waiting for the caller.
    waiting: Vec<WaitingRow>,
    trainings: Vec<TrainingRow>,
}

/// 万元 as reports write them: grouped, at most two decimals.
fn wan(f: kechuang_domain::money::Fen) -> String {
    crate::format::number(f.0 as f64 / kechuang_domain::money::FEN_PER_WAN as f64)
}

fn percent(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{}%", crate::format::number(r)))
}

/// The year shown without one asked for: the last full year, the one surveyed this year.
fn default_year() -> String {
    (crate::format::today_in_china().year() - 1).to_string()
}

pub async fn coverage(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let year = if q.year.trim().is_empty() {
        default_year()
    } else {
        q.year.trim().to_owned()
    };
    let region = Some(q.region.as_str()).filter(|r| !r.trim().is_empty());
    let (names, _) = super::region_names(&st, lang).await?;
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let tree = st.store.region_tree().await.page(lang)?;
    let regions: Vec<(String, String)> = match who.scope() {
        kechuang_domain::auth::DataScope::Region(own) => std::iter::once(own.clone())
            .chain(
                tree.rollup_children(own)
                    .into_iter()
                    .map(|r| r.code.clone()),
            )
            .map(|c| (c.to_string(), name(c.as_str())))
            .collect(),
        _ => Vec::new(),
    };
    let (c, refused) = match service::coverage(&st.store, &who, &year, region).await {
        Ok(c) => (Some(c), None),
        Err(e @ crate::error::AppError::NotFound(_)) => return Err(PageError(e, lang)),
        Err(e) => (None, Some(e)),
    };
    let (error, status) = shown(refused, lang);
    let year_no: Option<i32> = c.as_ref().map(|c| c.year);
    let rollup = match year_no {
        Some(y) => service::rollup(&st.store, &who, y, region)
            .await
            .page(lang)?,
        None => Vec::new(),
    };
    // The surveys behind the figures: a county's in full, the city's once it is chosen.
    let surveys = match (year_no, region) {
        (Some(y), Some(_)) => service::surveys(&st.store, &who, y)
            .await
            .page(lang)?
            .into_iter()
            .filter(|s| {
                c.as_ref().is_some_and(|c| {
                    kechuang_domain::RegionCode::parse(&s.region_code)
                        .ok()
                        .zip(kechuang_domain::RegionCode::parse(&c.region).ok())
                        .is_some_and(|(r, top)| tree.is_within(&r, &top))
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let trainings = match year_no {
        Some(y) => service::trainings(&st.store, &who, y, region)
            .await
            .page(lang)?,
        None => Vec::new(),
    };
    let waiting = service::waiting_surveys(&st.store, &who)
        .await
        .page(lang)?
        .into_iter()
        .map(|s| WaitingRow {
            county: name(&s.region_code),
            total: wan(s.total),
            year: s.year,
            uscc: s.uscc,
            name: s.name,
        })
        .collect();
    let page = CoveragePage {
        waiting,
        untrained: c
            .as_ref()
            .map_or(0, |c| c.missing.iter().filter(|m| !m.trained).count()),
        trainings: trainings
            .iter()
            .map(|t| TrainingRow {
                held_on: t.held_on.clone(),
                title: t.title.clone(),
                place: name(&t.region_code),
                attendees: t.attendees,
            })
            .collect(),
        rollup: rollup
            .iter()
            .map(|l| RollupRow {
                code: l.region.clone(),
                name: name(&l.region),
                enterprises: l.enterprises,
                surveyed: wan(l.surveyed),
                official: l.official_wan.map_or("—".into(), crate::format::number),
                share: percent(l.share),
            })
            .collect(),
        surveys: surveys
            .iter()
            .map(|s| SurveyRow {
                uscc: s.uscc.clone(),
                name: s.name.clone(),
                county: name(&s.region_code),
                staff: s.staff,
                total: wan(s.total),
                labour: wan(s.parts[0]),
            })
            .collect(),
        chrome: Chrome::new(&v, "rd", tr.rd_title.into(), &uri, None),
        error,
        region: c.as_ref().map(|c| c.region.clone()).unwrap_or_default(),
        region_name: c.as_ref().map(|c| name(&c.region)).unwrap_or_default(),
        should: c.as_ref().map_or(0, |c| c.should),
        reported: c.as_ref().map_or(0, |c| c.reported),
        rate: percent(c.as_ref().and_then(|c| c.rate)),
        counties: c
            .as_ref()
            .map(|c| {
                c.by_county
                    .iter()
                    .map(|b| CountyRow {
                        code: b.region.clone(),
                        name: name(&b.region),
                        should: b.should,
                        reported: b.reported,
                        rate: percent(b.rate),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        missing: c
            .as_ref()
            .map(|c| {
                c.missing
                    .iter()
                    .map(|m| MissingRow {
                        uscc: m.uscc.clone(),
                        name: m.name.clone(),
                        county: name(&m.region),
                        reasons: m
                            .reasons
                            .iter()
                            .map(|r| lang.pick(r.name(), r.name_en()))
                            .collect::<Vec<_>>()
                            .join(if lang.is_en() { "; " } else { "；" }),
                        trained: m.trained,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        year,
        regions,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The enterprises to follow up, as a spreadsheet for the county officer.
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "missing", lang)?;
    let year = if q.year.trim().is_empty() {
        default_year()
    } else {
        q.year.trim().to_owned()
    };
    let region = Some(q.region.as_str()).filter(|r| !r.trim().is_empty());
    let c = service::coverage(&st.store, &who, &year, region)
        .await
        .page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "应报未报企业",
        headers: &[
            "统一社会信用代码",
            "企业名称",
            "县（市、区）",
            "应报原因",
            "是否参加研发统计培训",
            "年度",
        ],
        rows: c
            .missing
            .iter()
            .map(|m| {
                vec![
                    m.uscc.clone(),
                    m.name.clone(),
                    super::county_name(&tree, &m.region),
                    m.reasons
                        .iter()
                        .map(|r| r.name())
                        .collect::<Vec<_>>()
                        .join("；"),
                    if m.trained { "是" } else { "否" }.to_owned(),
                    c.year.to_string(),
                ]
            })
            .collect(),
        numeric: &[],
    };
    super::sheet_download(&table, format, &file, lang)
}

// ---- an enterprise's own survey ----------------------------------------------------------

struct FieldView {
    key: &'static str,
    label: String,
    value: String,
    error: String,
}

#[derive(Template)]
#[template(path = "rd_survey.html")]
struct SurveyPage {
    chrome: Chrome,
    csrf: String,
    /// Where the forms post.
    action: String,
    year: i32,
    name: String,
    uscc: String,
    status: String,
    status_class: &'static str,
    comment: String,
    /// The enterprise may change it.
    editable: bool,
    /// A staff review page rather than the enterprise's own.
    review: bool,
    can_check: bool,
    can_accept: bool,
    fields: Vec<FieldView>,
    note: String,
    note_error: String,
    error: String,
    done: String,
}

fn status_view(s: Option<SurveyStatus>, lang: crate::i18n::Lang) -> (String, &'static str) {
    match s {
        None => (lang.tr().rd_survey_new.to_owned(), "plain"),
        Some(s) => (
            lang.pick(s.name(), s.name_en()).to_owned(),
            match s {
                SurveyStatus::Accepted => "achieved",
                SurveyStatus::Returned => "behind",
                SurveyStatus::Draft => "plain",
                SurveyStatus::Submitted | SurveyStatus::Checked => "on_track",
            },
        ),
    }
}

/// The form's fields, from what was typed or what is stored, each with its problem.
fn field_views(
    input: &service::SurveyInput,
    problems: &[(String, String)],
    lang: crate::i18n::Lang,
) -> Vec<FieldView> {
    let tr = lang.tr();
    let error = |k: &str| {
        problems
            .iter()
            .filter(|(f, _)| f == k)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join("；")
    };
    let unit = tr.unit_wan_paren;
    let mut out = vec![
        FieldView {
            key: "rd_staff",
            label: tr.rd_staff.to_owned(),
            value: input.staff.clone(),
            error: error("rd_staff"),
        },
        FieldView {
            key: "rd_total_wan",
            label: tr.rd_survey_total.to_owned(),
            value: input.total.clone(),
            error: error("rd_total_wan"),
        },
    ];
    for (i, (key, zh, en)) in kechuang_domain::rd::PARTS.iter().enumerate() {
        out.push(FieldView {
            key,
            label: format!("{}{unit}", lang.pick(zh, en)),
            value: input.parts[i].clone(),
            error: error(key),
        });
    }
    for (key, label, value) in [
        (
            "super_deduction_base_wan",
            tr.rd_survey_deduction_base,
            &input.super_deduction_base,
        ),
        ("gov_funds_wan", tr.rd_survey_gov_funds, &input.gov_funds),
        (
            "institutions",
            tr.rd_survey_institutions,
            &input.institutions,
        ),
        (
            "patent_applications",
            tr.rd_survey_patent_applications,
            &input.patent_applications,
        ),
        (
            "new_product_sales_wan",
            tr.rd_survey_new_product_sales,
            &input.new_product_sales,
        ),
    ] {
        out.push(FieldView {
            key,
            label: label.to_owned(),
            value: value.clone(),
            error: error(key),
        });
    }
    out
}

fn input_of(s: &kechuang_domain::rd::Survey) -> service::SurveyInput {
    let w = |f: kechuang_domain::money::Fen| f.wan_text();
    service::SurveyInput {
        staff: s.staff.to_string(),
        total: w(s.total),
        parts: s.parts.map(w),
        super_deduction_base: s.super_deduction_base.map(w).unwrap_or_default(),
        note: s.note.clone(),
        gov_funds: s.details.gov_funds.map(w).unwrap_or_default(),
        institutions: s
            .details
            .institutions
            .map(|n| n.to_string())
            .unwrap_or_default(),
        patent_applications: s
            .details
            .patent_applications
            .map(|n| n.to_string())
            .unwrap_or_default(),
        new_product_sales: s.details.new_product_sales.map(w).unwrap_or_default(),
    }
}

#[derive(Deserialize, Default)]
pub struct SurveyQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    done: String,
}

fn year_of(raw: &str) -> i32 {
    raw.trim()
        .parse()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .unwrap_or_else(|| crate::format::today_in_china().year() - 1)
}

/// What the enterprise's page shows besides the survey: what was typed and what was wrong
/// with it (a refused save), an error, or what was just done.
#[derive(Default)]
struct Shown<'a> {
    typed: Option<&'a service::SurveyInput>,
    problems: Vec<(String, String)>,
    error: Option<crate::error::AppError>,
    done: &'a str,
}

async fn own_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    year: i32,
    state: Shown<'_>,
) -> Result<Response, PageError> {
    let Shown {
        typed,
        problems,
        error,
        done,
    } = state;
    let lang = v.lang;
    let tr = lang.tr();
    let own = service::own_survey(&st.store, who, year).await.page(lang)?;
    let stored = own.survey.as_ref();
    let status = stored.map(|s| s.1);
    let input = typed
        .cloned()
        .or_else(|| stored.map(|s| input_of(&s.0)))
        .unwrap_or_default();
    let (status_text, status_class) = status_view(status, lang);
    let note_error = problems
        .iter()
        .filter(|(f, _)| f == "note")
        .map(|(_, m)| m.clone())
        .collect::<Vec<_>>()
        .join("；");
    let (error, http) = shown(error, lang);
    let page = SurveyPage {
        chrome: Chrome::new(v, "rd_survey", tr.rd_survey_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        action: "/rd/survey".into(),
        year,
        name: own.enterprise.name.clone(),
        uscc: own.enterprise.uscc.clone(),
        status: status_text,
        status_class,
        comment: stored
            .filter(|s| s.1 == SurveyStatus::Returned)
            .map(|s| s.2.clone())
            .unwrap_or_default(),
        editable: status.is_none_or(SurveyStatus::editable),
        review: false,
        can_check: false,
        can_accept: false,
        fields: field_views(&input, &problems, lang),
        note: input.note.clone(),
        note_error,
        error: if problems.is_empty() {
            error
        } else {
            tr.rd_survey_problems.to_owned()
        },
        done: match done {
            "saved" => tr.rd_survey_saved.to_owned(),
            "submitted" => tr.rd_survey_submitted.to_owned(),
            _ => String::new(),
        },
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = http;
    Ok(res)
}

/// The enterprise's own survey of a year (`/rd/survey?year=Y`).
pub async fn own_survey(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<SurveyQuery>,
) -> Result<Response, PageError> {
    let shown = Shown {
        done: &q.done,
        ..Shown::default()
    };
    own_page(&st, &v, &who, &uri, year_of(&q.year), shown).await
}

/// Saves the enterprise's survey, or saves and submits it to the county.
pub async fn save_own_survey(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| {
            crate::error::AppError::invalid(crate::error::RequestProblem::Upload {
                reason: e.to_string(),
            })
        })
        .page(lang)?;
    let mut input = service::SurveyInput::default();
    let (mut year, mut submit) = (String::new(), false);
    for (k, val) in fields {
        match k.as_str() {
            "year" => year = val,
            "action" => submit = val == "submit",
            "rd_staff" => input.staff = val,
            "rd_total_wan" => input.total = val,
            "super_deduction_base_wan" => input.super_deduction_base = val,
            "note" => input.note = val,
            "gov_funds_wan" => input.gov_funds = val,
            "institutions" => input.institutions = val,
            "patent_applications" => input.patent_applications = val,
            "new_product_sales_wan" => input.new_product_sales = val,
            k => {
                if let Some(i) = kechuang_domain::rd::PARTS
                    .iter()
                    .position(|(key, _, _)| *key == k)
                {
                    input.parts[i] = val;
                }
            }
        }
    }
    let year = year_of(&year);
    match service::save_own(&st.store, &who, &who.actor(), year, &input, submit).await {
        Ok(kechuang_service::Saved::Done) => Ok(axum::response::Redirect::to(&format!(
            "/rd/survey?year={year}&done={}",
            if submit { "submitted" } else { "saved" }
        ))
        .into_response()),
        Ok(kechuang_service::Saved::Refused(problems)) => {
            let problems = kechuang_domain::problem::FieldProblem::worded(&problems, lang.into());
            own_page(
                &st,
                &v,
                &who,
                &uri,
                year,
                Shown {
                    typed: Some(&input),
                    problems,
                    ..Shown::default()
                },
            )
            .await
        }
        Err(e @ crate::error::AppError::Forbidden(_)) => Err(PageError(e, lang)),
        Err(e) => {
            own_page(
                &st,
                &v,
                &who,
                &uri,
                year,
                Shown {
                    typed: Some(&input),
                    error: Some(e),
                    ..Shown::default()
                },
            )
            .await
        }
    }
}

async fn review_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    (uscc, year): (&str, i32),
    error: Option<crate::error::AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let (survey, status, comment) = service::survey_for_review(&st.store, who, uscc, year)
        .await
        .page(lang)?;
    let (status_text, status_class) = status_view(Some(status), lang);
    let input = input_of(&survey);
    let role = who.role();
    let (error, http) = shown(error, lang);
    let page = SurveyPage {
        chrome: Chrome::new(v, "rd", tr.rd_survey_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        action: format!("/rd/surveys/{}/{year}", survey.uscc),
        year,
        name: survey.name.clone(),
        uscc: survey.uscc.clone(),
        status: status_text,
        status_class,
        comment: if status == SurveyStatus::Returned {
            comment
        } else {
            String::new()
        },
        editable: false,
        review: true,
        can_check: role == kechuang_domain::auth::Role::County && status == SurveyStatus::Submitted,
        can_accept: role == kechuang_domain::auth::Role::Bureau && status == SurveyStatus::Checked,
        fields: field_views(&input, &[], lang),
        note: input.note.clone(),
        note_error: String::new(),
        error,
        done: match done {
            "checked" | "accepted" | "returned" => tr.rd_survey_acted.to_owned(),
            _ => String::new(),
        },
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = http;
    Ok(res)
}

/// An enterprise's survey for its county or the bureau to check (`/rd/surveys/{uscc}/{year}`).
pub async fn review(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((uscc, year)): Path<(String, i32)>,
    Query(q): Query<SurveyQuery>,
) -> Result<Response, PageError> {
    review_page(&st, &v, &who, &uri, (&uscc, year), None, &q.done).await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    action: String,
    #[serde(default)]
    comment: String,
}

/// The county checks (or returns), the bureau accepts (or returns).
pub async fn act(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((uscc, year)): Path<(String, i32)>,
    axum::extract::Form(f): axum::extract::Form<ReviewForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let Some(action) = SurveyAction::parse(&f.action) else {
        return review_page(
            &st,
            &v,
            &who,
            &uri,
            (&uscc, year),
            Some(crate::error::AppError::invalid(
                kechuang_domain::rd::StepProblem::NotNow {
                    status: String::new(),
                    action: f.action.clone(),
                },
            )),
            "",
        )
        .await;
    };
    match service::act_on_survey(
        &st.store,
        &who,
        &who.actor(),
        &uscc,
        year,
        action,
        &f.comment,
    )
    .await
    {
        Ok(to) => Ok(axum::response::Redirect::to(&format!(
            "/rd/surveys/{uscc}/{year}?done={}",
            to.code()
        ))
        .into_response()),
        Err(e @ crate::error::AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => review_page(&st, &v, &who, &uri, (&uscc, year), Some(e), "").await,
    }
}
