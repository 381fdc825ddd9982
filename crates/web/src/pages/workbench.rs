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
use kechuang_service::workbench::{workbench as gather, TodoKind};

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
}

/// What the caller is to do, in the page's language.
pub(crate) fn action(kind: TodoKind, lang: Lang) -> &'static str {
    use kechuang_domain::application::AppStatus as S;
    use kechuang_domain::workbench::BatchTodo as B;
    let (zh, en) = match kind {
        TodoKind::ReviewReturn => ("审核县区填报", "Review a county's return"),
        TodoKind::SendReturn { returned: false } => ("填报并提交", "Complete and send the return"),
        TodoKind::SendReturn { returned: true } => {
            ("按审核意见修改后重新提交", "Correct and resend the return")
        }
        TodoKind::Application(S::Draft) => {
            ("完成并提交申报", "Complete and submit the application")
        }
        TodoKind::Application(S::Returned) => ("按意见修改申报", "Revise the returned application"),
        TodoKind::Application(S::Funded) => ("提交验收报告", "Send the acceptance report"),
        TodoKind::Application(S::Submitted) => ("初审申报", "Preliminary review"),
        TodoKind::Application(S::CountyPassed) => ("复审申报", "Bureau review"),
        TodoKind::Application(S::BureauPassed) => ("分配评审专家", "Assign experts"),
        TodoKind::Application(S::Scored) => ("拟定立项", "Propose for funding"),
        TodoKind::Application(S::Reporting) => ("验收", "Accept the report"),
        TodoKind::Application(_) => ("处理申报", "Act on the application"),
        TodoKind::Score => ("评审打分", "Score the application"),
        TodoKind::Batch(B::Review) => ("审核奖补批次", "Review the batch"),
        TodoKind::Batch(B::Publish) => ("发布公示", "Publish the notice"),
        TodoKind::Batch(B::ResolveObjections) => {
            ("处理公示异议", "Settle objections to the notice")
        }
        TodoKind::Batch(B::Approve) => ("公示期满，审批", "Notice ended: approve"),
        TodoKind::Batch(B::Pay) => ("拨付资金", "Pay"),
        TodoKind::Redeem => ("兑付创新券", "Redeem the voucher"),
    };
    if lang.is_en() {
        en
    } else {
        zh
    }
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
            link("/audit", tr.nav_audit),
        ],
        Role::County => vec![
            link("/entry", tr.nav_entry),
            link("/enterprises", tr.nav_enterprises),
            link("/calls", tr.nav_calls),
        ],
        Role::Enterprise => {
            let mut v = Vec::new();
            if let Some(u) = enterprise {
                v.push((format!("/enterprises/{u}"), tr.my_enterprise));
            }
            v.push(link("/calls", tr.nav_calls));
            v.push(link("/vouchers", tr.nav_vouchers));
            v
        }
        Role::Expert => vec![link("/calls", tr.nav_calls)],
        Role::Admin => vec![
            link("/admin/users", tr.nav_users),
            link("/audit", tr.nav_audit),
        ],
        Role::Bank => vec![],
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
            action: action(t.kind, lang),
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
    };
    render(&page, lang)
}
