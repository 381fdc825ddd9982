//! Logging in and out, and choosing one's own password.

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::auth::{self, Caller, Client, LoginOutcome, PRELOGIN_COOKIE};
use crate::error::{AppError, RequestProblem};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kechuang_domain::auth::token_digest;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths: an open redirect would let a phishing link borrow this host's name.
/// Without one, a login goes to the caller's workbench.
pub(super) fn local(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .filter(|n| *n != "/")
        .unwrap_or("/workbench")
        .to_owned()
}

fn prelogin_cookie(value: &str) -> String {
    format!("{PRELOGIN_COOKIE}={value}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600")
}

/// The login forms' double-submit check: the form's token must be the pre-login cookie's,
/// which a cross-site page cannot read.
pub(super) fn prelogin_checked(
    headers: &HeaderMap,
    sent: &str,
    lang: crate::i18n::Lang,
) -> Result<(), PageError> {
    let expected = auth::cookie(headers, PRELOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != sent {
        return Err(PageError(
            AppError::invalid(RequestProblem::LoginFormExpired),
            lang,
        ));
    }
    Ok(())
}

pub(super) fn login_page(
    v: &Viewer,
    uri: &Uri,
    status: StatusCode,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = LoginPage {
        chrome: Chrome::new(v, "", v.lang.tr().login_title.into(), uri, None),
        csrf: csrf.clone(),
        next,
        username,
        error,
    };
    let mut res = render(&page, v.lang)?;
    *res.status_mut() = status;
    if let Ok(h) = prelogin_cookie(&csrf).parse() {
        res.headers_mut().append(header::SET_COOKIE, h);
    }
    Ok(res)
}

pub async fn login_form(
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let csrf = auth::cookie(&headers, PRELOGIN_COOKIE)
        .filter(|c| c.len() == 64)
        .map_or_else(kechuang_service::auth::random_token, str::to_owned);
    login_page(
        &v,
        &uri,
        StatusCode::OK,
        csrf,
        local(q.next.as_deref()),
        String::new(),
        None,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

pub async fn login(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Extension(Client(client)): Extension<Client>,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let next = local(f.next.as_deref());
    prelogin_checked(&headers, &f.csrf, lang)?;
    let previous = auth::cookie(&headers, auth::SESSION_COOKIE).map(token_digest);
    let outcome = kechuang_service::auth::login(
        &st.store,
        &f.username,
        &f.password,
        None,
        &client,
        previous.as_deref(),
    )
    .await
    .page(lang)?;
    match outcome {
        LoginOutcome::Ok { token, user } => {
            let to = if user.must_change_password {
                "/account/password".to_owned()
            } else {
                next
            };
            Ok((
                [(header::SET_COOKIE, auth::session_cookie(&token, &headers))],
                Redirect::to(&to),
            )
                .into_response())
        }
        LoginOutcome::CodeNeeded { challenge } => super::second_factor::code_page(
            &v,
            &uri,
            StatusCode::OK,
            &f.csrf,
            next,
            Some(&challenge),
            None,
        ),
        LoginOutcome::Invalid | LoginOutcome::Expired | LoginOutcome::WrongCode => login_page(
            &v,
            &uri,
            StatusCode::UNAUTHORIZED,
            f.csrf,
            next,
            f.username,
            Some(tr.login_failed.to_owned()),
        ),
        LoginOutcome::Locked { until } => login_page(
            &v,
            &uri,
            StatusCode::TOO_MANY_REQUESTS,
            f.csrf,
            next,
            f.username,
            Some(kechuang_domain::problem::Problem::message(
                &kechuang_service::auth::LoginRefused::locked(until),
                lang.into(),
            )),
        ),
    }
}

pub async fn logout(
    State(st): State<AppState>,
    who: Caller,
    lang: crate::i18n::Lang,
) -> Result<Response, PageError> {
    if let Some(digest) = who.session_digest() {
        st.store
            .end_session(digest, Some(&who.actor()))
            .await
            .page(lang)?;
    }
    Ok((
        [(header::SET_COOKIE, auth::clear_session_cookie())],
        Redirect::to("/"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    csrf: String,
    first: bool,
    error: Option<String>,
}

fn password_page(
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = PasswordPage {
        chrome: Chrome::new(v, "", v.lang.tr().change_password.into(), uri, None),
        csrf: who.csrf().to_owned(),
        first: who.must_change_password(),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = render(&page, v.lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn password_form(v: Viewer, who: Caller, uri: Uri) -> Result<Response, PageError> {
    password_page(&v, &who, &uri, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    if f.new != f.confirm {
        return password_page(&v, &who, &uri, Some(v.lang.tr().password_mismatch.into()));
    }
    match kechuang_service::accounts::change_own_password(&st.store, &who, &f.current, &f.new).await
    {
        Ok(()) => Ok(Redirect::to("/workbench").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            password_page(&v, &who, &uri, Some(e.message(v.lang.into())))
        }
        Err(e) => Err(PageError(e, v.lang)),
    }
}
