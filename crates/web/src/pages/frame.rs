//! The frame every page shares: who is looking and in which language, the header and menu,
//! rendering, and the pages for errors, refusals and addresses that lead nowhere.

use crate::auth::{Caller, Identity};
use crate::error::{AppError, HttpStatus};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

use crate::AppState;

/// The visitor as pages see them: their language, and who they are if logged in.
pub struct Viewer {
    pub lang: Lang,
    pub who: Option<Caller>,
    /// How many things wait for the logged-in user, for the count beside 工作台.
    pub todos: Option<usize>,
}

impl axum::extract::FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let who = parts
            .extensions
            .get::<Identity>()
            .and_then(Identity::caller);
        let todos = match &who {
            Some(c) => state.todo_counts.count(&state.store, c).await,
            None => None,
        };
        Ok(Self { lang, who, todos })
    }
}

/// How long the menu's to-do count may lag behind: counting runs the workbench's queries, so
/// it runs once a minute per user, and again whenever the workbench itself is shown.
const TODO_COUNT_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

/// The menu's to-do counts, by user.
#[derive(Default)]
pub(crate) struct TodoCounts(std::sync::Mutex<HashMap<String, (std::time::Instant, usize)>>);

impl TodoCounts {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (std::time::Instant, usize)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn count(&self, store: &kechuang_store::Store, who: &Caller) -> Option<usize> {
        // Accounts that may only change their password or enrol a second factor have no list.
        if who.must_change_password() || who.must_enrol_second_factor() {
            return None;
        }
        if let Some((at, n)) = self.map().get(who.username()) {
            if at.elapsed() < TODO_COUNT_FRESH {
                return Some(*n);
            }
        }
        let n = kechuang_service::workbench::workbench(store, who)
            .await
            .ok()?
            .todos
            .len();
        self.set(who.username(), n);
        Some(n)
    }

    /// The count the workbench just computed.
    pub(crate) fn set(&self, username: &str, n: usize) {
        let mut map = self.map();
        // Entries of users gone for an hour are dropped as others are written.
        if map.len() > 1000 {
            map.retain(|_, (at, _)| at.elapsed() < std::time::Duration::from_secs(3600));
        }
        map.insert(username.to_owned(), (std::time::Instant::now(), n));
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
    /// Tech finance: the overview, loans and claims (officers and banks), the pool (also
    /// enterprises), the seed fund (officers).
    pub finance: bool,
    pub pool: bool,
    pub seed: bool,
    pub audit: bool,
    pub admin: bool,
    pub supervision: bool,
    /// An enterprise account's own enterprise (credit code), for its "我的企业" link.
    pub enterprise: Option<String>,
    /// What waits for the user, beside 工作台 (none when nothing does).
    pub todos: usize,
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
    /// Today, for the head of a printed page.
    pub fn printed(&self) -> String {
        crate::format::date(crate::format::today_in_china(), self.lang)
    }

    /// A stored date or time in the page's date format (`format::day_text`).
    pub fn day(&self, s: &str) -> String {
        crate::format::day_text(s, self.lang)
    }

    pub(crate) fn new(
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
                finance: crate::auth::LENDERS.contains(&role),
                pool: crate::auth::FINANCE_PARTIES.contains(&role),
                seed: crate::auth::STAFF.contains(&role),
                audit: crate::auth::AUDITORS.contains(&role),
                admin: role == kechuang_domain::auth::Role::Admin,
                supervision: crate::auth::SUPERVISION.contains(&role),
                enterprise: match p.scope() {
                    kechuang_domain::auth::DataScope::Enterprise(u) => Some(u.clone()),
                    _ => None,
                },
                todos: v.todos.unwrap_or(0),
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

/// A multipart form that cannot be read (cut off, too large, malformed), as the page says it:
/// `map_err(unreadable_form(lang))` on each part read.
pub(crate) fn unreadable_form(
    lang: Lang,
) -> impl Fn(axum::extract::multipart::MultipartError) -> PageError + Copy {
    move |e| {
        PageError(
            AppError::invalid(crate::error::RequestProblem::Upload {
                reason: e.body_text(),
            }),
            lang,
        )
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
        let mut res = (self.0.status(), Html(body)).into_response();
        if matches!(self.0, AppError::Busy(_)) {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECS),
            );
        }
        res
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

/// The counties of the deployment's city: (code, name).
pub(crate) fn counties(
    tree: &kechuang_domain::region::RegionTree,
    lang: crate::i18n::Lang,
) -> Vec<(String, String)> {
    tree.all()
        .iter()
        .filter(|r| r.kind == kechuang_domain::region::RegionKind::County)
        .map(|r| {
            (
                r.code.to_string(),
                lang.pick(&r.name, &r.name_en).to_owned(),
            )
        })
        .collect()
}

/// A region's name in the page's language, or its code when the tree lacks it.
pub(crate) fn region_name(
    tree: &kechuang_domain::region::RegionTree,
    lang: crate::i18n::Lang,
    code: &str,
) -> String {
    kechuang_domain::RegionCode::parse(code)
        .ok()
        .and_then(|c| tree.get(&c))
        .map_or_else(
            || code.to_owned(),
            |r| lang.pick(&r.name, &r.name_en).to_owned(),
        )
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

/// A form page shown again: with the status of what refused it, or 422 when fields were
/// refused one by one.
pub(crate) fn render_form(
    t: &impl Template,
    lang: Lang,
    status: axum::http::StatusCode,
    problems: &[(String, String)],
) -> Result<Response, PageError> {
    let mut res = render(t, lang)?;
    *res.status_mut() = if problems.is_empty() {
        status
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(res)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    message: String,
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
        todos: None,
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

/// Every region's name in the page's language by code, and the regions below the province as
/// (code, name) choices for a filter.
pub(crate) async fn region_names(
    st: &AppState,
    lang: Lang,
) -> Result<(HashMap<String, String>, Vec<(String, String)>), PageError> {
    let regions = st.store.regions().await.page(lang)?;
    let names = regions
        .iter()
        .map(|r| {
            (
                r.code.to_string(),
                lang.pick(&r.name, &r.name_en).to_owned(),
            )
        })
        .collect();
    let options = regions
        .iter()
        .filter(|r| r.kind != kechuang_domain::region::RegionKind::Province)
        .map(|r| {
            (
                r.code.to_string(),
                lang.pick(&r.name, &r.name_en).to_owned(),
            )
        })
        .collect();
    Ok((names, options))
}

/// An option of a filter's select: its value, its label, and whether it is the one chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn choices(options: Vec<(String, String)>, current: Option<&str>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: current == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

/// What a form shows under one field after a refused save: its problems, joined.
pub(crate) fn field_problem(problems: &[(String, String)], field: &str) -> String {
    problems
        .iter()
        .filter(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join("；")
}
