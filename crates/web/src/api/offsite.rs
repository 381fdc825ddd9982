//! Off-site operating sites over JSON: an enterprise registered outside the city registers its
//! site in a county and adds evidence; officers list the sites in their area.

use crate::auth::Caller;
use crate::error::{refused_fields, ApiError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_service::offsite::{self as service, SiteInput};
use kechuang_service::Saved;
use kechuang_store::{SiteFile, SiteRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct SiteFileOut {
    id: i64,
    file_name: String,
    size: i64,
    uploaded_at: String,
}

impl From<SiteFile> for SiteFileOut {
    fn from(f: SiteFile) -> Self {
        Self {
            id: f.id,
            file_name: f.file_name,
            size: f.size,
            uploaded_at: f.uploaded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SiteOut {
    id: i64,
    uscc: String,
    enterprise: String,
    /// Where the credit code says the enterprise is registered (广东省东莞市（441900）).
    registered_in: String,
    /// The county of the site: its applications are reviewed there.
    region: String,
    address: String,
    activity: String,
    registered_at: String,
    updated_at: String,
    /// How many evidence files it holds; applying needs at least one.
    files: i64,
}

impl From<SiteRecord> for SiteOut {
    fn from(s: SiteRecord) -> Self {
        Self {
            registered_in: kechuang_domain::offsite::registered_in(&s.uscc, false),
            id: s.id,
            uscc: s.uscc,
            enterprise: s.enterprise,
            region: s.region_code,
            address: s.address,
            activity: s.activity,
            registered_at: s.registered_at,
            updated_at: s.updated_at,
            files: s.files,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SiteDetail {
    #[serde(flatten)]
    site: SiteOut,
    evidence: Vec<SiteFileOut>,
}

/// Operating sites the caller may see: an enterprise its own, an officer those in its area.
#[utoipa::path(get, path = "/api/v1/sites", tag = "registries",
    responses((status = 200, description = "Sites, latest change first", body = [SiteOut])))]
pub async fn list(State(st): State<AppState>, who: Caller) -> Result<Json<Vec<SiteOut>>, ApiError> {
    let sites = service::visible_sites(&st.store, &who).await?;
    Ok(Json(sites.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SiteIn {
    /// The enterprise's registered name.
    #[schema(max_length = 200)]
    name: String,
    /// Date of establishment, as written (2015-06-01, 2015年6月1日); may be blank.
    registered_on: String,
    industry: String,
    /// The county of the site: its code (440229) or its name (翁源县).
    region: String,
    #[schema(max_length = 200)]
    address: String,
    /// What the enterprise does there.
    activity: String,
}

/// An enterprise registered outside the city registers its site in a county (again in the same
/// county: updates it). Evidence follows with `POST /api/v1/sites/{id}/files`.
#[utoipa::path(post, path = "/api/v1/sites", tag = "registries", request_body = SiteIn,
    responses((status = 201, description = "The site", body = SiteDetail),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn register(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Json(b): Json<SiteIn>,
) -> Result<Response, ApiError> {
    let input = SiteInput {
        name: b.name,
        registered_on: b.registered_on,
        industry: b.industry,
        region: b.region,
        address: b.address,
        activity: b.activity,
    };
    match service::register(&st.store, who.as_applicant()?, &input, Vec::new()).await? {
        (Saved::Done, Some(id)) => {
            Ok((StatusCode::CREATED, Json(detail(&st, &who, id).await?)).into_response())
        }
        (Saved::Refused(p), _) => Ok(refused_fields(&headers, p)),
        (Saved::Done, None) => Err(crate::error::AppError::internal("saved without an id").into()),
    }
}

async fn detail(st: &AppState, who: &Caller, id: i64) -> Result<SiteDetail, ApiError> {
    let (site, files) = service::site(&st.store, who, id).await?;
    Ok(SiteDetail {
        site: site.into(),
        evidence: files.into_iter().map(Into::into).collect(),
    })
}

/// One site with its evidence files.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "registries",
    params(("id" = i64, Path, description = "The site's id")),
    responses((status = 200, description = "The site", body = SiteDetail)))]
pub async fn site(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<SiteDetail>, ApiError> {
    Ok(Json(detail(&st, &who, id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The file's name (PDF, JPG, PNG, OFD, Word, Excel, ZIP …).
    #[param(min_length = 1)]
    file_name: String,
}

/// The enterprise adds an evidence file, as the request body, to its site.
#[utoipa::path(post, path = "/api/v1/sites/{id}/files", tag = "registries",
    params(("id" = i64, Path, description = "The site's id"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 204, description = "Stored"),
              (status = 422, description = "Not accepted as evidence (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn add_file(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    match service::add_file(
        &st.store,
        who.as_applicant()?,
        id,
        (q.file_name, body.to_vec()),
    )
    .await?
    {
        Saved::Done => Ok(StatusCode::NO_CONTENT.into_response()),
        Saved::Refused(p) => Ok(refused_fields(&headers, p)),
    }
}

/// An evidence file, as a download.
#[utoipa::path(get, path = "/api/v1/site-files/{id}", tag = "registries",
    params(("id" = i64, Path, description = "The file's id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn file(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (name, ctype, data) = service::file(&st.store, &who, id).await?;
    Ok(crate::format::file_download(&name, ctype, data))
}
