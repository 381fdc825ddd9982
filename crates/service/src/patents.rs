//! The patent registry (target 2.2): lists and counts within the caller's scope. Imports go
//! through `imports` with the other registries; counting through the count index.

use crate::auth::Principal;
use crate::Error;
use chrono::NaiveDate;
use kechuang_domain::patent::PatentType;
use kechuang_store::{Page, PatentCounts, PatentFilter, PatentItem, PatentState, Store};

kechuang_domain::problems! {
    /// What is wrong with a patent list's filters.
    pub enum ListProblem {
        Kind { raw: String } = "invalid_patent_type" {
            zh: "专利类型 '{raw}' 无效：应为 invention、utility_model 或 design",
            en: "patent type '{raw}' is not one of invention, utility_model, design",
        },
        State { raw: String } = "invalid_patent_state" {
            zh: "状态 '{raw}' 无效：应为 valid、lapsed 或 pending",
            en: "state '{raw}' is not one of valid, lapsed, pending",
        },
        Linked { raw: String } = "invalid_linked" {
            zh: "linked '{raw}' 无效：应为 yes 或 no",
            en: "linked '{raw}' is not yes or no",
        },
        Year { raw: String } = "invalid_year" {
            zh: "年度 '{raw}' 应为四位年份", en: "year '{raw}' must be four digits",
        },
    }
}

/// A list as asked for, in the words of a query string (empty means "any").
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub region: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// `yes`: held by a registered enterprise; `no`: by universities, individuals and others.
    pub linked: Option<String>,
    /// Granted in this year.
    pub granted_in: Option<String>,
    pub q: Option<String>,
    pub as_of: NaiveDate,
    pub page: u32,
    pub per_page: u32,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Listing {
    /// The store's filter, within the caller's scope; a malformed filter is refused by name.
    pub async fn filter(&self, store: &Store, who: &Principal) -> Result<PatentFilter, Error> {
        let kind = match given(&self.kind) {
            None => None,
            Some(k) => Some(
                PatentType::parse(k)
                    .ok_or_else(|| Error::invalid(ListProblem::Kind { raw: k.to_owned() }))?
                    .code()
                    .to_owned(),
            ),
        };
        let state = match given(&self.state) {
            None => None,
            Some(s) => Some(
                PatentState::parse(s)
                    .ok_or_else(|| Error::invalid(ListProblem::State { raw: s.to_owned() }))?,
            ),
        };
        let linked = match given(&self.linked) {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(raw) => {
                return Err(Error::invalid(ListProblem::Linked {
                    raw: raw.to_owned(),
                }))
            }
        };
        let granted_in = match given(&self.granted_in) {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| (1985..=9999).contains(y))
                    .ok_or_else(|| Error::invalid(ListProblem::Year { raw: y.to_owned() }))?,
            ),
        };
        Ok(PatentFilter {
            regions: Some(
                crate::registries::scoped_subtree(store, who, self.region.as_deref()).await?,
            ),
            kind,
            state,
            linked,
            uscc: None,
            granted_in,
            q: given(&self.q).map(str::to_owned),
            as_of: Some(self.as_of),
            page: self.page,
            per_page: self.per_page,
        })
    }
}

/// A page of patents within the caller's scope.
pub async fn page(
    store: &Store,
    who: &Principal,
    listing: &Listing,
) -> Result<Page<PatentItem>, Error> {
    let filter = listing.filter(store, who).await?;
    Ok(store.patents_page(&filter).await?)
}

/// Every patent a listing matches, for an export.
pub async fn all(
    store: &Store,
    who: &Principal,
    listing: &Listing,
) -> Result<Vec<PatentItem>, Error> {
    let mut filter = listing.filter(store, who).await?;
    filter.per_page = 500;
    let mut out = Vec::new();
    for page in 1.. {
        filter.page = page;
        let p = store.patents_page(&filter).await?;
        let done = i64::from(page) * i64::from(p.per_page) >= p.total;
        out.extend(p.items);
        if done {
            break;
        }
    }
    Ok(out)
}

/// The registry at a glance in the caller's region (or one within it) at a date.
pub async fn counts(
    store: &Store,
    who: &Principal,
    region: Option<&str>,
    as_of: NaiveDate,
) -> Result<PatentCounts, Error> {
    let regions = crate::registries::scoped_subtree(store, who, region).await?;
    Ok(store.patent_counts(&regions, as_of).await?)
}
