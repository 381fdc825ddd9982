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
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name, whose extension (.xlsx, .xls, .csv) says how to read it.
    file_name: String,
    /// Validate only (the default); `false` imports a valid file.
    dry_run: Option<bool>,
    /// The certificate kind of a certificates file without a 证书类型 column: hte, hte_pool,
    /// tech_sme or hitech_product.
    cert_kind: Option<String>,
    /// Accept early pilot codes that fail the USCC check character.
    accept_legacy_uscc: Option<bool>,
}

/// One problem with one cell, or with a whole row when `column` is empty.
#[derive(Serialize, ToSchema)]
pub struct RowProblem {
    /// The row as Excel numbers it.
    row: usize,
    column: String,
    value: String,
    problem: String,
}

/// What an import wrote.
#[derive(Serialize, ToSchema)]
pub struct WriteSummary {
    inserted: usize,
    updated: usize,
    unchanged: usize,
    /// The import's batch; none when nothing changed.
    batch_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    kind: &'static str,
    dry_run: bool,
    rows: usize,
    /// Every problem; when any, nothing was written.
    problems: Vec<RowProblem>,
    /// None for a dry run or a refused file.
    summary: Option<WriteSummary>,
    /// The validation report as a spreadsheet.
    report: String,
    /// After a dry run with no problem: the kept file's id, to import it as checked with
    /// `POST /api/v1/imports/held/{id}` (within the hour).
    held: Option<String>,
}

/// A file as the request body, validated and, with `dry_run=false`, imported: all rows or none.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "registries",
    params(("kind" = String, Path, description = "enterprises, certificates, platforms, facts, patents, observations, pool-members, loans, rd-survey, super-deduction or rd-training"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file: XLSX, XLS or CSV (UTF-8 or GBK)"),
    responses(
        (status = 200, description = "Every row is valid (and was imported unless a dry run)", body = ImportResult),
        (status = 422, description = "Some rows are refused; nothing was written", body = ImportResult),
    ))]
pub async fn import(
    State(st): State<AppState>,
    who: Caller,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResult>), ApiError> {
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
            progress: None,
            bank: None,
            year: None,
        },
        &who.actor(),
        &st.spool,
    )
    .await?;
    Ok(answer(kind.as_str(), dry_run, r))
}

/// An import's answer: 200 when every row is valid, 422 with the problems otherwise.
pub(crate) fn answer(
    kind: &'static str,
    dry_run: bool,
    r: imports::Received,
) -> (StatusCode, Json<ImportResult>) {
    let o = r.outcome;
    let status = if o.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        Json(ImportResult {
            kind,
            dry_run,
            rows: o.rows,
            problems: o
                .problems
                .into_iter()
                .map(|p| RowProblem {
                    row: p.row,
                    column: p.column,
                    value: p.value,
                    problem: p.problem,
                })
                .collect(),
            summary: o.summary.map(|s| WriteSummary {
                inserted: s.inserted,
                updated: s.updated,
                unchanged: s.unchanged,
                batch_id: s.batch_id,
            }),
            report: format!("/import/reports/{}.xlsx", r.report_id),
            held: r.held,
        }),
    )
}

/// Imports the file a clean dry run kept, as it was checked (kind, options, the file's
/// digest), without sending it again: its sender only, within the hour, once.
#[utoipa::path(post, path = "/api/v1/imports/held/{id}", tag = "registries",
    params(("id" = String, Path, description = "`held` from the dry run's answer")),
    responses(
        (status = 200, description = "Imported", body = ImportResult),
        (status = 404, description = "No such kept file of the caller's, or its hour is over (`held_upload_gone`)", body = crate::error::ErrorBody),
        (status = 409, description = "The kept file changed since its check (`held_upload_changed`)", body = crate::error::ErrorBody),
        (status = 422, description = "Rows refused after all (the registries changed meanwhile); nothing was written", body = ImportResult),
    ))]
pub async fn commit_held(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ImportResult>), ApiError> {
    let r = imports::commit_held(&st.store, &id, &who.actor(), &st.spool).await?;
    let kind = st.store.report(r.report_id, who.username()).await?.kind;
    let kind = FileKind::parse(&kind).map_or("", FileKind::as_str);
    Ok(answer(kind, false, r))
}
