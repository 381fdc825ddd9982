//! The workbench over JSON: what waits for the caller.

use crate::auth::Caller;
use crate::error::{api_lang, ApiError};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Todo {
    /// What is to be done, stable: review_return, send_return, resend_return,
    /// submit_application, revise_application, report_application, county_review,
    /// bureau_review, assign_experts, propose_funding, accept_report, score_application,
    /// review_batch, publish_batch, resolve_objections, approve_batch, pay_batch,
    /// redeem_voucher.
    kind: &'static str,
    /// The same, in the language of `Accept-Language`.
    action: &'static str,
    /// What it is about: an application's title, a batch's programme and year, a period, a
    /// voucher's code.
    subject: String,
    /// Whose it is: the enterprise or the county.
    whose: String,
    /// The page where it is done.
    link: String,
    #[schema(format = Date)]
    due: Option<String>,
    overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Workbench {
    /// Overdue first, then by due date.
    items: Vec<Todo>,
}

/// What waits for the caller, each with the page where it is done.
#[utoipa::path(get, path = "/api/v1/workbench", tag = "accounts",
    responses((status = 200, description = "The caller's to-do list", body = Workbench)))]
pub async fn workbench(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
) -> Result<Json<Workbench>, ApiError> {
    let lang = match api_lang(&headers) {
        kechuang_domain::problem::Lang::En => crate::i18n::Lang::En,
        kechuang_domain::problem::Lang::Zh => crate::i18n::Lang::Zh,
    };
    let w = kechuang_service::workbench::workbench(&st.store, &who).await?;
    Ok(Json(Workbench {
        items: w
            .todos
            .into_iter()
            .map(|t| Todo {
                kind: t.kind.code(),
                action: crate::i18n::todo_action(t.kind, lang),
                subject: t.subject,
                whose: t.whose,
                link: t.link,
                due: t.due.map(|d| d.to_string()),
                overdue: t.overdue,
            })
            .collect(),
    }))
}
