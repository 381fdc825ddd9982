//! The JSON API under `/api/v1`. Every route is documented by the OpenAPI document that
//! `crate::openapi` generates from these handlers' request and response types.

use crate::auth::{self, Access};
use crate::Route;

pub(crate) mod account;
pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod competitions;
pub(crate) mod entry;
pub(crate) mod events;
pub(crate) mod finance;
pub(crate) mod imports;
pub(crate) mod offsite;
pub(crate) mod patents;
pub(crate) mod plans;
pub(crate) mod portal;
pub(crate) mod programmes;
pub(crate) mod rd;
pub(crate) mod registries;
pub(crate) mod second_factor;
pub(crate) mod services;
pub(crate) mod supervision;
pub(crate) mod vouchers;
pub(crate) mod workbench;

pub(crate) use registries::{EnterpriseQuery, PlatformQuery};

/// A JSON value as the text a form field would hold — strings as they are, null as blank,
/// numbers as JSON writes them — so the service reads a client's value as it reads a page's.
pub(crate) fn as_typed(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The as-of date an API client sends: omitted means today, as on the pages; sent empty is
/// a mistake the client should hear about rather than a silent "today".
pub(crate) fn as_of(raw: Option<&str>) -> Result<chrono::NaiveDate, crate::error::AppError> {
    match raw {
        Some(s) if s.trim().is_empty() => Err(crate::error::AppError::invalid(
            kechuang_service::progress::ProgressProblem::InvalidDate { raw: s.to_owned() },
        )),
        other => kechuang_service::progress::parse_as_of(other),
    }
}

/// A year in a query, within the years any record can have (1949–2200, as the document
/// states), by the one rule pages and the command line use.
pub(crate) fn year(raw: i32) -> Result<i32, crate::error::AppError> {
    kechuang_service::programmes::parse_year(&raw.to_string())
}

/// A date in a request body: absent is "not set"; sent, it must be a date, as the document's
/// `format: date` says (a blank one is refused rather than read as not set).
pub(crate) fn sent_day(
    field: &'static str,
    raw: Option<String>,
) -> Result<String, crate::error::AppError> {
    match raw {
        None => Ok(String::new()),
        Some(s) => kechuang_service::clock::parse_day(field, &s).map(|d| d.to_string()),
    }
}

/// The as-of date of a plan's figures: as [`as_of`], except that an omitted date is the
/// plan's last day once it has ended (its final assessment), as on the pages; with the
/// generations and plans now, to load the plan at ([`kechuang_service::progress::Current`]).
pub(crate) async fn plan_at(
    st: &crate::AppState,
    plan_id: i64,
    raw: Option<&str>,
) -> Result<(kechuang_service::progress::Current, chrono::NaiveDate), crate::error::AppError> {
    as_of(raw)?;
    let now = st.progress.current(&st.store).await?;
    let date = now.as_of(plan_id, raw)?.date;
    Ok((now, date))
}

pub(crate) fn routes() -> Vec<Route> {
    use Access::{Account, Public, Roles, Signed};
    vec![
        Route::get("/healthz", Public, plans::healthz),
        Route::get("/api/v1/openapi.json", Public, crate::openapi::serve),
        Route::get("/api/v1/regions", Public, plans::regions),
        Route::get("/api/v1/plans", Public, plans::plans),
        Route::get("/api/v1/plans/{id}", Public, plans::plan),
        Route::get("/api/v1/plans/{id}/targets", Public, plans::targets),
        Route::get(
            "/api/v1/plans/{id}/targets/{code}/records",
            Roles(auth::STAFF),
            plans::target_records,
        ),
        Route::get("/api/v1/indicators", Public, plans::indicators),
        Route::get(
            "/api/v1/indicators/{code}/observations",
            Roles(auth::STAFF),
            plans::observations,
        ),
        Route::get(
            "/api/v1/enterprises",
            Roles(auth::STAFF),
            registries::enterprises,
        ),
        Route::get(
            "/api/v1/enterprises/{uscc}",
            Roles(auth::ENTERPRISE_READERS),
            registries::enterprise,
        ),
        Route::get(
            "/api/v1/platforms",
            Roles(auth::STAFF),
            registries::platforms,
        ),
        Route::get("/api/v1/patents", Roles(auth::STAFF), patents::patents),
        Route::post(
            "/api/v1/imports/{kind}",
            Roles(auth::BUREAU),
            imports::import,
        ),
        Route::post(
            "/api/v1/imports/held/{id}",
            Roles(auth::BUREAU),
            imports::commit_held,
        ),
        Route::get(
            "/api/v1/programmes",
            Roles(auth::AUDITORS),
            programmes::list,
        ),
        Route::get(
            "/api/v1/programmes/{code}/preview",
            Roles(auth::AUDITORS),
            programmes::preview,
        ),
        Route::put(
            "/api/v1/programmes/{code}/rules",
            Roles(auth::BUREAU),
            programmes::set_rules,
        ),
        Route::put(
            "/api/v1/programmes/{code}/budgets/{year}",
            Roles(auth::BUREAU),
            programmes::set_budget,
        ),
        Route::post(
            "/api/v1/programmes/{code}/batches",
            Roles(auth::BUREAU),
            programmes::commit,
        ),
        Route::get(
            "/api/v1/batches/{id}",
            Roles(auth::AUDITORS),
            programmes::batch,
        ),
        Route::post(
            "/api/v1/batches/{id}/steps",
            Roles(auth::BUREAU),
            programmes::step,
        ),
        Route::post(
            "/api/v1/batches/{id}/objections/dismissals",
            Roles(auth::BUREAU),
            programmes::dismiss,
        ),
        Route::post(
            "/api/v1/batches/{id}/objections/{objection}",
            Roles(auth::BUREAU),
            programmes::settle,
        ),
        Route::post(
            "/api/v1/notices/{id}/objections",
            Public,
            programmes::object,
        ),
        Route::get(
            "/api/v1/calls",
            Roles(auth::APPLICATION_PARTIES),
            applications::calls,
        ),
        Route::post(
            "/api/v1/calls",
            Roles(auth::BUREAU),
            applications::create_call,
        ),
        Route::get(
            "/api/v1/calls/{id}",
            Roles(auth::ENTERPRISE_READERS),
            applications::call,
        ),
        Route::put(
            "/api/v1/calls/{id}/guide",
            Roles(auth::BUREAU),
            applications::put_guide,
        ),
        Route::put(
            "/api/v1/calls/{id}/files",
            Roles(auth::BUREAU),
            applications::put_guide_file,
        ),
        Route::get(
            "/api/v1/calls/{id}/files/{file}",
            Roles(auth::ENTERPRISE_READERS),
            applications::get_guide_file,
        ),
        Route::post(
            "/api/v1/calls/{id}/applications",
            Roles(auth::ENTERPRISE),
            applications::apply,
        ),
        Route::post(
            "/api/v1/calls/{id}/proposal",
            Roles(auth::BUREAU),
            applications::propose,
        ),
        Route::get(
            "/api/v1/applications/{id}",
            Roles(auth::APPLICATION_PARTIES),
            applications::application,
        ),
        Route::delete(
            "/api/v1/applications/{id}",
            Roles(auth::ENTERPRISE),
            applications::delete_draft,
        ),
        Route::put(
            "/api/v1/applications/{id}/answers",
            Roles(auth::ENTERPRISE),
            applications::answers,
        ),
        Route::put(
            "/api/v1/applications/{id}/files/{slot}",
            Roles(auth::ENTERPRISE),
            applications::put_file,
        ),
        Route::get(
            "/api/v1/applications/{id}/files/{slot}",
            Roles(auth::APPLICATION_PARTIES),
            applications::get_file,
        ),
        Route::post(
            "/api/v1/applications/{id}/steps",
            Roles(auth::APPLICATION_PARTIES),
            applications::step,
        ),
        Route::put(
            "/api/v1/applications/{id}/scores",
            Roles(auth::EXPERT),
            applications::score,
        ),
        Route::get(
            "/api/v1/experts",
            Roles(auth::BUREAU),
            applications::experts,
        ),
        Route::put(
            "/api/v1/experts",
            Roles(auth::BUREAU),
            applications::save_expert,
        ),
        Route::get(
            "/api/v1/vouchers",
            Roles(auth::VOUCHER_HOLDERS),
            vouchers::list,
        ),
        Route::post(
            "/api/v1/vouchers/issue",
            Roles(auth::BUREAU),
            vouchers::issue,
        ),
        Route::post(
            "/api/v1/vouchers/{id}/redemption",
            Roles(auth::VOUCHER_HOLDERS),
            vouchers::redeem,
        ),
        Route::get(
            "/api/v1/providers",
            Roles(auth::VOUCHER_HOLDERS),
            vouchers::providers,
        ),
        Route::post(
            "/api/v1/providers",
            Roles(auth::BUREAU),
            vouchers::add_provider,
        ),
        Route::get(
            "/api/v1/entry/{region}/{period}",
            Roles(auth::STAFF),
            entry::sheet,
        ),
        Route::put(
            "/api/v1/entry/{region}/{period}",
            Roles(auth::COUNTY),
            entry::save,
        ),
        Route::post(
            "/api/v1/entry/{region}/{period}/review",
            Roles(auth::BUREAU),
            entry::review,
        ),
        Route::get("/api/v1/audit", Roles(auth::AUDITORS), audit::entries),
        Route::get("/api/v1/audit/verify", Roles(auth::AUDITORS), audit::verify),
        Route::get("/api/v1/notices", Public, programmes::notices),
        Route::get("/api/v1/grants", Public, programmes::grants),
        Route::post("/api/v1/session", Public, account::login).body_limit(crate::LOGIN_BODY_LIMIT),
        Route::delete("/api/v1/session", Account, account::logout),
        Route::get("/api/v1/me", Account, account::me),
        Route::put("/api/v1/me/password", Account, account::change_password),
        Route::post("/api/v1/me/second-factor", Account, second_factor::begin),
        Route::put("/api/v1/me/second-factor", Account, second_factor::confirm),
        Route::post(
            "/api/v1/me/second-factor/recovery-codes",
            Account,
            second_factor::renew,
        ),
        Route::get(
            "/api/v1/second-factor/roles",
            Roles(auth::ADMIN),
            second_factor::roles,
        ),
        Route::put(
            "/api/v1/second-factor/roles",
            Roles(auth::ADMIN),
            second_factor::set_roles,
        ),
        Route::delete(
            "/api/v1/users/{username}/second-factor",
            Roles(auth::ADMIN),
            second_factor::reset,
        ),
        Route::get(
            "/api/v1/finance/banks",
            Roles(auth::FINANCE_PARTIES),
            finance::banks,
        ),
        Route::post(
            "/api/v1/finance/banks",
            Roles(auth::BUREAU),
            finance::add_bank,
        ),
        Route::post(
            "/api/v1/finance/banks/{id}/agreements",
            Roles(auth::BUREAU),
            finance::add_agreement,
        ),
        Route::get(
            "/api/v1/finance/reserve",
            Roles(auth::STAFF),
            finance::reserve,
        ),
        Route::post(
            "/api/v1/finance/reserve/contributions",
            Roles(auth::BUREAU),
            finance::contribute,
        ),
        Route::get(
            "/api/v1/finance/pool",
            Roles(auth::FINANCE_PARTIES),
            finance::pool,
        ),
        Route::post(
            "/api/v1/finance/pool/applications",
            Roles(auth::ENTERPRISE),
            finance::apply,
        ),
        Route::post(
            "/api/v1/finance/pool/applications/{id}/steps",
            Roles(auth::STAFF),
            finance::pool_step,
        ),
        Route::post(
            "/api/v1/finance/pool/members/{id}/end",
            Roles(auth::BUREAU),
            finance::end_membership,
        ),
        Route::post(
            "/api/v1/finance/seed/investments/{id}/exit",
            Roles(auth::BUREAU),
            finance::exit,
        ),
        Route::post(
            "/api/v1/finance/loans/files",
            Roles(auth::RECOVERERS),
            finance::loan_file,
        ),
        Route::get(
            "/api/v1/finance/loans",
            Roles(auth::LENDERS),
            finance::loans,
        ),
        Route::get(
            "/api/v1/finance/loans/{contract_no}",
            Roles(auth::LENDERS),
            finance::loan,
        ),
        Route::post(
            "/api/v1/finance/loans/{contract_no}/claims",
            Roles(auth::BANK),
            finance::claim,
        ),
        Route::get(
            "/api/v1/finance/claims",
            Roles(auth::LENDERS),
            finance::claims,
        ),
        Route::post(
            "/api/v1/finance/claims/{id}/steps",
            Roles(auth::BUREAU),
            finance::claim_step,
        ),
        Route::post(
            "/api/v1/finance/claims/{id}/recoveries",
            Roles(auth::RECOVERERS),
            finance::recover,
        ),
        Route::get(
            "/api/v1/finance/report",
            Roles(auth::LENDERS),
            finance::report,
        ),
        Route::get("/api/v1/finance/seed", Roles(auth::STAFF), finance::seed),
        Route::post(
            "/api/v1/finance/seed/funds",
            Roles(auth::BUREAU),
            finance::add_fund,
        ),
        Route::post(
            "/api/v1/finance/seed/investments",
            Roles(auth::BUREAU),
            finance::invest,
        ),
        Route::get("/api/v1/rd/coverage", Roles(auth::STAFF), rd::coverage),
        Route::get("/api/v1/rd/trainings", Roles(auth::STAFF), rd::trainings),
        Route::get("/api/v1/rd/survey", Roles(auth::ENTERPRISE), rd::own_survey),
        Route::put(
            "/api/v1/rd/survey",
            Roles(auth::ENTERPRISE),
            rd::save_own_survey,
        ),
        Route::get(
            "/api/v1/rd/surveys/{uscc}/{year}",
            Roles(auth::ENTERPRISE_READERS),
            rd::survey,
        ),
        Route::post(
            "/api/v1/rd/surveys/{uscc}/{year}/{action}",
            Roles(auth::STAFF),
            rd::step,
        ),
        Route::get("/api/v1/units", Public, supervision::units),
        Route::get("/api/v1/article-categories", Public, portal::categories),
        Route::get("/api/v1/articles", Public, portal::list),
        Route::post("/api/v1/articles", Roles(auth::BUREAU), portal::create).body_limit(1 << 20),
        Route::get("/api/v1/article-desk", Roles(auth::BUREAU), portal::desk),
        Route::get("/api/v1/articles/{id}", Public, portal::article),
        Route::put("/api/v1/articles/{id}", Roles(auth::BUREAU), portal::save).body_limit(1 << 20),
        Route::get(
            "/api/v1/articles/{id}/revisions",
            Roles(auth::BUREAU),
            portal::revisions,
        ),
        Route::post(
            "/api/v1/articles/{id}/files",
            Roles(auth::BUREAU),
            portal::add_file,
        )
        .body_limit(24 << 20),
        Route::post(
            "/api/v1/articles/{id}/{action}",
            Roles(auth::BUREAU),
            portal::step,
        ),
        Route::get(
            "/api/v1/subscriptions",
            Roles(auth::ENTERPRISE),
            portal::subscriptions,
        ),
        Route::put(
            "/api/v1/subscriptions",
            Roles(auth::ENTERPRISE),
            portal::subscribe,
        ),
        Route::get("/api/v1/competitions", Public, competitions::list),
        Route::post(
            "/api/v1/competitions",
            Roles(auth::BUREAU),
            competitions::create,
        ),
        Route::get(
            "/api/v1/competitions/{id}",
            Public,
            competitions::competition,
        ),
        Route::get(
            "/api/v1/competitions/{id}/entries",
            Roles(auth::APPLICATION_PARTIES),
            competitions::entries,
        ),
        Route::post(
            "/api/v1/competitions/{id}/entries",
            Roles(auth::BUREAU_OR_ENTERPRISE),
            competitions::enter,
        ),
        Route::post(
            "/api/v1/competitions/{id}/rounds",
            Roles(auth::BUREAU),
            competitions::open_round,
        ),
        Route::post(
            "/api/v1/competitions/{id}/close-round",
            Roles(auth::BUREAU),
            competitions::close_round,
        ),
        Route::post(
            "/api/v1/competitions/{id}/publish",
            Roles(auth::BUREAU),
            competitions::publish,
        ),
        Route::post(
            "/api/v1/competitions/{id}/prizes",
            Roles(auth::BUREAU),
            competitions::award,
        ),
        Route::get(
            "/api/v1/competition-rounds/{id}",
            Roles(auth::BUREAU),
            competitions::round,
        ),
        Route::get(
            "/api/v1/competition-entries/{id}",
            Roles(auth::APPLICATION_PARTIES),
            competitions::entry,
        ),
        Route::post(
            "/api/v1/competition-entries/{id}/files",
            Roles(auth::BUREAU_OR_ENTERPRISE),
            competitions::add_file,
        )
        .body_limit(24 << 20),
        Route::get(
            "/api/v1/competition-entries/{id}/files/{slot}",
            Roles(auth::APPLICATION_PARTIES),
            competitions::file,
        ),
        Route::post(
            "/api/v1/competition-entries/{id}/screening",
            Roles(auth::BUREAU),
            competitions::screen,
        ),
        Route::post(
            "/api/v1/competition-entries/{id}/scores",
            Roles(auth::EXPERT),
            competitions::score,
        ),
        Route::get("/api/v1/services", Public, services::catalogue),
        Route::post(
            "/api/v1/services",
            Roles(auth::BUREAU_OR_ENTERPRISE),
            services::add_offering,
        ),
        Route::post(
            "/api/v1/services/{id}/requests",
            Roles(auth::ENTERPRISE),
            services::request,
        ),
        Route::get(
            "/api/v1/service-requests",
            Roles(auth::ENTERPRISE_READERS),
            services::requests,
        ),
        Route::post(
            "/api/v1/service-requests/{id}/{action}",
            Roles(auth::ENTERPRISE),
            services::request_step,
        ),
        Route::get("/api/v1/instruments", Public, services::instruments),
        Route::post(
            "/api/v1/instruments",
            Roles(auth::BUREAU),
            services::add_instrument,
        ),
        Route::post(
            "/api/v1/instruments/{id}/bookings",
            Roles(auth::ENTERPRISE),
            services::book,
        ),
        Route::get(
            "/api/v1/instrument-bookings",
            Roles(auth::ENTERPRISE_READERS),
            services::bookings,
        ),
        Route::post(
            "/api/v1/instrument-bookings/{id}/{action}",
            Roles(auth::ENTERPRISE),
            services::booking_step,
        ),
        Route::get("/api/v1/service-counts", Public, services::counts),
        Route::get(
            "/api/v1/sites",
            Roles(auth::ENTERPRISE_READERS),
            offsite::list,
        ),
        Route::post("/api/v1/sites", Roles(auth::ENTERPRISE), offsite::register),
        Route::get(
            "/api/v1/sites/{id}",
            Roles(auth::ENTERPRISE_READERS),
            offsite::site,
        ),
        Route::post(
            "/api/v1/sites/{id}/files",
            Roles(auth::ENTERPRISE),
            offsite::add_file,
        )
        .body_limit(21 << 20),
        Route::get(
            "/api/v1/site-files/{id}",
            Roles(auth::ENTERPRISE_READERS),
            offsite::file,
        ),
        Route::get("/api/v1/events", Public, events::list),
        Route::post("/api/v1/events", Roles(auth::BUREAU), events::create).body_limit(1 << 20),
        Route::get("/api/v1/events/{id}", Public, events::event),
        Route::put("/api/v1/events/{id}", Roles(auth::BUREAU), events::update).body_limit(1 << 20),
        Route::post(
            "/api/v1/events/{id}/registrations",
            Public,
            events::register,
        )
        .body_limit(crate::LOGIN_BODY_LIMIT),
        Route::get(
            "/api/v1/events/{id}/registrations",
            Roles(auth::BUREAU),
            events::registrations,
        ),
        Route::post(
            "/api/v1/events/{id}/outcome",
            Roles(auth::BUREAU),
            events::outcome,
        ),
        Route::post(
            "/api/v1/event-registrations/{id}/cancel",
            Roles(auth::BUREAU_OR_ENTERPRISE),
            events::cancel,
        ),
        Route::post(
            "/api/v1/event-registrations/{id}/check-in",
            Roles(auth::BUREAU),
            events::check_in,
        ),
        Route::get("/api/v1/open-data", Public, portal::open_data),
        Route::get("/api/v1/open-data/{set}", Public, portal::open_data_set),
        Route::get(
            "/api/v1/plans/{id}/revisions",
            Roles(auth::STAFF),
            plans::revisions,
        ),
        Route::get(
            "/api/v1/plans/{id}/source",
            Roles(auth::STAFF),
            plans::source,
        ),
        Route::post(
            "/api/v1/plans/{id}/drafts",
            Roles(auth::BUREAU),
            plans::start_draft,
        ),
        Route::get(
            "/api/v1/plan-drafts/{id}",
            Roles(auth::BUREAU),
            plans::draft,
        ),
        Route::put(
            "/api/v1/plan-drafts/{id}",
            Roles(auth::BUREAU),
            plans::save_draft,
        )
        .body_limit(4 << 20),
        Route::post(
            "/api/v1/plan-drafts/{id}/publish",
            Roles(auth::BUREAU),
            plans::publish,
        ),
        Route::get(
            "/api/v1/plans/{id}/tasks",
            Roles(auth::SUPERVISION),
            supervision::board,
        ),
        Route::get(
            "/api/v1/plans/{id}/tasks/{code}",
            Roles(auth::SUPERVISION),
            supervision::task,
        ),
        Route::put(
            "/api/v1/plans/{id}/tasks/{code}/reports/{period}",
            Roles(auth::UNIT),
            supervision::save_report,
        ),
        Route::post(
            "/api/v1/plans/{id}/tasks/{code}/reports/{period}/files",
            Roles(auth::UNIT),
            supervision::add_file,
        ),
        Route::post(
            "/api/v1/plans/{id}/tasks/{code}/units/{unit}/reports/{period}/review",
            Roles(auth::BUREAU),
            supervision::review,
        ),
        Route::post(
            "/api/v1/plans/{id}/tasks/{code}/units/{unit}/reports/{period}/reminders",
            Roles(auth::BUREAU),
            supervision::remind,
        ),
        Route::get(
            "/api/v1/reminders/{id}",
            Roles(auth::SUPERVISION),
            supervision::reminder,
        ),
        Route::get(
            "/api/v1/task-files/{id}",
            Roles(auth::SUPERVISION),
            supervision::file,
        ),
        Route::get("/api/v1/workbench", Signed, workbench::workbench),
        Route::get("/api/v1/tokens", Signed, account::tokens),
        Route::post("/api/v1/tokens", Signed, account::create_token),
        Route::delete("/api/v1/tokens/{id}", Signed, account::revoke_token),
    ]
}

/// A page number or size as asked for, within its bounds; out of them is refused rather than
/// quietly changed, so a client learns what it will get.
pub(crate) fn paging(
    field: &'static str,
    raw: Option<u32>,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, crate::error::AppError> {
    match raw {
        None => Ok(default),
        Some(v) if (min..=max).contains(&v) => Ok(v),
        Some(v) => Err(crate::error::AppError::invalid(
            crate::error::RequestProblem::OutOfRange {
                field,
                raw: v,
                min,
                max,
            },
        )),
    }
}
