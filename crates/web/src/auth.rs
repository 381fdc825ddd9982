//! Who is asking, and whether they may: the one place where requests are authenticated
//! (session cookie or bearer token) and authorized (each route's [`Access`] rule, checked by
//! [`guard`] before any handler runs). Handlers that touch private data take a [`Caller`],
//! which only exists once the guard has let the request through; its data scope then limits
//! every query, and a record outside it answers 404, as if it did not exist. Recognising the
//! credential itself is the service's ([`kechuang_service::auth::identify`]).

use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kechuang_domain::auth::Role;
use kechuang_service::auth::{identify, Credential};
pub use kechuang_service::auth::{LoginOutcome, Principal};
use kechuang_view::request::{client_address, form_field, same_secret};
use std::net::SocketAddr;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "kc_session";
/// A random value set before login, echoed by the login form: a cross-site page cannot read
/// it, so it cannot log a victim into the attacker's account (login CSRF).
pub const PRELOGIN_COOKIE: &str = "kc_pre";
/// A login whose password was right, waiting for its second factor's code: the challenge,
/// sent only to `/login` paths.
pub const CHALLENGE_COOKIE: &str = "kc_challenge";
/// Largest form body the CSRF check reads.
const FORM_LIMIT: usize = 1 << 20;

// ---- identity -----------------------------------------------------------------------------

/// The caller of a route, as a handler receives it: an authenticated [`Principal`] that the
/// route's guard has let through. Made only here, from what [`authenticate`] found.
#[derive(Debug, Clone)]
pub struct Caller(Arc<Principal>);

impl std::ops::Deref for Caller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// What the authentication layer found, attached to every request.
#[derive(Debug, Clone, Default)]
pub struct Identity(Option<Arc<Principal>>);

impl Identity {
    /// The caller, if the request carried a credential that names one.
    pub fn caller(&self) -> Option<Caller> {
        self.0.clone().map(Caller)
    }
}

/// The caller's address as this server saw it.
#[derive(Debug, Clone)]
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Box<Rejection>;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .and_then(Identity::caller)
            .ok_or_else(|| {
                Box::new(Rejection {
                    refusal: Refusal::Unauthorized,
                    uri: parts.uri.clone(),
                    headers: parts.headers.clone(),
                    caller: None,
                })
            })
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Recognises the caller on every request: a bearer token, else the session cookie.
pub async fn authenticate(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = peer.map_or_else(
        || "unknown".to_owned(),
        |p| client_address(p, req.headers(), &st.trusted_proxies).to_string(),
    );
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let credential = match bearer {
        Some(token) => Some(Credential::Token(token)),
        None => cookie(req.headers(), SESSION_COOKIE).map(Credential::Session),
    };
    let principal = match credential {
        None => None,
        Some(c) => match identify(&st.store, c, &client).await {
            Ok(p) => p,
            Err(e) => return crate::error::ApiError(e).into_response(),
        },
    };
    let signed_in = principal.is_some();
    req.extensions_mut()
        .insert(Identity(principal.map(Arc::new)));
    req.extensions_mut().insert(Client(client));
    let mut res = next.run(req).await;
    // What a signed-in caller sees is theirs: no shared cache or browser history keeps it.
    if signed_in {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

// ---- authorization ------------------------------------------------------------------------

/// Each route's rule. The router is built from routes paired with their rule, so a route
/// cannot exist without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account, even one that must still change its first password or enrol its
    /// second factor (to do so, to see who it is, to log out).
    Account,
    /// Any logged-in account that has chosen its own password.
    Signed,
    /// Logged in with one of these roles.
    Roles(&'static [Role]),
}

pub const STAFF: &[Role] = &[Role::Bureau, Role::County];
/// Task supervision: the bureau oversees, counties and responsible units report and see their own.
pub const SUPERVISION: &[Role] = &[Role::Bureau, Role::County, Role::Unit];
pub const UNIT: &[Role] = &[Role::Unit];
pub const BUREAU: &[Role] = &[Role::Bureau];
/// Events: the bureau, and an enterprise for its own registration.
pub const BUREAU_OR_ENTERPRISE: &[Role] = &[Role::Bureau, Role::Enterprise];
pub const COUNTY: &[Role] = &[Role::County];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const AUDITORS: &[Role] = &[Role::Admin, Role::Bureau];
pub const ENTERPRISE_READERS: &[Role] = &[Role::Bureau, Role::County, Role::Enterprise];
pub const ENTERPRISE: &[Role] = &[Role::Enterprise];
pub const EXPERT: &[Role] = &[Role::Expert];
/// Everyone with a part in applications: applicants, reviewers and experts.
pub const APPLICATION_PARTIES: &[Role] =
    &[Role::Bureau, Role::County, Role::Enterprise, Role::Expert];
/// Tech finance: officers and banks see loans, claims and the report.
pub const LENDERS: &[Role] = &[Role::Bureau, Role::County, Role::Bank];
/// The pool and the banks also concern the enterprises that apply.
pub const FINANCE_PARTIES: &[Role] = &[Role::Bureau, Role::County, Role::Bank, Role::Enterprise];
pub const BANK: &[Role] = &[Role::Bank];
/// A recovery on a paid claim is reported by its bank or recorded by the bureau.
pub const RECOVERERS: &[Role] = &[Role::Bureau, Role::Bank];
/// Those who hold or manage innovation vouchers.
pub const VOUCHER_HOLDERS: &[Role] = &[Role::Bureau, Role::Enterprise];

/// Why the guard turned a request away. The guard only decides; [`crate::error`] answers,
/// as JSON under `/api/` and as a page (or a redirect to the login or password page) elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No credential, or one that names nobody.
    Unauthorized,
    /// The account must replace a password someone else set before anything else.
    PasswordChangeRequired,
    /// The account's role requires a second factor it has not enrolled yet.
    SecondFactorRequired,
    /// The caller's role may not use the route.
    Forbidden,
    /// A state-changing request on the session cookie without the session's CSRF token.
    Csrf,
}

/// A request the guard turned away: why, and what the answer needs to know of the request.
pub struct Rejection {
    pub refusal: Refusal,
    /// The path and query asked for, so the login page can return there.
    pub uri: axum::http::Uri,
    pub headers: HeaderMap,
    pub caller: Option<Caller>,
}

impl Rejection {
    fn of(refusal: Refusal, req: &Request, caller: Option<Caller>) -> Self {
        Self {
            refusal,
            uri: req.uri().clone(),
            headers: req.headers().clone(),
            caller,
        }
    }
}

/// Runs before the handler of every route with that route's rule: refused without
/// credentials, while a first password is pending, for a role the rule does not name, and
/// for a state-changing request riding on the session cookie without its CSRF token.
pub async fn guard(access: Access, req: Request) -> Result<Request, Box<Rejection>> {
    if access == Access::Public {
        return Ok(req);
    }
    let caller = req
        .extensions()
        .get::<Identity>()
        .and_then(Identity::caller);
    let Some(p) = caller else {
        return Err(Box::new(Rejection::of(Refusal::Unauthorized, &req, None)));
    };
    if p.must_change_password() && access != Access::Account {
        return Err(Box::new(Rejection::of(
            Refusal::PasswordChangeRequired,
            &req,
            Some(p),
        )));
    }
    if p.must_enrol_second_factor() && access != Access::Account {
        return Err(Box::new(Rejection::of(
            Refusal::SecondFactorRequired,
            &req,
            Some(p),
        )));
    }
    if let Access::Roles(roles) = access {
        if !roles.contains(&p.role()) {
            return Err(Box::new(Rejection::of(Refusal::Forbidden, &req, Some(p))));
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || p.session_digest().is_none() {
        return Ok(req);
    }
    csrf_checked(req, p.csrf())
        .await
        .map_err(|req| Box::new(Rejection::of(Refusal::Csrf, &req, Some(p.clone()))))
}

/// Accepts the token from the `X-CSRF-Token` header or a `csrf` form field; a file upload,
/// whose body is not read here, must come from a page of this site, as the browser says
/// (`Sec-Fetch-Site`, else `Origin` against `Host`). The token never travels in a URL, where
/// logs and the Referer header would keep it. The body is read and put back, so the handler
/// sees it unchanged.
async fn csrf_checked(req: Request, expected: &str) -> Result<Request, Request> {
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same_secret(h, expected) {
            Ok(req)
        } else {
            Err(req)
        };
    }
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        return if from_this_site(req.headers()) {
            Ok(req)
        } else {
            Err(req)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return Err(Request::from_parts(parts, Body::empty()));
    };
    let ok = form_field(&bytes, "csrf").is_some_and(|t| same_secret(&t, expected));
    let req = Request::from_parts(parts, Body::from(bytes));
    if ok {
        Ok(req)
    } else {
        Err(req)
    }
}

/// Whether the browser says the request comes from a page of this site.
fn from_this_site(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin";
    }
    match (get("origin"), get("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host),
        _ => false,
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, and Secure when the request came over HTTPS
/// (directly or through a proxy that says so).
pub fn session_cookie(token: &str, headers: &HeaderMap) -> HeaderValue {
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("kc_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
