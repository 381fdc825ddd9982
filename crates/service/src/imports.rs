//! Importing a file: validate every row, then write all or nothing. One path for the command
//! line, the upload page and the API, so a file is judged the same way wherever it arrives.

use crate::Error;
use kechuang_domain::indicator::Indicator;
use kechuang_domain::registry::CertificateKind;
use kechuang_ingest::observations::{check_references, read_observations};
use kechuang_ingest::registries::{self, Kind};
use kechuang_ingest::table::{Row, RowSource};
use kechuang_ingest::{IngestError, RowProblem};
use kechuang_store::{Actor, NewObservation, Provenance, Store, WriteSummary};
use std::collections::HashMap;
use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Observations,
    Registry(Kind),
    /// The existing members of the credit risk pool.
    PoolMembers,
    /// A partner bank's loans.
    Loans,
    /// The enterprise R&D survey of a year.
    RdSurvey,
    /// The tax authority's R&D super-deduction list of a year.
    SuperDeduction,
    /// An R&D statistics training session's sign-in sheet.
    RdTraining,
}

impl FileKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "observations" => Self::Observations,
            "enterprises" => Self::Registry(Kind::Enterprises),
            "certificates" => Self::Registry(Kind::Certificates),
            "platforms" => Self::Registry(Kind::Platforms),
            "facts" => Self::Registry(Kind::Facts),
            "patents" => Self::Registry(Kind::Patents),
            "pool-members" => Self::PoolMembers,
            "loans" => Self::Loans,
            "rd-survey" => Self::RdSurvey,
            "super-deduction" => Self::SuperDeduction,
            "rd-training" => Self::RdTraining,
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
            Self::Registry(Kind::Patents) => "patents",
            Self::PoolMembers => "pool-members",
            Self::Loans => "loans",
            Self::RdSurvey => "rd-survey",
            Self::SuperDeduction => "super-deduction",
            Self::RdTraining => "rd-training",
        }
    }

    pub const ALL: [FileKind; 11] = [
        Self::Registry(Kind::Enterprises),
        Self::Registry(Kind::Certificates),
        Self::Registry(Kind::Platforms),
        Self::Registry(Kind::Facts),
        Self::Registry(Kind::Patents),
        Self::Observations,
        Self::PoolMembers,
        Self::Loans,
        Self::RdSurvey,
        Self::SuperDeduction,
        Self::RdTraining,
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
    /// Where the import reports how far it has got, for a progress bar.
    pub progress: Option<&'a std::sync::Arc<ImportProgress>>,
    /// A partner bank's own upload: every loan must be this bank's.
    pub bank: Option<i64>,
    /// The year of a statistics file (R&D survey, super-deduction list) without a 年度 column.
    pub year: Option<i32>,
    /// The file was sent (an upload), so the sent-file size limit applies; a registry file
    /// the operator names on the server is read whatever its size.
    pub sent: bool,
}

/// How far an import has got: rows read and checked, rows written, and how many rows the file
/// holds once a first pass has counted them (0 while unknown). Updated as parts pass, read by a
/// progress bar on another thread.
#[derive(Debug, Default)]
pub struct ImportProgress {
    read: std::sync::atomic::AtomicU64,
    written: std::sync::atomic::AtomicU64,
    total: std::sync::atomic::AtomicU64,
}

/// A moment of an import's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressSnapshot {
    pub read: u64,
    pub written: u64,
    /// 0 while the file's row count is not known.
    pub total: u64,
}

impl ImportProgress {
    fn add_read(&self, rows: usize) {
        self.read
            .fetch_add(rows as u64, std::sync::atomic::Ordering::Relaxed);
    }
    fn add_written(&self, rows: usize) {
        self.written
            .fetch_add(rows as u64, std::sync::atomic::Ordering::Relaxed);
    }
    fn set_total(&self, rows: usize) {
        self.total
            .store(rows as u64, std::sync::atomic::Ordering::Relaxed);
    }
    pub fn snapshot(&self) -> ProgressSnapshot {
        use std::sync::atomic::Ordering::Relaxed;
        ProgressSnapshot {
            read: self.read.load(Relaxed),
            written: self.written.load(Relaxed),
            total: self.total.load(Relaxed),
        }
    }
}

impl ProgressSnapshot {
    /// The share done, 0–100, when the total is known: reading counts half, writing half (a
    /// dry run writes nothing and is done when read).
    pub fn percent(&self, writing: bool) -> Option<u32> {
        if self.total == 0 {
            return None;
        }
        let t = self.total as f64;
        let share = if writing {
            (self.read as f64 / t + self.written as f64 / t) / 2.0
        } else {
            self.read as f64 / t
        };
        Some((share * 100.0).clamp(0.0, 100.0).floor() as u32)
    }
}

#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub rows: usize,
    /// Every problem, by row; when any, nothing was written.
    pub problems: Vec<RowProblem>,
    /// What was written; `None` for a dry run or a refused file.
    pub summary: Option<WriteSummary>,
}

/// Imports reading and checking a file at once: each keeps a core busy while it parses, and
/// the server must go on answering. Others wait their turn for [`TURN_WAIT`].
const AT_ONCE: usize = 1;
static RUNNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(AT_ONCE);
/// How long a file waits for its turn before its sender is asked to try again.
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

kechuang_domain::problems! {
    pub enum ImportProblem {
        Busy = "imports_busy" {
            zh: "其他文件正在导入，请稍后再试", en: "another file is being imported: try again shortly",
        },
        HeldGone = "held_upload_gone" {
            zh: "试运行通过的文件只保留 1 小时，且只能导入一次：请重新上传",
            en: "a file that passed its dry run is kept for an hour and imported once: send it again",
        },
        HeldChanged = "held_upload_changed" {
            zh: "保留的文件与试运行时不同，未导入：请重新上传",
            en: "the kept file differs from the one checked, so nothing was imported: send it again",
        },
    }
}

/// Runs file reading and checking on a thread for blocking work, off the threads that answer
/// requests.
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal(format!("the import's reader stopped: {e}")))?
}

/// Validates the whole file and, unless it is a dry run or any row is refused, writes it in one
/// transaction.
pub async fn import(store: &Store, req: &ImportRequest<'_>) -> Result<ImportOutcome, Error> {
    crate::within_limits(&[(&kechuang_domain::text::fields::FILE_NAME, req.file_name)])?;
    let _turn = tokio::time::timeout(TURN_WAIT, RUNNING.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| Error::busy(ImportProblem::Busy))?;
    let bad = Error::invalid;
    let prov = Provenance {
        actor: req.actor.name.clone(),
        client: req.actor.client.clone(),
        file_name: req.file_name.to_owned(),
        kind: match req.kind {
            FileKind::Observations => "observations".into(),
            FileKind::Registry(_) => "registry".into(),
            FileKind::PoolMembers
            | FileKind::Loans
            | FileKind::RdSurvey
            | FileKind::SuperDeduction
            | FileKind::RdTraining => req.kind.as_str().into(),
        },
    };
    match req.kind {
        FileKind::Observations => {
            let path = req.path.to_owned();
            let parsed = off_runtime(move || read_observations(&path).map_err(bad)).await?;
            if let Some(p) = req.progress {
                p.set_total(parsed.rows.len());
                p.add_read(parsed.rows.len());
            }
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
                if let Some(p) = req.progress {
                    p.add_written(rows.len());
                }
            }
            Ok(out)
        }
        FileKind::Registry(kind) => import_registry(store, req, kind, &prov).await,
        FileKind::PoolMembers | FileKind::Loans => import_finance(store, req).await,
        FileKind::RdSurvey | FileKind::SuperDeduction | FileKind::RdTraining => {
            import_rd(store, req).await
        }
    }
}

/// An R&D statistics file (a survey, a super-deduction list), checked and written by the R&D
/// operations.
async fn import_rd(store: &Store, req: &ImportRequest<'_>) -> Result<ImportOutcome, Error> {
    let done = crate::rd::import_file(
        store,
        &crate::rd::FileImport {
            file: match req.kind {
                FileKind::RdSurvey => crate::rd::RdFile::Survey,
                FileKind::RdTraining => crate::rd::RdFile::Training,
                _ => crate::rd::RdFile::SuperDeduction,
            },
            path: req.path,
            file_name: req.file_name,
            dry_run: req.dry_run,
            actor: req.actor,
            year: req.year,
        },
    )
    .await?;
    if let Some(p) = req.progress {
        p.set_total(done.table_rows);
        p.add_read(done.table_rows);
        if let Some(s) = &done.summary {
            p.add_written(s.inserted + s.updated + s.unchanged);
        }
    }
    Ok(ImportOutcome {
        rows: done.rows,
        problems: done.problems,
        summary: done.summary,
    })
}

/// A tech-finance file (pool members, a bank's loans), checked and written by the finance
/// operations; this reports its progress and outcome as every import does.
async fn import_finance(store: &Store, req: &ImportRequest<'_>) -> Result<ImportOutcome, Error> {
    use crate::finance::{FileImport, FinanceFile};
    let file = if req.kind == FileKind::Loans {
        FinanceFile::Loans
    } else {
        FinanceFile::PoolMembers
    };
    let done = crate::finance::import_file(
        store,
        &FileImport {
            file,
            path: req.path,
            file_name: req.file_name,
            dry_run: req.dry_run,
            actor: req.actor,
            bank: req.bank,
        },
    )
    .await?;
    if let Some(p) = req.progress {
        p.set_total(done.table_rows);
        p.add_read(done.table_rows);
        if let Some(s) = &done.summary {
            p.add_written(s.inserted + s.updated + s.unchanged);
        }
    }
    Ok(ImportOutcome {
        rows: done.rows,
        problems: done.problems,
        summary: done.summary,
    })
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
    let path = req.path.to_owned();
    let sent = req.sent;
    // Where an import's time goes, for `KECHUANG_LOG=kechuang_service::imports=debug`.
    let started = std::time::Instant::now();
    let ms = move || started.elapsed().as_millis();
    // Enterprise files refer to no other enterprise; the others are checked against those
    // they name, looked up part by part as the file is read (`EnterpriseLookup`), while the
    // part before is written: their codes, and a patent list's holders named without one by
    // their names (indexed, migration 0028). A file is read twice only when a progress bar
    // shows its total, first to count its rows.
    let counter = req.progress.cloned();
    let first_pass = counter.is_some() && kind != registries::Kind::Enterprises;
    let source = off_runtime(move || {
        let limit = sent.then_some(kechuang_ingest::limits::MAX_FILE_BYTES);
        let source = RowSource::open_within(&path, limit).map_err(Error::invalid)?;
        if first_pass {
            let mut rows = 0;
            for row in source.rows() {
                row.map_err(Error::invalid)?;
                rows += 1;
            }
            // Title and header rows are counted too: the bar ends a little short of 100
            // until the import is done, never past it.
            if let Some(p) = &counter {
                p.set_total(rows);
            }
        }
        Ok(source)
    })
    .await?;
    tracing::debug!(ms = ms(), "import: file opened");
    let mut lookup = match kind {
        registries::Kind::Enterprises => None,
        _ => Some(store.enterprise_lookup().await?),
    };
    let kinds = store.platform_kinds().await?;
    let tree = store.region_tree().await?;
    // Rows may name any region this deployment holds: one city's counties, or a whole
    // province's.
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("no regions are loaded"))?;
    // Parts are written as they pass, into one transaction; the first refused row drops it
    // (a rollback: nothing of the file remains) and the rest of the file is only checked, so
    // the report still lists every problem.
    //
    // Writing runs as a task of its own, fed parts through a short queue: the database
    // writes one part while the reader, on a blocking thread, reads and checks the next.
    let (parts_tx, mut parts_rx) =
        tokio::sync::mpsc::channel::<kechuang_domain::registry::RegistryBatch>(2);
    let writer = if req.dry_run {
        None
    } else {
        let mut w = store.begin_registry_write(prov).await?;
        let written = req.progress.cloned();
        Some(tokio::spawn(async move {
            while let Some(batch) = parts_rx.recv().await {
                let rows = batch.len();
                w.write_batch(batch).await?;
                if let Some(p) = &written {
                    p.add_written(rows);
                }
            }
            Ok::<_, kechuang_store::StoreError>(w)
        }))
    };
    let feeding = writer.is_some().then_some(parts_tx);
    let accept_legacy_as = req.accept_legacy_uscc.then(|| req.actor.name.clone());
    let default_kind = req.default_kind;
    let read = req.progress.cloned();
    let mut out = off_runtime(move || {
        let state = registries::FileState::default();
        let mut known = kechuang_domain::registry::RegionsByUscc::default();
        let mut names = kechuang_ingest::patents::UsccByName::default();
        let mut feeding = feeding;
        let mut out = ImportOutcome::default();
        let mut parts = Parts::new(source.rows());
        while let Some(part) = parts.next_part().map_err(Error::invalid)? {
            if let Some(lookup) = &mut lookup {
                look_up_part(lookup, kind, &part, &mut known, &mut names)?;
            }
            let ctx = registries::Context {
                tree: &tree,
                home: &home,
                known: &known,
                platform_kinds: &kinds,
                accept_legacy_as: accept_legacy_as.as_deref(),
                default_kind,
                state: &state,
                names: &names,
            };
            let parsed = kechuang_ingest::parse_registry(kind, &part, &ctx);
            out.rows += parsed.rows;
            if let Some(p) = &read {
                p.add_read(parsed.rows);
            }
            if !parsed.problems.is_empty() {
                out.problems.extend(parsed.problems);
                // Nothing more is written; what was is rolled back below.
                feeding = None;
            } else if let Some(f) = &feeding {
                if f.blocking_send(parsed.batch).is_err() {
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
        Ok(out)
    })
    .await;
    tracing::debug!(ms = ms(), "import: file read and checked");
    if let Some(writer) = writer {
        let w = writer.await.map_err(|e| Error::internal(e.to_string()))??;
        tracing::debug!(ms = ms(), "import: rows written");
        // A refused or unreadable file's transaction is dropped unfinished: rolled back.
        if let Ok(o) = &mut out {
            if o.problems.is_empty() {
                o.summary = Some(w.finish(o.rows).await?);
                tracing::debug!(ms = ms(), "import: committed");
            }
        }
    }
    let mut out = out?;
    out.problems.sort_by_key(|p| p.row);
    Ok(out)
}

/// Looks up the enterprises one part of a file names and has not yet found: by code, and for a
/// patent list also its holders by name.
fn look_up_part(
    lookup: &mut kechuang_store::EnterpriseLookup,
    kind: registries::Kind,
    part: &[Row],
    known: &mut kechuang_domain::registry::RegionsByUscc,
    names: &mut kechuang_ingest::patents::UsccByName,
) -> Result<(), Error> {
    let codes: Vec<String> = part
        .iter()
        .flat_map(registries::uscc_candidates)
        .filter(|c| !known.contains_key(c))
        .collect();
    lookup.regions_into(&codes, known)?;
    if kind == registries::Kind::Patents {
        // Each part is led by its header row, from which the holder column is found again.
        let mut holders = kechuang_ingest::patents::HolderNames::default();
        for row in part {
            holders.push(row);
        }
        // A name linked before is not asked again; one not found (a person, most often) is
        // asked again in each part that gives it, which costs one index probe.
        let fresh = holders.names.into_iter().filter(|k| names.get(k).is_none());
        let asked = crate::registries::name_variants(fresh);
        lookup.named(&asked, |e| crate::registries::note_named(names, known, e))?;
    }
    Ok(())
}

/// Splits rows into parts: the first part as the file begins (title rows, header, data), each
/// later part led by the header row so the parser finds its columns again.
struct Parts<'a> {
    rows: Box<dyn Iterator<Item = Result<Row, IngestError>> + Send + 'a>,
    header: Option<Row>,
    started: bool,
}

impl<'a> Parts<'a> {
    fn new(rows: Box<dyn Iterator<Item = Result<Row, IngestError>> + Send + 'a>) -> Self {
        Self {
            rows,
            header: None,
            started: false,
        }
    }

    fn next_part(&mut self) -> Result<Option<Vec<Row>>, IngestError> {
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
    /// After a dry run that found no problem: the id of the file, kept so its sender can
    /// import that very file ([`commit_held`]) without sending it again.
    pub held: Option<String>,
}

/// What is kept beside a file that passed its dry run: the choices it was checked with, its
/// digest, and who sent it.
#[derive(serde::Serialize, serde::Deserialize)]
struct HeldUpload {
    kind: String,
    file_name: String,
    accept_legacy_uscc: bool,
    default_kind: Option<String>,
    sha256: String,
    sender: String,
    #[serde(default)]
    bank: Option<i64>,
    #[serde(default)]
    year: Option<i32>,
}

/// The kept file and its description, by id; the id is the random token handed out, checked
/// to be one before it names a path.
fn held_paths(spool: &Path, id: &str) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    (id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        (
            spool.join(format!("{HELD_PREFIX}{id}.bin")),
            spool.join(format!("{HELD_PREFIX}{id}.json")),
        )
    })
}

/// Writes a file readable by this user only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| Error::internal(format!("spool {}: {e}", path.display())))?;
    std::io::Write::write_all(&mut f, bytes)
        .and_then(|()| f.sync_data())
        .map_err(|e| Error::internal(e.to_string()))
}

/// Removes kept files whose hour is over, so files checked and never imported do not pile up
/// between restarts.
fn sweep_held(spool: &Path) {
    let Ok(entries) = std::fs::read_dir(spool) else {
        return;
    };
    for entry in entries.flatten() {
        let expired = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > HELD_FOR);
        if expired && entry.file_name().to_string_lossy().starts_with(HELD_PREFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Keeps a file that passed its dry run — the spooled copy it was checked from, renamed, not
/// written again — with the choices it was checked with.
fn hold(
    spool: &Path,
    spooled: tempfile::NamedTempFile,
    upload: &Upload<'_>,
    sender: &str,
) -> Result<String, Error> {
    sweep_held(spool);
    let id = crate::auth::random_token();
    let (file, meta) =
        held_paths(spool, &id).ok_or_else(|| Error::internal("a random token is hex"))?;
    let held = HeldUpload {
        kind: upload.kind.as_str().to_owned(),
        file_name: upload.file_name.to_owned(),
        accept_legacy_uscc: upload.accept_legacy_uscc,
        default_kind: upload.default_kind.map(|k| k.code().to_owned()),
        sha256: kechuang_domain::auth::sha256_hex(upload.bytes),
        sender: sender.to_owned(),
        bank: upload.bank,
        year: upload.year,
    };
    // Still 0600, as the spool made it.
    spooled
        .persist(&file)
        .map_err(|e| Error::internal(format!("spool {}: {e}", file.display())))?;
    let json = serde_json::to_vec(&held).map_err(Error::internal)?;
    write_private(&meta, &json)?;
    Ok(id)
}

/// Imports a file its sender checked by a dry run, as it was checked: the same file (its
/// digest compared), kind and options. It is imported once: the kept copy is removed whatever
/// the outcome. Someone else's kept file, or one gone after its hour, is not found.
pub async fn commit_held(
    store: &Store,
    id: &str,
    actor: &Actor,
    spool: &Path,
) -> Result<Received, Error> {
    let gone = || Error::not_found(ImportProblem::HeldGone);
    let (file, meta) = held_paths(spool, id.trim()).ok_or_else(gone)?;
    let expired = std::fs::metadata(&meta)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age > HELD_FOR);
    if expired {
        let _ = std::fs::remove_file(&file);
        let _ = std::fs::remove_file(&meta);
        return Err(gone());
    }
    let held: HeldUpload = std::fs::read(&meta)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(gone)?;
    if held.sender != actor.name {
        return Err(gone());
    }
    let bytes = std::fs::read(&file).map_err(|_| gone())?;
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&meta);
    if kechuang_domain::auth::sha256_hex(&bytes) != held.sha256 {
        return Err(Error::conflict(ImportProblem::HeldChanged));
    }
    let kind = FileKind::parse(&held.kind).ok_or_else(gone)?;
    let upload = Upload {
        kind,
        file_name: &held.file_name,
        bytes: &bytes,
        dry_run: false,
        accept_legacy_uscc: held.accept_legacy_uscc,
        default_kind: held
            .default_kind
            .as_deref()
            .and_then(CertificateKind::parse),
        progress: None,
        bank: held.bank,
        year: held.year,
    };
    import_bytes(store, &upload, actor, spool).await
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
    pub progress: Option<&'a std::sync::Arc<ImportProgress>>,
    /// A partner bank's own upload: every loan must be this bank's.
    pub bank: Option<i64>,
    /// The year of a statistics file without a 年度 column.
    pub year: Option<i32>,
}

/// A blank XLSX to fill in for an import of `kind`: the headers the importer reads and an
/// example row that cannot be imported by mistake.
pub fn template(kind: FileKind) -> Result<kechuang_ingest::export::Table<'static>, Error> {
    kechuang_ingest::export::template(kind.as_str())
        .ok_or_else(|| Error::internal(format!("no template for {}", kind.as_str())))
}

/// The caller's latest imports (dry runs and refusals too), newest first.
pub async fn history(
    store: &Store,
    who: &Actor,
) -> Result<Vec<kechuang_store::ImportReport>, Error> {
    Ok(store.recent_reports(&who.name, 20).await?)
}

/// Makes the directory that holds sent files while they are imported, readable by this user
/// only, and removes what a process that died in the middle of an import left in it. Files
/// younger than an hour are left alone: another instance may be importing them.
pub fn prepare_spool(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let hour = std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > hour);
        if name.to_string_lossy().starts_with(SPOOL_PREFIX) && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

const SPOOL_PREFIX: &str = "upload-";
/// Files kept after a clean dry run: the spool's prefix, so they too are cleared an hour on.
const HELD_PREFIX: &str = "upload-held-";
/// How long a file that passed its dry run waits for its sender to import it.
const HELD_FOR: std::time::Duration = std::time::Duration::from_secs(3600);

/// Imports a sent file. It is written to a file of its own in `spool` (the spreadsheet
/// readers need a path), readable by this user only and removed when the import ends, however
/// it ends.
pub async fn import_bytes(
    store: &Store,
    upload: &Upload<'_>,
    actor: &Actor,
    spool: &Path,
) -> Result<Received, Error> {
    let Upload {
        kind,
        file_name,
        bytes,
        dry_run,
        accept_legacy_uscc,
        default_kind,
        progress,
        bank,
        year,
    } = *upload;
    crate::within_limits(&[(&kechuang_domain::text::fields::FILE_NAME, file_name)])?;
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
    // Created 0600 and removed on drop, on every path out of this function but one: a clean
    // dry run keeps it (see `hold`).
    let mut file = tempfile::Builder::new()
        .prefix(SPOOL_PREFIX)
        .suffix(&format!(".{ext}"))
        .tempfile_in(spool)
        .map_err(|e| Error::internal(format!("spool {}: {e}", spool.display())))?;
    let path = file.path().to_owned();
    let result = async {
        std::io::Write::write_all(&mut file, bytes)
            .and_then(|()| file.as_file().sync_data())
            .map_err(|e| Error::internal(e.to_string()))?;
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
                progress,
                bank,
                year,
                sent: true,
            },
        )
        .await
    }
    .await;
    let outcome = result?;
    // A clean dry run keeps its copy for 确认导入; otherwise it is removed here, and the
    // registries and the report hold what matters.
    let held = if dry_run && outcome.problems.is_empty() && outcome.rows > 0 {
        Some(hold(spool, file, upload, &actor.name)?)
    } else {
        drop(file);
        None
    };
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
    Ok(Received {
        outcome,
        report_id,
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_reading_and_writing_halves() {
        let p = ImportProgress::default();
        assert_eq!(p.snapshot().percent(true), None, "no total yet");
        p.set_total(1000);
        p.add_read(500);
        assert_eq!(p.snapshot().percent(false), Some(50));
        assert_eq!(p.snapshot().percent(true), Some(25));
        p.add_read(500);
        p.add_written(1000);
        assert_eq!(p.snapshot().percent(true), Some(100));
        // Title rows counted in the total never take the bar past its end.
        p.add_read(10);
        assert_eq!(p.snapshot().percent(false), Some(100));
    }
}
