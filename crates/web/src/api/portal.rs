//! The portal over JSON: categories, published articles (lists, search, one article), the
//! bureau's writing and review, attachments, an enterprise's subscriptions, and the open
//! data sets (the same documents as `/data/{set}.json`).

use crate::auth::{Caller, Identity};
use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kechuang_domain::portal::ArticleStatus;
use kechuang_service::portal::{self as service, ArticleInput};
use kechuang_store::{ArticleFilter, ArticleRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    code: String,
    name: String,
    name_en: String,
    /// Its articles carry a document number (文号).
    doc_number: bool,
    /// The category's Atom feed.
    feed: String,
}

/// The portal's categories (栏目).
#[utoipa::path(get, path = "/api/v1/article-categories", tag = "portal",
    responses((status = 200, description = "Every category, in the portal's order", body = [CategoryOut])))]
pub async fn categories(State(st): State<AppState>) -> Result<Json<Vec<CategoryOut>>, ApiError> {
    Ok(Json(
        service::categories(&st.store)
            .await?
            .into_iter()
            .map(|c| CategoryOut {
                feed: format!("/portal/c/{}/feed.atom", c.code),
                code: c.code,
                name: c.name,
                name_en: c.name_en,
                doc_number: c.doc_number,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    /// programme, call or notice.
    kind: String,
    target: String,
    title: String,
    href: String,
}

#[derive(Serialize, ToSchema)]
pub struct FileOut {
    id: i64,
    name: String,
    content_type: String,
    size_bytes: i64,
    href: String,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    id: i64,
    category: String,
    title: String,
    summary: String,
    /// Markdown, as written.
    body: String,
    /// The body rendered as the portal shows it (raw HTML never passes).
    body_html: String,
    source: String,
    doc_number: String,
    /// draft, review, published or withdrawn.
    status: &'static str,
    /// UTC (RFC 3339).
    publish_at: Option<String>,
    expires_on: Option<String>,
    tags: Vec<String>,
    revision: i64,
    /// Why a reviewer returned it.
    return_reason: String,
    submitted_by: Option<String>,
    published_by: Option<String>,
    updated_by: String,
    updated_at: String,
    /// The public page.
    url: String,
    links: Vec<LinkOut>,
    files: Vec<FileOut>,
}

fn article_out(a: &ArticleRecord) -> ArticleOut {
    ArticleOut {
        id: a.id,
        category: a.category.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        body: a.body.clone(),
        body_html: crate::markup::render(&a.body),
        source: a.source.clone(),
        doc_number: a.doc_number.clone(),
        status: a.status.as_str(),
        publish_at: a.publish_at.clone(),
        expires_on: a.expires_on.clone(),
        tags: a.tags.clone(),
        revision: a.revision,
        return_reason: a.return_reason.clone(),
        submitted_by: a.submitted_by.clone(),
        published_by: a.published_by.clone(),
        updated_by: a.updated_by.clone(),
        updated_at: a.updated_at.clone(),
        url: format!("/portal/articles/{}", a.id),
        links: a
            .links
            .iter()
            .map(|(k, t)| LinkOut {
                kind: k.clone(),
                target: t.clone(),
                title: String::new(),
                href: String::new(),
            })
            .collect(),
        files: Vec::new(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ArticlePage {
    items: Vec<ArticleOut>,
    total: i64,
    page: u32,
    per_page: u32,
    /// Words of a search set aside for being one character.
    ignored: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    category: Option<String>,
    tag: Option<String>,
    /// Search: every word of two or more characters in the title, summary or body; title
    /// hits first.
    q: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
    /// 1 to 100; 20 by default.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

/// Published articles, newest first (or a search's results, title hits first).
#[utoipa::path(get, path = "/api/v1/articles", tag = "portal", params(ArticleQuery),
    responses((status = 200, description = "A page of published articles", body = ArticlePage),
              (status = 422, description = "A search of single characters only (`search_query_short`)", body = crate::error::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<ArticleQuery>,
) -> Result<Json<ArticlePage>, ApiError> {
    let page = (
        super::paging("page", q.page, 1, 1, 1_000_000)?,
        super::paging("per_page", q.per_page, 20, 1, 100)?,
    );
    let now = chrono::Utc::now();
    let (p, ignored) = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let f = service::search(&st.store, text, page, now).await?;
            (f.results, f.query.ignored)
        }
        None => (
            service::list(
                &st.store,
                &ArticleFilter {
                    category: q.category.clone().filter(|c| !c.is_empty()),
                    tag: q.tag.clone().filter(|t| !t.is_empty()),
                    ..ArticleFilter::default()
                },
                page,
                now,
            )
            .await?,
            Vec::new(),
        ),
    };
    Ok(Json(ArticlePage {
        items: p.items.iter().map(article_out).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        ignored,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskQuery {
    /// draft, review, published or withdrawn; all by default.
    status: Option<String>,
}

/// Every article in any status, last changed first: the bureau's desk.
#[utoipa::path(get, path = "/api/v1/article-desk", tag = "portal", params(DeskQuery),
    responses((status = 200, description = "Articles", body = [ArticleOut])))]
pub async fn desk(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<DeskQuery>,
) -> Result<Json<Vec<ArticleOut>>, ApiError> {
    let filter: Vec<ArticleStatus> = q
        .status
        .as_deref()
        .and_then(ArticleStatus::parse)
        .into_iter()
        .collect();
    let list = service::desk(&st.store, who.as_bureau()?, &filter).await?;
    Ok(Json(list.iter().map(article_out).collect()))
}

/// One article: to anyone once it is published and its time has come, to the bureau always.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "portal",
    params(("id" = i64, Path, description = "The article's id")),
    responses((status = 200, description = "The article with its files and links", body = ArticleOut)))]
pub async fn article(
    State(st): State<AppState>,
    Extension(identity): Extension<Identity>,
    Path(id): Path<i64>,
) -> Result<Json<ArticleOut>, ApiError> {
    let who = identity.caller();
    let v = service::article(&st.store, who.as_deref(), id, chrono::Utc::now()).await?;
    let mut out = article_out(&v.article);
    out.links = v
        .links
        .into_iter()
        .map(|l| LinkOut {
            kind: l.kind,
            target: l.target,
            title: l.title,
            href: l.href,
        })
        .collect();
    out.files = v
        .files
        .into_iter()
        .map(|f| FileOut {
            href: format!("/portal/files/{}", f.id),
            id: f.id,
            name: f.file_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
        })
        .collect();
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ArticleIn {
    /// A category's code: notices, news, policies, interpretations, guides…
    category: String,
    title: String,
    summary: String,
    /// Markdown; raw HTML is shown as text.
    body: String,
    source: String,
    /// 文号: required in a category that carries one (policies).
    doc_number: String,
    /// China time, e.g. 2026-12-05 09:00; blank: on publication.
    publish_at: String,
    /// YYYY-MM-DD; blank: never.
    expires_on: String,
    tags: Vec<String>,
    /// `call:3`, `programme:CODE`, `notice:2`.
    links: Vec<String>,
}

impl From<ArticleIn> for ArticleInput {
    fn from(b: ArticleIn) -> Self {
        Self {
            category: b.category,
            title: b.title,
            summary: b.summary,
            body: b.body,
            source: b.source,
            doc_number: b.doc_number,
            publish_at: b.publish_at,
            expires_on: b.expires_on,
            tags: b.tags.join(","),
            links: b.links.join("\n"),
        }
    }
}

/// The bureau writes a new article (a draft). Problems come back by field.
#[utoipa::path(post, path = "/api/v1/articles", tag = "portal", request_body = ArticleIn,
    responses((status = 201, description = "The draft's id", body = super::applications::Created),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Json(b): Json<ArticleIn>,
) -> Result<Response, ApiError> {
    match service::create(&st.store, who.as_bureau()?, &b.into()).await? {
        (kechuang_service::Saved::Done, Some(id)) => Ok((
            StatusCode::CREATED,
            Json(super::applications::Created { id }),
        )
            .into_response()),
        (kechuang_service::Saved::Refused(p), _) => Ok(crate::error::refused_fields(&headers, p)),
        (kechuang_service::Saved::Done, None) => {
            Err(crate::error::AppError::internal("saved without an id").into())
        }
    }
}

/// A new revision of a draft or a withdrawn article (which becomes a draft again).
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "portal",
    params(("id" = i64, Path, description = "The article's id")), request_body = ArticleIn,
    responses((status = 200, description = "Saved", body = ArticleOut),
              (status = 409, description = "In review or published (`article_locked`)", body = crate::error::ErrorBody),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn save(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<ArticleIn>,
) -> Result<Response, ApiError> {
    match service::edit(&st.store, who.as_bureau()?, id, &b.into()).await? {
        kechuang_service::Saved::Done => {
            Ok(Json(article_out(&st.store.article(id).await?)).into_response())
        }
        kechuang_service::Saved::Refused(p) => Ok(crate::error::refused_fields(&headers, p)),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct StepIn {
    /// Why it is returned (required to return).
    reason: String,
}

/// submit (送审), publish (by a colleague of the sender), return (with a reason) or
/// withdraw.
#[utoipa::path(post, path = "/api/v1/articles/{id}/{action}", tag = "portal",
    params(("id" = i64, Path, description = "The article's id"),
           ("action" = String, Path, description = "submit, publish, return or withdraw")),
    request_body = StepIn,
    responses((status = 200, description = "The article after the step", body = ArticleOut),
              (status = 403, description = "The sender reviewing their own article (`article_own_review`)", body = crate::error::ErrorBody),
              (status = 409, description = "Not possible in the article's status (`article_step_out_of_order`)", body = crate::error::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    who: Caller,
    Path((id, action)): Path<(i64, String)>,
    body: Option<Json<StepIn>>,
) -> Result<Json<ArticleOut>, ApiError> {
    let reason = body.map(|Json(b)| b.reason).unwrap_or_default();
    let a = service::act(&st.store, who.as_bureau()?, id, &action, &reason).await?;
    Ok(Json(article_out(&a)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The file's name; its extension says its type (PDF, Word, WPS, Excel, OFD, JPG, PNG,
    /// GIF, ZIP).
    #[param(min_length = 1)]
    file_name: String,
}

/// Attaches a file, as the request body, to a draft.
#[utoipa::path(post, path = "/api/v1/articles/{id}/files", tag = "portal",
    params(("id" = i64, Path, description = "The article's id"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 201, description = "Stored; the file's id", body = super::applications::Created)))]
pub async fn add_file(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<super::applications::Created>), ApiError> {
    let file = service::attach(&st.store, who.as_bureau()?, id, (&q.file_name, &body)).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::applications::Created { id: file }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RevisionOut {
    revision: i64,
    /// The fields as saved.
    #[schema(value_type = Object)]
    content: serde_json::Value,
    saved_by: String,
    saved_at: String,
}

/// Every saved version of an article, newest first.
#[utoipa::path(get, path = "/api/v1/articles/{id}/revisions", tag = "portal",
    params(("id" = i64, Path, description = "The article's id")),
    responses((status = 200, description = "Revisions", body = [RevisionOut])))]
pub async fn revisions(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionOut>>, ApiError> {
    who.as_bureau()?;
    let v = service::article(&st.store, Some(&who), id, chrono::Utc::now()).await?;
    Ok(Json(
        v.revisions
            .into_iter()
            .map(|r| RevisionOut {
                revision: r.revision,
                content: serde_json::from_str(&r.content).unwrap_or(serde_json::Value::Null),
                saved_by: r.saved_by,
                saved_at: r.saved_at,
            })
            .collect(),
    ))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubscriptionOut {
    category: String,
    /// When the account began to follow it (UTC).
    since: String,
}

/// The categories the enterprise's account follows.
#[utoipa::path(get, path = "/api/v1/subscriptions", tag = "portal",
    responses((status = 200, description = "Followed categories", body = [SubscriptionOut])))]
pub async fn subscriptions(
    State(st): State<AppState>,
    who: Caller,
) -> Result<Json<Vec<SubscriptionOut>>, ApiError> {
    let subs = service::subscriptions(&st.store, who.as_applicant()?).await?;
    Ok(Json(
        subs.into_iter()
            .map(|(category, since)| SubscriptionOut { category, since })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SubscriptionsIn {
    categories: Vec<String>,
}

/// Sets the categories the enterprise's account follows; new articles in them show on its
/// workbench.
#[utoipa::path(put, path = "/api/v1/subscriptions", tag = "portal", request_body = SubscriptionsIn,
    responses((status = 200, description = "Followed categories", body = [SubscriptionOut])))]
pub async fn subscribe(
    State(st): State<AppState>,
    who: Caller,
    Json(b): Json<SubscriptionsIn>,
) -> Result<Json<Vec<SubscriptionOut>>, ApiError> {
    let subs = service::subscribe(&st.store, who.as_applicant()?, &b.categories).await?;
    Ok(Json(
        subs.into_iter()
            .map(|(category, since)| SubscriptionOut { category, since })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DataSetOut {
    id: &'static str,
    title: &'static str,
    title_en: &'static str,
    description: &'static str,
    licence: &'static str,
    csv: String,
    json: String,
}

/// The open data sets, as `/data` lists them.
#[utoipa::path(get, path = "/api/v1/open-data", tag = "portal",
    responses((status = 200, description = "Every public data set", body = [DataSetOut])))]
pub async fn open_data() -> Json<Vec<DataSetOut>> {
    use kechuang_service::open_data::{catalogue, LICENCE};
    Json(
        catalogue()
            .into_iter()
            .map(|d| DataSetOut {
                csv: format!("/data/{}.csv", d.id),
                json: format!("/data/{}.json", d.id),
                id: d.id,
                title: d.title,
                title_en: d.title_en,
                description: d.description,
                licence: LICENCE,
            })
            .collect(),
    )
}

/// A data set's records now: `{dataset, title, licence, modified, columns, records}`, the
/// same document as `/data/{set}.json`.
#[utoipa::path(get, path = "/api/v1/open-data/{set}", tag = "portal",
    params(("set" = String, Path, description = "targets, high-tech-enterprises, platforms, grants or articles")),
    responses((status = 200, description = "The data set", body = Object)))]
pub async fn open_data_set(
    State(st): State<AppState>,
    Path(set): Path<String>,
) -> Result<Response, ApiError> {
    let t = kechuang_service::open_data::table(&st.store, &st.progress, &set, chrono::Utc::now())
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        t.document().to_string(),
    )
        .into_response())
}
