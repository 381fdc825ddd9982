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
    pub(crate) async fn fetch_all(&self, pool: &sqlx::AnyPool) -> Result<Vec<AnyRow>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = q.bind(a);
        }
        Ok(q.fetch_all(pool).await?)
    }
}

/// A page of a list, as the API returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}
