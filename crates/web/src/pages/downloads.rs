//! Lists as spreadsheets: the format a download asks for, the file itself, and the audit
//! entry every export of records leaves.

use super::*;
use crate::auth::Caller;
use crate::error::{Absent, AppError};
use crate::i18n::Lang;
use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The spreadsheet format a download asks for by its name: `{stem}.xlsx` or `{stem}.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SheetFormat {
    Xlsx,
    Csv,
}

impl SheetFormat {
    /// The format of `requested`; any name but `{stem}.xlsx` and `{stem}.csv` is not found.
    pub(crate) fn of(requested: &str, stem: &str, lang: Lang) -> Result<Self, PageError> {
        match requested.strip_prefix(stem) {
            Some(".xlsx") => Ok(Self::Xlsx),
            Some(".csv") => Ok(Self::Csv),
            _ => Err(PageError(
                AppError::not_found(Absent::Download {
                    name: requested.to_owned(),
                }),
                lang,
            )),
        }
    }

    pub(crate) fn ext(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }
}

/// A table as a file to download, in the format asked for and under `filename`.
pub(crate) fn sheet_download(
    table: &kechuang_ingest::export::Table<'_>,
    format: SheetFormat,
    filename: &str,
    lang: Lang,
) -> Result<Response, PageError> {
    let (bytes, mime) = match format {
        SheetFormat::Xlsx => (
            kechuang_ingest::export::xlsx_bytes(table),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        SheetFormat::Csv => (
            kechuang_ingest::export::csv_bytes(table),
            "text/csv; charset=utf-8",
        ),
    };
    let bytes = bytes
        .map_err(|e| AppError::internal(e.to_string()))
        .page(lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Exports of personal data (contact persons, the audit trail) are audited themselves.
pub(crate) async fn record_export(
    st: &AppState,
    who: &Caller,
    name: &str,
    rows: usize,
    lang: Lang,
) -> Result<(), PageError> {
    st.store
        .audit(&kechuang_store::AuditEntry {
            actor: &who.actor(),
            action: "export",
            entity: "export",
            entity_id: name,
            before: String::new(),
            after: serde_json::json!({ "rows": rows }).to_string(),
        })
        .await
        .page(lang)
}
