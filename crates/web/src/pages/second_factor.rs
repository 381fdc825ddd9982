//! The second factor in the browser: the code step of a login, and the account's own page to
//! enrol an authenticator app and renew recovery codes.

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::auth::{self, Caller, Client, LoginOutcome, CHALLENGE_COOKIE, PRELOGIN_COOKIE};
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kechuang_domain::auth::token_digest;
use kechuang_domain::problem::Problem;
use kechuang_service::auth::LoginRefused;
use kechuang_service::second_factor as sf;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    chrome: Chrome,
    csrf: String,
    next: String,
    error: Option<String>,
}

/// The code step, with the login's challenge in a cookie only `/login` paths receive.
pub(super) fn code_page(
    v: &Viewer,
    uri: &Uri,
    status: StatusCode,
    csrf: &str,
    next: String,
    challenge: Option<&str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = CodePage {
        chrome: Chrome::new(v, "", v.lang.tr().code_title.into(), uri, None),
        csrf: csrf.to_owned(),
        next,
        error,
    };
    let mut res = render(&page, v.lang)?;
    *res.status_mut() = status;
    if let Some(c) = challenge {
        let cookie = format!(
            "{CHALLENGE_COOKIE}={c}; Path=/login; HttpOnly; SameSite=Strict; Max-Age={}",
            kechuang_domain::second_factor::CHALLENGE_MINUTES * 60
        );
        if let Ok(h) = cookie.parse() {
            res.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    Ok(res)
}

fn clear_challenge() -> String {
    format!("{CHALLENGE_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The code step again (a reload): only while a login waits for its code.
pub async fn code_form(
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let next = super::account::local(q.next.as_deref());
    let csrf = auth::cookie(&headers, PRELOGIN_COOKIE).filter(|c| c.len() == 64);
    match (csrf, auth::cookie(&headers, CHALLENGE_COOKIE)) {
        (Some(csrf), Some(_)) => code_page(&v, &uri, StatusCode::OK, csrf, next, None, None),
        _ => Ok(
            Redirect::to(&format!("/login?next={}", crate::format::urlencode(&next)))
                .into_response(),
        ),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    csrf: String,
    next: Option<String>,
}

pub async fn code(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Extension(Client(client)): Extension<Client>,
    Form(f): Form<CodeForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let next = super::account::local(f.next.as_deref());
    super::account::prelogin_checked(&headers, &f.csrf, lang)?;
    let challenge = auth::cookie(&headers, CHALLENGE_COOKIE).unwrap_or_default();
    let previous = auth::cookie(&headers, auth::SESSION_COOKIE).map(token_digest);
    let outcome = kechuang_service::auth::login_with_code(
        &st.store,
        challenge,
        &f.code,
        &client,
        previous.as_deref(),
    )
    .await
    .page(lang)?;
    let again = |p: LoginRefused| {
        super::account::login_page(
            &v,
            &uri,
            StatusCode::UNAUTHORIZED,
            f.csrf.clone(),
            next.clone(),
            String::new(),
            Some(p.message(lang.into())),
        )
    };
    // A wrong code may be typed again while the login waits; any other outcome ends the wait.
    let retry = matches!(outcome, LoginOutcome::WrongCode);
    let mut res = match outcome {
        LoginOutcome::Ok { token, .. } => (
            [(header::SET_COOKIE, auth::session_cookie(&token, &headers))],
            Redirect::to(&next),
        )
            .into_response(),
        LoginOutcome::WrongCode => code_page(
            &v,
            &uri,
            StatusCode::UNAUTHORIZED,
            &f.csrf,
            next.clone(),
            None,
            Some(lang.tr().code_wrong.to_owned()),
        )?,
        LoginOutcome::Locked { until } => again(LoginRefused::locked(until))?,
        LoginOutcome::Invalid => again(LoginRefused::InvalidCredentials)?,
        LoginOutcome::Expired | LoginOutcome::CodeNeeded { .. } => again(LoginRefused::Expired)?,
    };
    if !retry {
        if let Ok(h) = clear_challenge().parse() {
            res.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    Ok(res)
}

// ---- the account's own page ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    chrome: Chrome,
    csrf: String,
    enrolled: bool,
    enrolled_at: String,
    required: bool,
    due: bool,
    codes_left: i64,
    secret: String,
    qr_svg: String,
    codes: Option<Vec<String>>,
    error: Option<String>,
}

async fn page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    codes: Option<Vec<String>>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let status = sf::status(&st.store, who).await.page(lang)?;
    let enrolment = if status.enrolled || codes.is_some() {
        None
    } else {
        Some(sf::begin_enrolment(&st.store, who).await.page(lang)?)
    };
    let (secret, qr_svg) = enrolment.map_or_else(Default::default, |e| {
        (
            kechuang_domain::second_factor::show_secret(&e.secret),
            e.qr_svg,
        )
    });
    let page = SecondFactorPage {
        chrome: Chrome::new(v, "", lang.tr().second_factor.into(), uri, None),
        csrf: who.csrf().to_owned(),
        enrolled: status.enrolled,
        enrolled_at: status
            .enrolled_at
            .as_deref()
            .map(crate::format::timestamp)
            .unwrap_or_default(),
        required: status.required,
        due: who.must_enrol_second_factor(),
        codes_left: status.recovery_codes_left,
        secret,
        qr_svg,
        codes,
        error,
    };
    let failed = page.error.is_some();
    let mut res = render(&page, lang)?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn second_factor(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    page(&st, &v, &who, &uri, None, None).await
}

#[derive(Deserialize)]
pub struct CodeOnly {
    code: String,
}

/// The page after a step that hands out recovery codes: the codes, shown once, or the
/// refusal beside the form.
async fn codes_or_refusal(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    result: Result<Vec<String>, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(codes) => page(st, v, who, uri, Some(codes), None).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            page(st, v, who, uri, None, Some(e.message(v.lang.into()))).await
        }
        Err(e) => Err(PageError(e, v.lang)),
    }
}

/// Confirms enrolment with the app's first code; shows the recovery codes once.
pub async fn enrol(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<CodeOnly>,
) -> Result<Response, PageError> {
    let result = sf::confirm_enrolment(&st.store, &who, &f.code).await;
    codes_or_refusal(&st, &v, &who, &uri, result).await
}

/// New recovery codes, confirmed by a current code.
pub async fn renew_codes(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<CodeOnly>,
) -> Result<Response, PageError> {
    let result = sf::renew_recovery_codes(&st.store, &who, &f.code).await;
    codes_or_refusal(&st, &v, &who, &uri, result).await
}
