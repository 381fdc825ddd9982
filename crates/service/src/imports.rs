//! Importing a file: validate every row, then write all or nothing. One path for the command
//! line, the upload page and the API, so a file is judged the same way wherever it arrives.

use crate::Error;
use kechuang_domain::indicator::Indicator;
use kechuang_domain::registry::CertificateKind;
use kechuang_ingest::observations::{check_references, read_observations};
use kechuang_ingest::registries::{self, Kind};
use kechuang_ingest::table::{Row, RowSource};
use kechuang_ingest::{IngestError, RowError, RowProblem};
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
pub async fn import(store: &Store, req: &ImportRequest<'_>) -> Result<ImportOutcome, Error> {
    let bad = Error::invalid;
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
        FileKind::Registry(kind) => import_registry(store, req, kind, &prov).await,
    }
}

/// Rows a part of a file holds when it is parsed and written part by part.
const PART_ROWS: usize = 2000;

/// A registry file, streamed part by part so that memory holds one part at a time, not the
/// file; checks that span the file (duplicates, enterprises registered by earlier rows) keep
/// only keys. Writing happens inside one transaction that commits only if every row passed.
async fn import_registry(
    store: &Store,
    req: &ImportRequest<'_>,
    kind: registries::Kind,
    prov: &Provenance,
) -> Result<ImportOutcome, Error> {
    let bad = Error::invalid;
    let source = RowSource::open(req.path).map_err(bad)?;
    // Enterprise files refer to no other enterprise; the others are checked against those
    // they name.
    let known = if kind == registries::Kind::Enterprises {
        HashMap::new()
    } else {
        let mut wanted = std::collections::BTreeSet::new();
        for row in source.rows() {
            wanted.extend(registries::uscc_candidates(&row.map_err(Error::invalid)?));
        }
        store
            .enterprise_regions(&wanted.into_iter().collect::<Vec<_>>())
            .await?
    };
    let kinds = store.platform_kinds().await?;
    let tree = store.region_tree().await?;
    // Rows may name any region this deployment holds: one city's counties, or a whole
    // province's.
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("没有行政区划 (no regions)"))?;
    let state = registries::FileState::default();
    let ctx = registries::Context {
        tree: &tree,
        home: &home,
        known: &known,
        platform_kinds: &kinds,
        accept_legacy_as: req.accept_legacy_uscc.then_some(req.actor.name.as_str()),
        default_kind: req.default_kind,
        state: &state,
    };
    let mut out = ImportOutcome::default();
    // Parts are written as they pass, into one transaction; the first refused row drops it
    // (a rollback: nothing of the file remains) and the rest of the file is only checked, so
    // the report still lists every problem.
    //
    // Writing runs as a task of its own, fed parts through a short queue: the database
    // writes one part while this task reads and checks the next, on the other core.
    let (parts_tx, mut parts_rx) =
        tokio::sync::mpsc::channel::<kechuang_domain::registry::RegistryBatch>(2);
    let writer = if req.dry_run {
        None
    } else {
        let mut w = store.begin_registry_write(prov).await?;
        Some(tokio::spawn(async move {
            while let Some(batch) = parts_rx.recv().await {
                w.write_batch(batch).await?;
            }
            Ok::<_, kechuang_store::StoreError>(w)
        }))
    };
    let mut feeding = writer.is_some().then_some(parts_tx);
    let mut parts = Parts::new(source.rows());
    while let Some(part) = parts.next_part().map_err(Error::invalid)? {
        let parsed = registries::parse(kind, &part, &ctx);
        out.rows += parsed.rows;
        if !parsed.problems.is_empty() {
            out.problems.extend(parsed.problems);
            // Nothing more is written; what was is rolled back below.
            feeding = None;
        } else if let Some(f) = &feeding {
            if f.send(parsed.batch).await.is_err() {
                // The writer stopped on an error, which its result reports.
                feeding = None;
            }
        }
        match parsed.header {
            Some(h) => parts.header = Some(h),
            // No header: every row would be refused alike; one report says so.
            None => break,
        }
    }
    drop(feeding);
    out.problems.sort_by_key(|p| p.row);
    if let Some(writer) = writer {
        let w = writer.await.map_err(|e| Error::internal(e.to_string()))??;
        // A refused file's transaction is dropped unfinished: rolled back.
        if out.problems.is_empty() {
            out.summary = Some(w.finish(out.rows).await?);
        }
    }
    Ok(out)
}

/// Splits rows into parts: the first part as the file begins (title rows, header, data), each
/// later part led by the header row so the parser finds its columns again.
struct Parts<'a> {
    rows: Box<dyn Iterator<Item = Result<Row, RowError>> + Send + 'a>,
    header: Option<Row>,
    started: bool,
}

impl<'a> Parts<'a> {
    fn new(rows: Box<dyn Iterator<Item = Result<Row, RowError>> + Send + 'a>) -> Self {
        Self {
            rows,
            header: None,
            started: false,
        }
    }

    fn next_part(&mut self) -> Result<Option<Vec<Row>>, RowError> {
        let mut part = Vec::with_capacity(PART_ROWS + 1);
        if self.started {
            match &self.header {
                Some(h) => part.push(h.clone()),
                None => return Ok(None),
            }
        }
        let lead = part.len();
        for row in self.rows.by_ref() {
            part.push(row?);
            if part.len() >= PART_ROWS + lead {
                break;
            }
        }
        if part.len() == lead && self.started {
            return Ok(None);
        }
        self.started = true;
        Ok(Some(part))
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
) -> Result<Received, Error> {
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
            Error::invalid(IngestError::UnsupportedType {
                name: file_name.to_owned(),
            })
        })?;
    if bytes.is_empty() {
        return Err(Error::invalid(IngestError::Empty));
    }
    let dir = std::env::temp_dir().join(format!("kechuang-upload-{}", crate::auth::random_token()));
    std::fs::create_dir(&dir).map_err(|e| Error::internal(e.to_string()))?;
    let path = dir.join(format!("upload.{ext}"));
    let result = async {
        std::fs::write(&path, bytes).map_err(|e| Error::internal(e.to_string()))?;
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
