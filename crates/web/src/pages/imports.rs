//! The upload page: send a file, see its validation report on screen (a dry run unless asked
//! otherwise), download the report as XLSX, and commit.

use super::{render, sheet_download, Chrome, OrPage, PageError, SheetFormat, Viewer};
use crate::auth::Caller;
use crate::error::{Absent, AppError, RequestProblem};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::Uri;
use axum::response::Response;
use kechuang_domain::registry::CertificateKind;
use kechuang_service::imports::{self, FileKind, Upload};

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

struct ProblemLine {
    row: usize,
    column: String,
    value: String,
    problem: String,
}

struct UploadOutcome {
    file_name: String,
    rows: usize,
    dry_run: bool,
    written: Option<(usize, usize, usize)>,
    problems: Vec<ProblemLine>,
    report_href: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    kinds: Vec<Choice>,
    cert_kinds: Vec<Choice>,
    result: Option<UploadOutcome>,
    error: Option<String>,
}

fn kind_label(k: FileKind, en: bool) -> String {
    let (zh, e) = match k.as_str() {
        "enterprises" => ("企业名录", "Enterprises"),
        "certificates" => ("证书与认定", "Certificates and statuses"),
        "platforms" => ("创新平台", "Innovation platforms"),
        "facts" => ("企业年度数据", "Enterprises' annual figures"),
        _ => ("指标数据", "Indicator figures"),
    };
    if en { e } else { zh }.to_owned()
}

fn page(
    v: &Viewer,
    uri: &Uri,
    kind: Option<FileKind>,
    result: Option<UploadOutcome>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let en = v.lang.is_en();
    let p = ImportPage {
        chrome: Chrome::new(v, "import", v.lang.tr().nav_import.into(), uri, None),
        kinds: FileKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: kind_label(*k, en),
                selected: Some(*k) == kind,
            })
            .collect(),
        cert_kinds: CertificateKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code(),
                label: if en { k.name_en() } else { k.name() }.to_owned(),
                selected: false,
            })
            .collect(),
        result,
        error,
    };
    let status = if p.error.is_some() || p.result.as_ref().is_some_and(|r| !r.problems.is_empty()) {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut res = render(&p, v.lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn form(v: Viewer, _: Caller, uri: Uri) -> Result<Response, PageError> {
    page(&v, &uri, None, None, None)
}

/// Takes the multipart form: kind, optional certificate kind, the dry-run and legacy-code
/// boxes, and the file.
pub async fn upload(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let mut kind = None;
    let mut cert_kind = None;
    let mut dry_run = false;
    let mut legacy = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        PageError(
            AppError::invalid(RequestProblem::Upload {
                reason: e.body_text(),
            }),
            lang,
        )
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "kind" => kind = FileKind::parse(&field.text().await.map_err(bad)?),
            "cert_kind" => cert_kind = CertificateKind::parse(&field.text().await.map_err(bad)?),
            "dry_run" => dry_run = true,
            "accept_legacy_uscc" => legacy = true,
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let Some(kind) = kind else {
        return page(
            &v,
            &uri,
            None,
            None,
            Some("请选择文件类型 (choose what the file holds)".into()),
        );
    };
    let Some((file_name, bytes)) = file.filter(|(n, _)| !n.is_empty()) else {
        return page(
            &v,
            &uri,
            Some(kind),
            None,
            Some("请选择要上传的文件 (choose a file)".into()),
        );
    };
    let received = imports::import_bytes(
        &st.store,
        &Upload {
            kind,
            file_name: &file_name,
            bytes: &bytes,
            dry_run,
            accept_legacy_uscc: legacy,
            default_kind: cert_kind,
        },
        &who.actor(),
        &st.spool,
    )
    .await;
    let received = match received {
        Ok(r) => r,
        Err(e @ AppError::Invalid(_)) => {
            return page(&v, &uri, Some(kind), None, Some(e.message(lang.into())))
        }
        Err(e) => return Err(PageError(e, lang)),
    };
    let o = received.outcome;
    let result = UploadOutcome {
        file_name,
        rows: o.rows,
        dry_run,
        written: o.summary.map(|s| (s.inserted, s.updated, s.unchanged)),
        problems: o
            .problems
            .into_iter()
            .map(|p| ProblemLine {
                row: p.row,
                column: p.column,
                value: p.value,
                problem: p.problem,
            })
            .collect(),
        report_href: format!("/import/reports/{}.xlsx", received.report_id),
    };
    page(&v, &uri, Some(kind), Some(result), None)
}

/// The validation report as XLSX: row, column, value, problem. Only its sender may fetch it.
pub async fn report(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let id = file
        .strip_suffix(".xlsx")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(|| {
            PageError(
                AppError::not_found(Absent::Report { file: file.clone() }),
                lang,
            )
        })?;
    let r = st.store.report(id, who.username()).await.page(lang)?;
    let problems: Vec<kechuang_ingest::RowProblem> = r
        .problems
        .into_iter()
        .map(|p| kechuang_ingest::RowProblem {
            row: p.row,
            column: p.column,
            value: p.value,
            problem: p.problem,
        })
        .collect();
    sheet_download(
        &kechuang_ingest::export::report_table(&problems),
        SheetFormat::Xlsx,
        &format!("report-{id}.xlsx"),
        lang,
    )
}
