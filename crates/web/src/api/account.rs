//! Sessions, the caller's own account and API tokens, over JSON.

use crate::auth::{self, Caller, Client, LoginOutcome};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kechuang_domain::auth::token_digest;
use kechuang_service::accounts;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

fn me_json(p: &kechuang_store::User, csrf: &str) -> Value {
    json!({
        "username": p.username,
        "display_name": p.display_name,
        "role": p.role.as_str(),
        "scope": p.scope.label(),
        "must_change_password": p.must_change_password,
        "csrf_token": csrf,
    })
}

/// `POST /api/v1/session`: 200 with the session cookie, 401 for any wrong credentials, 429
/// while locked out.
pub async fn login(
    State(st): State<AppState>,
    Extension(Client(client)): Extension<Client>,
    headers: HeaderMap,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let previous = auth::cookie(&headers, auth::SESSION_COOKIE).map(token_digest);
    match kechuang_service::auth::login(
        &st.store,
        &c.username,
        &c.password,
        &client,
        previous.as_deref(),
    )
    .await?
    {
        LoginOutcome::Ok { token, user } => {
            let s = st
                .store
                .session(&token_digest(&token))
                .await?
                .ok_or_else(|| AppError::internal("session vanished"))?;
            Ok((
                [(header::SET_COOKIE, auth::session_cookie(&token, &headers))],
                Json(me_json(&user, &s.csrf_token)),
            )
                .into_response())
        }
        LoginOutcome::Invalid => Ok(error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "用户名或密码错误 (wrong username or password)",
        )),
        LoginOutcome::Locked => Ok(error(
            StatusCode::TOO_MANY_REQUESTS,
            "locked",
            "登录失败次数过多，请 15 分钟后再试 (too many failed logins: try again in 15 minutes)",
        )),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// `DELETE /api/v1/session`: ends the session and clears the cookie.
pub async fn logout(State(st): State<AppState>, who: Caller) -> Result<Response, ApiError> {
    if let Some(digest) = who.session_digest() {
        st.store.end_session(digest, Some(&who.actor())).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_session_cookie())],
    )
        .into_response())
}

pub async fn me(who: Caller) -> Json<Value> {
    Json(me_json(who.user(), who.csrf()))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `PUT /api/v1/me/password`: the caller's own password, which also ends their other sessions.
pub async fn change_password(
    State(st): State<AppState>,
    who: Caller,
    Json(c): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    accounts::change_own_password(&st.store, &who, &c.current_password, &c.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn tokens(State(st): State<AppState>, who: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "items": st.store.tokens_of(who.user().id).await? }),
    ))
}

#[derive(Deserialize)]
pub struct NewToken {
    name: String,
    /// Days until the token stops working; none for no expiry.
    expires_in_days: Option<u32>,
}

/// `POST /api/v1/tokens`: a token with the caller's own role and scope, shown once.
pub async fn create_token(
    State(st): State<AppState>,
    who: Caller,
    Json(t): Json<NewToken>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (id, token) = accounts::create_token(
        &st.store,
        who.user(),
        &t.name,
        t.expires_in_days,
        &who.actor(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "name": t.name.trim(), "token": token })),
    ))
}

/// `DELETE /api/v1/tokens/{id}`: the owner revokes their token; an administrator any token.
pub async fn revoke_token(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let owner = (who.role() != kechuang_domain::auth::Role::Admin).then_some(who.user().id);
    st.store.revoke_token(id, owner, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
