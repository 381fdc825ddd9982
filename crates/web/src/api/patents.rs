//! The patent registry over JSON: patents within the caller's scope, with the counts target
//! 2.2 reads.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use kechuang_domain::patent::ApplicationNo;
use kechuang_service::patents as service;
use kechuang_store::{PatentItem, PatentState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PatentQuery {
    /// A region code within the caller's scope; their whole scope by default.
    pub region: Option<String>,
    /// invention, utility_model or design.
    #[param(pattern = "^(|invention|utility_model|design)$")]
    pub kind: Option<String>,
    /// valid, lapsed or pending at `as_of`.
    #[param(pattern = "^(|valid|lapsed|pending)$")]
    pub state: Option<String>,
    /// yes: held by a registered enterprise; no: by universities, individuals and others.
    #[param(pattern = "^(|yes|no)$")]
    pub linked: Option<String>,
    /// Granted in this year.
    pub granted_in: Option<String>,
    /// Part of the title, the holder or the application number.
    pub q: Option<String>,
    /// The date states and counts are taken at (YYYY-MM-DD); today by default.
    pub as_of: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 500; 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl PatentQuery {
    pub fn listing(&self) -> Result<service::Listing, crate::error::AppError> {
        Ok(service::Listing {
            region: self.region.clone(),
            kind: self.kind.clone(),
            state: self.state.clone(),
            linked: self.linked.clone(),
            granted_in: self.granted_in.clone(),
            q: self.q.clone(),
            as_of: super::as_of(self.as_of.as_deref())?,
            page: super::paging("page", self.page, 1, 1, 1_000_000)?,
            per_page: super::paging("per_page", self.per_page, 50, 1, 500)?,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct Patent {
    /// As printed: digits, a dot, the check character.
    application_no: String,
    title: String,
    /// invention, utility_model or design.
    kind: String,
    filed_on: String,
    granted_on: Option<String>,
    /// The holder(s) as the list writes them.
    holder: String,
    /// The registered enterprise the holder is linked to.
    uscc: Option<String>,
    enterprise: Option<String>,
    region_code: String,
    lapsed_on: Option<String>,
    /// valid, lapsed or pending at the as-of date.
    state: &'static str,
}

impl Patent {
    pub fn of(i: PatentItem, as_of: chrono::NaiveDate) -> Self {
        let state = PatentState::of(&i.patent, as_of).code();
        let p = i.patent;
        Self {
            application_no: ApplicationNo::parse(&p.application_no)
                .map(|n| n.display())
                .unwrap_or(p.application_no),
            title: p.title,
            kind: p.kind,
            filed_on: p.filed_on,
            granted_on: p.granted_on,
            holder: p.holder,
            uscc: p.uscc,
            enterprise: i.enterprise,
            region_code: p.region_code,
            lapsed_on: p.lapsed_on,
            state,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PatentSummary {
    /// Valid invention patents: target 2.2's numerator.
    valid_inventions: i64,
    valid: i64,
    lapsed: i64,
    pending: i64,
    /// Held by no registered enterprise.
    unlinked: i64,
    total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PatentPage {
    as_of: String,
    /// The region's whole registry at the date, whatever the filters.
    summary: PatentSummary,
    items: Vec<Patent>,
    total: i64,
    page: u32,
    per_page: u32,
}

/// Patents within the caller's scope, filtered and paged, with the registry's counts.
#[utoipa::path(get, path = "/api/v1/patents", tag = "registries",
    params(PatentQuery),
    responses((status = 200, description = "A page of patents", body = PatentPage)))]
pub async fn patents(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<PatentQuery>,
) -> Result<Json<PatentPage>, ApiError> {
    let listing = q.listing()?;
    let page = service::page(&st.store, &who, &listing).await?;
    let c = service::counts(&st.store, &who, q.region.as_deref(), listing.as_of).await?;
    Ok(Json(PatentPage {
        as_of: listing.as_of.to_string(),
        summary: PatentSummary {
            valid_inventions: c.valid_inventions,
            valid: c.valid,
            lapsed: c.lapsed,
            pending: c.pending,
            unlinked: c.unlinked,
            total: c.total,
        },
        items: page
            .items
            .into_iter()
            .map(|i| Patent::of(i, listing.as_of))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}
