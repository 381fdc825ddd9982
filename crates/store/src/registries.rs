//! Registries: enterprises, certificates, platforms, patents — upserts with revisions, counts for
//! registry-count indicators, and the records behind each count.

use crate::observations::Provenance;
use crate::sql::{Listing, Page, Sql};
use crate::Absent;
use crate::{Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::count_index::{CountIndex, SourceRecord};

use kechuang_domain::indicator::{CountSpec, Registry};
use kechuang_domain::registry::{CertificateRow, EnterpriseRow, FactRow, PlatformRow};
use kechuang_domain::RegionCode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

/// See [`Store::generations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generations {
    pub registry: i64,
    pub data: i64,
}

/// Where a reader of the count change log stands: the last entry read (SQLite, whose writers
/// commit one at a time and in order) or the snapshot read at (PostgreSQL, whose writers
/// commit concurrently, so the entries to read next are those of transactions it did not see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountCursor {
    Seq(i64),
    /// The snapshot, and how many prunes had been made when it was taken.
    Snapshot(String, i64),
}

/// A counted record as read, or as added (`n` > 0) or removed (`n` < 0) by a registry write.
#[derive(Debug, Clone)]
pub struct CountChange {
    pub registry: Registry,
    kind: String,
    level: String,
    region: String,
    owner: String,
    from: Option<String>,
    until: Option<String>,
    revoked: Option<String>,
    above_scale: bool,
    offsite: bool,
    pub n: i32,
}

impl CountChange {
    pub fn record(&self) -> SourceRecord<'_> {
        SourceRecord {
            kind: &self.kind,
            level: &self.level,
            region: &self.region,
            owner: &self.owner,
            from: self.from.as_deref(),
            until: self.until.as_deref(),
            revoked: self.revoked.as_deref(),
            above_scale: self.above_scale,
            offsite: self.offsite,
        }
    }
}

fn count_change(registry: Registry, r: &AnyRow) -> Result<CountChange> {
    let n: i64 = r.try_get("n")?;
    Ok(CountChange {
        registry,
        kind: r.try_get("kind")?,
        level: r.try_get("level")?,
        region: r.try_get("region")?,
        owner: r.try_get("owner")?,
        from: r.try_get("d_from")?,
        until: r.try_get("d_until")?,
        revoked: r.try_get("d_revoked")?,
        above_scale: r.try_get::<i64, _>("above_scale")? != 0,
        offsite: r.try_get::<i64, _>("offsite")? != 0,
        n: i32::try_from(n).map_err(|_| StoreError::Corrupt(format!("count of {n}")))?,
    })
}

/// A record counted by a registry-count indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountedRecord {
    pub registry: &'static str,
    pub kind: String,
    pub level: Option<String>,
    pub number: Option<String>,
    pub name: String,
    pub uscc: Option<String>,
    pub enterprise: Option<String>,
    pub region_code: String,
    pub from: String,
    pub until: Option<String>,
    pub document_no: Option<String>,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Appends the filter of a count specification (without region) to a statement over the
/// registry's table aliased `r` (certificates joined to their enterprise `e`).
fn filter(sql: &mut Sql, spec: &CountSpec, as_of: NaiveDate) {
    let as_of = date(as_of);
    let (from_col, until_col, revoked_col) = match spec.registry {
        Registry::Certificates => ("r.issued_on", Some("r.expires_on"), Some("r.revoked_on")),
        Registry::Platforms => ("r.recognised_on", None, Some("r.revoked_on")),
        Registry::Enterprises => ("COALESCE(r.registered_on, '0000-01-01')", None, None),
        // A patent application never granted has no start and is never counted.
        Registry::Patents => ("r.granted_on", None, Some("r.lapsed_on")),
    };
    let p = sql.arg(as_of.clone());
    sql.push(&format!(" AND {from_col} <= {p}"));
    if spec.valid_at_as_of {
        if let Some(u) = until_col {
            let p = sql.arg(as_of.clone());
            sql.push(&format!(" AND ({u} IS NULL OR {u} >= {p})"));
        }
        if let Some(r) = revoked_col {
            let p = sql.arg(as_of);
            sql.push(&format!(" AND ({r} IS NULL OR {r} > {p})"));
        }
    }
    if let Some(from) = spec.recognised_from {
        let p = sql.arg(date(from));
        sql.push(&format!(" AND {from_col} >= {p}"));
    }
    match spec.registry {
        Registry::Enterprises if spec.kinds.iter().any(|k| k == "above_scale") => {
            sql.push(" AND r.above_scale = 1");
        }
        Registry::Enterprises => {}
        _ if !spec.kinds.is_empty() => sql.in_list("r.kind", &spec.kinds),
        _ => {}
    }
    if let (Registry::Platforms, Some(level)) = (spec.registry, &spec.level) {
        let p = sql.arg(level.clone());
        sql.push(&format!(" AND r.level = {p}"));
    }
    // Off-site enterprises (registered outside the city) count only where the rule says so.
    match spec.registry {
        Registry::Certificates if !spec.offsite => sql.push(" AND e.offsite = 0"),
        Registry::Enterprises if !spec.offsite => sql.push(" AND r.offsite = 0"),
        _ => {}
    }
}

fn from_clause(spec: &CountSpec) -> (&'static str, &'static str) {
    match spec.registry {
        Registry::Certificates => (
            "certificates r JOIN enterprises e ON e.uscc = r.uscc",
            "e.region_code",
        ),
        Registry::Platforms => ("platforms r", "r.region_code"),
        Registry::Enterprises => ("enterprises r", "r.region_code"),
        Registry::Patents => ("patents r", "r.region_code"),
    }
}

impl Store {
    pub async fn ensure_platform_kinds(&self, kinds: &[(&str, &str, &str)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (code, name, en) in kinds {
            sqlx::query(
                "INSERT INTO platform_kinds (code, name, name_en) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(*code)
            .bind(*name)
            .bind(*en)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (code, name, name_en) of every platform kind.
    pub async fn platform_kinds(&self) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT code, name, name_en FROM platform_kinds ORDER BY name")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("code")?,
                    r.try_get("name")?,
                    r.try_get("name_en")?,
                ))
            })
            .collect()
    }

    /// USCC → region of those of `usccs` that are registered.
    pub async fn enterprise_regions(
        &self,
        usccs: &[String],
    ) -> Result<kechuang_domain::registry::RegionsByUscc> {
        if usccs.is_empty() {
            return Ok(Default::default());
        }
        let usccs = usccs.to_vec();
        self.with_lookup(move |lookup| {
            let mut out = kechuang_domain::registry::RegionsByUscc::with_capacity(usccs.len());
            lookup.regions_into(&usccs, &mut out)?;
            Ok(out)
        })
        .await
    }

    /// Starts writing a registry import in one transaction, for files written part by part
    /// as they are read.
    pub async fn begin_registry_write(
        &self,
        prov: &Provenance,
    ) -> Result<crate::registry_writer::RegistryWrite> {
        use crate::registry_writer::RegistryWrite;
        match &self.sqlite_path {
            Some(path) => RegistryWrite::sqlite(path.clone(), prov.clone(), &self.background).await,
            None => Ok(RegistryWrite::postgres(
                self.begin_write().await?,
                self.write.clone(),
                self.background.clone(),
                prov.clone(),
            )),
        }
    }

    /// Counts of matching records at `as_of`, by the region each record is registered in
    /// (the domain's `region_totals` turns them into figures per region).
    pub async fn registry_counts(
        &self,
        spec: &CountSpec,
        as_of: NaiveDate,
    ) -> Result<Vec<(RegionCode, f64)>> {
        let (from, region_col) = from_clause(spec);
        let count = match spec.registry {
            // An enterprise holding two overlapping certificates (a renewal) is one enterprise.
            Registry::Certificates => "COUNT(DISTINCT r.uscc)",
            _ => "COUNT(*)",
        };
        let mut sql = Sql::new(&format!(
            "SELECT {region_col} AS region, {count} AS n FROM {from} WHERE 1 = 1"
        ));
        filter(&mut sql, spec, as_of);
        sql.push(&format!(" GROUP BY {region_col}"));
        let rows = sql.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                let region: String = r.try_get("region")?;
                let n: i64 = r.try_get("n")?;
                let code =
                    RegionCode::parse(&region).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((code, n as f64))
            })
            .collect()
    }

    /// Where the stored records stand, in one small read: the registries' generation and the
    /// generation of everything else a plan's progress is computed from (figures, ledger,
    /// finance and survey records, the plans themselves). Each moves on in the transaction of
    /// any write that changes what it covers, so equal generations mean equal records.
    pub async fn generations(&self) -> Result<Generations> {
        let row = sqlx::query(
            "SELECT r.generation AS registry, d.generation AS data \
             FROM registry_state r CROSS JOIN data_state d WHERE r.id = 1 AND d.id = 1",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(Generations {
            registry: row.try_get("registry")?,
            data: row.try_get("data")?,
        })
    }

    /// The registries' generation: it changes with every write that changes a record.
    pub async fn registry_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM registry_state WHERE id = 1")
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// Every record a count can include, reduced to what counting needs, with the generation
    /// it was read at and where the change log stood (for [`Store::count_changes`]). The rows
    /// are streamed, so the registries are never held as text. Enterprises themselves (a
    /// million in a province) are read only when some count needs them; certificates,
    /// platforms and patents always are.
    pub async fn count_index(
        &self,
        with_enterprises: bool,
    ) -> Result<(i64, CountCursor, CountIndex)> {
        let mut conn = self.read.acquire().await?;
        // One snapshot, so the generation and the log's position belong to exactly the rows
        // read. Read only: it ends by rolling back, whatever happened.
        conn.execute(self.snapshot_begin()).await?;
        let read = self.read_count_index(&mut conn, with_enterprises).await;
        conn.execute("ROLLBACK").await?;
        read
    }

    fn snapshot_begin(&self) -> &'static str {
        match self.backend() {
            crate::Backend::Sqlite => "BEGIN",
            crate::Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    async fn read_count_index(
        &self,
        conn: &mut sqlx::AnyConnection,
        with_enterprises: bool,
    ) -> Result<(i64, CountCursor, CountIndex)> {
        use futures_util::TryStreamExt;
        let (generation, cursor) = self.count_position(&mut *conn).await?;
        let mut idx = CountIndex::new();
        let sources = [
            (
                Registry::Certificates,
                "SELECT c.kind, '' AS level, e.region_code AS region, c.uscc AS owner, c.issued_on AS d_from, \
                 c.expires_on AS d_until, c.revoked_on AS d_revoked, CAST(0 AS BIGINT) AS above_scale, \
                 CAST(1 AS BIGINT) AS n, e.offsite FROM certificates c JOIN enterprises e ON e.uscc = c.uscc",
            ),
            (
                Registry::Platforms,
                "SELECT kind, level, region_code AS region, '' AS owner, recognised_on AS d_from, \
                 CAST(NULL AS TEXT) AS d_until, revoked_on AS d_revoked, CAST(0 AS BIGINT) AS above_scale, \
                 CAST(1 AS BIGINT) AS n, CAST(0 AS BIGINT) AS offsite FROM platforms",
            ),
            (
                Registry::Patents,
                // Grouped: a province's million patents share far fewer (type, county, grant,
                // lapse) combinations, and each is counted once with its number.
                "SELECT kind, '' AS level, region_code AS region, '' AS owner, granted_on AS d_from, \
                 CAST(NULL AS TEXT) AS d_until, lapsed_on AS d_revoked, CAST(0 AS BIGINT) AS above_scale, \
                 COUNT(*) AS n, CAST(0 AS BIGINT) AS offsite FROM patents WHERE granted_on IS NOT NULL \
                 GROUP BY kind, region_code, granted_on, lapsed_on",
            ),
            (
                Registry::Enterprises,
                "SELECT '' AS kind, '' AS level, region_code AS region, '' AS owner, registered_on AS d_from, \
                 CAST(NULL AS TEXT) AS d_until, CAST(NULL AS TEXT) AS d_revoked, above_scale, \
                 CAST(1 AS BIGINT) AS n, offsite FROM enterprises",
            ),
        ];
        let sources = if with_enterprises {
            &sources[..]
        } else {
            &sources[..3]
        };
        for &(registry, sql) in sources {
            let mut rows = sqlx::query(sql).persistent(false).fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                let c = count_change(registry, &r)?;
                idx.add_many(registry, &c.record(), u32::try_from(c.n).unwrap_or(0));
            }
        }
        idx.finish();
        Ok((generation, cursor, idx))
    }

    /// The registries' generation and the change log's position, in the open snapshot.
    async fn count_position(&self, conn: &mut sqlx::AnyConnection) -> Result<(i64, CountCursor)> {
        let (sql, snapshot) = match self.backend() {
            crate::Backend::Sqlite => (
                // MAX of the key alone is one look at the table's last row.
                "SELECT generation, CAST(COALESCE((SELECT MAX(seq) FROM count_changes), 0) AS TEXT) \
                 AS position FROM registry_state WHERE id = 1",
                false,
            ),
            crate::Backend::Postgres => (
                "SELECT r.generation, CAST(pg_current_snapshot() AS TEXT) AS position, l.prunes \
                 FROM registry_state r CROSS JOIN count_log l WHERE r.id = 1 AND l.id = 1",
                true,
            ),
        };
        let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
        let position: String = row.try_get("position")?;
        let cursor = if snapshot {
            CountCursor::Snapshot(position, row.try_get("prunes")?)
        } else {
            CountCursor::Seq(
                position
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("change log position {position}")))?,
            )
        };
        Ok((row.try_get("generation")?, cursor))
    }

    /// What registry writes changed in counted records since `since`, with the generation and
    /// position now; `None` when the log no longer holds all of it (pruned since), and the
    /// index must be read whole. Enterprise records are left out unless asked for.
    pub async fn count_changes(
        &self,
        since: &CountCursor,
        with_enterprises: bool,
    ) -> Result<Option<(i64, CountCursor, Vec<CountChange>)>> {
        let mut conn = self.read.acquire().await?;
        conn.execute(self.snapshot_begin()).await?;
        let read = self
            .read_count_changes(&mut conn, since, with_enterprises)
            .await;
        conn.execute("ROLLBACK").await?;
        read
    }

    async fn read_count_changes(
        &self,
        conn: &mut sqlx::AnyConnection,
        since: &CountCursor,
        with_enterprises: bool,
    ) -> Result<Option<(i64, CountCursor, Vec<CountChange>)>> {
        let (generation, now) = self.count_position(&mut *conn).await?;
        let registries = if with_enterprises {
            "registry IN ('certificates', 'platforms', 'patents', 'enterprises')"
        } else {
            "registry IN ('certificates', 'platforms', 'patents')"
        };
        let columns = "registry, kind, level, region, owner, d_from, d_until, d_revoked, \
                       above_scale, offsite, n";
        let rows = match (since, &now) {
            (CountCursor::Seq(from), CountCursor::Seq(to)) => {
                let pruned: i64 =
                    sqlx::query_scalar("SELECT pruned_through FROM count_log WHERE id = 1")
                        .fetch_one(&mut *conn)
                        .await?;
                if pruned > *from {
                    return Ok(None);
                }
                sqlx::query(&format!(
                    "SELECT {columns} FROM count_changes WHERE {registries} AND seq > $1 AND seq <= $2"
                ))
                .bind(*from)
                .bind(*to)
                .fetch_all(&mut *conn)
                .await?
            }
            (CountCursor::Snapshot(then, prunes_then), CountCursor::Snapshot(_, prunes_now)) => {
                // Entries pruned before the old snapshot had committed before it and were
                // read. Of those pruned since, all come from transactions up to the highest
                // pruned; those below the old snapshot's horizon had committed before it too.
                let lost = prunes_now != prunes_then
                    && sqlx::query_scalar::<_, bool>(
                        "SELECT pruned_through >= CAST(CAST(pg_snapshot_xmin( \
                         CAST($1 AS pg_snapshot)) AS TEXT) AS BIGINT) FROM count_log WHERE id = 1",
                    )
                    .bind(then)
                    .fetch_one(&mut *conn)
                    .await?;
                if lost {
                    return Ok(None);
                }
                sqlx::query(&format!(
                    "SELECT {columns} FROM count_changes \
                     WHERE {registries} AND xid >= pg_snapshot_xmin(CAST($1 AS pg_snapshot)) \
                     AND NOT pg_visible_in_snapshot(xid, CAST($1 AS pg_snapshot))"
                ))
                .bind(then)
                .fetch_all(&mut *conn)
                .await?
            }
            // A position from another backend cannot be this database's.
            _ => return Ok(None),
        };
        let changes = rows
            .iter()
            .map(|r| {
                let registry: String = r.try_get("registry")?;
                let registry = match registry.as_str() {
                    "certificates" => Registry::Certificates,
                    "platforms" => Registry::Platforms,
                    "patents" => Registry::Patents,
                    "enterprises" => Registry::Enterprises,
                    other => {
                        return Err(StoreError::Corrupt(format!("change log registry {other}")))
                    }
                };
                count_change(registry, r)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((generation, now, changes)))
    }

    /// Prunes the count change log's entries logged more than `keep_secs` ago, as imports
    /// do; a reader whose position is older then reads the index whole.
    pub async fn prune_count_log(&self, keep_secs: i64) -> Result<()> {
        use crate::registry_writer::sql;
        let cutoff = chrono::Utc::now().timestamp() - keep_secs;
        let mut tx = self.write.begin().await?;
        match self.backend() {
            crate::Backend::Sqlite => {
                let through: Option<i64> = sqlx::query_scalar(sql::PRUNE_SQLITE_THROUGH)
                    .bind(cutoff)
                    .bind(i64::MAX)
                    .fetch_one(&mut *tx)
                    .await?;
                if let Some(through) = through {
                    for q in [sql::PRUNE_SQLITE_DELETE, sql::PRUNE_SQLITE_MARK] {
                        sqlx::query(q).bind(through).execute(&mut *tx).await?;
                    }
                }
            }
            crate::Backend::Postgres => {
                sqlx::query(sql::PRUNE_POSTGRES)
                    .bind(cutoff)
                    .bind(i64::MAX)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The records a count includes, within the given regions.
    pub async fn counted_records(
        &self,
        spec: &CountSpec,
        as_of: NaiveDate,
        regions: &[RegionCode],
    ) -> Result<Vec<CountedRecord>> {
        let (from, region_col) = from_clause(spec);
        let cols = match spec.registry {
            Registry::Certificates => "r.kind, NULL AS level, r.number, r.title AS name, r.uscc, e.name AS enterprise, e.region_code, r.issued_on AS valid_from, r.expires_on AS valid_until, NULL AS document_no",
            Registry::Platforms => "r.kind, r.level, NULL AS number, r.name, r.host_uscc AS uscc, r.host_name AS enterprise, r.region_code, r.recognised_on AS valid_from, r.revoked_on AS valid_until, r.document_no",
            Registry::Enterprises => "'enterprise' AS kind, NULL AS level, NULL AS number, r.name, r.uscc, r.name AS enterprise, r.region_code, r.registered_on AS valid_from, NULL AS valid_until, NULL AS document_no",
            Registry::Patents => "r.kind, NULL AS level, r.application_no AS number, r.title AS name, r.uscc, r.holder AS enterprise, r.region_code, r.granted_on AS valid_from, r.lapsed_on AS valid_until, NULL AS document_no",
        };
        let mut sql = Sql::new(&format!("SELECT {cols} FROM {from} WHERE 1 = 1"));
        filter(&mut sql, spec, as_of);
        let codes: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
        sql.in_list(region_col, &codes);
        sql.push(&format!(" ORDER BY {region_col}, valid_from"));
        let registry = match spec.registry {
            Registry::Certificates => "certificates",
            Registry::Platforms => "platforms",
            Registry::Enterprises => "enterprises",
            Registry::Patents => "patents",
        };
        let rows = sql.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(CountedRecord {
                    registry,
                    kind: r.try_get("kind")?,
                    level: r.try_get("level")?,
                    number: r.try_get("number")?,
                    name: r.try_get("name")?,
                    uscc: r.try_get("uscc")?,
                    enterprise: r.try_get("enterprise")?,
                    region_code: r.try_get("region_code")?,
                    from: r
                        .try_get::<Option<String>, _>("valid_from")?
                        .unwrap_or_default(),
                    until: r.try_get("valid_until")?,
                    document_no: r.try_get("document_no")?,
                })
            })
            .collect()
    }
}

pub(crate) fn fact_row(r: &AnyRow) -> Result<FactRow> {
    Ok(FactRow {
        uscc: r.try_get("uscc")?,
        year: r.try_get::<i64, _>("year")? as i32,
        revenue: r.try_get("revenue")?,
        rd_expenditure: r.try_get("rd_expenditure")?,
        employees: r.try_get("employees")?,
        st_staff: r.try_get("st_staff")?,
        invention_patents: r.try_get("invention_patents")?,
        hitech_product_revenue: r.try_get("hitech_product_revenue")?,
        has_rd_institution: r
            .try_get::<Option<i64>, _>("has_rd_institution")?
            .map(|v| v != 0),
    })
}

const FACT_COLUMNS: &str =
    "uscc, year, revenue, rd_expenditure, employees, st_staff, invention_patents, \
     hitech_product_revenue, has_rd_institution";

pub(crate) fn enterprise_row(r: &AnyRow) -> Result<EnterpriseRow> {
    Ok(EnterpriseRow {
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        address: r.try_get("address")?,
        industry: r.try_get("industry")?,
        registered_on: r.try_get("registered_on")?,
        size: r.try_get("size")?,
        above_scale: r.try_get::<i64, _>("above_scale")? != 0,
        hitech_field: r.try_get("hitech_field")?,
        contact: r.try_get("contact")?,
        uscc_confirmed_by: r.try_get("uscc_confirmed_by")?,
    })
}

/// Filters of the enterprise list. `regions` is a subtree (a region and what lies below).
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    pub regions: Option<Vec<RegionCode>>,
    pub q: Option<String>,
    /// `hte` (holds a valid high-tech enterprise certificate), `hte_pool`, `tech_sme`,
    /// `hitech_product`, or `none` (holds none of them).
    pub status: Option<String>,
    pub field: Option<String>,
    /// `name`, `region`, `registered_on`, `hte_until`; `-` in front for descending.
    pub sort: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseItem {
    #[serde(flatten)]
    pub enterprise: EnterpriseRow,
    /// Until when its high-tech enterprise certificate is valid, if it holds one at the date.
    pub hte_valid_until: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PlatformFilter {
    pub regions: Option<Vec<RegionCode>>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub q: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformItem {
    pub id: i64,
    #[serde(flatten)]
    pub platform: PlatformRow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateItem {
    #[serde(flatten)]
    pub certificate: CertificateRow,
    pub revision: i64,
}

const VALID_AT: &str = "c.issued_on <= {d} AND (c.expires_on IS NULL OR c.expires_on >= {d}) AND (c.revoked_on IS NULL OR c.revoked_on > {d})";

impl Store {
    pub async fn enterprises_page(
        &self,
        f: &EnterpriseFilter,
        as_of: NaiveDate,
    ) -> Result<Page<EnterpriseItem>> {
        // $1 is the as-of date: the list's validity column and the status filters share it.
        // The city's registry only: off-site enterprises are listed with their sites (/sites).
        let mut w = Sql::new(" AND e.offsite = 0");
        let d = w.arg(date(as_of));
        let valid = VALID_AT.replace("{d}", &d);
        if let Some(regions) = &f.regions {
            let codes: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
            w.in_list("e.region_code", &codes);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = w.arg(format!("%{q}%"));
            let u = w.arg(format!("%{}%", q.to_uppercase()));
            w.push(&format!(" AND (e.name LIKE {p} OR e.uscc LIKE {u})"));
        }
        match f.status.as_deref() {
            Some("none") => w.push(&format!(
                " AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.uscc = e.uscc AND {valid})"
            )),
            Some(kind) if !kind.is_empty() => {
                let k = w.arg(kind);
                w.push(&format!(
                    " AND EXISTS (SELECT 1 FROM certificates c WHERE c.uscc = e.uscc AND c.kind = {k} AND {valid})"
                ));
            }
            _ => {}
        }
        if let Some(field) = f.field.as_deref().filter(|s| !s.is_empty()) {
            let p = w.arg(field);
            w.push(&format!(" AND e.hitech_field = {p}"));
        }
        let order = match f.sort.as_deref().unwrap_or("name") {
            "region" => "e.region_code, e.name",
            "-region" => "e.region_code DESC, e.name",
            "registered_on" => "e.registered_on, e.name",
            "-registered_on" => "e.registered_on DESC, e.name",
            "hte_until" => "hte_until, e.name",
            "-hte_until" => "hte_until DESC, e.name",
            "-name" => "e.name DESC",
            _ => "e.name",
        };
        let select = format!(
            "e.uscc, e.name, e.region_code, e.address, e.industry, e.registered_on, e.size, \
             e.above_scale, e.hitech_field, e.contact, e.uscc_confirmed_by, \
             (SELECT MAX(c.expires_on) FROM certificates c WHERE c.uscc = e.uscc AND c.kind = 'hte' AND {valid}) AS hte_until"
        );
        w.fetch_page(
            &self.read,
            &Listing {
                select: &select,
                from: "enterprises e",
                join: "",
                order,
            },
            (f.page, f.per_page.clamp(1, 500)),
            |r| {
                Ok(EnterpriseItem {
                    enterprise: enterprise_row(r)?,
                    hte_valid_until: r.try_get("hte_until")?,
                })
            },
        )
        .await
    }

    /// Every enterprise, by USCC, for export.
    pub async fn all_enterprises(&self) -> Result<Vec<EnterpriseRow>> {
        let rows = sqlx::query(
            "SELECT uscc, name, region_code, address, industry, registered_on, size, above_scale, \
             hitech_field, contact, uscc_confirmed_by FROM enterprises WHERE offsite = 0 ORDER BY uscc",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(enterprise_row).collect()
    }

    /// Every certificate, for export.
    pub async fn all_certificates(&self) -> Result<Vec<CertificateRow>> {
        let rows = sqlx::query(
            "SELECT kind, number, uscc, title, issued_on, expires_on, batch, revoked_on \
             FROM certificates ORDER BY kind, number",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(certificate_row).collect()
    }

    /// An enterprise's annual figures, by year.
    pub async fn facts_of(&self, uscc: &str) -> Result<Vec<FactRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {FACT_COLUMNS} FROM enterprise_facts WHERE uscc = $1 ORDER BY year"
        ))
        .bind(uscc)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(fact_row).collect()
    }

    /// Every enterprise's annual figures, for export.
    pub async fn all_facts(&self) -> Result<Vec<FactRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {FACT_COLUMNS} FROM enterprise_facts ORDER BY uscc, year"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(fact_row).collect()
    }

    /// Every platform, for export.
    pub async fn all_platforms(&self) -> Result<Vec<PlatformRow>> {
        let rows = sqlx::query(
            "SELECT r.id, r.kind, r.level, r.name, r.host_uscc, r.host_name, r.region_code, r.recognised_on, \
             r.document_no, r.revoked_on FROM platforms r ORDER BY r.kind, r.level, r.name",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| platform_item(r).map(|p| p.platform))
            .collect()
    }

    pub async fn enterprise(&self, uscc: &str) -> Result<EnterpriseRow> {
        let row = sqlx::query(
            "SELECT uscc, name, region_code, address, industry, registered_on, size, above_scale, \
             hitech_field, contact, uscc_confirmed_by FROM enterprises WHERE uscc = $1",
        )
        .bind(uscc)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(Absent::Enterprise {
                uscc: uscc.to_owned(),
            })
        })?;
        enterprise_row(&row)
    }

    /// Every certificate of an enterprise, oldest first (so renewals follow what they renew).
    pub async fn certificates_of(&self, uscc: &str) -> Result<Vec<CertificateItem>> {
        let rows = sqlx::query(
            "SELECT kind, number, uscc, title, issued_on, expires_on, batch, revoked_on, revision \
             FROM certificates WHERE uscc = $1 ORDER BY issued_on, kind",
        )
        .bind(uscc)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CertificateItem {
                    certificate: certificate_row(r)?,
                    revision: r.try_get("revision")?,
                })
            })
            .collect()
    }

    pub async fn platforms_page(&self, f: &PlatformFilter) -> Result<Page<PlatformItem>> {
        let mut w = Sql::new("");
        if let Some(regions) = &f.regions {
            let codes: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
            w.in_list("r.region_code", &codes);
        }
        if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
            let p = w.arg(k);
            w.push(&format!(" AND r.kind = {p}"));
        }
        if let Some(l) = f.level.as_deref().filter(|s| !s.is_empty()) {
            let p = w.arg(l);
            w.push(&format!(" AND r.level = {p}"));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = w.arg(format!("%{q}%"));
            w.push(&format!(" AND (r.name LIKE {p} OR r.host_name LIKE {p})"));
        }
        w.fetch_page(
            &self.read,
            &Listing {
                select: "r.id, r.kind, r.level, r.name, r.host_uscc, r.host_name, r.region_code, \
                         r.recognised_on, r.document_no, r.revoked_on",
                from: "platforms r",
                join: "",
                order: "r.recognised_on DESC, r.name",
            },
            (f.page, f.per_page.clamp(1, 500)),
            platform_item,
        )
        .await
    }

    /// Platforms hosted by an enterprise.
    pub async fn platforms_of(&self, uscc: &str) -> Result<Vec<PlatformItem>> {
        let rows = sqlx::query(
            "SELECT r.id, r.kind, r.level, r.name, r.host_uscc, r.host_name, r.region_code, r.recognised_on, \
             r.document_no, r.revoked_on FROM platforms r WHERE r.host_uscc = $1 ORDER BY r.recognised_on",
        )
        .bind(uscc)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(platform_item).collect()
    }

    pub async fn platform(&self, id: i64) -> Result<PlatformItem> {
        let row = sqlx::query(
            "SELECT r.id, r.kind, r.level, r.name, r.host_uscc, r.host_name, r.region_code, r.recognised_on, \
             r.document_no, r.revoked_on FROM platforms r WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| StoreError::NotFound(Absent::Platform { id }))?;
        platform_item(&row)
    }
}

fn platform_item(r: &AnyRow) -> Result<PlatformItem> {
    Ok(PlatformItem {
        id: r.try_get("id")?,
        platform: platform_row(r)?,
    })
}

pub(crate) fn platform_row(r: &AnyRow) -> Result<PlatformRow> {
    Ok(PlatformRow {
        kind: r.try_get("kind")?,
        level: r.try_get("level")?,
        name: r.try_get("name")?,
        host_uscc: r.try_get("host_uscc")?,
        host_name: r.try_get("host_name")?,
        region_code: r.try_get("region_code")?,
        recognised_on: r.try_get("recognised_on")?,
        document_no: r.try_get("document_no")?,
        revoked_on: r.try_get("revoked_on")?,
    })
}

pub(crate) fn certificate_row(r: &AnyRow) -> Result<CertificateRow> {
    Ok(CertificateRow {
        kind: r.try_get("kind")?,
        number: r.try_get("number")?,
        uscc: r.try_get("uscc")?,
        title: r.try_get("title")?,
        issued_on: r.try_get("issued_on")?,
        expires_on: r.try_get("expires_on")?,
        batch: r.try_get("batch")?,
        revoked_on: r.try_get("revoked_on")?,
    })
}
