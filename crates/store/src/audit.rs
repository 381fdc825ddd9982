//! The audit trail: an append-only table whose entries are hash-chained (see
//! `kechuang_domain::auth::chain_hash`). Writes append their entry inside their own
//! transaction, so a change and its record of who made it commit together or not at all.

use crate::sql::Sql;
use crate::{now_utc, Page, Result, Store};
use kechuang_domain::auth::{chain_hash, AuditFields, GENESIS};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Who acts, and from where: a client address for requests, `cli` for the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub client: String,
}

impl Actor {
    pub fn new(name: impl Into<String>, client: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            client: client.into(),
        }
    }
}

/// One change to record. `before` and `after` are JSON of the values (empty when there is
/// nothing before, as for a creation, or after, as for a deletion).
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub client: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: String,
    pub after: String,
    pub hash: String,
}

/// What part of the trail a reader over part of the deployment may see.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    pub regions: Vec<String>,
    pub actors: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// Only entries about records of these regions, and entries without a region (written
    /// before entries had one) by these actors; `None`: every entry.
    pub visible_to: Option<Visibility>,
    pub entity: Option<String>,
    /// Inclusive dates, `YYYY-MM-DD`, compared with the UTC timestamp.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: i64,
    /// The first entry whose link does not hold, and why.
    pub first_broken: Option<(i64, String)>,
}

const HEAD_NEXT: &str = "UPDATE audit_head SET seq = seq + 1 WHERE id = 1";
const HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
const LOG: &str = "INSERT INTO audit_log (seq, at, actor, client, action, entity, entity_id, \
    before_json, after_json, prev_hash, hash, region_code) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// The region of an account: its own, or for an enterprise's account its enterprise's.
const ACCOUNT_REGION: &str = "SELECT COALESCE(u.region_code, \
    (SELECT n.region_code FROM enterprises n WHERE n.uscc = u.uscc)) FROM users u \
    WHERE u.username = $1";
/// The region of a programme: its plan's.
const PROGRAMME_REGION: &str = "SELECT p.region_code FROM programmes g \
    JOIN plans p ON p.id = g.plan_id WHERE g.code = $1";

/// The region of the record an entry is about, which decides who may read the entry: an
/// application's or a voucher's own region, a programme's (and so its budgets', batches',
/// calls', competitions' and objections') plan's region, an account's region; for anything else (an import,
/// the expert pool, providers, settings) the acting account's region, and none for the
/// command line or a name that is no account.
async fn record_region(
    tx: &mut Transaction<'static, Any>,
    e: &AuditEntry<'_>,
) -> Result<Option<String>> {
    enum Key<'k> {
        Text(&'k str),
        Id(i64),
    }
    let id = e.entity_id.parse::<i64>().ok();
    let (sql, key) = match (e.entity, id) {
        ("user", _) => (ACCOUNT_REGION, Key::Text(e.entity_id)),
        ("api_token", Some(id)) => (
            "SELECT COALESCE(u.region_code, (SELECT n.region_code FROM enterprises n \
             WHERE n.uscc = u.uscc)) FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.id = $1",
            Key::Id(id),
        ),
        ("application", Some(id)) => (
            "SELECT region_code FROM applications WHERE id = $1",
            Key::Id(id),
        ),
        ("call", Some(id)) => (
            "SELECT p.region_code FROM calls c JOIN programmes g ON g.code = c.programme_code \
             JOIN plans p ON p.id = g.plan_id WHERE c.id = $1",
            Key::Id(id),
        ),
        // A competition, its entries, rounds and scores: its prize programme's plan region.
        ("competition", Some(id)) => (
            "SELECT p.region_code FROM competitions c \
             JOIN programmes g ON g.code = c.programme_code \
             JOIN plans p ON p.id = g.plan_id WHERE c.id = $1",
            Key::Id(id),
        ),
        ("award_batch" | "batch", Some(id)) => (
            "SELECT p.region_code FROM award_batches b \
             JOIN programmes g ON g.code = b.programme_code \
             JOIN plans p ON p.id = g.plan_id WHERE b.id = $1",
            Key::Id(id),
        ),
        ("objection", Some(id)) => (
            "SELECT p.region_code FROM objections o JOIN award_batches b ON b.id = o.batch_id \
             JOIN programmes g ON g.code = b.programme_code \
             JOIN plans p ON p.id = g.plan_id WHERE o.id = $1",
            Key::Id(id),
        ),
        ("programme", _) => (PROGRAMME_REGION, Key::Text(e.entity_id)),
        // `CODE:YEAR`: a programme's budget, or the vouchers it issued for a year.
        ("budget" | "voucher", _) if e.entity_id.contains(':') => (
            PROGRAMME_REGION,
            Key::Text(e.entity_id.split(':').next().unwrap_or_default()),
        ),
        ("voucher", _) => (
            "SELECT region_code FROM vouchers WHERE code = $1",
            Key::Text(e.entity_id),
        ),
        ("pool_application", Some(id)) => (
            "SELECT region_code FROM pool_applications WHERE id = $1",
            Key::Id(id),
        ),
        ("pool_member", Some(id)) => (
            "SELECT region_code FROM pool_members WHERE id = $1",
            Key::Id(id),
        ),
        ("compensation_claim", Some(id)) => (
            "SELECT l.region_code FROM compensation_claims c JOIN loans l ON l.id = c.loan_id WHERE c.id = $1",
            Key::Id(id),
        ),
        ("task_report", Some(id)) => (
            "SELECT p.region_code FROM task_reports r JOIN plans p ON p.id = r.plan_id WHERE r.id = $1",
            Key::Id(id),
        ),
        ("task_reminder", Some(id)) => (
            "SELECT p.region_code FROM task_reminders r JOIN plans p ON p.id = r.plan_id WHERE r.id = $1",
            Key::Id(id),
        ),
        ("seed_investment", Some(id)) => (
            "SELECT region_code FROM seed_investments WHERE id = $1",
            Key::Id(id),
        ),
        ("plan", _) => (
            "SELECT region_code FROM plans WHERE code = $1",
            Key::Text(e.entity_id),
        ),
        // `REGION/PERIOD`: a county's return names its region.
        ("entry_return", _) => {
            return Ok(e.entity_id.split('/').next().map(str::to_owned));
        }
        _ => (ACCOUNT_REGION, Key::Text(&e.actor.name)),
    };
    let q = sqlx::query_scalar::<_, Option<String>>(sql);
    let q = match key {
        Key::Text(t) => q.bind(t.to_owned()),
        Key::Id(i) => q.bind(i),
    };
    Ok(q.fetch_optional(&mut **tx).await?.flatten())
}
const HEAD_HASH: &str = "UPDATE audit_head SET hash = $1 WHERE id = 1";

/// The link `e` adds to the chain after `prev`: its time and its hash.
fn link(seq: i64, prev: &str, e: &AuditEntry<'_>) -> (String, String) {
    let at = now_utc();
    let hash = chain_hash(
        prev,
        &AuditFields {
            seq,
            at: &at,
            actor: &e.actor.name,
            client: &e.actor.client,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: &e.before,
            after: &e.after,
        },
    );
    (at, hash)
}

/// Appends an entry inside `tx`. Locking the head row first makes concurrent appends queue
/// (PostgreSQL takes a row lock; SQLite already holds its write lock), so the chain never forks.
pub(crate) async fn append(tx: &mut Transaction<'static, Any>, e: &AuditEntry<'_>) -> Result<()> {
    sqlx::query(HEAD_NEXT).execute(&mut **tx).await?;
    let head = sqlx::query(HEAD).fetch_one(&mut **tx).await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let (at, hash) = link(seq, &prev, e);
    let region = record_region(tx, e).await?;
    sqlx::query(LOG)
        .bind(seq)
        .bind(&at)
        .bind(&e.actor.name)
        .bind(&e.actor.client)
        .bind(e.action)
        .bind(e.entity)
        .bind(e.entity_id)
        .bind(&e.before)
        .bind(&e.after)
        .bind(&prev)
        .bind(&hash)
        .bind(region)
        .execute(&mut **tx)
        .await?;
    sqlx::query(HEAD_HASH)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// [`append`] on the native SQLite connection that bulk imports write through, inside the
/// transaction it holds.
pub(crate) fn append_sqlite(conn: &rusqlite::Connection, e: &AuditEntry<'_>) -> Result<()> {
    conn.execute(HEAD_NEXT, [])?;
    let (seq, prev): (i64, String) = conn.query_row(HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (at, hash) = link(seq, &prev, e);
    // A bulk import's entry: the importing account's region, as `record_region` gives it.
    let region: Option<String> = conn
        .query_row(ACCOUNT_REGION, [&e.actor.name], |r| r.get(0))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    conn.execute(
        LOG,
        rusqlite::params![
            seq,
            at,
            e.actor.name,
            e.actor.client,
            e.action,
            e.entity,
            e.entity_id,
            e.before,
            e.after,
            prev,
            hash,
            region
        ],
    )?;
    conn.execute(HEAD_HASH, [&hash])?;
    Ok(())
}

/// What an import that changed something records: the file, its batch and what it wrote.
pub(crate) fn import_entry<'a>(
    actor: &'a Actor,
    prov: &'a crate::Provenance,
    summary: &crate::WriteSummary,
    batch: i64,
) -> AuditEntry<'a> {
    AuditEntry {
        actor,
        action: "import",
        entity: &prov.kind,
        entity_id: &prov.file_name,
        before: String::new(),
        after: serde_json::json!({
            "batch": batch,
            "inserted": summary.inserted,
            "updated": summary.updated,
        })
        .to_string(),
    }
}

/// Records an import that changed something.
/// Appends an entry that records a new state only (`before` empty), as most writes do.
pub(crate) async fn append_new(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: &str,
    after: serde_json::Value,
) -> Result<()> {
    append(
        tx,
        &AuditEntry {
            actor,
            action,
            entity,
            entity_id: id,
            before: String::new(),
            after: after.to_string(),
        },
    )
    .await
}

pub(crate) async fn append_import(
    tx: &mut Transaction<'static, Any>,
    prov: &crate::Provenance,
    summary: &crate::WriteSummary,
) -> Result<()> {
    let Some(batch) = summary.batch_id else {
        return Ok(());
    };
    let actor = Actor::new(&prov.actor, &prov.client);
    append(tx, &import_entry(&actor, prov, summary, batch)).await
}

fn record(r: &AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        client: r.try_get("client")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// Records an event that changes nothing else: a login, a failed login, an export.
    pub async fn audit(&self, e: &AuditEntry<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Entries newest first, filtered, a page at a time.
    pub async fn audit_entries(
        &self,
        f: &AuditFilter,
        page: u32,
        per_page: u32,
    ) -> Result<Page<AuditRecord>> {
        let mut w = Sql::new("");
        if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
            let p = w.arg(a);
            w.push(&format!(" AND actor = {p}"));
        }
        if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
            let p = w.arg(e);
            w.push(&format!(" AND entity = {p}"));
        }
        if let Some(v) = &f.visible_to {
            let mut list = |items: &[String]| -> String {
                if items.is_empty() {
                    // An empty IN list is not SQL; NULL matches nothing.
                    "NULL".to_owned()
                } else {
                    items
                        .iter()
                        .map(|a| w.arg(a.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let regions = list(&v.regions);
            let actors = list(&v.actors);
            w.push(&format!(
                " AND (region_code IN ({regions}) OR (region_code IS NULL AND actor IN ({actors})))"
            ));
        }
        if let Some(d) = f.from.as_deref().filter(|s| !s.is_empty()) {
            let p = w.arg(d);
            w.push(&format!(" AND at >= {p}"));
        }
        if let Some(d) = f.to.as_deref().filter(|s| !s.is_empty()) {
            // The whole day: timestamps of that day sort before the next day's date.
            let p = w.arg(format!("{d}T99"));
            w.push(&format!(" AND at < {p}"));
        }
        w.fetch_page(
            &self.read,
            &crate::sql::Listing {
                select: "*",
                from: "audit_log",
                join: "",
                order: "seq DESC",
            },
            (page, per_page.clamp(1, 10_000)),
            record,
        )
        .await
    }

    /// Walks the whole chain in order and reports the first link that does not hold: an
    /// entry changed (its hash no longer matches), removed or reordered (its predecessor's
    /// hash or its number does not follow), or cut off the end (the head does not match).
    pub async fn verify_audit(&self) -> Result<Verification> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY seq")
            .fetch_all(&self.read)
            .await?;
        let mut prev = GENESIS.to_owned();
        let mut expected_seq = 1;
        for row in &rows {
            let r = record(row)?;
            let stored_prev: String = row.try_get("prev_hash")?;
            let broken = |why: &str| {
                Ok(Verification {
                    entries: rows.len() as i64,
                    first_broken: Some((r.seq, why.to_owned())),
                })
            };
            if r.seq != expected_seq {
                return broken("序号不连续，有记录被删除 (a gap in the sequence: entries removed)");
            }
            if stored_prev != prev {
                return broken("与上一条记录的链接不符 (does not link to the previous entry)");
            }
            let fields = AuditFields {
                seq: r.seq,
                at: &r.at,
                actor: &r.actor,
                client: &r.client,
                action: &r.action,
                entity: &r.entity,
                entity_id: &r.entity_id,
                before: &r.before,
                after: &r.after,
            };
            if chain_hash(&prev, &fields) != r.hash {
                return broken(
                    "内容与哈希不符，记录被修改 (content does not match its hash: modified)",
                );
            }
            prev = r.hash;
            expected_seq += 1;
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        let first_broken = (head_seq != expected_seq - 1 || head_hash != prev).then(|| {
            (
                expected_seq,
                "末尾的记录被删除 (entries removed from the end)".to_owned(),
            )
        });
        Ok(Verification {
            entries: rows.len() as i64,
            first_broken,
        })
    }
}
