//! The SQLite writer: prepared statements on a native connection of its own. Each row is one
//! `INSERT … ON CONFLICT DO NOTHING`; only a row whose key exists is read back and compared,
//! and updated with a revision when it changed. With no round trip and no unpacking per row, a
//! new row costs a few microseconds.
//!
//! Its inserts run without the tables' triggers (`SQLITE_DBCONFIG_ENABLE_TRIGGER`, this
//! connection only). SQLite's triggers fire row by row, and an insert into a table with one
//! runs as a sub-program with a statement journal, even where the trigger's `WHEN` skips the
//! row: 6–8 µs a row, more than half of what an enterprise or a certificate costs. What the
//! insert triggers do — log each row in the count log — the writer does itself: enterprises
//! and certificates by one statement per part over the rowids it inserted
//! (`INSERT_LOG_SQLITE`), platforms and patents grouped at its commit ([`Logged`]). Rows whose
//! key existed are compared and updated after the part's inserts are logged, with triggers on.
//! `TRIGGERS` lists every trigger on what it writes, and a test holds the schema to it.
//!
//! The connection lives on a thread of its own for the whole import, fed parts through a short
//! queue: SQLite's hot pages stay in one core's cache while the reading thread checks the next
//! part on the other. It takes the write lock with `BEGIN IMMEDIATE` (queueing behind the
//! server's writes and other processes' through the busy timeout) and holds it to the end.
//! Dropped unfinished, or stopped by an error, it closes, and SQLite rolls the open transaction
//! back. Its commit neither prunes the count log nor checkpoints: after the import has
//! answered, the thread prunes in a short transaction of its own, then copies the import's
//! pages from the WAL into the database file ([`crate::Store::settle`] waits for both).

use super::{key_text, revision_json, sql, Record, Val};
use crate::observations::{Provenance, WriteSummary};
use crate::{Result, StoreError};
use kechuang_domain::registry::RegistryBatch;
use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension, ToSql};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

/// Page cache of the import's connection, in KiB (negative: a size rather than pages). A
/// million-row list touches a few hundred MB of table and index pages; a larger cache keeps
/// the indexes' hot pages in memory without nearing the import's memory budget.
const CACHE_KIB: i64 = 64 * 1024;
/// The cache while an import's count-log entries are merged (see `Write::finish`).
const MERGE_CACHE_KIB: i64 = 8 * 1024;

impl ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Val::Text(Some(s)) => ValueRef::Text(s.as_bytes()),
            Val::Int(Some(i)) => ValueRef::Integer(*i),
            // As the JSON of the other backend: a value SQL cannot hold is stored as NULL.
            Val::Real(Some(f)) if f.is_finite() => ValueRef::Real(*f),
            _ => ValueRef::Null,
        }))
    }
}

/// Reads a stored row's columns typed as `like`, the new row, so the two compare as values.
fn stored(row: &rusqlite::Row<'_>, like: &[Val<'_>]) -> rusqlite::Result<Vec<Val<'static>>> {
    like.iter()
        .enumerate()
        .map(|(i, v)| {
            Ok(match v {
                Val::Text(_) => Val::Text(row.get::<_, Option<String>>(i)?.map(Cow::Owned)),
                Val::Int(_) => Val::Int(row.get(i)?),
                Val::Real(_) => Val::Real(row.get(i)?),
            })
        })
        .collect()
}

/// The statements that write one table, numbered so that one parameter list serves them all:
/// the row's columns, then the batch, then (for stamped tables) the time.
struct Statements {
    insert: String,
    /// The table's largest rowid.
    last_rowid: String,
    select: String,
    update: String,
}

impl Statements {
    fn of<R: Record>() -> Self {
        let cols = R::COLUMNS;
        let mut extra = vec!["batch_id"];
        if R::STAMPED {
            extra.push("updated_at");
        }
        let all: Vec<&str> = cols.iter().chain(&extra).copied().collect();
        let values: Vec<String> = (1..=all.len()).map(|i| format!("?{i}")).collect();
        let key_cols = cols[..R::KEY].join(", ");
        let keyed: Vec<String> = cols[..R::KEY]
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        let mut sets: Vec<String> = all
            .iter()
            .enumerate()
            .skip(R::KEY)
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        if R::REVISED {
            sets.push("revision = revision + 1".into());
        }
        Self {
            insert: format!(
                "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({key_cols}) DO NOTHING",
                R::TABLE,
                all.join(", "),
                values.join(", ")
            ),
            last_rowid: format!("SELECT max(rowid) FROM {}", R::TABLE),
            select: format!(
                "SELECT {} FROM {} WHERE {}",
                cols.join(", "),
                R::TABLE,
                keyed.join(" AND ")
            ),
            update: format!(
                "UPDATE {} SET {} WHERE {}",
                R::TABLE,
                sets.join(", "),
                keyed.join(" AND ")
            ),
        }
    }
}

/// Fills `values` with what one row's statements bind: its columns, then the batch, then (for
/// stamped tables) the time, as [`Statements`] numbers them.
fn bind_row<'a, R: Record>(values: &mut Vec<Val<'a>>, r: &'a R, batch: &Val<'a>, now: &Val<'a>) {
    values.clear();
    values.extend(r.values());
    values.push(batch.clone());
    if R::STAMPED {
        values.push(now.clone());
    }
}

/// The tables the writer writes while its connection's triggers are off. (This list and the
/// next are read by a test only; they stand beside the writer so that what it stands in for
/// is read where it is done.)
#[cfg(test)]
const WRITTEN: [&str; 11] = [
    "enterprises",
    "certificates",
    "platforms",
    "enterprise_facts",
    "patents",
    "import_batches",
    "registry_state",
    "count_changes",
    "count_log",
    "audit_head",
    "audit_log",
];

/// Every trigger on [`WRITTEN`], and why the writer may run without it. A trigger added to
/// one of those tables fails the test below until it is added here with its reason and,
/// where it must, its work is done by the writer.
#[cfg(test)]
const TRIGGERS: [(&str, &str); 15] = [
    (
        "enterprises_count_insert",
        "logged by LOG_ENTERPRISES_SQLITE",
    ),
    (
        "certificates_count_insert",
        "logged by LOG_CERTIFICATES_SQLITE",
    ),
    ("platforms_count_insert", "logged grouped (Logged)"),
    ("patents_count_insert", "logged grouped (Logged)"),
    ("enterprises_count_update", "updates run with triggers on"),
    ("enterprises_count_move", "updates run with triggers on"),
    ("certificates_count_update", "updates run with triggers on"),
    ("platforms_count_update", "updates run with triggers on"),
    ("patents_count_update", "updates run with triggers on"),
    ("enterprises_count_delete", "an import deletes no row"),
    ("certificates_count_delete", "an import deletes no row"),
    ("platforms_count_delete", "an import deletes no row"),
    ("patents_count_delete", "an import deletes no row"),
    (
        "audit_log_no_update",
        "an import only appends to the audit log",
    ),
    (
        "audit_log_no_delete",
        "an import only appends to the audit log",
    ),
];

enum Message {
    Part(RegistryBatch),
    Finish(usize),
}

/// The writing thread, as the import sees it.
pub(super) struct Thread {
    parts: tokio::sync::mpsc::Sender<Message>,
    /// What the thread ended with: the summary once finished, or the error that stopped it.
    ended: tokio::sync::oneshot::Receiver<Result<WriteSummary>>,
}

fn gone() -> StoreError {
    StoreError::Corrupt("写入线程异常终止 (the writing thread stopped)".into())
}

impl Thread {
    /// Starts the thread and waits until it holds the write lock (or failed to take it).
    /// The thread is registered in `background`, which the store's `settle` waits on.
    pub(super) async fn start(
        path: std::path::PathBuf,
        prov: Provenance,
        background: &crate::db::Background,
    ) -> Result<Self> {
        let (parts, mut inbox) = tokio::sync::mpsc::channel::<Message>(1);
        let (began, ready) = tokio::sync::oneshot::channel::<Result<()>>();
        let (end, ended) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("kechuang-import".into())
            .spawn(move || {
                let mut w = match Write::begin(&path, prov) {
                    Ok(w) => {
                        let _ = began.send(Ok(()));
                        w
                    }
                    Err(e) => {
                        let _ = began.send(Err(e));
                        return;
                    }
                };
                // A closed queue without `Finish` means the import was abandoned: returning
                // drops the connection, which rolls back.
                while let Some(message) = inbox.blocking_recv() {
                    match message {
                        Message::Part(batch) => {
                            if let Err(e) = w.write_batch(&batch) {
                                let _ = end.send(Err(e));
                                return;
                            }
                        }
                        Message::Finish(rows) => {
                            let done = w.finish(rows);
                            let committed = matches!(&done, Ok(s) if s.batch_id.is_some());
                            let _ = end.send(done);
                            if committed {
                                // After the import has answered: pruning the count log and
                                // copying the import's pages from the WAL into the database
                                // file are the database's upkeep, not the import's, and a
                                // failure here loses nothing (old entries wait for the next
                                // prune; the WAL holds the pages for the next checkpoint).
                                if let Err(e) = w.prune(rows) {
                                    tracing::warn!(error = %e, "count log not pruned");
                                }
                                let _ = w.conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
                            }
                            return;
                        }
                    }
                }
            })
            .map_err(|e| {
                StoreError::Config(format!("无法启动写入线程 (cannot start a thread): {e}"))
            })?;
        background.add(thread);
        ready.await.map_err(|_| gone())??;
        Ok(Self { parts, ended })
    }

    pub(super) async fn write(&mut self, batch: RegistryBatch) -> Result<()> {
        if self.parts.send(Message::Part(batch)).await.is_err() {
            // The thread stopped on an error: that error is the answer.
            return Err((&mut self.ended)
                .await
                .map_err(|_| gone())?
                .err()
                .unwrap_or_else(gone));
        }
        Ok(())
    }

    pub(super) async fn finish(self, rows: usize) -> Result<WriteSummary> {
        // A failed send means the thread already ended; its result says how.
        let _ = self.parts.send(Message::Finish(rows)).await;
        self.ended.await.map_err(|_| gone())?
    }
}

struct Write {
    conn: Connection,
    prov: Provenance,
    now: String,
    /// The import's batch, made with the first row: every row refers to it.
    batch: Option<i64>,
    summary: WriteSummary,
    /// The count change log's last position when the import began: its own entries follow.
    log_start: i64,
    /// Whether it changed rows of platforms or patents, whose update triggers log each row
    /// and whose entries are merged at the commit.
    grouped: bool,
    /// The rows it inserted into a grouped registry, counted by their count-log entry (see
    /// [`Logged`]), logged at its commit.
    logged: Logged,
}

/// The count-log entries of the rows an import inserts into platforms and patents, grouped.
/// Their insert triggers log only rows without an import batch (migration 0029): logged one
/// by one, a million patents wrote a million entries, which the commit then read, summed into
/// a few hundred and deleted (2.3 s and 1.5 s of a 14.5 s import).
#[derive(Default)]
struct Logged {
    /// Each group's fields, written length-prefixed into one text (unambiguous whatever the
    /// fields hold), so a row of a group already seen is counted without an allocation.
    groups: std::collections::HashMap<String, (&'static str, [Option<String>; 5], i64)>,
    key: String,
}

impl Logged {
    fn note(&mut self, g: &super::Grouped, values: &[Val<'_>]) {
        use std::fmt::Write as _;
        let field = |i: usize| match &values[i] {
            Val::Text(t) => t.as_deref(),
            // The grouped columns are all text; anything else would be a mistake above.
            _ => None,
        };
        let fields = [
            field(g.kind),
            // As the trigger logs it: a patent's level is empty.
            match g.level {
                Some(l) => field(l),
                None => Some(""),
            },
            field(g.region),
            field(g.from),
            field(g.revoked),
        ];
        self.key.clear();
        for f in fields {
            match f {
                Some(t) => {
                    let _ = write!(self.key, "{}:{t}", t.len());
                }
                None => self.key.push('-'),
            }
        }
        if let Some(group) = self.groups.get_mut(self.key.as_str()) {
            group.2 += 1;
        } else {
            let owned = fields.map(|f| f.map(str::to_owned));
            self.groups.insert(self.key.clone(), (g.registry, owned, 1));
        }
    }

    fn write(&mut self, conn: &Connection) -> Result<()> {
        let mut insert = conn.prepare(sql::LOG_GROUP_SQLITE)?;
        for (registry, f, n) in std::mem::take(&mut self.groups).into_values() {
            insert.execute(params![registry, f[0], f[1], f[2], f[3], f[4], n])?;
        }
        Ok(())
    }
}

/// A native connection for bulk writing, in a transaction holding the write lock: the store's
/// own connections' settings (db.rs), a larger cache, no checkpoint at commit, and `pragmas`
/// of the caller's (set before the transaction, as some must be).
pub(super) fn open_bulk(path: &Path, pragmas: &str) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(15))?;
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
         PRAGMA cache_size = -{CACHE_KIB}; PRAGMA wal_autocheckpoint = 0; {pragmas} \
         BEGIN IMMEDIATE"
    ))?;
    Ok(conn)
}

impl Write {
    fn begin(path: &Path, prov: Provenance) -> Result<Self> {
        let conn = open_bulk(path, "")?;
        // Its inserts run without the tables' triggers, whose work it does itself
        // (`write_batch`); `TRIGGERS` names those it knows, and a test holds the schema to
        // that list.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
        // Five tables, five statements each, and the few around them.
        conn.set_prepared_statement_cache_capacity(32);
        let log_start = conn.query_row(sql::LAST_SQLITE, [], |r| r.get(0))?;
        Ok(Self {
            log_start,
            grouped: false,
            logged: Logged::default(),
            conn,
            prov,
            now: crate::now_utc(),
            batch: None,
            summary: WriteSummary::default(),
        })
    }

    /// Writes a part: first every row whose key is new, with the connection's triggers off,
    /// logging them in the count log by registry; then, with triggers on, the rows whose key
    /// existed (or repeats a row of the part), compared and updated as the server's writes
    /// are. Inserted rows are logged before any update of the part, so an update's trigger
    /// takes back exactly what was logged for the row it changes.
    fn write_batch(&mut self, batch: &RegistryBatch) -> Result<()> {
        let enterprises = self.insert(&batch.enterprises)?;
        let certificates = self.insert(&batch.certificates)?;
        let platforms = self.insert(&batch.platforms)?;
        let facts = self.insert(&batch.facts)?;
        let patents = self.insert(&batch.patents)?;
        if [&enterprises, &certificates, &platforms, &facts, &patents]
            .iter()
            .all(|rows| rows.is_empty())
        {
            return Ok(());
        }
        self.triggers(true)?;
        self.update(&batch.enterprises, &enterprises)?;
        self.update(&batch.certificates, &certificates)?;
        self.update(&batch.platforms, &platforms)?;
        self.update(&batch.facts, &facts)?;
        self.update(&batch.patents, &patents)?;
        self.triggers(false)
    }

    /// Turns the connection's triggers on or off (`SQLITE_DBCONFIG_ENABLE_TRIGGER`, this
    /// connection only; its prepared statements are prepared again on their next use).
    fn triggers(&mut self, on: bool) -> Result<()> {
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, on)?;
        Ok(())
    }

    /// Commits what changed; an import that changed nothing is rolled back, leaving neither a
    /// batch nor an audit entry, and the registry generation where it was.
    fn finish(&mut self, rows: usize) -> Result<WriteSummary> {
        let mut summary = std::mem::take(&mut self.summary);
        if summary.inserted + summary.updated == 0 {
            self.conn.execute_batch("ROLLBACK")?;
            return Ok(summary);
        }
        summary.batch_id = self.batch;
        if let Some(batch) = self.batch {
            self.conn
                .prepare(sql::BATCH_ROWS)?
                .execute(params![rows as i64, batch])?;
            self.conn.execute(sql::NEXT_GENERATION, [])?;
            self.logged.write(&self.conn)?;
            let last: i64 = self.conn.query_row(sql::LAST_SQLITE, [], |r| r.get(0))?;
            // Merging pays only for a long run of entries, and only entries of the grouped
            // registries' update triggers merge (what it inserted is logged grouped already):
            // an import that changed none skips reading its run of the log twice (300,000
            // certificates: 0.1 s).
            if self.grouped && last - self.log_start > 100 {
                // SQLite sorts the entries for the merge in up to a page cache's worth of
                // memory, on top of the cache, and the end of a large import is its peak. The
                // rows are written by now, so the merge runs with a small cache and its sort
                // with as little memory (a million patents: peak 476 → 446 MB, time the same).
                self.conn
                    .execute_batch(&format!("PRAGMA cache_size = -{MERGE_CACHE_KIB}"))?;
                self.conn
                    .execute(sql::MERGE_SQLITE, params![self.log_start, last])?;
                self.conn
                    .execute(sql::MERGED_SQLITE, params![self.log_start, last])?;
            }
            let actor = crate::Actor::new(&self.prov.actor, &self.prov.client);
            let entry = crate::audit::import_entry(&actor, &self.prov, &summary, batch);
            crate::audit::append_sqlite(&self.conn, &entry)?;
        }
        self.conn.execute_batch("COMMIT")?;
        Ok(summary)
    }

    /// Prunes the count log's old entries in a short transaction of its own, after the
    /// import's commit. Taking the write lock only when the oldest entry is old enough keeps
    /// the usual case (a log within its time) to one row read.
    fn prune(&mut self, rows: usize) -> Result<()> {
        let (cutoff, at_most) = sql::prune_bounds(rows);
        let oldest: Option<i64> = self
            .conn
            .query_row(sql::OLDEST_SQLITE, [], |r| r.get(0))
            .optional()?;
        if oldest.is_none_or(|t| t >= cutoff) {
            return Ok(());
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let through: Option<i64> =
            self.conn
                .query_row(sql::PRUNE_SQLITE_THROUGH, params![cutoff, at_most], |r| {
                    r.get(0)
                })?;
        if let Some(through) = through {
            self.conn
                .execute(sql::PRUNE_SQLITE_DELETE, params![through])?;
            self.conn
                .execute(sql::PRUNE_SQLITE_MARK, params![through])?;
        }
        // Dropped on an error before this, the connection rolls the prune back.
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    fn batch_id(&mut self) -> Result<i64> {
        if let Some(b) = self.batch {
            return Ok(b);
        }
        let id: i64 = self.conn.query_row(
            sql::NEW_BATCH,
            params![
                self.prov.kind,
                self.prov.file_name,
                // The file's row count is set at `finish`, when the whole file has been read.
                0_i64,
                self.prov.actor,
                self.now
            ],
            |r| r.get(0),
        )?;
        self.batch = Some(id);
        Ok(id)
    }

    /// Inserts each row whose key is new and logs them; answers the positions of the rows
    /// whose key existed, for [`Write::update`].
    fn insert<R: Record>(&mut self, rows: &[R]) -> Result<Vec<usize>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let batch = Val::Int(Some(self.batch_id()?));
        let now = Val::Text(Some(Cow::Borrowed(self.now.as_str())));
        let sql = Statements::of::<R>();
        // Rows inserted now take rowids above the table's largest (only this connection
        // writes), which is how their log statement finds them.
        let before: Option<i64> = match R::INSERT_LOG_SQLITE {
            Some(_) => self
                .conn
                .prepare_cached(&sql.last_rowid)?
                .query_row([], |r| r.get(0))?,
            None => None,
        };
        let mut insert = self.conn.prepare_cached(&sql.insert)?;
        let mut values = Vec::with_capacity(R::COLUMNS.len() + 2);
        let (mut existed, mut inserted) = (Vec::new(), 0usize);
        for (i, r) in rows.iter().enumerate() {
            bind_row(&mut values, r, &batch, &now);
            if insert.execute(params_from_iter(&values))? == 1 {
                inserted += 1;
                if let Some(g) = &R::GROUPED {
                    self.logged.note(g, &values);
                }
            } else {
                existed.push(i);
            }
        }
        drop(insert);
        self.summary.inserted += inserted;
        if let (Some(log), true) = (R::INSERT_LOG_SQLITE, inserted > 0) {
            self.conn
                .prepare_cached(log)?
                .execute([before.unwrap_or(0)])?;
        }
        Ok(existed)
    }

    /// The rows at `positions`, whose key existed: each compared with what is stored, and
    /// updated with a revision keeping the stored version when it changed (their update
    /// triggers log the change).
    fn update<R: Record>(&mut self, rows: &[R], positions: &[usize]) -> Result<()> {
        if positions.is_empty() {
            return Ok(());
        }
        let batch = Val::Int(Some(self.batch_id()?));
        let now = Val::Text(Some(Cow::Borrowed(self.now.as_str())));
        let sql = Statements::of::<R>();
        let mut select = self.conn.prepare_cached(&sql.select)?;
        let mut update = self.conn.prepare_cached(&sql.update)?;
        let mut revise = self.conn.prepare_cached(sql::REVISION)?;
        let mut values = Vec::with_capacity(R::COLUMNS.len() + 2);
        for &i in positions {
            bind_row(&mut values, &rows[i], &batch, &now);
            let new = &values[..R::COLUMNS.len()];
            let old = select.query_row(params_from_iter(&new[..R::KEY]), |row| stored(row, new))?;
            if old == new {
                self.summary.unchanged += 1;
                continue;
            }
            self.summary.updated += 1;
            self.grouped |= R::GROUPED.is_some();
            revise.execute(params![
                R::ENTITY,
                key_text(new, R::KEY),
                revision_json::<R>(&old),
                batch,
                now
            ])?;
            update.execute(params_from_iter(&values))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer's connection runs without triggers: a trigger the writer does not know of,
    /// on a table it writes, would silently not run for imported rows.
    #[test]
    fn the_writer_knows_every_trigger_on_what_it_writes() {
        let conn = Connection::open_in_memory().expect("memory");
        for m in crate::db::SQLITE_MIGRATIONS.iter() {
            conn.execute_batch(&m.sql).expect("migration");
        }
        let marks = vec!["?"; WRITTEN.len()].join(", ");
        let mut found: Vec<String> = conn
            .prepare(&format!(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})"
            ))
            .expect("prepare")
            .query_map(params_from_iter(WRITTEN), |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("names");
        found.sort();
        let mut known: Vec<&str> = TRIGGERS.iter().map(|(name, _)| *name).collect();
        known.sort_unstable();
        assert_eq!(found, known);
    }
}
