//! `POST /api/v1/imports/{kind}`: a file as the request body, validated and (with
//! `dry_run=false`) imported, answering the validation report as JSON.

use crate::auth::Caller;
use crate::error::{ApiError, AppError, RequestProblem};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use kechuang_domain::registry::CertificateKind;
use kechuang_service::imports::{self, FileKind, Upload};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct ImportQuery {
    /// The file's name, whose extension (.xlsx, .xls, .csv) says how to read it.
    file_name: String,
    /// Validate only (the default); `false` imports a valid file.
    dry_run: Option<bool>,
    cert_kind: Option<String>,
    accept_legacy_uscc: Option<bool>,
}

pub async fn import(
    State(st): State<AppState>,
    who: Caller,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = FileKind::parse(&kind).ok_or_else(|| {
        AppError::not_found(RequestProblem::UnknownImportKind { kind: kind.clone() })
    })?;
    let default_kind = match q.cert_kind.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(CertificateKind::parse(k).ok_or_else(|| {
            AppError::invalid(RequestProblem::CertificateKind {
                field: "cert_kind",
                raw: k.to_owned(),
            })
        })?),
    };
    let dry_run = q.dry_run.unwrap_or(true);
    let r = imports::import_bytes(
        &st.store,
        &Upload {
            kind,
            file_name: &q.file_name,
            bytes: &body,
            dry_run,
            accept_legacy_uscc: q.accept_legacy_uscc.unwrap_or(false),
            default_kind,
        },
        &who.actor(),
    )
    .await?;
    let o = r.outcome;
    let status = if o.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        Json(json!({
            "kind": kind.as_str(),
            "dry_run": dry_run,
            "rows": o.rows,
            "problems": o.problems,
            "summary": o.summary,
            "report": format!("/import/reports/{}.xlsx", r.report_id),
        })),
    ))
}
