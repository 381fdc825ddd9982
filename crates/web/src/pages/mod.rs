//! Server-rendered pages. Each handler builds a plain view model (strings and ready SVG),
//! so templates only lay out what the domain computed.

use crate::auth::Access;
use crate::Route;

pub(crate) mod account;
mod admin;
mod applications;
mod assets;
mod audit;
mod calls;
mod competitions;
mod dashboard;
mod downloads;
mod entry;
mod events;
mod experts;
mod finance;
mod frame;
mod imports;
mod offsite;
mod open_data;
mod pager;
mod patents;
mod plan;
mod portal;
mod programmes;
mod rd;
mod reference;
mod registries;
mod report;
mod second_factor;
mod services;
mod supervision;
mod target;
mod vouchers;
mod workbench;

use assets::{css, favicon, set_lang};
use dashboard::dashboard;
pub(crate) use downloads::{record_export, sheet_download, SheetFormat};
pub(crate) use frame::TodoCounts;
pub(crate) use frame::*;
pub(crate) use imports::ImportJobs;
pub(crate) use pager::{pager, Pager};
use plan::{current_plan, plan_page};
use reference::{api_page, indicators_page};
use target::target_page;

/// `/`: the dashboard, or the portal for visitors not logged in where the deployment chose it.
async fn root(
    st: axum::extract::State<crate::AppState>,
    v: Viewer,
    uri: axum::http::Uri,
    q: axum::extract::Query<dashboard::DashQuery>,
) -> Result<axum::response::Response, PageError> {
    if st.portal_home && v.who.is_none() {
        portal::home(st, v, uri).await
    } else {
        dashboard(st, v, uri, q).await
    }
}

pub(crate) fn routes() -> Vec<Route> {
    use crate::auth::{
        ADMIN, APPLICATION_PARTIES, AUDITORS, BANK, BUREAU, BUREAU_OR_ENTERPRISE, COUNTY,
        ENTERPRISE, ENTERPRISE_READERS, EXPERT, FINANCE_PARTIES, LENDERS, RECOVERERS, STAFF,
        SUPERVISION, UNIT, VOUCHER_HOLDERS,
    };
    use Access::{Account, Public, Roles, Signed};
    vec![
        Route::get("/", Public, root),
        Route::get("/dashboard", Public, dashboard),
        Route::get("/portal", Public, portal::home),
        Route::get("/portal/c/{category}", Public, portal::category),
        Route::get("/portal/c/{category}/feed.atom", Public, portal::feed),
        Route::get("/portal/tags/{tag}", Public, portal::tag),
        Route::get("/portal/search", Public, portal::search),
        Route::get("/portal/articles/{id}", Public, portal::article),
        Route::get("/portal/articles/{id}/qr.svg", Public, portal::qr),
        Route::get("/portal/files/{id}", Public, portal::file),
        Route::get("/portal/manage", Roles(BUREAU), portal::desk),
        Route::get("/portal/manage/new", Roles(BUREAU), portal::new_form),
        Route::post("/portal/manage/new", Roles(BUREAU), portal::create).body_limit(1 << 20),
        Route::get("/portal/manage/{id}", Roles(BUREAU), portal::edit_form),
        Route::post("/portal/manage/{id}", Roles(BUREAU), portal::save).body_limit(1 << 20),
        Route::post("/portal/manage/{id}/files", Roles(BUREAU), portal::upload)
            .body_limit(64 << 20),
        Route::post("/portal/manage/{id}/{action}", Roles(BUREAU), portal::step),
        Route::get(
            "/portal/subscriptions",
            Roles(ENTERPRISE),
            portal::subscriptions,
        ),
        Route::post(
            "/portal/subscriptions",
            Roles(ENTERPRISE),
            portal::subscribe,
        ),
        Route::get("/services", Public, services::services),
        Route::post(
            "/services",
            Roles(BUREAU_OR_ENTERPRISE),
            services::add_offering,
        ),
        Route::post(
            "/services/{id}/requests",
            Roles(ENTERPRISE),
            services::request,
        ),
        Route::post(
            "/services/requests/{id}/{action}",
            Roles(ENTERPRISE),
            services::request_step,
        ),
        Route::get("/instruments", Public, services::instruments),
        Route::post("/instruments", Roles(BUREAU), services::add_instrument),
        Route::post(
            "/instruments/{id}/bookings",
            Roles(ENTERPRISE),
            services::book,
        ),
        Route::post(
            "/instruments/bookings/{id}/{action}",
            Roles(ENTERPRISE),
            services::booking_step,
        ),
        Route::get("/sites", Roles(ENTERPRISE_READERS), offsite::list),
        Route::post("/sites", Roles(ENTERPRISE), offsite::register).body_limit(64 << 20),
        Route::get(
            "/sites/files/{id}",
            Roles(ENTERPRISE_READERS),
            offsite::file,
        ),
        Route::get("/competitions", Public, competitions::list),
        Route::post("/competitions", Roles(BUREAU), competitions::create),
        Route::get("/competitions/{id}", Public, competitions::competition),
        Route::post(
            "/competitions/{id}/entries",
            Roles(BUREAU_OR_ENTERPRISE),
            competitions::enter,
        )
        .body_limit(64 << 20),
        Route::post(
            "/competitions/{id}/{action}",
            Roles(BUREAU),
            competitions::act,
        ),
        Route::get(
            "/competitions/entries/{id}",
            Roles(APPLICATION_PARTIES),
            competitions::entry,
        ),
        Route::post(
            "/competitions/entries/{id}/screen",
            Roles(BUREAU),
            competitions::screen,
        ),
        Route::post(
            "/competitions/entries/{id}/score",
            Roles(EXPERT),
            competitions::score,
        ),
        Route::get(
            "/competitions/entries/{id}/files/{slot}",
            Roles(APPLICATION_PARTIES),
            competitions::file,
        ),
        Route::get("/events", Public, events::list),
        Route::get("/events/new", Roles(BUREAU), events::new_form),
        Route::post("/events/new", Roles(BUREAU), events::create).body_limit(1 << 20),
        Route::get("/events/{id}", Public, events::event),
        Route::get("/events/{id}/edit", Roles(BUREAU), events::edit_form),
        Route::post("/events/{id}/edit", Roles(BUREAU), events::update).body_limit(1 << 20),
        Route::post("/events/{id}/registrations", Public, events::register)
            .body_limit(crate::LOGIN_BODY_LIMIT),
        Route::post(
            "/events/{id}/registrations/{reg}/{action}",
            Roles(BUREAU_OR_ENTERPRISE),
            events::registration_step,
        ),
        Route::post("/events/{id}/outcome", Roles(BUREAU), events::outcome),
        Route::get("/data", Public, open_data::catalogue),
        Route::get("/data/catalog.json", Public, open_data::catalog_json),
        Route::get("/data/{file}", Public, open_data::download),
        Route::get("/plan", Public, current_plan),
        Route::get("/plans/{id}", Public, plan_page),
        Route::get("/plans/{id}/targets/{code}", Public, target_page),
        Route::get("/indicators", Public, indicators_page),
        Route::get("/api", Public, api_page),
        Route::get("/lang/{lang}", Public, set_lang),
        Route::get("/static/app.css", Public, css),
        Route::get("/static/favicon.svg", Public, favicon),
        Route::get("/login", Public, account::login_form),
        Route::post("/login", Public, account::login).body_limit(crate::LOGIN_BODY_LIMIT),
        Route::get("/login/code", Public, second_factor::code_form),
        Route::post("/login/code", Public, second_factor::code).body_limit(crate::LOGIN_BODY_LIMIT),
        Route::post("/logout", Account, account::logout),
        Route::get("/account/password", Account, account::password_form),
        Route::post("/account/password", Account, account::password),
        Route::get(
            "/account/second-factor",
            Account,
            second_factor::second_factor,
        ),
        Route::post("/account/second-factor", Account, second_factor::enrol),
        Route::post(
            "/account/second-factor/recovery-codes",
            Account,
            second_factor::renew_codes,
        ),
        Route::get("/workbench", Signed, workbench::workbench),
        Route::get("/enterprises", Roles(STAFF), registries::enterprises),
        Route::get(
            "/enterprises/{uscc}",
            Roles(ENTERPRISE_READERS),
            registries::enterprise,
        ),
        Route::get(
            "/export/{format}",
            Roles(STAFF),
            registries::enterprises_export,
        ),
        Route::get("/platforms", Roles(STAFF), registries::platforms),
        Route::get(
            "/platforms/export/{format}",
            Roles(STAFF),
            registries::platforms_export,
        ),
        Route::get("/platforms/{id}", Roles(STAFF), registries::platform),
        Route::get("/patents", Roles(STAFF), patents::patents),
        Route::get("/plans/{id}/report", Roles(STAFF), report::page),
        Route::get("/plans/{id}/plan.toml", Roles(STAFF), plan::source),
        Route::post("/plans/{id}/copy", Roles(BUREAU), plan::copy),
        Route::post("/plans/{id}/edit", Roles(BUREAU), plan::edit),
        Route::get("/plans/drafts/{id}", Roles(BUREAU), plan::draft),
        Route::post("/plans/drafts/{id}", Roles(BUREAU), plan::save_draft).body_limit(2 << 20),
        Route::get("/plans/{id}/report/{file}", Roles(STAFF), report::workbook),
        Route::get("/supervision", Roles(SUPERVISION), supervision::current),
        Route::get(
            "/supervision/{plan}",
            Roles(SUPERVISION),
            supervision::board,
        ),
        Route::get(
            "/supervision/{plan}/tasks/{code}",
            Roles(SUPERVISION),
            supervision::task,
        ),
        Route::post(
            "/supervision/{plan}/tasks/{code}/reports",
            Roles(UNIT),
            supervision::report,
        ),
        Route::post(
            "/supervision/{plan}/tasks/{code}/reviews",
            Roles(BUREAU),
            supervision::review,
        ),
        Route::post(
            "/supervision/{plan}/tasks/{code}/reminders",
            Roles(BUREAU),
            supervision::remind,
        ),
        Route::get(
            "/supervision/reminders/{id}",
            Roles(SUPERVISION),
            supervision::reminder,
        ),
        Route::get(
            "/supervision/files/{id}",
            Roles(SUPERVISION),
            supervision::evidence,
        ),
        Route::get("/rd/survey", Roles(ENTERPRISE), rd::own_survey),
        Route::post("/rd/survey", Roles(ENTERPRISE), rd::save_own_survey),
        Route::get("/rd/surveys/{uscc}/{year}", Roles(STAFF), rd::review),
        Route::post("/rd/surveys/{uscc}/{year}", Roles(STAFF), rd::act),
        Route::get("/patents/export/{format}", Roles(STAFF), patents::export),
        Route::get("/entry", Roles(STAFF), entry::overview),
        Route::get("/entry/{region}/{period}", Roles(STAFF), entry::form),
        Route::post("/entry/{region}/{period}", Roles(COUNTY), entry::save),
        Route::post(
            "/entry/{region}/{period}/review",
            Roles(BUREAU),
            entry::review,
        ),
        Route::get("/import", Roles(BUREAU), imports::form),
        Route::post("/import", Roles(BUREAU), imports::upload),
        Route::post("/import/confirm", Roles(BUREAU), imports::confirm),
        Route::get("/import/jobs/{id}", Roles(BUREAU), imports::job),
        Route::get("/import/templates/{file}", Roles(BUREAU), imports::template),
        Route::get("/import/reports/{file}", Roles(BUREAU), imports::report),
        Route::get("/programmes", Roles(AUDITORS), programmes::list),
        Route::get(
            "/programmes/export/{file}",
            Roles(AUDITORS),
            programmes::budgets_export,
        ),
        Route::get("/programmes/{code}", Roles(AUDITORS), programmes::programme),
        Route::get(
            "/programmes/{code}/ledger/{file}",
            Roles(AUDITORS),
            programmes::ledger_export,
        ),
        Route::get(
            "/programmes/{code}/preview/{file}",
            Roles(AUDITORS),
            programmes::preview_export,
        ),
        Route::post(
            "/programmes/{code}/rules",
            Roles(BUREAU),
            programmes::update_rules,
        ),
        Route::post(
            "/programmes/{code}/budgets",
            Roles(BUREAU),
            programmes::set_budget,
        ),
        Route::post(
            "/programmes/{code}/batches",
            Roles(BUREAU),
            programmes::commit,
        ),
        Route::get("/batches/{id}", Roles(AUDITORS), programmes::batch),
        Route::post("/batches/{id}/steps", Roles(BUREAU), programmes::step),
        Route::post(
            "/batches/{id}/objections/dismissals",
            Roles(BUREAU),
            programmes::dismiss_objections,
        ),
        Route::post(
            "/batches/{id}/objections/{objection}",
            Roles(BUREAU),
            programmes::resolve_objection,
        ),
        Route::get(
            "/batches/{id}/export/{file}",
            Roles(AUDITORS),
            programmes::export,
        ),
        Route::get("/calls", Roles(APPLICATION_PARTIES), calls::calls),
        Route::post("/calls", Roles(BUREAU), calls::create_call),
        Route::get("/calls/export/{file}", Roles(STAFF), calls::calls_export),
        Route::get("/calls/{id}", Roles(ENTERPRISE_READERS), calls::call),
        Route::post("/calls/{id}/guide", Roles(BUREAU), calls::set_guide),
        Route::get(
            "/calls/{id}/export/{file}",
            Roles(STAFF),
            calls::applications_export,
        ),
        Route::post("/calls/{id}/files", Roles(BUREAU), calls::add_guide_file),
        Route::get(
            "/calls/{id}/files/{file}",
            Roles(ENTERPRISE_READERS),
            calls::guide_file,
        ),
        Route::post("/calls/{id}/apply", Roles(ENTERPRISE), calls::apply),
        Route::post("/calls/{id}/proposal", Roles(BUREAU), calls::proposal),
        Route::get(
            "/applications/{id}",
            Roles(APPLICATION_PARTIES),
            applications::application,
        ),
        Route::post("/applications/{id}", Roles(ENTERPRISE), applications::save),
        Route::post(
            "/applications/{id}/delete",
            Roles(ENTERPRISE),
            applications::delete_draft,
        ),
        Route::post(
            "/applications/{id}/steps",
            Roles(APPLICATION_PARTIES),
            applications::step,
        ),
        Route::post(
            "/applications/{id}/scores",
            Roles(EXPERT),
            applications::score,
        ),
        Route::get(
            "/applications/{id}/files/{slot}",
            Roles(APPLICATION_PARTIES),
            applications::file,
        ),
        Route::get("/experts", Roles(BUREAU), experts::experts),
        Route::get("/experts/export/{file}", Roles(BUREAU), experts::export),
        Route::post("/experts", Roles(BUREAU), experts::save_expert),
        Route::get("/vouchers", Roles(VOUCHER_HOLDERS), vouchers::vouchers),
        Route::get(
            "/vouchers/export/{file}",
            Roles(VOUCHER_HOLDERS),
            vouchers::export,
        ),
        Route::post("/vouchers/issue", Roles(BUREAU), vouchers::issue),
        Route::post("/vouchers/providers", Roles(BUREAU), vouchers::add_provider),
        Route::post(
            "/vouchers/{id}/redeem",
            Roles(VOUCHER_HOLDERS),
            vouchers::redeem,
        ),
        Route::get("/rd", Roles(STAFF), rd::coverage),
        Route::get("/rd/export/{file}", Roles(STAFF), rd::export),
        Route::get("/finance", Roles(LENDERS), finance::overview),
        Route::post("/finance/banks", Roles(BUREAU), finance::add_bank),
        Route::post("/finance/reserve", Roles(BUREAU), finance::contribute),
        Route::get("/finance/pool", Roles(FINANCE_PARTIES), finance::pool),
        Route::post("/finance/pool", Roles(ENTERPRISE), finance::apply),
        Route::post("/finance/pool/rule", Roles(BUREAU), finance::set_rule),
        Route::post(
            "/finance/pool/members/{id}/end",
            Roles(BUREAU),
            finance::end_membership,
        ),
        Route::post("/finance/pool/{id}/steps", Roles(STAFF), finance::pool_step),
        Route::get("/finance/loans", Roles(LENDERS), finance::loans),
        Route::post("/finance/loans", Roles(RECOVERERS), finance::upload),
        Route::get(
            "/finance/loans/template.xlsx",
            Roles(RECOVERERS),
            finance::loan_template,
        ),
        Route::get(
            "/finance/loans/export/{file}",
            Roles(LENDERS),
            finance::export,
        ),
        Route::get(
            "/finance/loans/{contract_no}",
            Roles(LENDERS),
            finance::loan,
        ),
        Route::post(
            "/finance/loans/{contract_no}/claim",
            Roles(BANK),
            finance::claim,
        ),
        Route::get("/finance/claims", Roles(LENDERS), finance::claims),
        Route::post(
            "/finance/claims/{id}/steps",
            Roles(BUREAU),
            finance::claim_step,
        ),
        Route::post(
            "/finance/claims/{id}/recoveries",
            Roles(RECOVERERS),
            finance::recover,
        ),
        Route::get("/finance/seed", Roles(STAFF), finance::seed),
        Route::post("/finance/seed/funds", Roles(BUREAU), finance::add_fund),
        Route::post("/finance/seed/investments", Roles(BUREAU), finance::invest),
        Route::post(
            "/finance/seed/investments/{id}/exit",
            Roles(BUREAU),
            finance::exit,
        ),
        Route::get("/notices", Public, programmes::notices),
        Route::get("/notices/{id}", Public, programmes::notice),
        Route::post("/notices/{id}/objections", Public, programmes::object),
        Route::get("/admin/users", Roles(ADMIN), admin::users),
        Route::get(
            "/admin/users/export/{file}",
            Roles(ADMIN),
            admin::users_export,
        ),
        Route::post("/admin/users", Roles(ADMIN), admin::create_user),
        Route::post(
            "/admin/users/{username}/{action}",
            Roles(ADMIN),
            admin::user_action,
        ),
        Route::post(
            "/admin/second-factor",
            Roles(ADMIN),
            admin::set_second_factor_roles,
        ),
        Route::get("/audit", Roles(AUDITORS), audit::audit),
        Route::get(
            "/audit/export/{format}",
            Roles(AUDITORS),
            audit::audit_export,
        ),
    ]
}
