//! Administration: accounts (for administrators) and the audit trail (administrators and the
//! bureau).

use super::{
    record_export, render, sheet_download, Chrome, OrPage, PageError, SheetFormat, Viewer,
};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format;
use crate::i18n::audit_label;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_service::accounts;
use kechuang_store::AuditFilter;
use serde::Deserialize;

struct UserRow {
    username: String,
    display_name: String,
    organisation: String,
    role: String,
    scope: String,
    disabled: bool,
    must_change: bool,
    second_factor: bool,
    created_at: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    csrf: String,
    rows: Vec<UserRow>,
    roles: Vec<(String, String)>,
    /// Each role with whether it must use the second factor.
    second_factor_roles: Vec<(String, String, bool)>,
    regions: Vec<(String, String)>,
    error: Option<String>,
    form: NewUserForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    uscc_or_org: String,
    #[serde(default)]
    password: String,
}

async fn users_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    error: Option<String>,
    form: NewUserForm,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let regions = st.store.regions().await.page(lang)?;
    let region_name = |code: &str| {
        regions
            .iter()
            .find(|r| r.code.as_str() == code)
            .map_or_else(|| code.to_owned(), |r| r.name.clone())
    };
    let rows = st
        .store
        .users()
        .await
        .page(lang)?
        .into_iter()
        .map(|u| UserRow {
            scope: match &u.scope {
                DataScope::Region(r) => region_name(r.as_str()),
                DataScope::Enterprise(x) | DataScope::Bank(x) => x.clone(),
                DataScope::System | DataScope::Assigned => "—".into(),
            },
            role: if lang.is_en() {
                u.role.name_en().into()
            } else {
                u.role.name_zh().into()
            },
            username: u.username,
            display_name: u.display_name,
            organisation: u.organisation,
            disabled: u.disabled,
            must_change: u.must_change_password,
            second_factor: u.totp_secret.is_some(),
            created_at: format::timestamp(&u.created_at),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let required = kechuang_service::second_factor::required_roles(&st.store)
        .await
        .page(lang)?;
    let role_name = |r: &Role| {
        if lang.is_en() {
            r.name_en().to_owned()
        } else {
            r.name_zh().to_owned()
        }
    };
    let page = UsersPage {
        chrome: Chrome::new(v, "users", lang.tr().nav_users.into(), uri, None),
        second_factor_roles: Role::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), role_name(r), required.contains(r)))
            .collect(),
        csrf: who.csrf().to_owned(),
        rows,
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    if lang.is_en() {
                        r.name_en().into()
                    } else {
                        r.name_zh().into()
                    },
                )
            })
            .collect(),
        regions: regions
            .iter()
            .filter(|r| r.kind != kechuang_domain::region::RegionKind::Province)
            .map(|r| (r.code.to_string(), r.name.clone()))
            .collect(),
        error,
        form,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn users(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    users_page(&st, &v, &who, &uri, None, NewUserForm::default()).await
}

/// Creates an account with an initial password its owner must change at first login.
pub async fn create_user(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<NewUserForm>,
) -> Result<Response, PageError> {
    let extra = f.uscc_or_org.trim().to_owned();
    let account = accounts::NewAccount {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        organisation: f.organisation.clone(),
        scope: accounts::ScopeInput {
            role: f.role.clone(),
            region: Some(f.region.clone()),
            uscc: Some(extra.clone()),
            org: Some(extra),
        },
        password: f.password.clone(),
        must_change_password: true,
    };
    match accounts::create_account(&st.store, &account, &who.actor()).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e @ AppError::Internal(_)) => Err(PageError(e, v.lang)),
        Err(e) => users_page(&st, &v, &who, &uri, Some(e.message(v.lang.into())), f).await,
    }
}

#[derive(Deserialize)]
pub struct UserActionForm {
    #[serde(default)]
    password: String,
}

/// Disable, enable, reset the password of an account (the owner must change it again), or
/// remove its second factor (its owner lost the phone and the recovery codes).
pub async fn user_action(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((username, action)): Path<(String, String)>,
    Form(f): Form<UserActionForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let result = match action.as_str() {
        "disable" => accounts::set_disabled(&st.store, &username, true, &who.actor()).await,
        "enable" => accounts::set_disabled(&st.store, &username, false, &who.actor()).await,
        "reset" => accounts::reset_password(&st.store, &username, &f.password, &who.actor()).await,
        "second-factor-reset" => {
            kechuang_service::second_factor::reset(&st.store, &username, &who.actor()).await
        }
        _ => Err(AppError::not_found(kechuang_service::Missing::Action {
            action: action.clone(),
        })),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let m = e.message(lang.into());
            users_page(&st, &v, &who, &uri, Some(m), NewUserForm::default()).await
        }
        Err(e) => Err(PageError(e, lang)),
    }
}

/// The roles that must use the second factor, as ticked on the accounts page.
pub async fn set_second_factor_roles(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Repeated `role` fields: read as pairs, which a struct form cannot hold.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let roles: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "role")
        .map(|(_, v)| v)
        .collect();
    match kechuang_service::second_factor::set_required_roles(&st.store, &roles, &who.actor()).await
    {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let m = e.message(v.lang.into());
            users_page(&st, &v, &who, &uri, Some(m), NewUserForm::default()).await
        }
        Err(e) => Err(PageError(e, v.lang)),
    }
}

// ---- audit trail ----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    entity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
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
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    q: AuditQuery,
    entities: Vec<(String, String)>,
    pager: super::registries::Pager,
    chain_ok: bool,
    chain_entries: i64,
    broken_at: String,
    export_query: String,
}

const ENTITIES: [&str; 9] = [
    "user",
    "session",
    "api_token",
    "entry_return",
    "observations",
    "registry",
    "export",
    "plan",
    "region",
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
    let page = kechuang_service::audit::entries(&st.store, &who, &filter, page_no, 50)
        .await
        .page(lang)?;
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
            before: r.before,
            after: r.after,
        })
        .collect();
    let out = AuditPage {
        chrome: Chrome::new(&v, "audit", lang.tr().nav_audit.into(), &uri, None),
        rows,
        pager: super::registries::pager("/audit", &params, page.total, page.page, page.per_page),
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
