//! Writing a registry import: every row of a file, part by part as it is read, into one
//! transaction that commits only at [`RegistryWrite::finish`]. New rows are inserted, changed
//! rows updated with their earlier version kept in `registry_revisions`, identical rows left
//! alone; the import's batch, the registry generation and the audit entry commit with them.
//!
//! Bulk loading is where the two backends truly differ, so each has a writer of its own
//! (docs/performance.md): SQLite runs prepared statements on a native connection, a few microseconds
//! a row with no round trip; PostgreSQL receives each chunk of rows as one JSON parameter and
//! unpacks it server-side. What a row is — its table, key and columns — is said once here.

mod postgres;
mod reference;
mod sqlite;

pub use reference::ReferenceLoad;

use crate::observations::{Provenance, WriteSummary};
use crate::Result;
use kechuang_domain::patent::PatentRow;
use kechuang_domain::registry::RegistryBatch;
use kechuang_domain::registry::{CertificateRow, EnterpriseRow, FactRow, PlatformRow};
use sqlx::any::AnyRow;
use std::borrow::Cow;

/// A value to bind, typed so NULLs reach the database with their column's type. Text borrows
/// from the row it comes from: a million-row import should not copy every cell once more.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Text(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Real(Option<f64>),
}

impl Val<'_> {
    fn into_owned(self) -> Val<'static> {
        match self {
            Val::Text(s) => Val::Text(s.map(|s| Cow::Owned(s.into_owned()))),
            Val::Int(i) => Val::Int(i),
            Val::Real(f) => Val::Real(f),
        }
    }
}

/// A registry table as the writers see it. Key columns come first in `COLUMNS`.
pub(crate) trait Record: Sized {
    const ENTITY: &'static str;
    const TABLE: &'static str;
    const KEY: usize;
    const COLUMNS: &'static [&'static str];
    /// Tables whose rows count their revisions.
    const REVISED: bool = true;
    /// Tables that note when a row last changed.
    const STAMPED: bool = false;
    /// For a registry counted in groups (platforms, patents): the columns its count-log
    /// entry is made of. On SQLite the writer logs the rows it inserts itself, grouped, and
    /// the insert trigger logs only rows without an import batch (migration 0029).
    const GROUPED: Option<Grouped> = None;
    /// For the other counted registries (enterprises, certificates): how the SQLite writer
    /// logs the rows a part inserted, in one statement over the rowids above `?1`, as their
    /// insert triggers would have row by row (the writer's connection runs without triggers).
    const INSERT_LOG_SQLITE: Option<&'static str> = None;
    fn values(&self) -> Vec<Val<'_>>;
    fn from_row(r: &AnyRow) -> Result<Self>;
}

/// Where a grouped registry's count-log entry takes its fields, by position in `COLUMNS`: the
/// fields its SQLite insert trigger logs (migration 0025), in `count_changes`' order.
pub(crate) struct Grouped {
    pub registry: &'static str,
    pub kind: usize,
    /// Platforms have levels; patents log an empty one.
    pub level: Option<usize>,
    pub region: usize,
    pub from: usize,
    pub revoked: usize,
}

fn text(s: &str) -> Val<'_> {
    Val::Text(Some(Cow::Borrowed(s)))
}

fn text_opt(s: &Option<String>) -> Val<'_> {
    Val::Text(s.as_deref().map(Cow::Borrowed))
}

impl Record for EnterpriseRow {
    const ENTITY: &'static str = "enterprise";
    const TABLE: &'static str = "enterprises";
    const KEY: usize = 1;
    const COLUMNS: &'static [&'static str] = &[
        "uscc",
        "name",
        "region_code",
        "address",
        "industry",
        "registered_on",
        "size",
        "above_scale",
        "hitech_field",
        "contact",
        "uscc_confirmed_by",
    ];
    const STAMPED: bool = true;
    const INSERT_LOG_SQLITE: Option<&'static str> = Some(sql::LOG_ENTERPRISES_SQLITE);
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            text(&self.uscc),
            text(&self.name),
            text(&self.region_code),
            text(&self.address),
            text(&self.industry),
            text_opt(&self.registered_on),
            text(&self.size),
            Val::Int(Some(i64::from(self.above_scale))),
            text(&self.hitech_field),
            text(&self.contact),
            text_opt(&self.uscc_confirmed_by),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::enterprise_row(r)
    }
}

impl Record for CertificateRow {
    const ENTITY: &'static str = "certificate";
    const TABLE: &'static str = "certificates";
    const KEY: usize = 2;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "number",
        "uscc",
        "title",
        "issued_on",
        "expires_on",
        "batch",
        "revoked_on",
    ];
    const INSERT_LOG_SQLITE: Option<&'static str> = Some(sql::LOG_CERTIFICATES_SQLITE);
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            text(&self.kind),
            text(&self.number),
            text(&self.uscc),
            text(&self.title),
            text(&self.issued_on),
            text_opt(&self.expires_on),
            text(&self.batch),
            text_opt(&self.revoked_on),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::certificate_row(r)
    }
}

impl Record for PlatformRow {
    const ENTITY: &'static str = "platform";
    const TABLE: &'static str = "platforms";
    const KEY: usize = 3;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "name",
        "level",
        "host_uscc",
        "host_name",
        "region_code",
        "recognised_on",
        "document_no",
        "revoked_on",
    ];
    const GROUPED: Option<Grouped> = Some(Grouped {
        registry: "platforms",
        kind: 0,
        level: Some(2),
        region: 5,
        from: 6,
        revoked: 8,
    });
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            text(&self.kind),
            text(&self.name),
            text(&self.level),
            text_opt(&self.host_uscc),
            text(&self.host_name),
            text(&self.region_code),
            text(&self.recognised_on),
            text(&self.document_no),
            text_opt(&self.revoked_on),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::platform_row(r)
    }
}

impl Record for FactRow {
    const ENTITY: &'static str = "fact";
    const TABLE: &'static str = "enterprise_facts";
    const KEY: usize = 2;
    const COLUMNS: &'static [&'static str] = &[
        "uscc",
        "year",
        "revenue",
        "rd_expenditure",
        "employees",
        "st_staff",
        "invention_patents",
        "hitech_product_revenue",
        "has_rd_institution",
    ];
    const REVISED: bool = false;
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            text(&self.uscc),
            Val::Int(Some(i64::from(self.year))),
            Val::Real(self.revenue),
            Val::Real(self.rd_expenditure),
            Val::Int(self.employees),
            Val::Int(self.st_staff),
            Val::Int(self.invention_patents),
            Val::Real(self.hitech_product_revenue),
            Val::Int(self.has_rd_institution.map(i64::from)),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::fact_row(r)
    }
}

impl Record for PatentRow {
    const ENTITY: &'static str = "patent";
    const TABLE: &'static str = "patents";
    const KEY: usize = 1;
    const COLUMNS: &'static [&'static str] = &[
        "application_no",
        "title",
        "kind",
        "filed_on",
        "granted_on",
        "holder",
        "uscc",
        "region_code",
        "lapsed_on",
    ];
    const GROUPED: Option<Grouped> = Some(Grouped {
        registry: "patents",
        kind: 2,
        level: None,
        region: 7,
        from: 4,
        revoked: 8,
    });
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            text(&self.application_no),
            text(&self.title),
            text(&self.kind),
            text(&self.filed_on),
            text_opt(&self.granted_on),
            text(&self.holder),
            text_opt(&self.uscc),
            text(&self.region_code),
            text_opt(&self.lapsed_on),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::patents::patent_row(r)
    }
}

/// The key of a row as text, for lookups and revision records.
fn key_text(values: &[Val], n: usize) -> String {
    values[..n]
        .iter()
        .map(|v| match v {
            Val::Text(s) => s.as_deref().unwrap_or_default().to_owned(),
            Val::Int(i) => i.map(|x| x.to_string()).unwrap_or_default(),
            Val::Real(f) => f.map(|x| x.to_string()).unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// A superseded row as kept in `registry_revisions`: its stored columns as a JSON object, the
/// same from either backend.
fn revision_json<R: Record>(old: &[Val]) -> String {
    let fields: serde_json::Map<String, serde_json::Value> = R::COLUMNS
        .iter()
        .zip(old)
        .map(|(c, v)| {
            let v = match v {
                Val::Text(Some(s)) => serde_json::Value::from(s.as_ref()),
                Val::Int(Some(i)) => serde_json::Value::from(*i),
                Val::Real(Some(f)) => serde_json::Number::from_f64(*f)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
                _ => serde_json::Value::Null,
            };
            ((*c).to_owned(), v)
        })
        .collect();
    serde_json::Value::Object(fields).to_string()
}

/// Statements both writers run around the rows, written once.
pub(crate) mod sql {
    pub const NEW_BATCH: &str = "INSERT INTO import_batches \
        (kind, file_name, row_count, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5) \
        RETURNING id";
    pub const BATCH_ROWS: &str = "UPDATE import_batches SET row_count = $1 WHERE id = $2";
    /// Cached counts are read again once this moves on.
    pub const NEXT_GENERATION: &str =
        "UPDATE registry_state SET generation = generation + 1 WHERE id = 1";
    /// The count change log's entries older than this are pruned after the next import:
    /// every server reads the log at its next request, so one idle longer reads the index
    /// whole.
    pub const COUNT_LOG_KEPT_SECS: i64 = 600;
    /// The oldest entry's time: when it is within the time kept, there is nothing to prune,
    /// known from one row instead of a scan of up to twice the import's rows.
    pub const OLDEST_SQLITE: &str = "SELECT logged_at FROM count_changes ORDER BY seq LIMIT 1";
    /// The last entry to prune (`$1` the cut-off time, `$2` at most how many): SQLite logs in
    /// time order, so old entries come first; the newest entry always stays, so positions
    /// never go back.
    /// Numbered `?N`: SQLite gives a `$N` parameter the next free index in order of first
    /// appearance, so a `$2` written before `$1` would take the first value bound — the
    /// cut-off as the limit and the limit as the cut-off, which pruned nothing and scanned
    /// the whole log at every import.
    pub const PRUNE_SQLITE_THROUGH: &str = "SELECT MAX(seq) FROM \
        (SELECT seq, logged_at FROM count_changes ORDER BY seq LIMIT ?2) \
        WHERE logged_at < ?1 AND seq < (SELECT MAX(seq) FROM count_changes)";
    pub const PRUNE_SQLITE_DELETE: &str = "DELETE FROM count_changes WHERE seq <= $1";
    pub const PRUNE_SQLITE_MARK: &str =
        "UPDATE count_log SET pruned_through = MAX(pruned_through, $1), prunes = prunes + 1 \
         WHERE id = 1";
    pub const PRUNE_POSTGRES: &str =
        "WITH gone AS (DELETE FROM count_changes WHERE ctid = ANY(ARRAY( \
        SELECT ctid FROM count_changes WHERE logged_at < $1 LIMIT $2)) RETURNING xid) \
        UPDATE count_log SET pruned_through = GREATEST(pruned_through, \
        (SELECT MAX(CAST(CAST(xid AS TEXT) AS BIGINT)) FROM gone)), prunes = prunes + 1 \
        WHERE id = 1 AND EXISTS (SELECT 1 FROM gone)";

    /// The import's own entries of the registries read grouped (patents and platforms: a
    /// million patents are a few thousand distinct (type, county, grant, lapse)), merged before
    /// it commits, so a reader takes in a large import at the cost of its distinct records.
    /// SQLite: the entries past `$1`, the log's last position when the import began, up to
    /// `$2`, its last before merging.
    pub const MERGE_SQLITE: &str = "INSERT INTO count_changes \
        (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n) \
        SELECT registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, \
        offsite, SUM(n) FROM count_changes WHERE registry IN ('patents', 'platforms') \
        AND seq > $1 AND seq <= $2 \
        GROUP BY registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, \
        offsite HAVING SUM(n) <> 0";
    pub const MERGED_SQLITE: &str = "DELETE FROM count_changes \
        WHERE registry IN ('patents', 'platforms') AND seq > $1 AND seq <= $2";
    pub const LAST_SQLITE: &str = "SELECT COALESCE(MAX(seq), 0) FROM count_changes";
    /// One group of rows a SQLite import inserted into a grouped registry, as its insert
    /// trigger would have logged them one by one (migrations 0025 and 0029).
    pub const LOG_GROUP_SQLITE: &str = "INSERT INTO count_changes \
        (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n) \
        VALUES (?1, ?2, ?3, ?4, '', ?5, NULL, ?6, 0, 0, ?7)";
    /// The enterprises a SQLite import's part inserted (rowids above `?1`), logged as their
    /// insert trigger logs each (migration 0025).
    pub const LOG_ENTERPRISES_SQLITE: &str = "INSERT INTO count_changes \
        (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n) \
        SELECT 'enterprises', '', '', region_code, '', registered_on, NULL, NULL, above_scale, \
        offsite, 1 FROM enterprises WHERE rowid > ?1";
    /// The certificates a SQLite import's part inserted, logged as their insert trigger logs
    /// each: under their enterprise's region (migration 0025).
    pub const LOG_CERTIFICATES_SQLITE: &str = "INSERT INTO count_changes \
        (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n) \
        SELECT 'certificates', c.kind, '', e.region_code, c.uscc, c.issued_on, c.expires_on, \
        c.revoked_on, 0, e.offsite, 1 FROM certificates c JOIN enterprises e ON e.uscc = c.uscc \
        WHERE c.id > ?1";
    pub const MERGE_POSTGRES: &str = "WITH gone AS (DELETE FROM count_changes \
        WHERE registry IN ('patents', 'platforms') AND xid = pg_current_xact_id() \
        RETURNING registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, \
        offsite, n) \
        INSERT INTO count_changes \
        (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n) \
        SELECT registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, \
        offsite, SUM(n) FROM gone \
        GROUP BY registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, \
        offsite HAVING SUM(n) <> 0";

    /// The cut-off time and how many entries are pruned after an import of `rows` rows: at
    /// least as many as it logs, so the log does not outgrow what imports write.
    pub fn prune_bounds(rows: usize) -> (i64, i64) {
        let cutoff = chrono::Utc::now().timestamp() - COUNT_LOG_KEPT_SECS;
        (cutoff, (rows as i64).saturating_mul(2).max(10_000))
    }

    pub const REVISION: &str = "INSERT INTO registry_revisions \
        (entity, entity_key, data, batch_id, superseded_at) VALUES ($1, $2, $3, $4, $5)";
}

/// A registry import being written: one transaction from the first part to [`finish`];
/// dropped without finishing, it rolls back and nothing of the import remains.
///
/// [`finish`]: RegistryWrite::finish
pub struct RegistryWrite(Writer);

enum Writer {
    Postgres(Box<postgres::Write>),
    Sqlite(sqlite::Thread),
}

impl RegistryWrite {
    pub(crate) fn postgres(
        tx: sqlx::Transaction<'static, sqlx::Any>,
        pool: sqlx::AnyPool,
        background: crate::db::Background,
        prov: Provenance,
    ) -> Self {
        Self(Writer::Postgres(Box::new(postgres::Write::new(
            tx, pool, background, prov,
        ))))
    }

    /// Opens a connection of its own to the SQLite file and takes the write lock, queueing
    /// behind other writers as the store's own connection does.
    pub(crate) async fn sqlite(
        path: std::path::PathBuf,
        prov: Provenance,
        background: &crate::db::Background,
    ) -> Result<Self> {
        Ok(Self(Writer::Sqlite(
            sqlite::Thread::start(path, prov, background).await?,
        )))
    }

    /// Writes a part of parsed rows; enterprises first, as the others refer to them. An import
    /// gives each key at most once (the parsers refuse a repeated one): the PostgreSQL writer
    /// tells a row it has just inserted from one that was there by the row's batch.
    pub async fn write_batch(&mut self, batch: RegistryBatch) -> Result<()> {
        match &mut self.0 {
            Writer::Postgres(w) => w.write_batch(&batch).await,
            Writer::Sqlite(w) => w.write(batch).await,
        }
    }

    /// Commits: when anything changed, the registry generation moves on and the import is
    /// audited, in the same transaction. `rows`: how many rows the file had, known once it
    /// has all been read. The count log is pruned after the commit, in the background
    /// ([`crate::Store::settle`] waits for it).
    pub async fn finish(self, rows: usize) -> Result<WriteSummary> {
        match self.0 {
            Writer::Postgres(w) => w.finish(rows).await,
            Writer::Sqlite(w) => w.finish(rows).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grouped log entries name the columns their triggers log: a position off by one
    /// would count patents under their filing date, or platforms under their host's name.
    #[test]
    fn grouped_entries_take_the_columns_the_triggers_log() {
        fn names<R: Record>() -> Vec<&'static str> {
            let g = R::GROUPED.expect("grouped");
            let c = R::COLUMNS;
            vec![
                c[g.kind],
                g.level.map_or("", |l| c[l]),
                c[g.region],
                c[g.from],
                c[g.revoked],
            ]
        }
        assert_eq!(
            names::<PlatformRow>(),
            [
                "kind",
                "level",
                "region_code",
                "recognised_on",
                "revoked_on"
            ]
        );
        assert_eq!(
            names::<PatentRow>(),
            ["kind", "", "region_code", "granted_on", "lapsed_on"]
        );
        assert!(CertificateRow::GROUPED.is_none() && EnterpriseRow::GROUPED.is_none());
    }

    #[test]
    fn a_revision_keeps_every_stored_column_by_name() {
        let row = FactRow {
            uscc: "9144030071526726XG".into(),
            year: 2019,
            revenue: Some(1250.5),
            rd_expenditure: None,
            employees: Some(80),
            st_staff: None,
            invention_patents: Some(3),
            hitech_product_revenue: Some(f64::NAN),
            has_rd_institution: Some(true),
        };
        let json: serde_json::Value =
            serde_json::from_str(&revision_json::<FactRow>(&row.values())).expect("json");
        assert_eq!(json["uscc"], "9144030071526726XG");
        assert_eq!(json["year"], 2019);
        assert_eq!(json["revenue"], 1250.5);
        assert!(json["rd_expenditure"].is_null());
        // A value JSON cannot hold is kept as null rather than failing the import.
        assert!(json["hitech_product_revenue"].is_null());
        assert_eq!(json["has_rd_institution"], 1);
        assert_eq!(
            json.as_object().map(|o| o.len()),
            Some(FactRow::COLUMNS.len())
        );
        assert_eq!(
            key_text(&row.values(), FactRow::KEY),
            "9144030071526726XG:2019"
        );
    }
}
