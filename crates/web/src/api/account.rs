//! Sessions, the caller's own account and API tokens, over JSON.

use crate::auth::{self, Caller, Client, LoginOutcome};
use crate::error::{api_lang, error_body, ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kechuang_domain::auth::token_digest;
use kechuang_domain::problem::Problem;
use kechuang_service::accounts;
use kechuang_service::auth::LoginRefused;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    username: String,
    password: String,
    /// For an account with a second factor: the authenticator's 6-digit code, or a recovery
    /// code.
    #[serde(default)]
    code: Option<String>,
}

/// The caller's account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    username: String,
    display_name: String,
    /// admin, bureau, county, enterprise, bank or expert.
    role: &'static str,
    /// What the account sees, in words.
    scope: String,
    /// A password someone else set must be replaced before anything else.
    must_change_password: bool,
    /// Whether the account logs in with a second factor.
    second_factor: bool,
    /// The account's role requires a second factor it has not enrolled: enrol it
    /// (`POST /api/v1/me/second-factor`) before anything else.
    second_factor_due: bool,
    /// Send as `X-CSRF-Token` with state-changing requests on the session cookie; empty for
    /// an API token.
    csrf_token: String,
}

impl Me {
    fn of(u: &kechuang_store::User, csrf: &str, due: bool) -> Self {
        Self {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str(),
            scope: u.scope.label(),
            must_change_password: u.must_change_password,
            second_factor: u.has_second_factor(),
            second_factor_due: due,
            csrf_token: csrf.to_owned(),
        }
    }
}

/// Logs in: the session cookie, or 401 for any wrong credentials, 429 while locked out.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts",
    request_body = Credentials,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = Me),
        (status = 401, description = "Unknown user, wrong password or disabled account, (`invalid_credentials`); a wrong or used second-factor code (`wrong_code`); the account uses a second factor and no `code` came (`second_factor_required`)", body = crate::error::ErrorBody),
        (status = 429, description = "Too many failed logins for this name or address (`locked`)", body = crate::error::ErrorBody),
    ))]
pub async fn login(
    State(st): State<AppState>,
    Extension(Client(client)): Extension<Client>,
    headers: HeaderMap,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let previous = auth::cookie(&headers, auth::SESSION_COOKIE).map(token_digest);
    let refused = |status: StatusCode, p: LoginRefused| {
        (
            status,
            error_body(p.code(), &p.message(api_lang(&headers)), &p.details()),
        )
            .into_response()
    };
    match kechuang_service::auth::login(
        &st.store,
        &c.username,
        &c.password,
        c.code.as_deref(),
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
                Json(Me::of(&user, &s.csrf_token, s.second_factor_due)),
            )
                .into_response())
        }
        LoginOutcome::CodeNeeded { .. } => {
            Ok(refused(StatusCode::UNAUTHORIZED, LoginRefused::CodeNeeded))
        }
        LoginOutcome::WrongCode => Ok(refused(StatusCode::UNAUTHORIZED, LoginRefused::WrongCode)),
        LoginOutcome::Invalid | LoginOutcome::Expired => Ok(refused(
            StatusCode::UNAUTHORIZED,
            LoginRefused::InvalidCredentials,
        )),
        LoginOutcome::Locked { until } => Ok(refused(
            StatusCode::TOO_MANY_REQUESTS,
            LoginRefused::locked(until),
        )),
    }
}

/// Ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 204, description = "Logged out")))]
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

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, description = "The caller's account", body = Me)))]
pub async fn me(who: Caller) -> Json<Me> {
    Json(Me::of(
        who.user(),
        who.csrf(),
        who.must_enrol_second_factor(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// The caller's own password, which also ends their other sessions.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "accounts",
    request_body = PasswordChange,
    responses((status = 204, description = "Changed")))]
pub async fn change_password(
    State(st): State<AppState>,
    who: Caller,
    Json(c): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    accounts::change_own_password(&st.store, &who, &c.current_password, &c.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    id: i64,
    name: String,
    created_at: String,
    expires_at: Option<String>,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    items: Vec<Token>,
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, description = "The caller's API tokens (never the tokens themselves)", body = TokenList)))]
pub async fn tokens(State(st): State<AppState>, who: Caller) -> Result<Json<TokenList>, ApiError> {
    let items = st
        .store
        .tokens_of(who.user().id)
        .await?
        .into_iter()
        .map(|t| Token {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            last_used_at: t.last_used_at,
        })
        .collect();
    Ok(Json(TokenList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// 1–100 characters, not all spaces.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    name: String,
    /// Days until the token stops working (1–3,650); none for no expiry.
    #[schema(minimum = 1, maximum = 3650)]
    expires_in_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    id: i64,
    name: String,
    /// Shown this once: send it as `Authorization: Bearer …`.
    token: String,
}

/// A token with the caller's own role and scope, shown once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts",
    request_body = NewToken,
    responses((status = 201, description = "The new token", body = CreatedToken)))]
pub async fn create_token(
    State(st): State<AppState>,
    who: Caller,
    Json(t): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
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
        Json(CreatedToken {
            id,
            name: t.name.trim().to_owned(),
            token,
        }),
    ))
}

/// The owner revokes their token; an administrator any token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_token(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let owner = (who.role() != kechuang_domain::auth::Role::Admin).then_some(who.user().id);
    st.store.revoke_token(id, owner, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
