//! The patent registry's reads: lists by county, type, status and holder, an enterprise's
//! patents, and registered enterprises by name for linking holders. Writing goes through the
//! registry writer with the other registries.

use crate::sql::{Listing, Page, Sql};
use crate::{Result, Store};
use chrono::NaiveDate;
use kechuang_domain::patent::PatentRow;
use kechuang_domain::RegionCode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Where a patent stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatentState {
    /// Granted and not lapsed.
    Valid,
    /// Lapsed on or before the date.
    Lapsed,
    /// Not granted by the date.
    Pending,
}

impl PatentState {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "valid" => Some(Self::Valid),
            "lapsed" => Some(Self::Lapsed),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Lapsed => "lapsed",
            Self::Pending => "pending",
        }
    }
    pub fn of(p: &PatentRow, as_of: NaiveDate) -> Self {
        let d = as_of.format("%Y-%m-%d").to_string();
        if p.lapsed_on.as_deref().is_some_and(|l| l <= d.as_str()) {
            Self::Lapsed
        } else if p.granted_on.as_deref().is_some_and(|g| g <= d.as_str()) {
            Self::Valid
        } else {
            Self::Pending
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PatentFilter {
    pub regions: Option<Vec<RegionCode>>,
    pub kind: Option<String>,
    pub state: Option<PatentState>,
    /// `Some(true)`: holders linked to a registered enterprise; `Some(false)`: the others.
    pub linked: Option<bool>,
    pub uscc: Option<String>,
    /// Granted within this year.
    pub granted_in: Option<i32>,
    pub q: Option<String>,
    /// The registry as it stood at this date: states are taken then, and applications filed
    /// later are left out.
    pub as_of: Option<NaiveDate>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatentItem {
    #[serde(flatten)]
    pub patent: PatentRow,
    /// The linked enterprise's registered name.
    pub enterprise: Option<String>,
}

/// A registered enterprise a holder's name may be, borrowed from the row being read: a
/// patent list finds up to a million, which the caller folds into what it keeps (copied
/// into a list first, they were a million-row import's largest allocation, about 150 MB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NamedEnterprise<'a> {
    pub uscc: &'a str,
    pub name: &'a str,
    pub region_code: &'a str,
}

const COLUMNS: &str = "p.application_no, p.title, p.kind, p.filed_on, p.granted_on, p.holder, \
     p.uscc, p.region_code, p.lapsed_on, e.name AS enterprise";

fn where_clause(f: &PatentFilter) -> Sql {
    let mut w = Sql::new("");
    if let Some(regions) = &f.regions {
        let codes: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
        w.in_list("p.region_code", &codes);
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        let p = w.arg(k);
        w.push(&format!(" AND p.kind = {p}"));
    }
    // The registry as it stood at the date: applications filed later are not in it yet.
    if let Some(as_of) = f.as_of {
        let d = w.arg(as_of.format("%Y-%m-%d").to_string());
        w.push(&format!(" AND p.filed_on <= {d}"));
    }
    if let Some(state) = f.state {
        let d = w.arg(
            f.as_of
                .unwrap_or_else(|| chrono::Utc::now().date_naive())
                .format("%Y-%m-%d")
                .to_string(),
        );
        w.push(&match state {
            PatentState::Valid => format!(
                " AND p.granted_on <= {d} AND (p.lapsed_on IS NULL OR p.lapsed_on > {d})"
            ),
            PatentState::Lapsed => format!(" AND p.lapsed_on <= {d}"),
            PatentState::Pending => format!(
                " AND (p.granted_on IS NULL OR p.granted_on > {d}) AND (p.lapsed_on IS NULL OR p.lapsed_on > {d})"
            ),
        });
    }
    match f.linked {
        Some(true) => w.push(" AND p.uscc IS NOT NULL"),
        Some(false) => w.push(" AND p.uscc IS NULL"),
        None => {}
    }
    if let Some(u) = f.uscc.as_deref().filter(|s| !s.is_empty()) {
        let p = w.arg(u);
        w.push(&format!(" AND p.uscc = {p}"));
    }
    if let Some(y) = f.granted_in {
        let a = w.arg(format!("{y:04}-01-01"));
        let b = w.arg(format!("{y:04}-12-31"));
        w.push(&format!(" AND p.granted_on >= {a} AND p.granted_on <= {b}"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let p = w.arg(format!("%{q}%"));
        w.push(&format!(
            " AND (p.title LIKE {p} OR p.holder LIKE {p} OR p.application_no LIKE {p})"
        ));
    }
    w
}

/// The registry at a glance for a set of regions at a date.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatentCounts {
    /// Valid invention patents: the figure target 2.2 divides by population.
    pub valid_inventions: i64,
    pub valid: i64,
    pub lapsed: i64,
    pub pending: i64,
    /// Patents whose holder is no registered enterprise.
    pub unlinked: i64,
    pub total: i64,
}

impl Store {
    pub async fn patent_counts(
        &self,
        regions: &[RegionCode],
        as_of: NaiveDate,
    ) -> Result<PatentCounts> {
        let mut sql = Sql::new("");
        let d = sql.arg(as_of.format("%Y-%m-%d").to_string());
        let valid = format!("p.granted_on <= {d} AND (p.lapsed_on IS NULL OR p.lapsed_on > {d})");
        sql.text = format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN p.kind = 'invention' AND {valid} THEN 1 ELSE 0 END), 0) AS valid_inventions, \
             COALESCE(SUM(CASE WHEN {valid} THEN 1 ELSE 0 END), 0) AS valid, \
             COALESCE(SUM(CASE WHEN p.lapsed_on <= {d} THEN 1 ELSE 0 END), 0) AS lapsed, \
             COALESCE(SUM(CASE WHEN p.uscc IS NULL THEN 1 ELSE 0 END), 0) AS unlinked, \
             COUNT(*) AS total FROM patents p WHERE p.filed_on <= {d}"
        );
        let codes: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
        sql.in_list("p.region_code", &codes);
        let rows = sql.fetch_all(&self.read).await?;
        let Some(r) = rows.first() else {
            return Ok(PatentCounts::default());
        };
        let n = |c: &str| -> Result<i64> { Ok(r.try_get::<i64, _>(c)?) };
        let (valid, lapsed, total) = (n("valid")?, n("lapsed")?, n("total")?);
        Ok(PatentCounts {
            valid_inventions: n("valid_inventions")?,
            valid,
            lapsed,
            pending: total - valid - lapsed,
            unlinked: n("unlinked")?,
            total,
        })
    }

    /// A page of patents, newest grants first (pending applications last).
    pub async fn patents_page(&self, f: &PatentFilter) -> Result<Page<PatentItem>> {
        where_clause(f)
            .fetch_page(
                &self.read,
                &Listing {
                    select: COLUMNS,
                    from: "patents p",
                    join: " LEFT JOIN enterprises e ON e.uscc = p.uscc",
                    order: "COALESCE(p.granted_on, '') DESC, p.application_no",
                },
                (f.page, f.per_page.clamp(1, 500)),
                patent_item,
            )
            .await
    }

    /// An enterprise's patents, newest first.
    pub async fn patents_of(&self, uscc: &str) -> Result<Vec<PatentItem>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM patents p LEFT JOIN enterprises e ON e.uscc = p.uscc \
             WHERE p.uscc = $1 ORDER BY COALESCE(p.granted_on, p.filed_on) DESC"
        ))
        .bind(uscc)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(patent_item).collect()
    }

    /// Registered enterprises bearing any of `names` exactly, for linking the units a file
    /// names: a probe of the name index per name, on a look-up session of its own
    /// ([`crate::EnterpriseLookup::named`], which an import uses part by part instead). The
    /// names are taken, not borrowed: a sheet may give many, and copying them would add to its
    /// import's peak.
    ///
    /// Each one found is handed to `each` with `acc`, which is returned at the end.
    pub async fn enterprises_named<T: Send + 'static>(
        &self,
        names: Vec<String>,
        acc: T,
        each: fn(&mut T, NamedEnterprise<'_>),
    ) -> Result<T> {
        // No names, no connection.
        if names.is_empty() {
            return Ok(acc);
        }
        self.with_lookup(move |lookup| {
            let mut acc = acc;
            lookup.named(&names, |e| each(&mut acc, e))?;
            Ok(acc)
        })
        .await
    }
}

fn patent_item(r: &AnyRow) -> Result<PatentItem> {
    Ok(PatentItem {
        patent: patent_row(r)?,
        enterprise: r.try_get("enterprise")?,
    })
}

pub(crate) fn patent_row(r: &AnyRow) -> Result<PatentRow> {
    Ok(PatentRow {
        application_no: r.try_get("application_no")?,
        title: r.try_get("title")?,
        kind: r.try_get("kind")?,
        filed_on: r.try_get("filed_on")?,
        granted_on: r.try_get("granted_on")?,
        holder: r.try_get("holder")?,
        uscc: r.try_get("uscc")?,
        region_code: r.try_get("region_code")?,
        lapsed_on: r.try_get("lapsed_on")?,
    })
}
