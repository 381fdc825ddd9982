//! The registries over JSON: enterprises with their certificates, platforms and yearly
//! figures, and innovation platforms, each within the caller's data scope.

use super::paging;
use crate::auth::Caller;
use crate::error::{ApiError, AppError, RequestProblem};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use kechuang_domain::registry::{CertificateKind, EnterpriseRow, FactRow, Level, PlatformRow};
use kechuang_store::{CertificateItem, EnterpriseFilter, PlatformFilter, PlatformItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// A region code within the caller's scope; their whole scope by default.
    pub region: Option<String>,
    /// Part of the name or the USCC.
    pub q: Option<String>,
    /// A certificate held at `as_of` (hte, hte_pool, tech_sme, hitech_product), or none.
    #[param(pattern = "^(|none|hte|hte_pool|tech_sme|hitech_product)$")]
    pub status: Option<String>,
    /// A high-tech field.
    pub field: Option<String>,
    /// name, region or registered.
    pub sort: Option<String>,
    /// YYYY-MM-DD; today by default.
    #[param(format = Date)]
    pub as_of: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 500; 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl EnterpriseQuery {
    pub async fn filter(&self, st: &AppState, who: &Caller) -> Result<EnterpriseFilter, AppError> {
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            if s != "none" && CertificateKind::parse(s).is_none() {
                return Err(AppError::invalid(RequestProblem::CertificateKind {
                    field: "status",
                    raw: s.to_owned(),
                }));
            }
        }
        Ok(EnterpriseFilter {
            regions: Some(
                kechuang_service::registries::scoped_subtree(
                    &st.store,
                    who,
                    self.region.as_deref(),
                )
                .await?,
            ),
            q: self.q.clone(),
            status: self.status.clone(),
            field: self.field.clone(),
            sort: self.sort.clone(),
            page: paging("page", self.page, 1, 1, 1_000_000)?,
            per_page: paging("per_page", self.per_page, 50, 1, 500)?,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct Enterprise {
    uscc: String,
    name: String,
    region_code: String,
    address: String,
    industry: String,
    registered_on: Option<String>,
    size: String,
    above_scale: bool,
    hitech_field: String,
    contact: String,
    /// Who confirmed a legacy code that fails its check character.
    uscc_confirmed_by: Option<String>,
    /// Until when its high-tech certificate is valid, in the lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    hte_valid_until: Option<Option<String>>,
}

impl Enterprise {
    fn of(e: EnterpriseRow, hte_valid_until: Option<Option<String>>) -> Self {
        Self {
            uscc: e.uscc,
            name: e.name,
            region_code: e.region_code,
            address: e.address,
            industry: e.industry,
            registered_on: e.registered_on,
            size: e.size,
            above_scale: e.above_scale,
            hitech_field: e.hitech_field,
            contact: e.contact,
            uscc_confirmed_by: e.uscc_confirmed_by,
            hte_valid_until,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnterprisePage {
    items: Vec<Enterprise>,
    total: i64,
    page: u32,
    per_page: u32,
}

/// Enterprises within the caller's scope, filtered and paged.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "registries",
    params(EnterpriseQuery),
    responses((status = 200, description = "A page of enterprises", body = EnterprisePage)))]
pub async fn enterprises(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Json<EnterprisePage>, ApiError> {
    let as_of = super::as_of(q.as_of.as_deref())?;
    let filter = q.filter(&st, &who).await?;
    let page = st.store.enterprises_page(&filter, as_of).await?;
    Ok(Json(EnterprisePage {
        items: page
            .items
            .into_iter()
            .map(|i| Enterprise::of(i.enterprise, Some(i.hte_valid_until)))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Certificate {
    /// hte, hte_pool, tech_sme or hitech_product.
    kind: String,
    number: String,
    uscc: String,
    title: String,
    issued_on: String,
    expires_on: Option<String>,
    batch: String,
    revoked_on: Option<String>,
    revision: i64,
}

impl From<CertificateItem> for Certificate {
    fn from(c: CertificateItem) -> Self {
        let r = c.certificate;
        Self {
            kind: r.kind,
            number: r.number,
            uscc: r.uscc,
            title: r.title,
            issued_on: r.issued_on,
            expires_on: r.expires_on,
            batch: r.batch,
            revoked_on: r.revoked_on,
            revision: c.revision,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Platform {
    id: i64,
    kind: String,
    /// city, provincial or national.
    level: String,
    name: String,
    host_uscc: Option<String>,
    host_name: String,
    region_code: String,
    recognised_on: String,
    document_no: String,
    revoked_on: Option<String>,
}

impl From<PlatformItem> for Platform {
    fn from(p: PlatformItem) -> Self {
        let r: PlatformRow = p.platform;
        Self {
            id: p.id,
            kind: r.kind,
            level: r.level,
            name: r.name,
            host_uscc: r.host_uscc,
            host_name: r.host_name,
            region_code: r.region_code,
            recognised_on: r.recognised_on,
            document_no: r.document_no,
            revoked_on: r.revoked_on,
        }
    }
}

/// An enterprise's figures for one year (money in 万元).
#[derive(Serialize, ToSchema)]
pub struct Facts {
    uscc: String,
    year: i32,
    revenue: Option<f64>,
    rd_expenditure: Option<f64>,
    employees: Option<i64>,
    st_staff: Option<i64>,
    invention_patents: Option<i64>,
    hitech_product_revenue: Option<f64>,
    has_rd_institution: Option<bool>,
}

impl From<FactRow> for Facts {
    fn from(f: FactRow) -> Self {
        Self {
            uscc: f.uscc,
            year: f.year,
            revenue: f.revenue,
            rd_expenditure: f.rd_expenditure,
            employees: f.employees,
            st_staff: f.st_staff,
            invention_patents: f.invention_patents,
            hitech_product_revenue: f.hitech_product_revenue,
            has_rd_institution: f.has_rd_institution,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseDetail {
    enterprise: Enterprise,
    certificates: Vec<Certificate>,
    platforms: Vec<Platform>,
    facts: Vec<Facts>,
    /// Patents held, with their state today.
    patents: Vec<super::patents::Patent>,
}

/// An enterprise with its certificates, platforms, yearly figures and patents.
#[utoipa::path(get, path = "/api/v1/enterprises/{uscc}", tag = "registries",
    params(("uscc" = String, Path, description = "The unified social credit code, as typed")),
    responses((status = 200, description = "The enterprise with everything recorded about it", body = EnterpriseDetail)))]
pub async fn enterprise(
    State(st): State<AppState>,
    who: Caller,
    Path(uscc): Path<String>,
) -> Result<Json<EnterpriseDetail>, ApiError> {
    let d = kechuang_service::registries::enterprise_detail(&st.store, &who, &uscc).await?;
    Ok(Json(EnterpriseDetail {
        enterprise: Enterprise::of(d.enterprise, None),
        certificates: d.certificates.into_iter().map(Into::into).collect(),
        platforms: d.platforms.into_iter().map(Into::into).collect(),
        facts: d.facts.into_iter().map(Into::into).collect(),
        patents: d
            .patents
            .into_iter()
            .map(|p| super::patents::Patent::of(p, kechuang_service::clock::today_in_china()))
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformQuery {
    /// A region code within the caller's scope; their whole scope by default.
    pub region: Option<String>,
    /// The kind of platform, e.g. erc (engineering research centre) or incubator.
    pub kind: Option<String>,
    /// city, provincial or national.
    #[param(pattern = "^(|city|provincial|national)$")]
    pub level: Option<String>,
    /// Part of the name.
    pub q: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 500; 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl PlatformQuery {
    pub async fn filter(&self, st: &AppState, who: &Caller) -> Result<PlatformFilter, AppError> {
        let level = match self.level.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(l) => Some(
                Level::parse(l)
                    .ok_or_else(|| {
                        AppError::invalid(RequestProblem::PlatformLevel { raw: l.to_owned() })
                    })?
                    .code()
                    .to_owned(),
            ),
        };
        Ok(PlatformFilter {
            regions: Some(
                kechuang_service::registries::scoped_subtree(
                    &st.store,
                    who,
                    self.region.as_deref(),
                )
                .await?,
            ),
            kind: self.kind.clone().filter(|s| !s.is_empty()),
            level,
            q: self.q.clone(),
            page: paging("page", self.page, 1, 1, 1_000_000)?,
            per_page: paging("per_page", self.per_page, 50, 1, 500)?,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlatformPage {
    items: Vec<Platform>,
    total: i64,
    page: u32,
    per_page: u32,
}

/// Innovation platforms within the caller's scope, filtered and paged.
#[utoipa::path(get, path = "/api/v1/platforms", tag = "registries",
    params(PlatformQuery),
    responses((status = 200, description = "A page of innovation platforms", body = PlatformPage)))]
pub async fn platforms(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<PlatformQuery>,
) -> Result<Json<PlatformPage>, ApiError> {
    let filter = q.filter(&st, &who).await?;
    let page = st.store.platforms_page(&filter).await?;
    Ok(Json(PlatformPage {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}
