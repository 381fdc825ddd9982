//! The second factor over JSON: the caller enrols an authenticator app and renews recovery
//! codes; an administrator chooses the roles that must use it and removes it from an account.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kechuang_service::second_factor as sf;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an authenticator app needs to enrol the account.
#[derive(Serialize, ToSchema)]
pub struct Enrolment {
    /// The TOTP secret in base32 (SHA-1, 6 digits, 30 s).
    secret: String,
    /// The `otpauth://` URI a QR code would hold.
    otpauth_uri: String,
}

/// Starts the caller's enrolment: the secret to put in an authenticator app, the same one
/// until a code confirms it.
#[utoipa::path(post, path = "/api/v1/me/second-factor", tag = "accounts",
    responses(
        (status = 200, description = "The secret to enrol", body = Enrolment),
        (status = 409, description = "The second factor is already on (`second_factor_already_on`)", body = crate::error::ErrorBody),
    ))]
pub async fn begin(State(st): State<AppState>, who: Caller) -> Result<Json<Enrolment>, ApiError> {
    let e = sf::begin_enrolment(&st.store, &who).await?;
    Ok(Json(Enrolment {
        secret: e.secret,
        otpauth_uri: e.uri,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeBody {
    /// The authenticator's current 6-digit code (or, to renew codes, a recovery code).
    #[schema(max_length = 64)]
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Each logs in once instead of a code; shown this once.
    recovery_codes: Vec<String>,
}

/// Confirms the enrolment with the app's first code; answers the recovery codes, once.
#[utoipa::path(put, path = "/api/v1/me/second-factor", tag = "accounts",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The second factor is on", body = RecoveryCodes),
        (status = 409, description = "Already on, or no enrolment was started (`second_factor_already_on`, `second_factor_not_on`, `not_enrolling`)", body = crate::error::ErrorBody),
        (status = 422, description = "Wrong code (`wrong_code`)", body = crate::error::ErrorBody),
    ))]
pub async fn confirm(
    State(st): State<AppState>,
    who: Caller,
    Json(b): Json<CodeBody>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let recovery_codes = sf::confirm_enrolment(&st.store, &who, &b.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// New recovery codes, confirmed by a current code; the old ones stop working.
#[utoipa::path(post, path = "/api/v1/me/second-factor/recovery-codes", tag = "accounts",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The new recovery codes", body = RecoveryCodes),
        (status = 409, description = "The second factor is not on (`second_factor_not_on`)", body = crate::error::ErrorBody),
        (status = 422, description = "Wrong code (`wrong_code`)", body = crate::error::ErrorBody),
    ))]
pub async fn renew(
    State(st): State<AppState>,
    who: Caller,
    Json(b): Json<CodeBody>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let recovery_codes = sf::renew_recovery_codes(&st.store, &who, &b.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// The roles whose accounts must log in with a second factor.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RequiredRoles {
    /// admin, bureau, county, enterprise, bank or expert; admin always.
    roles: Vec<String>,
}

/// The roles that must use the second factor.
#[utoipa::path(get, path = "/api/v1/second-factor/roles", tag = "accounts",
    responses((status = 200, description = "The roles", body = RequiredRoles)))]
pub async fn roles(State(st): State<AppState>) -> Result<Json<RequiredRoles>, ApiError> {
    let roles = sf::required_roles(&st.store).await?;
    Ok(Json(RequiredRoles {
        roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
    }))
}

/// Sets the roles that must use the second factor; open sessions of accounts that now must
/// enrol may only enrol.
#[utoipa::path(put, path = "/api/v1/second-factor/roles", tag = "accounts",
    request_body = RequiredRoles,
    responses(
        (status = 200, description = "The roles now", body = RequiredRoles),
        (status = 422, description = "An unknown role, or admin left out (`unknown_role`, `admin_second_factor_required`)", body = crate::error::ErrorBody),
    ))]
pub async fn set_roles(
    State(st): State<AppState>,
    who: Caller,
    Json(b): Json<RequiredRoles>,
) -> Result<Json<RequiredRoles>, ApiError> {
    let roles = sf::set_required_roles(&st.store, &b.roles, &who.actor()).await?;
    Ok(Json(RequiredRoles {
        roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
    }))
}

/// Removes an account's second factor (a lost phone and lost recovery codes); its sessions
/// end, and it enrols again at its next login if its role must.
#[utoipa::path(delete, path = "/api/v1/users/{username}/second-factor", tag = "accounts",
    params(("username" = String, Path, description = "The account")),
    responses((status = 204, description = "Removed")))]
pub async fn reset(
    State(st): State<AppState>,
    who: Caller,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    sf::reset(&st.store, &username, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
