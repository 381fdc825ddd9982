//! The audit trail over JSON: filtered entries, and the walk of the hash chain.

use crate::auth::Caller;
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use kechuang_service::audit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The account (or `cli:USER` for the command line) that acted.
    actor: Option<String>,
    /// What was acted on: user, session, token, observations, batch, application, …
    entity: Option<String>,
    /// From this day, inclusive (UTC).
    #[param(format = Date)]
    from: Option<String>,
    /// To this day, inclusive (UTC).
    #[param(format = Date)]
    to: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

/// One entry of the append-only, hash-chained trail.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    seq: i64,
    at: String,
    actor: String,
    client: String,
    action: String,
    entity: String,
    entity_id: String,
    /// The record before, as JSON text (empty for a creation).
    before: String,
    after: String,
    /// This entry's link: SHA-256 over the previous link and this entry.
    hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEntry>,
    total: i64,
    page: u32,
    per_page: u32,
}

/// Audit trail entries, filtered and paged.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "Entries, newest first", body = AuditPage)))]
pub async fn entries(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    // Sent empty is a client's mistake, as with as_of: omit a date for no bound.
    for (field, raw) in [("from", &q.from), ("to", &q.to)] {
        if raw.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err(
                AppError::invalid(kechuang_service::clock::DateProblem::NotADate {
                    field,
                    raw: raw.clone().unwrap_or_default(),
                })
                .into(),
            );
        }
    }
    let filter = audit::filter(
        q.actor.as_deref(),
        q.entity.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    )?;
    let page = super::paging("page", q.page, 1, 1, 1_000_000)?;
    let per_page = super::paging("per_page", q.per_page, 50, 1, 500)?;
    let p = audit::entries(&st.store, &who, &filter, page, per_page).await?;
    Ok(Json(AuditPage {
        items: p
            .items
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                client: r.client,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                before: r.before,
                after: r.after,
                hash: r.hash,
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BrokenLink {
    seq: i64,
    why: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChainCheck {
    /// How many entries were walked.
    entries: i64,
    /// Whether every link holds.
    intact: bool,
    /// The first entry whose link does not hold, and why.
    first_broken: Option<BrokenLink>,
}

/// Walks the whole hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "The result of the walk", body = ChainCheck)))]
pub async fn verify(State(st): State<AppState>, who: Caller) -> Result<Json<ChainCheck>, ApiError> {
    let v = audit::verify(&st.store, &who).await?;
    Ok(Json(ChainCheck {
        entries: v.entries,
        intact: v.first_broken.is_none(),
        first_broken: v.first_broken.map(|(seq, why)| BrokenLink { seq, why }),
    }))
}
