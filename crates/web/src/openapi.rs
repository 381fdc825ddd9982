//! The OpenAPI document, generated from the API handlers' annotations and their request and
//! response types, and served at `/api/v1/openapi.json`.
//!
//! What every operation shares is added from the router itself rather than written per
//! handler: the error answers each can give (from its route's access rule, its parameters and
//! its method) and the credentials it needs. The integration suite (`it`, `api.rs`) holds the
//! served document against the route table both ways, and against the committed
//! `openapi.json`, so a change to the API shows in review.

use crate::api::{
    account, applications, audit, competitions, entry, events, finance, imports, offsite, patents,
    plans, portal, programmes, rd, registries, second_factor, services, supervision, vouchers,
    workbench,
};
use crate::auth::Access;
use axum::http::{header, Method};
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kechuang API",
        version = "1",
        description = "科创 — the S&T bureau's action plan, registries, funding programmes and \
                       accounts. Numbers are computed from records on every request. Errors are \
                       `{\"error\": {\"code\", \"message\", \"details\"}}`, the message in the \
                       language of `Accept-Language`. A request that cannot be read as this \
                       document describes it (not JSON, a field missing or of the wrong type) \
                       is answered 400; one that is read but refused by a rule (a blank name, \
                       a value past its range, a date range the wrong way round, a wrong \
                       code), 422 with the rule's code; one the record's state does not allow \
                       now, 409."
    ),
    paths(
        plans::healthz,
        serve,
        plans::regions,
        plans::plans,
        plans::plan,
        plans::targets,
        plans::target_records,
        plans::indicators,
        plans::observations,
        registries::enterprises,
        registries::enterprise,
        registries::platforms,
        patents::patents,
        imports::import,
        imports::commit_held,
        programmes::list,
        programmes::preview,
        programmes::set_rules,
        programmes::object,
        programmes::settle,
        programmes::dismiss,
        programmes::set_budget,
        programmes::commit,
        programmes::batch,
        programmes::step,
        programmes::notices,
        programmes::grants,
        applications::calls,
        applications::create_call,
        applications::call,
        applications::put_guide,
        applications::put_guide_file,
        applications::get_guide_file,
        applications::apply,
        applications::propose,
        applications::application,
        applications::delete_draft,
        applications::answers,
        applications::put_file,
        applications::get_file,
        applications::step,
        applications::score,
        applications::experts,
        applications::save_expert,
        entry::sheet,
        entry::save,
        entry::review,
        audit::entries,
        audit::verify,
        vouchers::list,
        vouchers::issue,
        vouchers::redeem,
        vouchers::providers,
        vouchers::add_provider,
        finance::banks,
        finance::add_bank,
        finance::add_agreement,
        finance::reserve,
        finance::contribute,
        finance::pool,
        finance::apply,
        finance::pool_step,
        finance::loans,
        finance::loan,
        finance::claim,
        finance::claims,
        finance::claim_step,
        finance::recover,
        finance::report,
        finance::seed,
        finance::add_fund,
        finance::invest,
        finance::end_membership,
        finance::loan_file,
        rd::coverage,
        rd::trainings,
        rd::own_survey,
        rd::save_own_survey,
        rd::survey,
        rd::step,
        supervision::units,
        portal::categories,
        portal::list,
        portal::desk,
        portal::article,
        portal::create,
        portal::save,
        portal::step,
        portal::add_file,
        portal::revisions,
        portal::subscriptions,
        portal::subscribe,
        portal::open_data,
        portal::open_data_set,
        competitions::list,
        competitions::create,
        competitions::competition,
        competitions::entries,
        competitions::enter,
        competitions::open_round,
        competitions::close_round,
        competitions::publish,
        competitions::award,
        competitions::round,
        competitions::entry,
        competitions::add_file,
        competitions::file,
        competitions::screen,
        competitions::score,
        services::catalogue,
        services::add_offering,
        services::request,
        services::requests,
        services::request_step,
        services::instruments,
        services::add_instrument,
        services::book,
        services::bookings,
        services::booking_step,
        services::counts,
        offsite::list,
        offsite::register,
        offsite::site,
        offsite::add_file,
        offsite::file,
        events::list,
        events::event,
        events::create,
        events::update,
        events::register,
        events::registrations,
        events::outcome,
        events::cancel,
        events::check_in,
        plans::revisions,
        plans::source,
        plans::start_draft,
        plans::draft,
        plans::save_draft,
        plans::publish,
        supervision::board,
        supervision::task,
        supervision::save_report,
        supervision::add_file,
        supervision::file,
        supervision::review,
        supervision::remind,
        supervision::reminder,
        finance::exit,
        account::login,
        account::logout,
        account::me,
        account::change_password,
        account::tokens,
        account::create_token,
        account::revoke_token,
        second_factor::begin,
        second_factor::confirm,
        second_factor::renew,
        second_factor::roles,
        second_factor::set_roles,
        second_factor::reset,
        workbench::workbench,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Conventions),
    tags(
        (name = "meta", description = "The server and this document"),
        (name = "plans", description = "Plans, targets and their progress, indicators, regions"),
        (name = "registries", description = "Enterprises, certificates, platforms, patents and imports"),
        (name = "programmes", description = "Funding programmes, budgets, batches, notices, grants"),
        (name = "applications", description = "Calls, applications from draft to acceptance, expert review, the expert pool"),
        (name = "entry", description = "Counties' yearly figures and the bureau's review"),
        (name = "vouchers", description = "Innovation vouchers, their providers and redemption"),
        (name = "rd", description = "R&D statistics: the enterprise survey and who should report"),
        (name = "supervision", description = "Task supervision: responsible units, tasks, progress reports, reminders"),
        (name = "events", description = "Events: the competition, the forum, training, outreach, matchmaking; registration, check-in, outcome"),
        (name = "services", description = "The SME service platform: the catalogue, requests, ratings, vouchers against services, shared instruments and bookings"),
        (name = "portal", description = "The public portal: articles, review and publication, subscriptions, open data"),
        (name = "finance", description = "Tech finance: partner banks, the credit risk reserve, pool entry, loans, compensation, the seed fund"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "accounts", description = "Sessions, the caller's account, its second factor and API tokens"),
    )
)]
struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object)))]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

/// Adds what every operation shares, from the router's own table.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from POST /api/v1/tokens or `kechuang token create`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Set by POST /api/v1/session; state-changing requests also need the \
                 X-CSRF-Token header.",
            ))),
        );
        let table = crate::route_table();
        for (path, item) in api.paths.paths.iter_mut() {
            for (method, op) in [
                (Method::GET, item.get.as_mut()),
                (Method::POST, item.post.as_mut()),
                (Method::PUT, item.put.as_mut()),
                (Method::DELETE, item.delete.as_mut()),
            ] {
                let Some(op) = op else { continue };
                let access = table
                    .iter()
                    .find(|(m, p, _)| *m == method && p == path)
                    .map(|(_, _, a)| *a);
                conventions(op, path, &method, access);
            }
        }
    }
}

fn error(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn conventions(op: &mut Operation, path: &str, method: &Method, access: Option<Access>) {
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error(description));
    };
    let has_input = path.contains('{')
        || *method == Method::POST
        || *method == Method::PUT
        || !op.parameters.as_ref().is_none_or(Vec::is_empty);
    if has_input {
        add(
            "400",
            "The request cannot be read as this document describes it (not JSON, a field \
             missing or of the wrong type, a path parameter that is not a number): \
             `error.details.reason` says where",
        );
        add(
            "422",
            "The request was read, but a rule refused it (a value past its documented range \
             among them): `error.code` names the rule and `error.details` says where and why; \
             nothing was saved",
        );
    }
    if has_input {
        add(
            "404",
            "No such record (named in the path or a parameter), or none the caller may see",
        );
    }
    if matches!(*method, Method::POST | Method::PUT | Method::DELETE) {
        add("409", "The record's state does not allow this now");
    }
    if method == Method::POST || method == Method::PUT {
        add("413", "The request body is larger than the server accepts");
    }
    add("500", "Internal error: nothing of its cause is shown");
    match access {
        Some(Access::Public) | None => {}
        Some(rule) => {
            add("401", "No credential, or one that names nobody");
            if rule != Access::Account {
                add(
                    "403",
                    "The role may not use this (`forbidden`), the first password is still to \
                     be changed (`password_change_required`), the role's second factor is \
                     still to be enrolled (`second_factor_enrolment_required`), or the CSRF \
                     token is missing (`csrf`)",
                );
            } else if *method != Method::GET {
                add("403", "The CSRF token is missing (`csrf`)");
            }
            let requirement = |name: &str| {
                utoipa::openapi::security::SecurityRequirement::new(name, Vec::<String>::new())
            };
            op.security = Some(vec![requirement("bearer"), requirement("session")]);
        }
    }
}
