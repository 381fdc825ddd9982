//! The workbench (工作台): each signed-in role's home after login, listing what waits for
//! them with a link to where each is done.

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use kechuang_domain::auth::Role;
use kechuang_service::workbench::workbench as gather;

struct TodoRow {
    action: &'static str,
    subject: String,
    whose: String,
    link: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    chrome: Chrome,
    todos: Vec<TodoRow>,
    overdue: usize,
    county: Option<(String, String)>,
    shortcuts: Vec<(String, &'static str)>,
    /// An enterprise's subscribed categories' new articles: (id, title, day).
    news: Vec<(i64, String, String)>,
    subscriber: bool,
}

/// The links each role starts its work from, labelled in the page's language.
fn shortcuts(role: Role, enterprise: Option<&str>, lang: Lang) -> Vec<(String, &'static str)> {
    let tr = lang.tr();
    let link = |to: &str, label: &'static str| (to.to_owned(), label);
    let mut links = match role {
        Role::Bureau => vec![
            link("/import", tr.nav_import),
            link("/programmes", tr.nav_programmes),
            link("/calls", tr.nav_calls),
            link("/entry", tr.nav_entry),
            link("/finance", tr.nav_finance),
            link("/supervision", tr.nav_supervision),
            link("/portal/manage", tr.nav_portal_desk),
            link("/audit", tr.nav_audit),
        ],
        Role::County => vec![
            link("/entry", tr.nav_entry),
            link("/enterprises", tr.nav_enterprises),
            link("/calls", tr.nav_calls),
            link("/finance/pool", tr.nav_pool),
        ],
        Role::Enterprise => {
            let mut v = Vec::new();
            if let Some(u) = enterprise {
                v.push((format!("/enterprises/{u}"), tr.my_enterprise));
            }
            v.push(link("/calls", tr.nav_calls));
            v.push(link("/vouchers", tr.nav_vouchers));
            v.push(link("/finance/pool", tr.nav_pool));
            v.push(link("/portal/subscriptions", tr.nav_subscriptions));
            v
        }
        Role::Expert => vec![link("/calls", tr.nav_calls)],
        Role::Admin => vec![
            link("/admin/users", tr.nav_users),
            link("/audit", tr.nav_audit),
        ],
        Role::Unit => vec![link("/supervision", tr.nav_supervision)],
        Role::Bank => vec![
            link("/finance/loans", tr.nav_loans),
            link("/finance/claims", tr.nav_claims),
            link("/finance/pool", tr.nav_pool),
        ],
    };
    // The account's own pages, which a phone's narrow header leaves out.
    links.push(link("/account/password", tr.change_password));
    links.push(link("/account/second-factor", tr.second_factor));
    links
}

pub async fn workbench(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let w = gather(&st.store, &who).await.page(lang)?;
    st.todo_counts.set(who.username(), w.todos.len());
    let todos: Vec<TodoRow> = w
        .todos
        .iter()
        .map(|t| TodoRow {
            action: crate::i18n::todo_action(t.kind, lang),
            subject: t.subject.clone(),
            whose: t.whose.clone(),
            link: t.link.clone(),
            due: t
                .due
                .map(|d| crate::format::date(d, lang))
                .unwrap_or_default(),
            overdue: t.overdue,
        })
        .collect();
    let page = WorkbenchPage {
        chrome: Chrome::new(&v, "workbench", lang.tr().workbench.into(), &uri, None),
        overdue: todos.iter().filter(|t| t.overdue).count(),
        todos,
        county: w.county,
        shortcuts: shortcuts(who.role(), w.enterprise.as_deref(), lang),
        news: w
            .news
            .iter()
            .map(|a| {
                (
                    a.id,
                    a.title.clone(),
                    a.publish_at
                        .as_deref()
                        .map(crate::format::local_time)
                        .unwrap_or_default(),
                )
            })
            .collect(),
        subscriber: who.role() == Role::Enterprise,
    };
    render(&page, lang)
}
