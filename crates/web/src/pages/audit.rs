//! The audit trail as an officer reads it: who did what to which record, each change as
//! labelled fields before and after, amounts in 元, statuses by name. The export keeps the stored
//! JSON and hashes, which is what a verifier checks the chain against.

use super::{
    record_export, render, sheet_download, Chrome, OrPage, PageError, SheetFormat, Viewer,
};
use crate::audit::{changes, Change};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format;
use crate::i18n::audit_label;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use kechuang_store::AuditFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    entity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        kechuang_service::audit::filter(
            self.actor.as_deref(),
            self.entity.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )
    }
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    client: String,
    action: String,
    entity: String,
    changes: Vec<Change>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    q: AuditQuery,
    entities: Vec<(String, String)>,
    pager: super::Pager,
    chain_ok: bool,
    chain_entries: i64,
    broken_at: String,
    export_query: String,
}

const ENTITIES: [&str; 19] = [
    "user",
    "session",
    "api_token",
    "entry_return",
    "observations",
    "registry",
    "export",
    "plan",
    "region",
    "programme",
    "budget",
    "award_batch",
    "objection",
    "call",
    "application",
    "expert",
    "voucher",
    "voucher_provider",
    "second_factor",
];

pub async fn audit(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let filter = q.filter().page(lang)?;
    let page_no = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = kechuang_service::audit::entries(&st.store, &who, &filter, page_no, per_page)
        .await
        .page(lang)?;
    let (regions, _) = super::region_names(&st, lang).await?;
    let check = kechuang_service::audit::verify(&st.store, &who)
        .await
        .page(lang)?;
    let params = [
        ("actor", q.actor.clone().unwrap_or_default()),
        ("entity", q.entity.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
    ];
    let export_query = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", format::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let rows = page
        .items
        .into_iter()
        .map(|r| AuditRow {
            seq: r.seq,
            at: format::timestamp(&r.at),
            actor: r.actor,
            client: r.client,
            action: audit_label(&r.action, lang),
            entity: if r.entity_id.is_empty() {
                audit_label(&r.entity, lang)
            } else {
                format!("{} {}", audit_label(&r.entity, lang), r.entity_id)
            },
            changes: changes(&r.entity, &r.before, &r.after, &regions, lang),
        })
        .collect();
    let out = AuditPage {
        chrome: Chrome::new(&v, "audit", lang.tr().nav_audit.into(), &uri, None),
        rows,
        pager: super::pager("/audit", &params, page.total, page.page, page.per_page).sizable(),
        q,
        entities: ENTITIES
            .iter()
            .map(|e| ((*e).to_owned(), audit_label(e, lang)))
            .collect(),
        chain_ok: check.first_broken.is_none(),
        chain_entries: check.entries,
        broken_at: check
            .first_broken
            .map(|(seq, why)| format!("#{seq}: {why}"))
            .unwrap_or_default(),
        export_query,
    };
    render(&out, lang)
}

/// The filtered trail as XLSX or CSV; the export is itself audited.
pub async fn audit_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(format): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let sheet = SheetFormat::of(&format, "audit", lang)?;
    let filter = q.filter().page(lang)?;
    let page = kechuang_service::audit::entries(&st.store, &who, &filter, 1, 10_000)
        .await
        .page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "审计日志",
        headers: &[
            "序号",
            "时间(UTC)",
            "操作人",
            "来源地址",
            "操作",
            "对象",
            "对象标识",
            "修改前",
            "修改后",
            "哈希",
        ],
        rows: page
            .items
            .iter()
            .map(|r| {
                vec![
                    r.seq.to_string(),
                    r.at.clone(),
                    r.actor.clone(),
                    r.client.clone(),
                    r.action.clone(),
                    r.entity.clone(),
                    r.entity_id.clone(),
                    r.before.clone(),
                    r.after.clone(),
                    r.hash.clone(),
                ]
            })
            .collect(),
        numeric: &[0],
    };
    record_export(&st, &who, &format, table.rows.len(), lang).await?;
    sheet_download(&table, sheet, &format, lang)
}
