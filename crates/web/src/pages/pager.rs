//! The pager every list shares: previous and next, a page jump and, where a list takes it,
//! a choice of page size, each keeping the list's other filters.

use crate::format::urlencode;

/// A list's pager: previous and next, a page jump, and where the list allows it a choice of
/// page size; every link and the jump keep the other filters.
pub struct Pager {
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Where the jump form goes, and the filters it carries as hidden fields.
    pub action: String,
    pub hidden: Vec<(String, String)>,
    /// The query parameter that names the page (`page`, or `ledger_page` for a second list).
    pub key: &'static str,
    pub per_page: u32,
    /// The page sizes offered; empty where the list's size is fixed.
    pub sizes: Vec<u32>,
    /// The fragment the links return to, so a list low on the page stays in view.
    pub anchor: &'static str,
}

pub(crate) const PAGE_SIZES: [u32; 4] = [20, 50, 100, 200];

pub(crate) fn pager(
    base: &str,
    params: &[(&str, String)],
    total: i64,
    page: u32,
    per_page: u32,
) -> Pager {
    let pages = ((total.max(0) as u32).div_ceil(per_page.max(1))).max(1);
    let mut p = Pager {
        total,
        page,
        pages,
        prev: None,
        next: None,
        action: base.to_owned(),
        hidden: params
            .iter()
            .filter(|(k, v)| !v.is_empty() && *k != "page" && *k != "per_page")
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        key: "page",
        per_page,
        sizes: Vec::new(),
        anchor: "",
    };
    p.link();
    p
}

impl Pager {
    /// The list takes `per_page`: offer the sizes and keep the chosen one in every link.
    pub(crate) fn sizable(mut self) -> Self {
        self.sizes = PAGE_SIZES.to_vec();
        if !self.sizes.contains(&self.per_page) {
            self.sizes.push(self.per_page);
            self.sizes.sort_unstable();
        }
        self.link();
        self
    }

    /// A second list on a page pages by its own parameter and returns to its own place.
    pub(crate) fn with_key(mut self, key: &'static str, anchor: &'static str) -> Self {
        self.key = key;
        self.anchor = anchor;
        self.link();
        self
    }

    fn link(&mut self) {
        let mut q: Vec<String> = self
            .hidden
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        if !self.sizes.is_empty() {
            q.push(format!("per_page={}", self.per_page));
        }
        let href = |p: u32| {
            let mut q = q.clone();
            q.push(format!("{}={p}", self.key));
            format!("{}?{}{}", self.action, q.join("&"), self.anchor)
        };
        self.prev = (self.page > 1).then(|| href(self.page - 1));
        self.next = (self.page < self.pages).then(|| href(self.page + 1));
    }
}
