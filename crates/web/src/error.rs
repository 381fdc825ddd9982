//! One error policy for requests: the service speaks `AppError`; the API renders it as JSON
//! with a stable machine code, pages as an HTML page. Storage's `NotFound` becomes 404 here
//! and nowhere else.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// The request is well-formed but conflicts with the record's state (a locked period).
    #[error("{0}")]
    Conflict(String),
    #[error("服务器内部错误 (internal error)")]
    Internal(String),
}

impl AppError {
    /// Internal errors show the visitor nothing of their cause; the log keeps it.
    pub fn log(&self) {
        if let Self::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::Refused(why) => Self::Conflict(why),
            other => {
                tracing::error!(error = %other, "storage error");
                Self::Internal(other.to_string())
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template error");
        Self::Internal(e.to_string())
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
