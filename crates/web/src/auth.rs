//! Who is asking, and whether they may: the one place where requests are authenticated
//! (session cookie or bearer token) and authorized (each route's [`Access`] rule, checked by
//! [`guard`] before any handler runs). Handlers that touch private data take a [`Principal`],
//! which only exists once the guard has let the request through; its data scope then limits
//! every query, and a record outside it answers 404, as if it did not exist.

use crate::error::AppError;
use crate::AppState;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use kechuang_domain::auth::{locked_until, session_alive, token_digest, DataScope, Role};
use kechuang_domain::region::RegionTree;
use kechuang_domain::RegionCode;
use kechuang_store::{Actor, Store, User};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "kc_session";
/// A random value set before login, echoed by the login form: a cross-site page cannot read
/// it, so it cannot log a victim into the attacker's account (login CSRF).
pub const PRELOGIN_COOKIE: &str = "kc_pre";
/// Largest form body the CSRF check reads.
const FORM_LIMIT: usize = 1 << 20;

// ---- secrets ------------------------------------------------------------------------------

/// Argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's recommendation).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the username is unknown, so both cases cost the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password-Aa1!").unwrap_or_default())
}

/// 256 random bits, hex: session ids, CSRF tokens and API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

// ---- identity -----------------------------------------------------------------------------

/// An authenticated caller. Obtainable in a handler only through the route's guard.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    /// The session's digest and CSRF token; `None` for a bearer token, which needs no CSRF
    /// protection because browsers never send it by themselves.
    pub session: Option<(String, String)>,
    pub client: String,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::new(&self.user.username, &self.client)
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn scope(&self) -> &DataScope {
        &self.user.scope
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |(_, c)| c.as_str())
    }

    /// The regions whose records this caller may see, or a not-found error when they see no
    /// region's records (so a list for them is as empty as a missing page).
    pub fn regions(&self, tree: &RegionTree) -> Result<Vec<RegionCode>, AppError> {
        self.user
            .scope
            .regions(tree)
            .ok_or_else(|| AppError::NotFound("不在权限范围内 (not found)".into()))
    }

    /// Narrows a requested region to the caller's scope: none requested means their whole
    /// scope; one outside it is not found.
    pub fn region_within(
        &self,
        tree: &RegionTree,
        requested: Option<&str>,
    ) -> Result<RegionCode, AppError> {
        let DataScope::Region(own) = &self.user.scope else {
            return Err(AppError::NotFound("不在权限范围内 (not found)".into()));
        };
        match requested.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(own.clone()),
            Some(r) => RegionCode::parse(r)
                .ok()
                .filter(|c| self.user.scope.covers_region(tree, c))
                .ok_or_else(|| AppError::NotFound(format!("区划 {r} (region)"))),
        }
    }
}

/// What the authentication layer found, attached to every request.
#[derive(Debug, Clone, Default)]
pub struct Identity(pub Option<Arc<Principal>>);

/// The caller's address as this server saw it.
#[derive(Debug, Clone)]
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .and_then(|i| i.0.as_deref().cloned())
            .ok_or_else(|| unauthorized(parts.uri.path(), &parts.uri.to_string()))
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

/// Recognises the caller on every request: a bearer token, else the session cookie. An
/// expired session is deleted; a disabled account is anonymous.
pub async fn authenticate(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let principal = match identify(&st.store, req.headers(), &client).await {
        Ok(p) => p,
        Err(e) => return crate::error::ApiError(e).into_response(),
    };
    req.extensions_mut()
        .insert(Identity(principal.map(Arc::new)));
    req.extensions_mut().insert(Client(client));
    next.run(req).await
}

async fn identify(
    store: &Store,
    headers: &HeaderMap,
    client: &str,
) -> Result<Option<Principal>, AppError> {
    let now = Utc::now();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let user = store.token_user(&token_digest(token.trim()), now).await?;
        return Ok(user.filter(|u| !u.disabled).map(|user| Principal {
            user,
            session: None,
            client: client.to_owned(),
        }));
    }
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let digest = token_digest(id);
    let Some(s) = store.session(&digest).await? else {
        return Ok(None);
    };
    if !session_alive(s.created_at, s.last_seen_at, now) || s.user.disabled {
        store.end_session(&digest, None).await?;
        return Ok(None);
    }
    // Writing on every request would serialise all reads behind the writer; a minute's
    // precision is plenty for a 30-minute idle timeout.
    if now - s.last_seen_at > chrono::Duration::seconds(60) {
        store.touch_session(&digest).await?;
    }
    Ok(Some(Principal {
        user: s.user,
        session: Some((digest, s.csrf_token)),
        client: client.to_owned(),
    }))
}

// ---- authorization ------------------------------------------------------------------------

/// Each route's rule. The router is built from routes paired with their rule, so a route
/// cannot exist without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account, even one that must still change its first password (to do so,
    /// to see who it is, to log out).
    Account,
    /// Any logged-in account that has chosen its own password.
    Signed,
    /// Logged in with one of these roles.
    Roles(&'static [Role]),
}

pub const STAFF: &[Role] = &[Role::Bureau, Role::County];
pub const BUREAU: &[Role] = &[Role::Bureau];
pub const COUNTY: &[Role] = &[Role::County];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const AUDITORS: &[Role] = &[Role::Admin, Role::Bureau];
pub const ENTERPRISE_READERS: &[Role] = &[Role::Bureau, Role::County, Role::Enterprise];
pub const ENTERPRISE: &[Role] = &[Role::Enterprise];
pub const EXPERT: &[Role] = &[Role::Expert];
/// Everyone with a part in applications: applicants, reviewers and experts.
pub const APPLICATION_PARTIES: &[Role] =
    &[Role::Bureau, Role::County, Role::Enterprise, Role::Expert];
/// Those who hold or manage innovation vouchers.
pub const VOUCHER_HOLDERS: &[Role] = &[Role::Bureau, Role::Enterprise];

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, axum::Json(body)).into_response()
}

fn unauthorized(path: &str, uri: &str) -> Response {
    if is_api(path) {
        let mut res = api_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "请先登录 (log in or send a bearer token)",
        );
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        res
    } else {
        Redirect::to(&format!("/login?next={}", crate::format::urlencode(uri))).into_response()
    }
}

fn forbidden(req: &Request, who: &Principal, code: &str, message: &str) -> Response {
    if is_api(req.uri().path()) {
        api_error(StatusCode::FORBIDDEN, code, message)
    } else {
        let lang = crate::i18n::Lang::from_headers(req.headers());
        crate::pages::forbidden_page(lang, who.clone(), message)
    }
}

/// Runs before the handler of every route with that route's rule: 401 (or the login page)
/// without credentials, the password page while a first password is pending, 403 for a
/// role the rule does not name, and a CSRF check on every state-changing request that
/// rides on the session cookie.
pub async fn guard(access: Access, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let principal = req.extensions().get::<Identity>().and_then(|i| i.0.clone());
    if access == Access::Public {
        return next.run(req).await;
    }
    let Some(p) = principal else {
        return unauthorized(&path, &req.uri().to_string());
    };
    if p.user.must_change_password && access != Access::Account {
        return if is_api(&path) {
            api_error(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "请先修改初始密码 (change your first password: PUT /api/v1/me/password)",
            )
        } else {
            Redirect::to("/account/password").into_response()
        };
    }
    if let Access::Roles(roles) = access {
        if !roles.contains(&p.user.role) {
            return forbidden(
                &req,
                &p,
                "forbidden",
                "无权访问 (your role may not use this)",
            );
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    match (&p.session, safe) {
        (Some((_, expected)), false) => match csrf_checked(req, expected).await {
            Ok(req) => next.run(req).await,
            Err(req) => forbidden(
                &req,
                &p,
                "csrf",
                "请求缺少有效的 CSRF 令牌，请刷新页面后重试 (missing or wrong CSRF token: reload the page and try again)",
            ),
        },
        _ => next.run(req).await,
    }
}

/// Accepts the token from the `X-CSRF-Token` header, a `csrf` form field, or (for file
/// uploads, whose body is not read here) a `csrf` query parameter. The body is read and put
/// back, so the handler sees it unchanged.
async fn csrf_checked(req: Request, expected: &str) -> Result<Request, Request> {
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same(h, expected) { Ok(req) } else { Err(req) };
    }
    let from_query = req.uri().query().and_then(|q| field(q.as_bytes(), "csrf"));
    if let Some(q) = from_query {
        return if same(&q, expected) {
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
    let ok = field(&bytes, "csrf").is_some_and(|t| same(&t, expected));
    let req = Request::from_parts(parts, Body::from(bytes));
    if ok {
        Ok(req)
    } else {
        Err(req)
    }
}

fn field(urlencoded: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(urlencoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

// ---- logging in -----------------------------------------------------------------------------

pub enum LoginOutcome {
    Ok {
        token: String,
        user: Box<User>,
    },
    /// Unknown user, wrong password or disabled account: one answer for all three.
    Invalid,
    Locked,
}

/// Checks a username and password. Failures count against both the name tried and the
/// client address; five within 15 minutes lock either for 15 minutes. An unknown name costs
/// the same argon2 verification as a known one, so timing tells nothing either.
pub async fn login(
    store: &Store,
    username: &str,
    password: &str,
    client: &str,
    replaces: Option<&str>,
) -> Result<LoginOutcome, AppError> {
    let username = username.trim();
    let now = Utc::now();
    let keys = [
        format!("user:{}", username.to_lowercase()),
        format!("addr:{client}"),
    ];
    let counts = store.failure_counts(&keys).await?;
    if counts
        .iter()
        .any(|(c, last)| locked_until(Some(*c), *last, now).is_some())
    {
        return Ok(LoginOutcome::Locked);
    }
    let user = store.user_by_name(username).await?;
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match user {
        Some(u) if ok && !u.disabled => {
            let token = random_token();
            let actor = Actor::new(&u.username, client);
            store
                .create_session(&token_digest(&token), &u, &random_token(), replaces, &actor)
                .await?;
            Ok(LoginOutcome::Ok {
                token,
                user: Box::new(u),
            })
        }
        _ => {
            store
                .record_login_failure(&keys, now, &Actor::new(username, client))
                .await?;
            Ok(LoginOutcome::Invalid)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Shaoguan-2018").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "Shaoguan-2018"));
        assert!(!verify_password(&h, "Shaoguan-2019"));
        assert!(!verify_password("garbage", "Shaoguan-2018"));
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &a[..63]));
    }

    #[test]
    fn csrf_field_is_found_in_a_form() {
        assert_eq!(
            field(b"a=1&csrf=abc%20d&b=2", "csrf").as_deref(),
            Some("abc d")
        );
        assert_eq!(field(b"a=1", "csrf"), None);
    }
}
