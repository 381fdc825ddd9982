//! Administration: accounts, for administrators (the audit trail is in `audit`).

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_service::accounts;
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
                DataScope::Enterprise(x) | DataScope::Bank(x) | DataScope::Unit(x) => x.clone(),
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

/// The accounts as a spreadsheet, for the yearly review of who may do what. It lists personal
/// data, so the export is audited.
pub async fn users_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "users", lang)?;
    let regions = st.store.regions().await.page(lang)?;
    let region_name = |code: &str| {
        regions
            .iter()
            .find(|r| r.code.as_str() == code)
            .map_or_else(|| code.to_owned(), |r| r.name.clone())
    };
    let table = kechuang_ingest::export::Table {
        sheet: "用户",
        headers: &[
            "用户名",
            "姓名",
            "单位",
            "角色",
            "数据范围",
            "已停用",
            "双因素认证",
            "创建时间(UTC)",
        ],
        rows: st
            .store
            .users()
            .await
            .page(lang)?
            .into_iter()
            .map(|u| {
                vec![
                    u.username.clone(),
                    u.display_name.clone(),
                    u.organisation.clone(),
                    u.role.name_zh().to_owned(),
                    match &u.scope {
                        DataScope::Region(r) => region_name(r.as_str()),
                        DataScope::Enterprise(x) | DataScope::Bank(x) | DataScope::Unit(x) => {
                            x.clone()
                        }
                        DataScope::System | DataScope::Assigned => String::new(),
                    },
                    if u.disabled { "是" } else { "否" }.to_owned(),
                    if u.totp_secret.is_some() {
                        "是"
                    } else {
                        "否"
                    }
                    .to_owned(),
                    u.created_at.clone(),
                ]
            })
            .collect(),
        numeric: &[],
    };
    super::record_export(&st, &who, &file, table.rows.len(), lang).await?;
    super::sheet_download(&table, format, &file, lang)
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
