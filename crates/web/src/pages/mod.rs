//! Server-rendered pages. Each handler builds a plain view model (strings and ready SVG),
//! so templates only lay out what the domain computed.

use crate::auth::{Access, Caller, Identity};
use crate::charts::{self, status_class};
use crate::error::{Absent, AppError, HttpStatus};
use crate::format::{self, with_unit};
use crate::i18n::{cagr_label, status_label, Lang, Tr};
use crate::{AppState, Route};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kechuang_domain::evaluate::{Evaluation, TargetScope};
use kechuang_domain::indicator::IndicatorKind;
use kechuang_domain::plan::TargetKind;
use kechuang_domain::progress::Status;
use kechuang_domain::series::Basis;
use kechuang_service::progress::{self as service, Loaded};
use serde::Deserialize;
use std::collections::HashMap;

pub(crate) mod account;
mod admin;
mod applications;
mod entry;
mod imports;
mod programmes;
mod registries;

pub(crate) fn routes() -> Vec<Route> {
    use crate::auth::{
        ADMIN, APPLICATION_PARTIES, AUDITORS, BUREAU, COUNTY, ENTERPRISE, ENTERPRISE_READERS,
        EXPERT, STAFF, VOUCHER_HOLDERS,
    };
    use Access::{Account, Public, Roles};
    vec![
        Route::get("/", Public, dashboard),
        Route::get("/plans/{id}", Public, plan_page),
        Route::get("/plans/{id}/targets/{code}", Public, target_page),
        Route::get("/indicators", Public, indicators_page),
        Route::get("/api", Public, api_page),
        Route::get("/lang/{lang}", Public, set_lang),
        Route::get("/static/app.css", Public, css),
        Route::get("/static/favicon.svg", Public, favicon),
        Route::get("/login", Public, account::login_form),
        Route::post("/login", Public, account::login),
        Route::post("/logout", Account, account::logout),
        Route::get("/account/password", Account, account::password_form),
        Route::post("/account/password", Account, account::password),
        Route::get("/enterprises", Roles(STAFF), registries::enterprises),
        Route::get(
            "/enterprises/{uscc}",
            Roles(ENTERPRISE_READERS),
            registries::enterprise,
        ),
        Route::get(
            "/export/{format}",
            Roles(STAFF),
            registries::enterprises_export,
        ),
        Route::get("/platforms", Roles(STAFF), registries::platforms),
        Route::get("/platforms/{id}", Roles(STAFF), registries::platform),
        Route::get("/entry", Roles(STAFF), entry::overview),
        Route::get("/entry/{region}/{period}", Roles(STAFF), entry::form),
        Route::post("/entry/{region}/{period}", Roles(COUNTY), entry::save),
        Route::post(
            "/entry/{region}/{period}/review",
            Roles(BUREAU),
            entry::review,
        ),
        Route::get("/import", Roles(BUREAU), imports::form),
        Route::post("/import", Roles(BUREAU), imports::upload),
        Route::get("/import/reports/{file}", Roles(BUREAU), imports::report),
        Route::get("/programmes", Roles(AUDITORS), programmes::list),
        Route::get(
            "/programmes/export/{file}",
            Roles(AUDITORS),
            programmes::budgets_export,
        ),
        Route::get("/programmes/{code}", Roles(AUDITORS), programmes::programme),
        Route::post(
            "/programmes/{code}/rules",
            Roles(BUREAU),
            programmes::update_rules,
        ),
        Route::post(
            "/programmes/{code}/budgets",
            Roles(BUREAU),
            programmes::set_budget,
        ),
        Route::post(
            "/programmes/{code}/batches",
            Roles(BUREAU),
            programmes::commit,
        ),
        Route::get("/batches/{id}", Roles(AUDITORS), programmes::batch),
        Route::post("/batches/{id}/steps", Roles(BUREAU), programmes::step),
        Route::post(
            "/batches/{id}/objections/{objection}",
            Roles(BUREAU),
            programmes::resolve_objection,
        ),
        Route::get(
            "/batches/{id}/export/{file}",
            Roles(AUDITORS),
            programmes::export,
        ),
        Route::get("/calls", Roles(APPLICATION_PARTIES), applications::calls),
        Route::post("/calls", Roles(BUREAU), applications::create_call),
        Route::get("/calls/{id}", Roles(STAFF), applications::call),
        Route::post("/calls/{id}/apply", Roles(ENTERPRISE), applications::apply),
        Route::post(
            "/calls/{id}/proposal",
            Roles(BUREAU),
            applications::proposal,
        ),
        Route::get(
            "/applications/{id}",
            Roles(APPLICATION_PARTIES),
            applications::application,
        ),
        Route::post("/applications/{id}", Roles(ENTERPRISE), applications::save),
        Route::post(
            "/applications/{id}/steps",
            Roles(APPLICATION_PARTIES),
            applications::step,
        ),
        Route::post(
            "/applications/{id}/scores",
            Roles(EXPERT),
            applications::score,
        ),
        Route::get(
            "/applications/{id}/files/{slot}",
            Roles(APPLICATION_PARTIES),
            applications::file,
        ),
        Route::get("/experts", Roles(BUREAU), applications::experts),
        Route::post("/experts", Roles(BUREAU), applications::save_expert),
        Route::get("/vouchers", Roles(VOUCHER_HOLDERS), applications::vouchers),
        Route::post("/vouchers/issue", Roles(BUREAU), applications::issue),
        Route::post(
            "/vouchers/providers",
            Roles(BUREAU),
            applications::add_provider,
        ),
        Route::post(
            "/vouchers/{id}/redeem",
            Roles(VOUCHER_HOLDERS),
            applications::redeem,
        ),
        Route::get("/notices", Public, programmes::notices),
        Route::get("/notices/{id}", Public, programmes::notice),
        Route::post("/notices/{id}/objections", Public, programmes::object),
        Route::get("/admin/users", Roles(ADMIN), admin::users),
        Route::post("/admin/users", Roles(ADMIN), admin::create_user),
        Route::post(
            "/admin/users/{username}/{action}",
            Roles(ADMIN),
            admin::user_action,
        ),
        Route::get("/audit", Roles(AUDITORS), admin::audit),
        Route::get(
            "/audit/export/{format}",
            Roles(AUDITORS),
            admin::audit_export,
        ),
    ]
}

/// The visitor as pages see them: their language, and who they are if logged in.
pub struct Viewer {
    pub lang: Lang,
    pub who: Option<Caller>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let who = parts
            .extensions
            .get::<Identity>()
            .and_then(Identity::caller);
        Ok(Self { lang, who })
    }
}

/// The logged-in user as the page frame shows them, and which menu entries their role opens.
pub struct UserBadge {
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub registries: bool,
    pub entry: bool,
    pub import: bool,
    pub programmes: bool,
    pub calls: bool,
    pub experts: bool,
    pub vouchers: bool,
    pub audit: bool,
    pub admin: bool,
}

/// What every page's frame needs: language, active menu entry, title, and where the
/// language switch should return to.
pub struct Chrome {
    pub tr: &'static Tr,
    pub lang: Lang,
    pub active: &'static str,
    pub title: String,
    pub here: String,
    pub plan_id: Option<i64>,
    pub user: Option<UserBadge>,
}

impl Chrome {
    fn new(
        v: &Viewer,
        active: &'static str,
        title: String,
        uri: &Uri,
        plan_id: Option<i64>,
    ) -> Self {
        let here = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let user = v.who.as_ref().map(|p| {
            let role = p.role();
            UserBadge {
                name: if p.user().display_name.is_empty() {
                    p.user().username.clone()
                } else {
                    p.user().display_name.clone()
                },
                role: if v.lang.is_en() {
                    role.name_en().into()
                } else {
                    role.name_zh().into()
                },
                csrf: p.csrf().to_owned(),
                registries: crate::auth::STAFF.contains(&role),
                entry: crate::auth::STAFF.contains(&role),
                import: role == kechuang_domain::auth::Role::Bureau,
                programmes: crate::auth::AUDITORS.contains(&role),
                calls: crate::auth::APPLICATION_PARTIES.contains(&role),
                experts: role == kechuang_domain::auth::Role::Bureau,
                vouchers: crate::auth::VOUCHER_HOLDERS.contains(&role),
                audit: crate::auth::AUDITORS.contains(&role),
                admin: role == kechuang_domain::auth::Role::Admin,
            }
        });
        Self {
            tr: v.lang.tr(),
            lang: v.lang,
            active,
            title,
            here,
            plan_id,
            user,
        }
    }
}

/// An error answered as an HTML page in the visitor's language.
pub struct PageError(pub(crate) AppError, pub(crate) Lang);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let page = ErrorPage {
            chrome: Chrome {
                tr: self.1.tr(),
                lang: self.1,
                active: "",
                title: self.1.tr().error_title.into(),
                here: "/".into(),
                plan_id: None,
                user: None,
            },
            status: self.0.status().as_u16(),
            message: self.0.message(self.1.into()),
        };
        let body = page
            .render()
            .unwrap_or_else(|_| self.0.message(self.1.into()));
        (self.0.status(), Html(body)).into_response()
    }
}

/// A refusal as a page shows it: its message, and the status the page is answered with.
pub(crate) fn shown(refused: Option<AppError>, lang: Lang) -> (String, StatusCode) {
    match refused {
        Some(e) => {
            e.log();
            (e.message(lang.into()), e.status())
        }
        None => (String::new(), StatusCode::OK),
    }
}

/// A region's name by its code, or the code when it is unknown.
pub(crate) fn county_name(tree: &kechuang_domain::region::RegionTree, code: &str) -> String {
    tree.name_of(code).unwrap_or(code).to_owned()
}

pub(crate) trait OrPage<T> {
    fn page(self, lang: Lang) -> Result<T, PageError>;
}
impl<T, E: Into<AppError>> OrPage<T> for Result<T, E> {
    fn page(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|e| PageError(e.into(), lang))
    }
}

pub(crate) fn render(t: &impl Template, lang: Lang) -> Result<Response, PageError> {
    let body = t.render().map_err(AppError::internal).page(lang)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(body)).into_response())
}

/// The spreadsheet format a download asks for by its name: `{stem}.xlsx` or `{stem}.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SheetFormat {
    Xlsx,
    Csv,
}

impl SheetFormat {
    /// The format of `requested`; any name but `{stem}.xlsx` and `{stem}.csv` is not found.
    pub(crate) fn of(requested: &str, stem: &str, lang: Lang) -> Result<Self, PageError> {
        match requested.strip_prefix(stem) {
            Some(".xlsx") => Ok(Self::Xlsx),
            Some(".csv") => Ok(Self::Csv),
            _ => Err(PageError(
                AppError::not_found(Absent::Download {
                    name: requested.to_owned(),
                }),
                lang,
            )),
        }
    }

    pub(crate) fn ext(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }
}

/// A table as a file to download, in the format asked for and under `filename`.
pub(crate) fn sheet_download(
    table: &kechuang_ingest::export::Table<'_>,
    format: SheetFormat,
    filename: &str,
    lang: Lang,
) -> Result<Response, PageError> {
    let (bytes, mime) = match format {
        SheetFormat::Xlsx => (
            kechuang_ingest::export::xlsx_bytes(table),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        SheetFormat::Csv => (
            kechuang_ingest::export::csv_bytes(table),
            "text/csv; charset=utf-8",
        ),
    };
    let bytes = bytes
        .map_err(|e| AppError::internal(e.to_string()))
        .page(lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Exports of personal data (contact persons, the audit trail) are audited themselves.
pub(crate) async fn record_export(
    st: &AppState,
    who: &Caller,
    name: &str,
    rows: usize,
    lang: Lang,
) -> Result<(), PageError> {
    st.store
        .audit(&kechuang_store::AuditEntry {
            actor: &who.actor(),
            action: "export",
            entity: "export",
            entity_id: name,
            before: String::new(),
            after: serde_json::json!({ "rows": rows }).to_string(),
        })
        .await
        .page(lang)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    message: String,
}

// ---- dashboard ------------------------------------------------------------------------

#[derive(Deserialize)]
struct DashQuery {
    plan: Option<i64>,
    region: Option<String>,
    as_of: Option<String>,
}

struct RegionOption {
    code: String,
    name: String,
    selected: bool,
}

struct DashRow {
    code: String,
    name: String,
    href: String,
    current: String,
    period: String,
    target: String,
    stretch: String,
    bar: String,
    status: &'static str,
    status_class: &'static str,
    spark: String,
    cagr: &'static str,
    completion: String,
    note: String,
}

struct RowGroup {
    title: String,
    rows: Vec<DashRow>,
}

struct SummaryItem {
    label: &'static str,
    count: usize,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    plan_name: String,
    plan_id: i64,
    regions: Vec<RegionOption>,
    region_name: String,
    as_of: String,
    as_of_display: String,
    elapsed: String,
    summary: Vec<SummaryItem>,
    groups: Vec<RowGroup>,
    is_county: bool,
}

async fn dashboard(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let plan_id = match q.plan {
        Some(id) => id,
        None => service::default_plan_id(&st.store).await.page(lang)?,
    };
    let as_of = service::parse_as_of(q.as_of.as_deref()).page(lang)?;
    let loaded = Loaded::load(&st.store, &st.counts, plan_id, as_of)
        .await
        .page(lang)?;
    let region = loaded.region(q.region.as_deref()).page(lang)?;
    let evals = loaded.evaluate_all(&region.code, as_of);
    let tr = lang.tr();
    let group_of = measure_groups(&st, plan_id, lang).await.page(lang)?;
    let mut groups: Vec<RowGroup> = Vec::new();
    for e in &evals {
        let title = e
            .target
            .measure
            .as_ref()
            .and_then(|m| group_of.get(m))
            .cloned()
            .unwrap_or_default();
        let row = dash_row(e, &region.code.to_string(), as_of, plan_id, lang);
        match groups.last_mut() {
            Some(g) if g.title == title => g.rows.push(row),
            _ => groups.push(RowGroup {
                title,
                rows: vec![row],
            }),
        }
    }
    let count = |s: Status| evals.iter().filter(|e| e.progress.status == s).count();
    let mut summary = vec![
        SummaryItem {
            label: status_label(Status::Achieved, lang),
            count: count(Status::Achieved),
            class: "achieved",
        },
        SummaryItem {
            label: status_label(Status::OnTrack, lang),
            count: count(Status::OnTrack),
            class: "on_track",
        },
        SummaryItem {
            label: status_label(Status::Behind, lang),
            count: count(Status::Behind),
            class: "behind",
        },
        SummaryItem {
            label: status_label(Status::NoData, lang),
            count: count(Status::NoData),
            class: "no_data",
        },
    ];
    let no_target = count(Status::NoTarget);
    if no_target > 0 {
        summary.push(SummaryItem {
            label: status_label(Status::NoTarget, lang),
            count: no_target,
            class: "no_target",
        });
    }
    let elapsed = kechuang_domain::progress::time_elapsed(
        loaded.plan.start_date(),
        NaiveDate::from_ymd_opt(loaded.plan.end_year, 12, 31).unwrap_or(as_of),
        as_of,
    );
    let page = DashboardPage {
        chrome: Chrome::new(
            &v,
            "dashboard",
            tr.nav_dashboard.into(),
            &uri,
            Some(plan_id),
        ),
        plan_name: lang
            .pick(&loaded.plan.name, &loaded.plan.name_en)
            .to_owned(),
        plan_id,
        regions: loaded
            .selectable_regions()
            .into_iter()
            .map(|r| RegionOption {
                selected: r.code == region.code,
                code: r.code.to_string(),
                name: lang.pick(&r.name, &r.name_en).to_owned(),
            })
            .collect(),
        region_name: lang.pick(&region.name, &region.name_en).to_owned(),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        as_of_display: format::date(as_of, lang),
        elapsed: format::percent(elapsed),
        summary,
        groups,
        is_county: region.code != loaded.plan_region,
    };
    render(&page, lang)
}

/// Maps each measure code to the title of the group (or section) it sits in.
async fn measure_groups(
    st: &AppState,
    plan_id: i64,
    lang: Lang,
) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    let mut section = String::new();
    let mut current = String::new();
    for item in st.store.plan_items(plan_id).await? {
        let title = lang.pick(&item.title, &item.title_en).to_owned();
        match item.level.as_str() {
            "section" => {
                section = title.clone();
                current = title;
            }
            // Group numbering restarts in every section, so a group is named with its section.
            "group" => current = format!("{section} › {title}"),
            _ => {
                out.insert(item.code, current.clone());
            }
        }
    }
    Ok(out)
}

fn value_text(e: &Evaluation, v: f64, lang: Lang) -> String {
    if e.target.kind == TargetKind::Milestone {
        let tr = lang.tr();
        return if v >= 1.0 {
            tr.milestone_done.into()
        } else {
            tr.milestone_open.into()
        };
    }
    with_unit(v, &e.indicator.unit)
}

fn dash_row(e: &Evaluation, region: &str, as_of: NaiveDate, plan_id: i64, lang: Lang) -> DashRow {
    let tr = lang.tr();
    let p = &e.progress;
    let current_period = e
        .current_period()
        .map(|(per, v)| (per.to_string(), v.basis));
    let note = match current_period.as_ref().map(|x| x.1) {
        Some(Basis::Rollup { reported, expected }) if reported < expected => {
            format!("{} {reported}/{expected}", tr.reported_of)
        }
        _ if e.target.annual => tr.annual_note.into(),
        _ => String::new(),
    };
    let values: Vec<f64> = e
        .series
        .iter()
        .filter(|(per, _)| per.end_date() <= as_of)
        .map(|(_, v)| v.value)
        .collect();
    let bar_title = format!(
        "{} {} · {} {}",
        tr.completion,
        p.completion
            .map(format::percent)
            .unwrap_or_else(|| "—".into()),
        tr.time_elapsed,
        format::percent(p.time_elapsed)
    );
    DashRow {
        code: e.target.code.clone(),
        name: lang.pick(&e.target.name, &e.target.name_en).to_owned(),
        href: format!(
            "/plans/{plan_id}/targets/{}?region={region}&as_of={}",
            e.target.code,
            as_of.format("%Y-%m-%d")
        ),
        current: p
            .current
            .map(|c| value_text(e, c.value, lang))
            .unwrap_or_else(|| "—".into()),
        period: current_period.map(|x| x.0).unwrap_or_default(),
        target: match (e.applicable, e.target.kind) {
            (_, TargetKind::Milestone) => tr.milestone_target.into(),
            (Some(t), _) => format!(
                "{}{}",
                e.target.comparator.symbol(),
                with_unit(t, &e.indicator.unit)
            ),
            (None, _) => "—".into(),
        },
        stretch: match (e.target.stretch, e.scope) {
            (Some(s), TargetScope::Plan) => {
                format!("{} {}", tr.stretch, with_unit(s, &e.indicator.unit))
            }
            _ => String::new(),
        },
        bar: charts::progress_bar(p.completion, p.time_elapsed, p.status, &bar_title),
        status: status_label(p.status, lang),
        status_class: status_class(p.status),
        spark: charts::sparkline(
            &values,
            e.applicable
                .filter(|_| e.target.kind == TargetKind::Quantity),
            p.status,
        ),
        cagr: cagr_label(p.cagr_status, lang),
        completion: p
            .completion
            .map(format::percent)
            .unwrap_or_else(|| "—".into()),
        note,
    }
}

// ---- target page ----------------------------------------------------------------------

struct Fact {
    label: &'static str,
    value: String,
}

struct CountyRow {
    name: String,
    href: String,
    value: String,
    period: String,
    target: String,
    status: &'static str,
    status_class: &'static str,
}

struct RecordRow {
    indicator: String,
    region: String,
    period: String,
    value: String,
    source: String,
    note: String,
    file: String,
    entered_by: String,
    entered_at: String,
    revision: i64,
}

struct CountedRow {
    name: String,
    enterprise: String,
    kind: String,
    level: String,
    number: String,
    region: String,
    from: String,
    until: String,
}

struct RevisionRow {
    region: String,
    period: String,
    value: String,
    source: String,
    file: String,
    entered_at: String,
    superseded_at: String,
}

#[derive(Template)]
#[template(path = "target.html")]
struct TargetPage {
    chrome: Chrome,
    code: String,
    name: String,
    region_name: String,
    dashboard_href: String,
    status: &'static str,
    status_class: &'static str,
    cagr: &'static str,
    facts: Vec<Fact>,
    note: String,
    measure_text: String,
    chart: String,
    formula: String,
    inputs: Vec<(String, String, String)>,
    county_chart: String,
    counties: Vec<CountyRow>,
    show_records: bool,
    records: Vec<RecordRow>,
    counted: Vec<CountedRow>,
    revisions: Vec<RevisionRow>,
    scope_note: String,
}

async fn target_page(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((plan_id, code)): Path<(i64, String)>,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let as_of = service::parse_as_of(q.as_of.as_deref()).page(lang)?;
    let loaded = Loaded::load(&st.store, &st.counts, plan_id, as_of)
        .await
        .page(lang)?;
    let region = loaded.region(q.region.as_deref()).page(lang)?;
    let target = loaded.target(&code).page(lang)?;
    let ctx = loaded.ctx();
    let e = ctx
        .evaluate(target, &region.code, as_of)
        .ok_or_else(|| {
            AppError::not_found(Absent::Indicator {
                code: target.indicator.clone(),
            })
        })
        .page(lang)?;
    let p = &e.progress;
    let unit = e.indicator.unit.as_str();
    let fmt = |v: f64| value_text(&e, v, lang);
    let mut facts = vec![
        Fact {
            label: tr.current,
            value: p
                .current
                .map(|c| fmt(c.value))
                .unwrap_or_else(|| tr.no_value.into()),
        },
        Fact {
            label: tr.target_value,
            value: e
                .applicable
                .map(|t| format!("{}{}", target.comparator.symbol(), fmt(t)))
                .unwrap_or_else(|| "—".into()),
        },
    ];
    if let (Some(s), TargetScope::Plan) = (target.stretch, e.scope) {
        facts.push(Fact {
            label: tr.stretch,
            value: with_unit(s, unit),
        });
    }
    facts.push(Fact {
        label: tr.baseline,
        value: p
            .baseline
            .map(|b| format!("{}（{}）", fmt(b.value), format::date(b.date, lang)))
            .unwrap_or_else(|| "—".into()),
    });
    facts.push(Fact {
        label: tr.deadline,
        value: format::date(target.deadline, lang),
    });
    for m in &target.milestones {
        facts.push(Fact {
            label: tr.interim,
            value: format!(
                "{} {}",
                format::date(m.date, lang),
                with_unit(m.value, unit)
            ),
        });
    }
    facts.push(Fact {
        label: tr.completion,
        value: p
            .completion
            .map(format::percent)
            .unwrap_or_else(|| "—".into()),
    });
    facts.push(Fact {
        label: tr.time_elapsed,
        value: format::percent(p.time_elapsed),
    });
    facts.push(Fact {
        label: tr.projection,
        value: p
            .projection
            .map(|v| with_unit(v, unit))
            .unwrap_or_else(|| "—".into()),
    });

    let points: Vec<(NaiveDate, String, f64)> = e
        .series
        .iter()
        .filter(|(per, _)| per.end_date() <= as_of)
        .map(|(per, v)| (per.end_date(), per.to_string(), v.value))
        .collect();
    let chart = charts::line_chart(&charts::LineChart {
        points,
        baseline: p.baseline.map(|b| (b.date, b.value)),
        target: e.applicable.map(|t| (t, tr.target_value)),
        stretch: target
            .stretch
            .filter(|_| e.scope == TargetScope::Plan)
            .map(|s| (s, tr.stretch)),
        projection: p.projection.map(|v| (target.deadline, v, tr.projection)),
        milestones: target
            .milestones
            .iter()
            .map(|m| (m.date, m.value))
            .collect(),
        milestone_label: tr.interim,
        start: loaded.plan.start_date(),
        deadline: target.deadline,
        unit,
    });

    let (formula, inputs) = match &e.indicator.kind {
        IndicatorKind::Formula(f) => (
            format!("{} = {}", e.indicator.code, f.text()),
            f.inputs()
                .into_iter()
                .map(|i| {
                    let ind = loaded.indicators.get(&i);
                    (
                        i.clone(),
                        ind.map(|x| lang.pick(&x.name, &x.name_en).to_owned())
                            .unwrap_or_default(),
                        ind.map(|x| x.unit.clone()).unwrap_or_default(),
                    )
                })
                .collect(),
        ),
        _ => (String::new(), Vec::new()),
    };

    let mut counties = Vec::new();
    let mut bars = Vec::new();
    for c in loaded.counties() {
        let Some(ce) = ctx.evaluate(target, &c.code, as_of) else {
            continue;
        };
        let name = lang.pick(&c.name, &c.name_en).to_owned();
        let period = ce.current_period().map(|(per, _)| per.to_string());
        bars.push((
            name.clone(),
            ce.progress.current.map(|c| c.value),
            ce.progress.status,
        ));
        counties.push(CountyRow {
            href: format!(
                "/plans/{plan_id}/targets/{}?region={}&as_of={}",
                target.code,
                c.code,
                as_of.format("%Y-%m-%d")
            ),
            name,
            value: ce
                .progress
                .current
                .map(|c| value_text(&ce, c.value, lang))
                .unwrap_or_else(|| "—".into()),
            period: period.unwrap_or_default(),
            target: ce
                .applicable
                .map(|t| with_unit(t, unit))
                .unwrap_or_else(|| "—".into()),
            status: status_label(ce.progress.status, lang),
            status_class: status_class(ce.progress.status),
        });
    }
    let uniform = e.scope == TargetScope::Uniform
        || (e.scope == TargetScope::Plan && matches!(e.indicator.kind, IndicatorKind::Formula(_)));
    let any_county_value = bars.iter().any(|b| b.1.is_some());
    let county_chart = if !any_county_value {
        String::new()
    } else {
        charts::county_bars(
            &bars,
            if uniform { Some(target.target) } else { None },
            unit,
        )
    };

    let region_names: HashMap<String, String> = loaded
        .tree
        .all()
        .iter()
        .map(|r| {
            (
                r.code.to_string(),
                lang.pick(&r.name, &r.name_en).to_owned(),
            )
        })
        .collect();
    let rname = |c: &str| region_names.get(c).cloned().unwrap_or_else(|| c.to_owned());
    // Records name enterprises and the officers who entered figures: only staff whose scope
    // covers the region see them.
    let show_records = v.who.as_ref().is_some_and(|p| {
        crate::auth::STAFF.contains(&p.role())
            && p.scope().covers_region(&loaded.tree, &region.code)
    });
    let behind = if show_records {
        service::records_behind(&st.store, &loaded, &target.indicator, &region.code)
            .await
            .page(lang)?
    } else {
        Vec::new()
    };
    let records = behind
        .into_iter()
        .map(|r| RecordRow {
            indicator: r.indicator,
            region: rname(&r.region),
            period: r.period,
            value: format::number(r.value),
            source: r.source,
            note: r.note,
            file: r.file_name.unwrap_or_default(),
            entered_by: r.entered_by,
            entered_at: format::timestamp(&r.entered_at),
            revision: r.revision,
        })
        .collect();
    // Platform kinds, and certificate kinds, by code: the counted records name either.
    let mut kind_names = registries::kind_names(&st, lang).await?;
    kind_names.extend(
        kechuang_domain::registry::CertificateKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    lang.pick(k.name(), k.name_en()).to_owned(),
                )
            }),
    );
    let counted_behind = if show_records {
        service::counted_records(&st.store, &loaded, &target.indicator, &region.code, as_of)
            .await
            .page(lang)?
    } else {
        Vec::new()
    };
    let counted = counted_behind
        .into_iter()
        .map(|r| CountedRow {
            enterprise: r.enterprise.unwrap_or_default(),
            kind: kind_names.get(&r.kind).cloned().unwrap_or(r.kind),
            level: r
                .level
                .as_deref()
                .and_then(kechuang_domain::registry::Level::parse)
                .map(|l| lang.pick(l.name(), l.name_en()).to_owned())
                .unwrap_or_default(),
            number: r.number.or(r.document_no).unwrap_or_default(),
            region: rname(&r.region_code),
            from: r.from,
            until: r.until.unwrap_or_default(),
            name: r.name,
        })
        .collect();
    let mut revisions = Vec::new();
    let revision_sources = if show_records {
        loaded.record_indicators(&target.indicator)
    } else {
        Vec::new()
    };
    for code in revision_sources {
        for r in st.store.revisions(&code).await.page(lang)? {
            revisions.push(RevisionRow {
                region: rname(&r.region),
                period: format!("{code} · {}", r.period),
                value: format::number(r.value),
                source: r.source,
                file: r.file_name.unwrap_or_default(),
                entered_at: format::timestamp(&r.entered_at),
                superseded_at: format::timestamp(&r.superseded_at),
            });
        }
    }
    let measure_text = match &target.measure {
        Some(m) => st
            .store
            .plan_items(plan_id)
            .await
            .page(lang)?
            .into_iter()
            .find(|i| i.level == "measure" && &i.code == m)
            .map(|i| {
                if i.title.is_empty() {
                    i.body
                } else {
                    format!("{}。{}", i.title, i.body)
                }
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let name = lang.pick(&target.name, &target.name_en).to_owned();
    let page = TargetPage {
        chrome: Chrome::new(
            &v,
            "dashboard",
            format!("{} {}", target.code, name),
            &uri,
            Some(plan_id),
        ),
        code: target.code.clone(),
        name,
        region_name: lang.pick(&region.name, &region.name_en).to_owned(),
        dashboard_href: format!(
            "/?plan={plan_id}&region={}&as_of={}",
            region.code,
            as_of.format("%Y-%m-%d")
        ),
        status: status_label(p.status, lang),
        status_class: status_class(p.status),
        cagr: cagr_label(p.cagr_status, lang),
        facts,
        note: target.note.clone(),
        measure_text,
        chart,
        formula,
        inputs,
        county_chart,
        counties,
        show_records,
        records,
        counted,
        revisions,
        scope_note: if e.scope == TargetScope::None {
            tr.no_target_note.into()
        } else {
            String::new()
        },
    };
    render(&page, lang)
}

// ---- plan page ------------------------------------------------------------------------

struct Chip {
    code: String,
    name: String,
    href: String,
    status: &'static str,
    status_class: &'static str,
}

struct ItemView {
    level: String,
    code: String,
    title: String,
    body: String,
    chips: Vec<Chip>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    name: String,
    period: String,
    preamble: String,
    items: Vec<ItemView>,
}

async fn plan_page(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(plan_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let as_of = format::today_in_china();
    let loaded = Loaded::load(&st.store, &st.counts, plan_id, as_of)
        .await
        .page(lang)?;
    let evals = loaded.evaluate_all(&loaded.plan_region, as_of);
    let items = st.store.plan_items(plan_id).await.page(lang)?;
    let items = items
        .into_iter()
        .map(|i| {
            let chips = evals
                .iter()
                .filter(|e| {
                    i.level == "measure" && e.target.measure.as_deref() == Some(i.code.as_str())
                })
                .map(|e| Chip {
                    code: e.target.code.clone(),
                    name: lang.pick(&e.target.name, &e.target.name_en).to_owned(),
                    href: format!("/plans/{plan_id}/targets/{}", e.target.code),
                    status: status_label(e.progress.status, lang),
                    status_class: status_class(e.progress.status),
                })
                .collect();
            ItemView {
                title: if i.level == "measure" {
                    i.title.clone()
                } else {
                    lang.pick(&i.title, &i.title_en).to_owned()
                },
                level: i.level,
                code: i.code,
                body: i.body,
                chips,
            }
        })
        .collect();
    let name = lang
        .pick(&loaded.plan.name, &loaded.plan.name_en)
        .to_owned();
    let page = PlanPage {
        chrome: Chrome::new(&v, "plan", name.clone(), &uri, Some(plan_id)),
        name,
        period: format!("{}—{}", loaded.plan.start_year, loaded.plan.end_year),
        preamble: loaded.plan.preamble.clone(),
        items,
    };
    render(&page, lang)
}

// ---- indicators and API pages ---------------------------------------------------------

struct IndicatorRow {
    code: String,
    name: String,
    unit: String,
    kind: &'static str,
    aggregation: &'static str,
    formula: String,
    href: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    chrome: Chrome,
    rows: Vec<IndicatorRow>,
}

async fn indicators_page(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let plan_id = service::default_plan_id(&st.store).await.ok();
    let rows = st
        .store
        .indicators()
        .await
        .page(lang)?
        .into_iter()
        .map(|i| IndicatorRow {
            href: format!("/api/v1/indicators/{}/observations", i.code),
            name: lang.pick(&i.name, &i.name_en).to_owned(),
            unit: i.unit.clone(),
            kind: match &i.kind {
                IndicatorKind::Manual { .. } => tr.kind_manual,
                IndicatorKind::Formula(_) => tr.kind_formula,
                IndicatorKind::RegistryCount(_) => tr.kind_registry,
                IndicatorKind::Ledger(_) => tr.kind_ledger,
            },
            aggregation: match (&i.kind, i.aggregation()) {
                (IndicatorKind::Formula(_), _) => "—",
                (_, kechuang_domain::indicator::Aggregation::Sum) => tr.agg_sum,
                (_, kechuang_domain::indicator::Aggregation::None) => tr.agg_none,
            },
            formula: match &i.kind {
                IndicatorKind::Formula(f) => f.text().to_owned(),
                _ => String::new(),
            },
            code: i.code,
        })
        .collect();
    let page = IndicatorsPage {
        chrome: Chrome::new(&v, "indicators", tr.nav_indicators.into(), &uri, plan_id),
        rows,
    };
    render(&page, lang)
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage {
    chrome: Chrome,
    endpoints: Vec<(String, String)>,
}

async fn api_page(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let lang = v.lang;
    let doc: serde_json::Value = serde_json::from_str(crate::OPENAPI)
        .map_err(|e| AppError::internal(e.to_string()))
        .page(lang)?;
    let endpoints = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .flat_map(|(path, ops)| {
                    ops.as_object()
                        .into_iter()
                        .flatten()
                        .map(move |(method, op)| {
                            (
                                format!("{} {path}", method.to_uppercase()),
                                op["summary"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ApiPage {
        chrome: Chrome::new(&v, "api", lang.tr().nav_api.into(), &uri, None),
        endpoints,
    };
    render(&page, lang)
}

// ---- language, assets, fallback -------------------------------------------------------

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    // Only local paths: an open redirect would let a phishing link borrow this host's name.
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let cookie = format!("lang={value}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
        .into_response()
}

pub(crate) async fn not_found(lang: Lang, uri: Uri) -> Response {
    let e = AppError::not_found(kechuang_service::Missing::Page {
        path: uri.path().to_owned(),
    });
    let mut r = PageError(e, lang).into_response();
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// The page for a role that may not use a route.
pub(crate) fn forbidden_page(lang: Lang, who: Caller, message: &str) -> Response {
    let v = Viewer {
        lang,
        who: Some(who),
    };
    let page = ErrorPage {
        chrome: Chrome::new(
            &v,
            "",
            lang.tr().error_title.into(),
            &Uri::from_static("/"),
            None,
        ),
        status: 403,
        message: message.to_owned(),
    };
    let body = page.render().unwrap_or_else(|_| message.to_owned());
    (StatusCode::FORBIDDEN, Html(body)).into_response()
}
