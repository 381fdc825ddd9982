//! Open data: the catalogue page `/data`, each data set as CSV and JSON at
//! `/data/{set}.csv|.json`, and the catalogue as DCAT-style JSON at `/data/catalog.json`.
//! The JSON of a set is the API's (`/api/v1/open-data/{set}`) byte for byte.

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use kechuang_service::open_data::{self as service, DataSet, LICENCE, LICENCE_NAME};

struct SetRow {
    id: &'static str,
    title: String,
    description: String,
    columns: Vec<(&'static str, String)>,
    keywords: String,
    modified: String,
}

#[derive(Template)]
#[template(path = "data.html")]
struct CataloguePage {
    chrome: Chrome,
    sets: Vec<SetRow>,
    licence: &'static str,
    licence_name: &'static str,
}

/// `/data`: every public data set, with what it holds, its licence and formats.
pub async fn catalogue(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    let now = chrono::Utc::now();
    let mut modified = std::collections::HashMap::new();
    for d in service::catalogue() {
        let t = service::table(&st.store, &st.progress, d.id, now)
            .await
            .page(lang)?;
        modified.insert(d.id, crate::format::local_time(&t.modified));
    }
    let sets = service::catalogue()
        .into_iter()
        .map(|d| SetRow {
            modified: modified.remove(d.id).unwrap_or_default(),
            id: d.id,
            title: lang.pick(d.title, d.title_en).to_owned(),
            description: lang.pick(d.description, d.description_en).to_owned(),
            columns: d
                .columns
                .iter()
                .map(|c| (c.key, lang.pick(c.title, c.title_en).to_owned()))
                .collect(),
            keywords: d.keywords.join("、"),
        })
        .collect();
    let page = CataloguePage {
        chrome: Chrome::new(&v, "open_data", lang.tr().od_title.into(), &uri, None),
        sets,
        licence: LICENCE,
        licence_name: LICENCE_NAME,
    };
    render(&page, lang)
}

fn base(st: &AppState, headers: &HeaderMap) -> String {
    super::portal::origin(st, headers)
}

fn dcat(base: &str, d: &DataSet) -> serde_json::Value {
    let dist = |fmt: &str, media: &str| {
        serde_json::json!({
            "@type": "dcat:Distribution",
            "dcat:downloadURL": format!("{base}/data/{}.{fmt}", d.id),
            "dcat:mediaType": media,
            "dct:format": fmt.to_uppercase(),
            "dct:license": LICENCE,
        })
    };
    serde_json::json!({
        "@type": "dcat:Dataset",
        "dct:identifier": d.id,
        "dct:title": d.title,
        "dct:description": d.description,
        "dcat:keyword": d.keywords,
        "dct:license": LICENCE,
        "dcat:landingPage": format!("{base}/data#{}", d.id),
        "dcat:distribution": [dist("csv", "text/csv"), dist("json", "application/json")],
    })
}

/// `/data/catalog.json`: the catalogue in DCAT terms (JSON-LD).
pub async fn catalog_json(
    State(st): State<AppState>,
    headers: HeaderMap,
    v: Viewer,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let base = base(&st, &headers);
    let now = chrono::Utc::now();
    let mut sets = Vec::new();
    for d in service::catalogue() {
        let t = service::table(&st.store, &st.progress, d.id, now)
            .await
            .page(v.lang)?;
        let mut j = dcat(&base, &d);
        j["dct:modified"] = serde_json::Value::String(t.modified);
        sets.push(j);
    }
    let doc = serde_json::json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
        },
        "@type": "dcat:Catalog",
        "dct:title": "韶关市科学技术局 开放数据",
        "dct:publisher": v.lang.tr().bureau,
        "dct:license": LICENCE,
        "dcat:dataset": sets,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/ld+json; charset=utf-8")],
        doc.to_string(),
    )
        .into_response())
}

/// `/data/{set}.csv` or `/data/{set}.json`.
pub async fn download(
    State(st): State<AppState>,
    v: Viewer,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    let (id, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    let missing = || {
        PageError(
            AppError::not_found(kechuang_service::Missing::Page {
                path: format!("/data/{file}"),
            }),
            lang,
        )
    };
    if ext != "csv" && ext != "json" {
        return Err(missing());
    }
    let t = service::table(&st.store, &st.progress, id, chrono::Utc::now())
        .await
        .page(lang)?;
    if ext == "json" {
        return Ok((
            [(header::CONTENT_TYPE, "application/json")],
            t.document().to_string(),
        )
            .into_response());
    }
    let headers: Vec<&str> = t.set.columns.iter().map(|c| c.key).collect();
    let table = kechuang_ingest::export::Table {
        sheet: t.set.id,
        headers: &headers,
        rows: t.text_rows(),
        numeric: &[],
    };
    let bytes = kechuang_ingest::export::csv_bytes(&table)
        .map_err(|e| AppError::internal(e.to_string()))
        .page(lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{id}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
