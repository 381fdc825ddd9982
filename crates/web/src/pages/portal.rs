//! The public portal (门户): the front page, category and tag lists, search, an article (made
//! to read on a phone and to be shared: a share card's meta tags, a QR code, a print version),
//! Atom feeds; the bureau's desk and editor; an enterprise's subscriptions.

use super::{pager, render, shown, Chrome, OrPage, PageError, Pager, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format::{local_day, local_time};
use crate::i18n::Lang;
use crate::markup;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use kechuang_domain::auth::Role;
use kechuang_domain::portal::ArticleStatus;
use kechuang_domain::problem::FieldProblem;
use kechuang_service::portal::{self as service, ArticleInput};
use kechuang_store::{ArticleFilter, ArticleRecord, Category};
use serde::Deserialize;

const PER_PAGE: u32 = 15;

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn category_name(cats: &[Category], code: &str, lang: Lang) -> String {
    cats.iter()
        .find(|c| c.code == code)
        .map(|c| lang.pick(&c.name, &c.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// One line of a list of articles.
pub(crate) struct Item {
    id: i64,
    title: String,
    excerpt: String,
    category: String,
    category_code: String,
    day: String,
    doc_number: String,
}

fn item(a: &ArticleRecord, cats: &[Category], lang: Lang) -> Item {
    Item {
        id: a.id,
        title: a.title.clone(),
        excerpt: if a.summary.is_empty() {
            markup::plain(&a.body, 90)
        } else {
            a.summary.clone()
        },
        category: category_name(cats, &a.category, lang),
        category_code: a.category.clone(),
        day: a.publish_at.as_deref().map(local_day).unwrap_or_default(),
        doc_number: a.doc_number.clone(),
    }
}

/// The portal's navigation: the front page, each category, open data.
pub(crate) struct PortalNav {
    categories: Vec<(String, String)>,
    active: String,
    query: String,
}

async fn nav(st: &AppState, lang: Lang, active: &str, query: &str) -> Result<PortalNav, PageError> {
    let cats = service::categories(&st.store).await.page(lang)?;
    Ok(PortalNav {
        categories: cats
            .iter()
            .map(|c| (c.code.clone(), lang.pick(&c.name, &c.name_en).to_owned()))
            .collect(),
        active: active.to_owned(),
        query: query.to_owned(),
    })
}

struct Section {
    code: String,
    name: String,
    items: Vec<Item>,
}

struct OpenCall {
    id: i64,
    title: String,
    programme: String,
    closes: String,
    days_left: i64,
    guide: Option<i64>,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct HomePage {
    chrome: Chrome,
    nav: PortalNav,
    sections: Vec<Section>,
    calls: Vec<OpenCall>,
    plan: Option<PlanGlance>,
    tags: Vec<(String, i64)>,
    events: Vec<super::events::EventLine>,
}

struct PlanGlance {
    id: i64,
    name: String,
    total: usize,
    achieved: usize,
    on_track: usize,
    behind: usize,
    no_data: usize,
}

/// `/portal` (and `/` for the public when the deployment chooses it).
pub async fn home(State(st): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    let at = now();
    let cats = service::categories(&st.store).await.page(lang)?;
    let mut sections = Vec::new();
    for c in &cats {
        let page = service::list(
            &st.store,
            &ArticleFilter {
                category: Some(c.code.clone()),
                ..ArticleFilter::default()
            },
            (1, 6),
            at,
        )
        .await
        .page(lang)?;
        sections.push(Section {
            code: c.code.clone(),
            name: lang.pick(&c.name, &c.name_en).to_owned(),
            items: page.items.iter().map(|a| item(a, &cats, lang)).collect(),
        });
    }
    let today = kechuang_domain::portal::china_day(at);
    let mut calls = Vec::new();
    for c in st.store.calls().await.page(lang)? {
        let open = c.opens_on.as_str() <= today.to_string().as_str()
            && today.to_string().as_str() <= c.closes_on.as_str();
        if !open {
            continue;
        }
        let closes = chrono::NaiveDate::parse_from_str(&c.closes_on, "%Y-%m-%d").ok();
        let guide = service::linked(&st.store, ("call", &c.id.to_string()), at)
            .await
            .page(lang)?
            .first()
            .map(|a| a.id);
        calls.push(OpenCall {
            id: c.id,
            title: c.title,
            programme: c.programme_name,
            closes: c.closes_on.clone(),
            days_left: closes.map(|d| (d - today).num_days()).unwrap_or(0),
            guide,
        });
    }
    calls.sort_by_key(|c| c.days_left);
    let plan = glance(&st, today).await.page(lang)?;
    let page = HomePage {
        chrome: Chrome::new(&v, "portal", lang.tr().pt_title.into(), &uri, None),
        nav: nav(&st, lang, "home", "").await?,
        sections,
        calls,
        plan,
        tags: service::tags(&st.store, at).await.page(lang)?,
        events: kechuang_service::events::upcoming(&st.store, today)
            .await
            .page(lang)?
            .iter()
            .take(6)
            .map(|e| super::events::line(e, lang))
            .collect(),
    };
    render(&page, lang)
}

async fn glance(
    st: &AppState,
    today: chrono::NaiveDate,
) -> Result<Option<PlanGlance>, kechuang_service::Error> {
    use kechuang_domain::progress::Status;
    // As on the dashboard: one query while nothing changed.
    let now = st.progress.current(&st.store).await?;
    let Some(id) = now.current_plan_id() else {
        return Ok(None);
    };
    let loaded = now.load(&st.store, &st.progress, id, today).await?;
    let city = loaded.plan_region.clone();
    let evals = loaded.evaluate_all(&city);
    let count = |s: Status| evals.iter().filter(|e| e.progress.status == s).count();
    Ok(Some(PlanGlance {
        id,
        name: loaded.plan.name.clone(),
        total: evals.len(),
        achieved: count(Status::Achieved),
        on_track: count(Status::OnTrack),
        behind: count(Status::Behind),
        no_data: count(Status::NoData) + count(Status::NoTarget),
    }))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<u32>,
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "portal_list.html")]
struct ListPage {
    chrome: Chrome,
    nav: PortalNav,
    heading: String,
    /// The category's Atom feed, on a category's page.
    feed: Option<String>,
    items: Vec<Item>,
    pager: Pager,
    /// Words of a search left out for being one character.
    ignored: String,
    searched: bool,
    error: String,
}

/// What a filtered list of articles is headed with and where its pages and feed are.
struct Listed {
    heading: String,
    /// The navigation entry it belongs to.
    active: String,
    base: String,
    feed: Option<String>,
}

async fn filtered(
    (st, v, uri): (&AppState, &Viewer, &Uri),
    filter: ArticleFilter,
    page: Option<u32>,
    l: Listed,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let cats = service::categories(&st.store).await.page(lang)?;
    let page = page.unwrap_or(1).max(1);
    let list = service::list(&st.store, &filter, (page, PER_PAGE), now())
        .await
        .page(lang)?;
    let view = ListPage {
        chrome: Chrome::new(v, "portal", l.heading.clone(), uri, None),
        nav: nav(st, lang, &l.active, "").await?,
        heading: l.heading,
        feed: l.feed,
        items: list.items.iter().map(|a| item(a, &cats, lang)).collect(),
        pager: pager(&l.base, &[], list.total, page, PER_PAGE),
        ignored: String::new(),
        searched: false,
        error: String::new(),
    };
    render(&view, lang)
}

/// `/portal/c/{category}`: a category's articles, newest first.
pub async fn category(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let cat = service::category(&st.store, &code).await.page(v.lang)?;
    let listed = Listed {
        heading: v.lang.pick(&cat.name, &cat.name_en).to_owned(),
        active: code.clone(),
        base: format!("/portal/c/{code}"),
        feed: Some(format!("/portal/c/{code}/feed.atom")),
    };
    let filter = ArticleFilter {
        category: Some(code),
        ..ArticleFilter::default()
    };
    filtered((&st, &v, &uri), filter, q.page, listed).await
}

/// `/portal/tags/{tag}`.
pub async fn tag(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(tag): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let listed = Listed {
        heading: format!("{}：{tag}", v.lang.tr().pt_tag),
        active: String::new(),
        base: format!("/portal/tags/{}", crate::format::urlencode(&tag)),
        feed: None,
    };
    let filter = ArticleFilter {
        tag: Some(tag),
        ..ArticleFilter::default()
    };
    filtered((&st, &v, &uri), filter, q.page, listed).await
}

/// `/portal/search?q=`: every word (two characters or more) in the title, summary or body;
/// title hits first.
pub async fn search(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    let tr = lang.tr();
    let cats = service::categories(&st.store).await.page(lang)?;
    let page = q.page.unwrap_or(1).max(1);
    let (items, total, ignored, error) =
        match service::search(&st.store, &q.q, (page, PER_PAGE), now()).await {
            Ok(f) => (
                f.results
                    .items
                    .iter()
                    .map(|a| item(a, &cats, lang))
                    .collect(),
                f.results.total,
                f.query.ignored.join(" "),
                None,
            ),
            Err(e @ AppError::Invalid(_)) if !q.q.trim().is_empty() => {
                (Vec::new(), 0, String::new(), Some(e))
            }
            Err(AppError::Invalid(_)) => (Vec::new(), 0, String::new(), None),
            Err(e) => return Err(PageError(e, lang)),
        };
    let (error, status) = shown(error, lang);
    let view = ListPage {
        chrome: Chrome::new(&v, "portal", tr.pt_search.into(), &uri, None),
        nav: nav(&st, lang, "search", &q.q).await?,
        heading: if q.q.trim().is_empty() {
            tr.pt_search.into()
        } else {
            format!("{}：{}", tr.pt_search, q.q.trim())
        },
        feed: None,
        items,
        pager: pager(
            "/portal/search",
            &[("q", q.q.clone())],
            total,
            page,
            PER_PAGE,
        ),
        ignored,
        searched: !q.q.trim().is_empty(),
        error,
    };
    let mut res = render(&view, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    chrome: Chrome,
    nav: PortalNav,
    id: i64,
    title: String,
    category: String,
    category_code: String,
    doc_number: String,
    source: String,
    published: String,
    expires: String,
    description: String,
    body_html: String,
    tags: Vec<String>,
    files: Vec<(i64, String, String)>,
    links: Vec<(String, String)>,
    /// Absolute address of the article, for the share card and the QR code.
    url: String,
    image: String,
    /// Shown to the bureau before publication.
    status: String,
    visible: bool,
    print: bool,
    bureau: bool,
}

#[derive(Deserialize, Default)]
pub struct ArticleQuery {
    #[serde(default)]
    print: String,
}

/// The address the site is reached at, from the request (behind a proxy, its `Host` and
/// `X-Forwarded-Proto`), for the absolute links a share card needs.
pub(crate) fn origin(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &st.public_url {
        return u.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if st.https { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// `/portal/articles/{id}`: the article, for reading on any screen; `?print=1` the version to
/// print.
pub async fn article(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ArticleQuery>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    let who = v.who.as_deref();
    let a = service::article(&st.store, who, id, now())
        .await
        .page(lang)?;
    let art = &a.article;
    let base = origin(&st, &headers);
    let image = a
        .files
        .iter()
        .find(|f| f.content_type.starts_with("image/"))
        .map(|f| format!("{base}/portal/files/{}", f.id))
        .unwrap_or_else(|| format!("{base}/static/favicon.svg"));
    let description = if art.summary.is_empty() {
        markup::plain(&art.body, 120)
    } else {
        art.summary.clone()
    };
    let page = ArticlePage {
        chrome: Chrome::new(&v, "portal", art.title.clone(), &uri, None),
        nav: nav(&st, lang, &art.category, "").await?,
        id,
        title: art.title.clone(),
        category: lang.pick(&a.category.name, &a.category.name_en).to_owned(),
        category_code: art.category.clone(),
        doc_number: art.doc_number.clone(),
        source: art.source.clone(),
        published: art
            .publish_at
            .as_deref()
            .map(local_time)
            .unwrap_or_default(),
        expires: art.expires_on.clone().unwrap_or_default(),
        description,
        body_html: markup::render(&art.body),
        tags: art.tags.clone(),
        files: a
            .files
            .iter()
            .map(|f| {
                (
                    f.id,
                    f.file_name.clone(),
                    crate::format::bytes(f.size_bytes),
                )
            })
            .collect(),
        links: a
            .links
            .iter()
            .map(|l| (l.href.clone(), l.title.clone()))
            .collect(),
        url: format!("{base}/portal/articles/{id}"),
        image,
        status: if lang.is_en() {
            art.status.name_en()
        } else {
            art.status.name_zh()
        }
        .to_owned(),
        visible: a.visible,
        print: !q.print.is_empty(),
        bureau: who.is_some_and(|w| w.role() == Role::Bureau),
    };
    render(&page, lang)
}

/// `/portal/articles/{id}/qr.svg`: the article's address as a QR code, to pass from a screen
/// to a phone.
pub async fn qr(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    service::article(&st.store, v.who.as_deref(), id, now())
        .await
        .page(lang)?;
    let url = format!("{}/portal/articles/{id}", origin(&st, &headers));
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(AppError::internal)
        .page(lang)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

/// `/portal/files/{id}`: an attachment of a visible article (any, for the bureau). Images
/// show in the page; documents download.
pub async fn file(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let (name, ctype, data) = service::file(&st.store, v.who.as_deref(), id, now())
        .await
        .page(lang)?;
    Ok(crate::format::served_file(&name, ctype, data))
}

#[derive(Template)]
#[template(path = "feed.atom", escape = "html")]
struct Feed {
    id: String,
    title: String,
    base: String,
    updated: String,
    entries: Vec<Entry>,
}

struct Entry {
    id: i64,
    title: String,
    summary: String,
    content: String,
    published: String,
    updated: String,
    author: String,
}

/// `/portal/c/{category}/feed.atom`: the category's latest 30 articles as an Atom feed.
pub async fn feed(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    let cat = service::category(&st.store, &code).await.page(lang)?;
    let list = service::list(
        &st.store,
        &ArticleFilter {
            category: Some(code.clone()),
            ..ArticleFilter::default()
        },
        (1, 30),
        now(),
    )
    .await
    .page(lang)?;
    let base = origin(&st, &headers);
    let entries: Vec<Entry> = list
        .items
        .iter()
        .map(|a| Entry {
            id: a.id,
            title: a.title.clone(),
            summary: if a.summary.is_empty() {
                markup::plain(&a.body, 200)
            } else {
                a.summary.clone()
            },
            content: markup::render(&a.body),
            published: a.publish_at.clone().unwrap_or_default(),
            updated: a
                .publish_at
                .clone()
                .max(Some(a.updated_at.clone()))
                .unwrap_or_default(),
            author: if a.source.is_empty() {
                lang.tr().bureau.to_owned()
            } else {
                a.source.clone()
            },
        })
        .collect();
    let feed = Feed {
        id: format!("{base}/portal/c/{code}"),
        title: format!("{} · {}", lang.tr().bureau, cat.name),
        updated: entries
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| "2017-01-01T00:00:00Z".to_owned()),
        base,
        entries,
    };
    let body = feed.render().map_err(AppError::internal).page(lang)?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

// ---- the bureau's desk and editor ------------------------------------------------------

struct DeskRow {
    id: i64,
    title: String,
    category: String,
    status: String,
    status_code: &'static str,
    updated: String,
    updated_by: String,
    publish_at: String,
    mine_to_review: bool,
}

#[derive(Template)]
#[template(path = "portal_desk.html")]
struct DeskPage {
    chrome: Chrome,
    rows: Vec<DeskRow>,
    status: String,
    statuses: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    #[serde(default)]
    status: String,
}

/// `/portal/manage`: every article with its status; the ones waiting for the caller's review
/// marked.
pub async fn desk(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<DeskQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let filter: Vec<ArticleStatus> = ArticleStatus::parse(&q.status).into_iter().collect();
    let cats = service::categories(&st.store).await.page(lang)?;
    let list = service::desk(&st.store, bureau, &filter).await.page(lang)?;
    let name = |s: ArticleStatus| {
        if lang.is_en() {
            s.name_en()
        } else {
            s.name_zh()
        }
        .to_owned()
    };
    let page = DeskPage {
        chrome: Chrome::new(&v, "portal_desk", lang.tr().pt_desk.into(), &uri, None),
        rows: list
            .iter()
            .map(|a| DeskRow {
                id: a.id,
                title: a.title.clone(),
                category: category_name(&cats, &a.category, lang),
                status: name(a.status),
                status_code: a.status.as_str(),
                updated: local_time(&a.updated_at),
                updated_by: a.updated_by.clone(),
                publish_at: a.publish_at.as_deref().map(local_time).unwrap_or_default(),
                mine_to_review: a.status == ArticleStatus::Review
                    && a.submitted_by.as_deref() != Some(who.username()),
            })
            .collect(),
        status: q.status.clone(),
        statuses: ArticleStatus::ALL
            .iter()
            .map(|s| (s.as_str(), name(*s)))
            .collect(),
    };
    render(&page, lang)
}

#[derive(Template)]
#[template(path = "article_edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    /// None for a new article.
    id: Option<i64>,
    input: ArticleInput,
    categories: Vec<(String, String)>,
    status: String,
    status_code: &'static str,
    editable: bool,
    can_review: bool,
    own_submission: bool,
    return_reason: String,
    submitted_by: String,
    files: Vec<(i64, String, String)>,
    revisions: Vec<(i64, String, String)>,
    problems: Vec<(String, String)>,
    error: String,
    done: String,
}

impl EditPage {
    fn problem(&self, field: &str) -> String {
        super::field_problem(&self.problems, field)
    }
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    done: String,
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    id: Option<i64>,
    typed: Option<ArticleInput>,
    problems: Vec<(String, String)>,
    error: Option<AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let cats = service::categories(&st.store).await.page(lang)?;
    let view = match id {
        Some(id) => Some(
            service::article(&st.store, Some(who), id, now())
                .await
                .page(lang)?,
        ),
        None => None,
    };
    let a = view.as_ref().map(|v| &v.article);
    let status = a.map(|a| a.status).unwrap_or(ArticleStatus::Draft);
    let input = typed.unwrap_or_else(|| {
        a.map(ArticleInput::of).unwrap_or_else(|| ArticleInput {
            category: cats.first().map(|c| c.code.clone()).unwrap_or_default(),
            source: tr.bureau.to_owned(),
            ..ArticleInput::default()
        })
    });
    let (error, code) = shown(error, lang);
    let page = EditPage {
        chrome: Chrome::new(
            v,
            "portal_desk",
            a.map(|a| a.title.clone())
                .unwrap_or_else(|| tr.pt_new.into()),
            uri,
            None,
        ),
        csrf: who.csrf().to_owned(),
        id,
        input,
        categories: cats
            .iter()
            .map(|c| (c.code.clone(), lang.pick(&c.name, &c.name_en).to_owned()))
            .collect(),
        status: if lang.is_en() {
            status.name_en()
        } else {
            status.name_zh()
        }
        .to_owned(),
        status_code: status.as_str(),
        editable: status.editable(),
        can_review: status == ArticleStatus::Review
            && a.and_then(|a| a.submitted_by.as_deref()) != Some(who.username()),
        own_submission: status == ArticleStatus::Review
            && a.and_then(|a| a.submitted_by.as_deref()) == Some(who.username()),
        return_reason: a.map(|a| a.return_reason.clone()).unwrap_or_default(),
        submitted_by: a.and_then(|a| a.submitted_by.clone()).unwrap_or_default(),
        files: view
            .as_ref()
            .map(|v| {
                v.files
                    .iter()
                    .map(|f| {
                        (
                            f.id,
                            f.file_name.clone(),
                            crate::format::bytes(f.size_bytes),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        revisions: view
            .as_ref()
            .map(|v| {
                v.revisions
                    .iter()
                    .map(|r| (r.revision, r.saved_by.clone(), local_time(&r.saved_at)))
                    .collect()
            })
            .unwrap_or_default(),
        problems,
        error,
        done: done.to_owned(),
    };
    let mut res = render(&page, lang)?;
    if !page.problems.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    } else {
        *res.status_mut() = code;
    }
    Ok(res)
}

pub async fn new_form(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    who.as_bureau().page(v.lang)?;
    edit_page(&st, &v, &who, &uri, None, None, Vec::new(), None, "").await
}

pub async fn edit_form(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> Result<Response, PageError> {
    who.as_bureau().page(v.lang)?;
    edit_page(
        &st,
        &v,
        &who,
        &uri,
        Some(id),
        None,
        Vec::new(),
        None,
        &q.done,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct ArticleForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    publish_at: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    links: String,
}

impl From<ArticleForm> for ArticleInput {
    fn from(f: ArticleForm) -> Self {
        Self {
            category: f.category,
            title: f.title,
            summary: f.summary,
            body: f.body,
            source: f.source,
            doc_number: f.doc_number,
            publish_at: f.publish_at,
            expires_on: f.expires_on,
            tags: f.tags,
            links: f.links,
        }
    }
}

fn worded(p: &[FieldProblem], lang: Lang) -> Vec<(String, String)> {
    FieldProblem::worded(p, lang.into())
}

pub async fn create(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    axum::extract::Form(f): axum::extract::Form<ArticleForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let input: ArticleInput = f.into();
    match service::create(&st.store, bureau, &input).await {
        Ok((kechuang_service::Saved::Done, Some(id))) => {
            Ok(Redirect::to(&format!("/portal/manage/{id}?done=saved")).into_response())
        }
        Ok((kechuang_service::Saved::Refused(p), _)) => {
            let p = worded(&p, lang);
            edit_page(&st, &v, &who, &uri, None, Some(input), p, None, "").await
        }
        Ok(_) => Err(PageError(AppError::internal("saved without an id"), lang)),
        Err(e) => {
            edit_page(
                &st,
                &v,
                &who,
                &uri,
                None,
                Some(input),
                Vec::new(),
                Some(e),
                "",
            )
            .await
        }
    }
}

pub async fn save(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<ArticleForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let input: ArticleInput = f.into();
    match service::edit(&st.store, bureau, id, &input).await {
        Ok(kechuang_service::Saved::Done) => {
            Ok(Redirect::to(&format!("/portal/manage/{id}?done=saved")).into_response())
        }
        Ok(kechuang_service::Saved::Refused(p)) => {
            let p = worded(&p, lang);
            edit_page(&st, &v, &who, &uri, Some(id), Some(input), p, None, "").await
        }
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => {
            edit_page(
                &st,
                &v,
                &who,
                &uri,
                Some(id),
                Some(input),
                Vec::new(),
                Some(e),
                "",
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    reason: String,
}

/// `POST /portal/manage/{id}/{action}`: submit, publish, return or withdraw.
pub async fn step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((id, action)): Path<(i64, String)>,
    axum::extract::Form(f): axum::extract::Form<StepForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    match service::act(&st.store, bureau, id, &action, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/portal/manage/{id}?done={action}")).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => edit_page(&st, &v, &who, &uri, Some(id), None, Vec::new(), Some(e), "").await,
    }
}

/// `POST /portal/manage/{id}/files`: attachments, several at once.
pub async fn upload(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bad = super::unreadable_form(lang);
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            if !name.is_empty() || !bytes.is_empty() {
                files.push((name, bytes));
            }
        }
    }
    for (name, bytes) in &files {
        let bureau = who.as_bureau().page(lang)?;
        if let Err(e) = service::attach(&st.store, bureau, id, (name, bytes)).await {
            return edit_page(&st, &v, &who, &uri, Some(id), None, Vec::new(), Some(e), "").await;
        }
    }
    Ok(Redirect::to(&format!("/portal/manage/{id}?done=attached")).into_response())
}

// ---- an enterprise's subscriptions -------------------------------------------------------

#[derive(Template)]
#[template(path = "subscriptions.html")]
struct SubscriptionsPage {
    chrome: Chrome,
    csrf: String,
    /// (code, name, followed, since)
    categories: Vec<(String, String, bool, String)>,
    news: Vec<Item>,
    done: bool,
}

pub async fn subscriptions(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<EditQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let applicant = who.as_applicant().page(lang)?;
    let subs = service::subscriptions(&st.store, applicant)
        .await
        .page(lang)?;
    let cats = service::categories(&st.store).await.page(lang)?;
    let news = service::news_for(&st.store, &who, 20, now())
        .await
        .page(lang)?;
    let page = SubscriptionsPage {
        chrome: Chrome::new(
            &v,
            "subscriptions",
            lang.tr().pt_subscriptions.into(),
            &uri,
            None,
        ),
        csrf: who.csrf().to_owned(),
        categories: cats
            .iter()
            .map(|c| {
                let since = subs.iter().find(|(k, _)| *k == c.code).map(|(_, s)| s);
                (
                    c.code.clone(),
                    lang.pick(&c.name, &c.name_en).to_owned(),
                    since.is_some(),
                    since.map(|s| local_day(s)).unwrap_or_default(),
                )
            })
            .collect(),
        news: news.iter().map(|a| item(a, &cats, lang)).collect(),
        done: !q.done.is_empty(),
    };
    render(&page, lang)
}

pub async fn subscribe(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let applicant = who.as_applicant().page(lang)?;
    // A checkbox list repeats its name, which a struct of the form cannot hold.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| {
            AppError::invalid(crate::error::RequestProblem::Upload {
                reason: e.to_string(),
            })
        })
        .page(lang)?;
    let chosen: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "category")
        .map(|(_, v)| v)
        .collect();
    service::subscribe(&st.store, applicant, &chosen)
        .await
        .page(lang)?;
    Ok(Redirect::to("/portal/subscriptions?done=1").into_response())
}
