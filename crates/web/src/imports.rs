//! Importing a file: validate every row, then write all or nothing. One path for the command
//! line, the upload page and the API, so a file is judged the same way wherever it arrives.

use crate::error::AppError;
use kechuang_domain::indicator::Indicator;
use kechuang_domain::registry::CertificateKind;
use kechuang_ingest::observations::{check_references, read_observations};
use kechuang_ingest::registries::{self, Kind};
use kechuang_ingest::RowProblem;
use kechuang_store::{Actor, NewObservation, Provenance, Store, WriteSummary};
use std::collections::HashMap;
use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Observations,
    Registry(Kind),
}

impl FileKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "observations" => Self::Observations,
            "enterprises" => Self::Registry(Kind::Enterprises),
            "certificates" => Self::Registry(Kind::Certificates),
            "platforms" => Self::Registry(Kind::Platforms),
            "facts" => Self::Registry(Kind::Facts),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Observations => "observations",
            Self::Registry(Kind::Enterprises) => "enterprises",
            Self::Registry(Kind::Certificates) => "certificates",
            Self::Registry(Kind::Platforms) => "platforms",
            Self::Registry(Kind::Facts) => "facts",
        }
    }

    pub const ALL: [FileKind; 5] = [
        Self::Registry(Kind::Enterprises),
        Self::Registry(Kind::Certificates),
        Self::Registry(Kind::Platforms),
        Self::Registry(Kind::Facts),
        Self::Observations,
    ];
}

pub struct ImportRequest<'a> {
    pub kind: FileKind,
    pub path: &'a Path,
    /// The name the file had when it was sent, kept as its provenance.
    pub file_name: &'a str,
    pub dry_run: bool,
    pub accept_legacy_uscc: bool,
    /// The certificate kind of a file without a 证书类型 column.
    pub default_kind: Option<CertificateKind>,
    pub actor: &'a Actor,
}

#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub rows: usize,
    /// Every problem, by row; when any, nothing was written.
    pub problems: Vec<RowProblem>,
    /// What was written; `None` for a dry run or a refused file.
    pub summary: Option<WriteSummary>,
}

/// Validates the whole file and, unless it is a dry run or any row is refused, writes it in one
/// transaction.
pub async fn import(store: &Store, req: &ImportRequest<'_>) -> Result<ImportOutcome, AppError> {
    let bad = |e: kechuang_ingest::IngestError| AppError::BadRequest(e.to_string());
    let prov = Provenance {
        actor: req.actor.name.clone(),
        client: req.actor.client.clone(),
        file_name: req.file_name.to_owned(),
        kind: match req.kind {
            FileKind::Observations => "observations".into(),
            FileKind::Registry(_) => "registry".into(),
        },
    };
    match req.kind {
        FileKind::Observations => {
            let parsed = read_observations(req.path).map_err(bad)?;
            let indicators: HashMap<String, Indicator> = store.indicators_by_code().await?;
            let mut problems = parsed.problems;
            problems.extend(check_references(
                &parsed.rows,
                &indicators,
                &store.region_tree().await?,
            ));
            problems.sort_by_key(|p| p.row);
            let mut out = ImportOutcome {
                rows: parsed.rows.len(),
                problems,
                summary: None,
            };
            if out.problems.is_empty() && !req.dry_run {
                let rows: Vec<NewObservation> = parsed
                    .rows
                    .into_iter()
                    .map(|r| NewObservation {
                        indicator: r.indicator,
                        region: r.region,
                        period: r.period,
                        value: r.value,
                        source: r.source,
                        note: r.note,
                    })
                    .collect();
                out.summary = Some(store.write_observations(&rows, &prov).await?);
            }
            Ok(out)
        }
        FileKind::Registry(kind) => {
            let table = kechuang_ingest::table::read_table(req.path).map_err(bad)?;
            let known = store
                .enterprise_regions(&registries::referenced_usccs(&table))
                .await?;
            let kinds = store.platform_kinds().await?;
            let tree = store.region_tree().await?;
            // Rows may name any region this deployment holds: one city's counties, or a
            // whole province's.
            let home = tree
                .root()
                .map(|r| r.code.clone())
                .ok_or_else(|| AppError::Internal("没有行政区划 (no regions)".into()))?;
            let ctx = registries::Context {
                tree: &tree,
                home: &home,
                known: &known,
                platform_kinds: &kinds,
                accept_legacy_as: req.accept_legacy_uscc.then_some(req.actor.name.as_str()),
                default_kind: req.default_kind,
            };
            let parsed = registries::parse(kind, &table, &ctx);
            drop(table);
            let mut out = ImportOutcome {
                rows: parsed.rows,
                problems: parsed.problems,
                summary: None,
            };
            if out.problems.is_empty() && !req.dry_run {
                out.summary = Some(store.write_registry(&parsed.batch, &prov).await?);
            }
            Ok(out)
        }
    }
}

/// Extensions a sent file may have; the reader picks its parser by them.
const EXTENSIONS: [&str; 5] = ["csv", "txt", "xlsx", "xlsm", "xls"];

/// A sent file, its outcome, and the stored report that can be downloaded later.
pub struct Received {
    pub outcome: ImportOutcome,
    pub report_id: i64,
}

/// Imports a file sent over HTTP: it is written to a private temporary file (the spreadsheet
/// readers need a path), imported as `req` says, and removed; the report is stored.
pub struct Upload<'a> {
    pub kind: FileKind,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub dry_run: bool,
    pub accept_legacy_uscc: bool,
    pub default_kind: Option<CertificateKind>,
}

pub async fn import_bytes(
    store: &Store,
    upload: &Upload<'_>,
    actor: &Actor,
) -> Result<Received, AppError> {
    let Upload {
        kind,
        file_name,
        bytes,
        dry_run,
        accept_legacy_uscc,
        default_kind,
    } = *upload;
    let ext = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| EXTENSIONS.contains(&e.as_str()))
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "文件 '{file_name}' 的类型不受支持：请使用 .xlsx、.xls 或 .csv (unsupported file type)"
            ))
        })?;
    if bytes.is_empty() {
        return Err(AppError::BadRequest("文件为空 (the file is empty)".into()));
    }
    let dir = std::env::temp_dir().join(format!("kechuang-upload-{}", crate::auth::random_token()));
    std::fs::create_dir(&dir).map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.join(format!("upload.{ext}"));
    let result = async {
        std::fs::write(&path, bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        import(
            store,
            &ImportRequest {
                kind,
                path: &path,
                file_name,
                dry_run,
                accept_legacy_uscc,
                default_kind,
                actor,
            },
        )
        .await
    }
    .await;
    // The upload is not kept: the registries and the report hold what matters.
    let _ = std::fs::remove_dir_all(&dir);
    let outcome = result?;
    let problems: Vec<kechuang_store::ReportProblem> = outcome
        .problems
        .iter()
        .map(|p| kechuang_store::ReportProblem {
            row: p.row,
            column: p.column.clone(),
            value: p.value.clone(),
            problem: p.problem.clone(),
        })
        .collect();
    let report_id = store
        .save_report(&kechuang_store::NewReport {
            created_by: &actor.name,
            kind: kind.as_str(),
            file_name,
            rows: outcome.rows,
            dry_run,
            written: outcome.summary.is_some(),
            problems: &problems,
        })
        .await?;
    Ok(Received { outcome, report_id })
}
