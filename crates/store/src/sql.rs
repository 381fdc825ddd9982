//! A statement assembled from optional filters, its text parameters numbered as it grows:
//! the one way lists with filters (registries, the audit trail) build their SQL.

use crate::Result;
use sqlx::any::AnyRow;

/// A statement built from parts, with its text parameters numbered as it grows.
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) args: Vec<String>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }
    pub(crate) fn arg(&mut self, v: impl Into<String>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }
    pub(crate) fn in_list(&mut self, column: &str, values: &[String]) {
        let ps: Vec<String> = values.iter().map(|v| self.arg(v.clone())).collect();
        self.push(&format!(" AND {column} IN ({})", ps.join(", ")));
    }
    /// One page of a filtered list and how many rows the filter matches in all. `self` is the
    /// filter: ` AND …` clauses and their arguments, the same for the count and the rows.
    /// `page` counts from 1; `per_page` comes bounded by the caller, whose list it is.
    pub(crate) async fn fetch_page<T>(
        &self,
        pool: &sqlx::AnyPool,
        list: &Listing<'_>,
        (page, per_page): (u32, u32),
        row: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Page<T>> {
        use sqlx::Row;
        let page = page.max(1);
        let count = Sql {
            text: format!(
                "SELECT COUNT(*) AS n FROM {} WHERE 1 = 1{}",
                list.from, self.text
            ),
            args: self.args.clone(),
        };
        let total: i64 = count
            .fetch_all(pool)
            .await?
            .first()
            .map(|r| r.try_get("n"))
            .transpose()?
            .unwrap_or(0);
        let rows = Sql {
            text: format!(
                "SELECT {} FROM {}{} WHERE 1 = 1{} ORDER BY {} LIMIT {per_page} OFFSET {}",
                list.select,
                list.from,
                list.join,
                self.text,
                list.order,
                u64::from(page - 1) * u64::from(per_page)
            ),
            args: self.args.clone(),
        };
        let items = rows
            .fetch_all(pool)
            .await?
            .iter()
            .map(row)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    pub(crate) async fn fetch_all(&self, pool: &sqlx::AnyPool) -> Result<Vec<AnyRow>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = q.bind(a);
        }
        Ok(q.fetch_all(pool).await?)
    }
}

/// What a paged list reads: the columns of a row, the table the filter applies to (aliased
/// as the filter names it), what is joined for the rows only (not for the count), the order.
pub(crate) struct Listing<'a> {
    pub(crate) select: &'a str,
    pub(crate) from: &'a str,
    pub(crate) join: &'a str,
    pub(crate) order: &'a str,
}

/// A page of a list, as the API returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}
