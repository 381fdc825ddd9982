//! How the web answers what went wrong: an operation's error — the API as JSON with its stable
//! machine code, pages as an HTML page (`pages::PageError`), each with the HTTP status its kind
//! maps to here and nowhere else — and a request the guard turned away.

use crate::auth::{Refusal, Rejection};
use crate::format::urlencode;
use crate::i18n::Lang;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

pub use kechuang_service::Error as AppError;

/// The HTTP status of an operation's error.
pub trait HttpStatus {
    fn status(&self) -> StatusCode;
}

impl HttpStatus for AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answered as JSON: `{"error": {"code": "not_found", "message": "…"}}`.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = serde_json::json!({
            "error": { "code": self.0.code(), "message": self.0.to_string() }
        });
        (self.0.status(), Json(body)).into_response()
    }
}

/// The one answer to a request the guard turned away: JSON under `/api/`, elsewhere the login
/// page, the password page or a page that says why.
impl IntoResponse for Box<Rejection> {
    fn into_response(self) -> Response {
        let api = self.uri.path().starts_with("/api/");
        let lang = Lang::from_headers(&self.headers);
        let (status, code, message) = match self.refusal {
            Refusal::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "请先登录 (log in or send a bearer token)",
            ),
            Refusal::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "password_change_required",
                "请先修改初始密码 (change your first password: PUT /api/v1/me/password)",
            ),
            Refusal::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "无权访问 (your role may not use this)",
            ),
            Refusal::Csrf => (
                StatusCode::FORBIDDEN,
                "csrf",
                "请求缺少有效的 CSRF 令牌，请刷新页面后重试 (missing or wrong CSRF token: reload the page and try again)",
            ),
        };
        if api {
            let body = serde_json::json!({ "error": { "code": code, "message": message } });
            let mut res = (status, Json(body)).into_response();
            if self.refusal == Refusal::Unauthorized {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            return res;
        }
        match (self.refusal, self.caller) {
            (Refusal::Unauthorized, _) | (_, None) => {
                Redirect::to(&format!("/login?next={}", urlencode(&self.uri.to_string())))
                    .into_response()
            }
            (Refusal::PasswordChangeRequired, _) => {
                Redirect::to("/account/password").into_response()
            }
            (_, Some(caller)) => crate::pages::forbidden_page(lang, caller, message),
        }
    }
}
