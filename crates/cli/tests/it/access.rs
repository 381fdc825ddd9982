//! Who may do what: the authorization matrix over every route of the router, lockout, CSRF,
//! sessions and tokens, data scopes, and the tamper-evident audit trail.

use crate::common;
use crate::common::{client_from, csv_rows, fund_hte_2018, Backend, Server, TestEnv, PASSWORD};
use reqwest::Method;
use serde_json::json;
use sqlx::{AnyConnection, Connection, Executor};

/// Each route's rule as this test pins it. Adding a route to the router without adding it
/// here fails `every_route_has_a_pinned_rule`; changing a rule fails it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Public,
    Account,
    Signed,
    Roles(&'static [&'static str]),
}

const STAFF: &[&str] = &["bureau", "county"];
const READERS: &[&str] = &["bureau", "county", "enterprise"];
const AUDITORS: &[&str] = &["admin", "bureau"];
const PARTIES: &[&str] = &["bureau", "county", "enterprise", "expert"];
const VOUCHER_HOLDERS: &[&str] = &["bureau", "enterprise"];
const LENDERS: &[&str] = &["bureau", "county", "bank"];
const FINANCE_PARTIES: &[&str] = &["bureau", "county", "bank", "enterprise"];
const RECOVERERS: &[&str] = &["bureau", "bank"];
const SUPERVISION: &[&str] = &["bureau", "county", "unit"];

const MATRIX: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Rule::Public),
    ("GET", "/api/v1/openapi.json", Rule::Public),
    ("GET", "/api/v1/regions", Rule::Public),
    ("GET", "/api/v1/plans", Rule::Public),
    ("GET", "/api/v1/plans/{id}", Rule::Public),
    ("GET", "/api/v1/plans/{id}/targets", Rule::Public),
    (
        "GET",
        "/api/v1/plans/{id}/targets/{code}/records",
        Rule::Roles(STAFF),
    ),
    ("GET", "/api/v1/indicators", Rule::Public),
    (
        "GET",
        "/api/v1/indicators/{code}/observations",
        Rule::Roles(STAFF),
    ),
    ("GET", "/api/v1/enterprises", Rule::Roles(STAFF)),
    ("GET", "/api/v1/enterprises/{uscc}", Rule::Roles(READERS)),
    ("GET", "/api/v1/platforms", Rule::Roles(STAFF)),
    ("GET", "/api/v1/patents", Rule::Roles(STAFF)),
    ("POST", "/api/v1/imports/{kind}", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/api/v1/imports/held/{id}",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/programmes", Rule::Roles(AUDITORS)),
    (
        "GET",
        "/api/v1/programmes/{code}/preview",
        Rule::Roles(AUDITORS),
    ),
    (
        "PUT",
        "/api/v1/programmes/{code}/rules",
        Rule::Roles(&["bureau"]),
    ),
    (
        "PUT",
        "/api/v1/programmes/{code}/budgets/{year}",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/programmes/{code}/batches",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/batches/{id}", Rule::Roles(AUDITORS)),
    (
        "POST",
        "/api/v1/batches/{id}/steps",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/calls", Rule::Roles(PARTIES)),
    ("POST", "/api/v1/calls", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/calls/{id}", Rule::Roles(READERS)),
    ("PUT", "/api/v1/calls/{id}/guide", Rule::Roles(&["bureau"])),
    ("PUT", "/api/v1/calls/{id}/files", Rule::Roles(&["bureau"])),
    (
        "GET",
        "/api/v1/calls/{id}/files/{file}",
        Rule::Roles(READERS),
    ),
    (
        "POST",
        "/api/v1/calls/{id}/applications",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "POST",
        "/api/v1/calls/{id}/proposal",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/applications/{id}", Rule::Roles(PARTIES)),
    (
        "DELETE",
        "/api/v1/applications/{id}",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "PUT",
        "/api/v1/applications/{id}/answers",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "PUT",
        "/api/v1/applications/{id}/files/{slot}",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "GET",
        "/api/v1/applications/{id}/files/{slot}",
        Rule::Roles(PARTIES),
    ),
    (
        "POST",
        "/api/v1/applications/{id}/steps",
        Rule::Roles(PARTIES),
    ),
    (
        "PUT",
        "/api/v1/applications/{id}/scores",
        Rule::Roles(&["expert"]),
    ),
    ("GET", "/api/v1/experts", Rule::Roles(&["bureau"])),
    ("PUT", "/api/v1/experts", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/vouchers", Rule::Roles(VOUCHER_HOLDERS)),
    ("POST", "/api/v1/vouchers/issue", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/api/v1/vouchers/{id}/redemption",
        Rule::Roles(VOUCHER_HOLDERS),
    ),
    ("GET", "/api/v1/providers", Rule::Roles(VOUCHER_HOLDERS)),
    ("POST", "/api/v1/providers", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/entry/{region}/{period}", Rule::Roles(STAFF)),
    (
        "PUT",
        "/api/v1/entry/{region}/{period}",
        Rule::Roles(&["county"]),
    ),
    (
        "POST",
        "/api/v1/entry/{region}/{period}/review",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/audit", Rule::Roles(AUDITORS)),
    ("GET", "/api/v1/audit/verify", Rule::Roles(AUDITORS)),
    ("GET", "/api/v1/notices", Rule::Public),
    ("GET", "/api/v1/grants", Rule::Public),
    ("POST", "/api/v1/session", Rule::Public),
    ("DELETE", "/api/v1/session", Rule::Account),
    ("GET", "/api/v1/me", Rule::Account),
    ("PUT", "/api/v1/me/password", Rule::Account),
    ("POST", "/api/v1/me/second-factor", Rule::Account),
    ("PUT", "/api/v1/me/second-factor", Rule::Account),
    (
        "POST",
        "/api/v1/me/second-factor/recovery-codes",
        Rule::Account,
    ),
    (
        "GET",
        "/api/v1/second-factor/roles",
        Rule::Roles(&["admin"]),
    ),
    (
        "PUT",
        "/api/v1/second-factor/roles",
        Rule::Roles(&["admin"]),
    ),
    (
        "DELETE",
        "/api/v1/users/{username}/second-factor",
        Rule::Roles(&["admin"]),
    ),
    ("GET", "/api/v1/workbench", Rule::Signed),
    ("GET", "/api/v1/tokens", Rule::Signed),
    ("POST", "/api/v1/tokens", Rule::Signed),
    ("DELETE", "/api/v1/tokens/{id}", Rule::Signed),
    ("GET", "/", Rule::Public),
    ("GET", "/plan", Rule::Public),
    ("GET", "/plans/{id}", Rule::Public),
    ("GET", "/plans/{id}/targets/{code}", Rule::Public),
    ("GET", "/indicators", Rule::Public),
    ("GET", "/api", Rule::Public),
    ("GET", "/lang/{lang}", Rule::Public),
    ("GET", "/static/app.css", Rule::Public),
    ("GET", "/static/favicon.svg", Rule::Public),
    ("GET", "/login", Rule::Public),
    ("POST", "/login", Rule::Public),
    ("GET", "/login/code", Rule::Public),
    ("POST", "/login/code", Rule::Public),
    ("POST", "/logout", Rule::Account),
    ("GET", "/account/password", Rule::Account),
    ("POST", "/account/password", Rule::Account),
    ("GET", "/account/second-factor", Rule::Account),
    ("POST", "/account/second-factor", Rule::Account),
    (
        "POST",
        "/account/second-factor/recovery-codes",
        Rule::Account,
    ),
    ("POST", "/admin/second-factor", Rule::Roles(&["admin"])),
    ("GET", "/workbench", Rule::Signed),
    ("GET", "/enterprises", Rule::Roles(STAFF)),
    ("GET", "/enterprises/{uscc}", Rule::Roles(READERS)),
    ("GET", "/export/{format}", Rule::Roles(STAFF)),
    ("GET", "/platforms", Rule::Roles(STAFF)),
    ("GET", "/platforms/export/{format}", Rule::Roles(STAFF)),
    ("GET", "/platforms/{id}", Rule::Roles(STAFF)),
    ("GET", "/patents", Rule::Roles(STAFF)),
    ("GET", "/patents/export/{format}", Rule::Roles(STAFF)),
    ("GET", "/entry", Rule::Roles(STAFF)),
    ("GET", "/entry/{region}/{period}", Rule::Roles(STAFF)),
    ("POST", "/entry/{region}/{period}", Rule::Roles(&["county"])),
    (
        "POST",
        "/entry/{region}/{period}/review",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/import", Rule::Roles(&["bureau"])),
    ("POST", "/import", Rule::Roles(&["bureau"])),
    ("POST", "/import/confirm", Rule::Roles(&["bureau"])),
    ("GET", "/import/templates/{file}", Rule::Roles(&["bureau"])),
    ("GET", "/import/jobs/{id}", Rule::Roles(&["bureau"])),
    ("GET", "/import/reports/{file}", Rule::Roles(&["bureau"])),
    ("GET", "/programmes", Rule::Roles(AUDITORS)),
    ("GET", "/programmes/export/{file}", Rule::Roles(AUDITORS)),
    ("GET", "/programmes/{code}", Rule::Roles(AUDITORS)),
    (
        "GET",
        "/programmes/{code}/preview/{file}",
        Rule::Roles(AUDITORS),
    ),
    (
        "GET",
        "/programmes/{code}/ledger/{file}",
        Rule::Roles(AUDITORS),
    ),
    ("POST", "/programmes/{code}/rules", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/api/v1/batches/{id}/objections/dismissals",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/batches/{id}/objections/{objection}",
        Rule::Roles(&["bureau"]),
    ),
    ("POST", "/api/v1/notices/{id}/objections", Rule::Public),
    (
        "POST",
        "/batches/{id}/objections/dismissals",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/programmes/{code}/budgets",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/programmes/{code}/batches",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/batches/{id}", Rule::Roles(AUDITORS)),
    ("POST", "/batches/{id}/steps", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/batches/{id}/objections/{objection}",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/batches/{id}/export/{file}", Rule::Roles(AUDITORS)),
    ("GET", "/calls", Rule::Roles(PARTIES)),
    ("POST", "/calls", Rule::Roles(&["bureau"])),
    ("GET", "/calls/export/{file}", Rule::Roles(STAFF)),
    ("GET", "/calls/{id}", Rule::Roles(READERS)),
    ("POST", "/calls/{id}/guide", Rule::Roles(&["bureau"])),
    ("GET", "/calls/{id}/export/{file}", Rule::Roles(STAFF)),
    ("POST", "/calls/{id}/files", Rule::Roles(&["bureau"])),
    ("GET", "/calls/{id}/files/{file}", Rule::Roles(READERS)),
    ("POST", "/calls/{id}/apply", Rule::Roles(&["enterprise"])),
    ("POST", "/calls/{id}/proposal", Rule::Roles(&["bureau"])),
    ("GET", "/applications/{id}", Rule::Roles(PARTIES)),
    ("POST", "/applications/{id}", Rule::Roles(&["enterprise"])),
    (
        "POST",
        "/applications/{id}/delete",
        Rule::Roles(&["enterprise"]),
    ),
    ("POST", "/applications/{id}/steps", Rule::Roles(PARTIES)),
    (
        "POST",
        "/applications/{id}/scores",
        Rule::Roles(&["expert"]),
    ),
    (
        "GET",
        "/applications/{id}/files/{slot}",
        Rule::Roles(PARTIES),
    ),
    ("GET", "/experts", Rule::Roles(&["bureau"])),
    ("GET", "/experts/export/{file}", Rule::Roles(&["bureau"])),
    ("POST", "/experts", Rule::Roles(&["bureau"])),
    ("GET", "/vouchers", Rule::Roles(VOUCHER_HOLDERS)),
    (
        "GET",
        "/vouchers/export/{file}",
        Rule::Roles(VOUCHER_HOLDERS),
    ),
    ("POST", "/vouchers/issue", Rule::Roles(&["bureau"])),
    ("POST", "/vouchers/providers", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/vouchers/{id}/redeem",
        Rule::Roles(VOUCHER_HOLDERS),
    ),
    ("GET", "/rd", Rule::Roles(STAFF)),
    ("GET", "/rd/export/{file}", Rule::Roles(STAFF)),
    ("GET", "/rd/survey", Rule::Roles(&["enterprise"])),
    ("POST", "/rd/survey", Rule::Roles(&["enterprise"])),
    ("GET", "/rd/surveys/{uscc}/{year}", Rule::Roles(STAFF)),
    ("POST", "/rd/surveys/{uscc}/{year}", Rule::Roles(STAFF)),
    ("GET", "/api/v1/rd/coverage", Rule::Roles(STAFF)),
    ("GET", "/api/v1/rd/trainings", Rule::Roles(STAFF)),
    ("GET", "/api/v1/rd/survey", Rule::Roles(&["enterprise"])),
    ("PUT", "/api/v1/rd/survey", Rule::Roles(&["enterprise"])),
    (
        "GET",
        "/api/v1/rd/surveys/{uscc}/{year}",
        Rule::Roles(READERS),
    ),
    (
        "POST",
        "/api/v1/rd/surveys/{uscc}/{year}/{action}",
        Rule::Roles(STAFF),
    ),
    ("GET", "/finance", Rule::Roles(LENDERS)),
    ("POST", "/finance/banks", Rule::Roles(&["bureau"])),
    ("POST", "/finance/reserve", Rule::Roles(&["bureau"])),
    ("GET", "/finance/pool", Rule::Roles(FINANCE_PARTIES)),
    ("POST", "/finance/pool", Rule::Roles(&["enterprise"])),
    ("POST", "/finance/pool/rule", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/finance/pool/members/{id}/end",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/finance/pool/members/{id}/end",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/finance/seed/investments/{id}/exit",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/finance/seed/investments/{id}/exit",
        Rule::Roles(&["bureau"]),
    ),
    ("POST", "/finance/pool/{id}/steps", Rule::Roles(STAFF)),
    ("GET", "/finance/loans", Rule::Roles(LENDERS)),
    ("POST", "/finance/loans", Rule::Roles(RECOVERERS)),
    (
        "GET",
        "/finance/loans/template.xlsx",
        Rule::Roles(RECOVERERS),
    ),
    ("GET", "/finance/loans/export/{file}", Rule::Roles(LENDERS)),
    ("GET", "/finance/loans/{contract_no}", Rule::Roles(LENDERS)),
    (
        "POST",
        "/finance/loans/{contract_no}/claim",
        Rule::Roles(&["bank"]),
    ),
    ("GET", "/finance/claims", Rule::Roles(LENDERS)),
    (
        "POST",
        "/finance/claims/{id}/steps",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/finance/claims/{id}/recoveries",
        Rule::Roles(RECOVERERS),
    ),
    ("GET", "/finance/seed", Rule::Roles(STAFF)),
    ("POST", "/finance/seed/funds", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/finance/seed/investments",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/finance/banks", Rule::Roles(FINANCE_PARTIES)),
    ("POST", "/api/v1/finance/banks", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/api/v1/finance/banks/{id}/agreements",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/finance/reserve", Rule::Roles(STAFF)),
    (
        "POST",
        "/api/v1/finance/reserve/contributions",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/finance/pool", Rule::Roles(FINANCE_PARTIES)),
    (
        "POST",
        "/api/v1/finance/pool/applications",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "POST",
        "/api/v1/finance/pool/applications/{id}/steps",
        Rule::Roles(STAFF),
    ),
    ("GET", "/api/v1/finance/loans", Rule::Roles(LENDERS)),
    (
        "POST",
        "/api/v1/finance/loans/files",
        Rule::Roles(RECOVERERS),
    ),
    (
        "GET",
        "/api/v1/finance/loans/{contract_no}",
        Rule::Roles(LENDERS),
    ),
    (
        "POST",
        "/api/v1/finance/loans/{contract_no}/claims",
        Rule::Roles(&["bank"]),
    ),
    ("GET", "/api/v1/finance/claims", Rule::Roles(LENDERS)),
    (
        "POST",
        "/api/v1/finance/claims/{id}/steps",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/finance/claims/{id}/recoveries",
        Rule::Roles(RECOVERERS),
    ),
    ("GET", "/api/v1/finance/report", Rule::Roles(LENDERS)),
    ("GET", "/api/v1/finance/seed", Rule::Roles(STAFF)),
    (
        "POST",
        "/api/v1/finance/seed/funds",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/finance/seed/investments",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/plans/{id}/report", Rule::Roles(STAFF)),
    ("GET", "/plans/{id}/plan.toml", Rule::Roles(STAFF)),
    ("POST", "/plans/{id}/copy", Rule::Roles(&["bureau"])),
    ("POST", "/plans/{id}/edit", Rule::Roles(&["bureau"])),
    ("GET", "/plans/drafts/{id}", Rule::Roles(&["bureau"])),
    ("POST", "/plans/drafts/{id}", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/plans/{id}/revisions", Rule::Roles(STAFF)),
    ("GET", "/api/v1/plans/{id}/source", Rule::Roles(STAFF)),
    (
        "POST",
        "/api/v1/plans/{id}/drafts",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/plan-drafts/{id}", Rule::Roles(&["bureau"])),
    ("PUT", "/api/v1/plan-drafts/{id}", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/api/v1/plan-drafts/{id}/publish",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/plans/{id}/report/{file}", Rule::Roles(STAFF)),
    ("GET", "/supervision", Rule::Roles(SUPERVISION)),
    ("GET", "/supervision/{plan}", Rule::Roles(SUPERVISION)),
    (
        "GET",
        "/supervision/{plan}/tasks/{code}",
        Rule::Roles(SUPERVISION),
    ),
    (
        "POST",
        "/supervision/{plan}/tasks/{code}/reports",
        Rule::Roles(&["unit"]),
    ),
    (
        "POST",
        "/supervision/{plan}/tasks/{code}/reviews",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/supervision/{plan}/tasks/{code}/reminders",
        Rule::Roles(&["bureau"]),
    ),
    (
        "GET",
        "/supervision/reminders/{id}",
        Rule::Roles(SUPERVISION),
    ),
    ("GET", "/supervision/files/{id}", Rule::Roles(SUPERVISION)),
    ("GET", "/api/v1/units", Rule::Public),
    ("GET", "/dashboard", Rule::Public),
    ("GET", "/services", Rule::Public),
    ("POST", "/services", Rule::Roles(VOUCHER_HOLDERS)),
    (
        "POST",
        "/services/{id}/requests",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "POST",
        "/services/requests/{id}/{action}",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/instruments", Rule::Public),
    ("POST", "/instruments", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/instruments/{id}/bookings",
        Rule::Roles(&["enterprise"]),
    ),
    (
        "POST",
        "/instruments/bookings/{id}/{action}",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/api/v1/services", Rule::Public),
    ("POST", "/api/v1/services", Rule::Roles(VOUCHER_HOLDERS)),
    (
        "POST",
        "/api/v1/services/{id}/requests",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/api/v1/service-requests", Rule::Roles(READERS)),
    (
        "POST",
        "/api/v1/service-requests/{id}/{action}",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/api/v1/instruments", Rule::Public),
    ("POST", "/api/v1/instruments", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/api/v1/instruments/{id}/bookings",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/api/v1/instrument-bookings", Rule::Roles(READERS)),
    (
        "POST",
        "/api/v1/instrument-bookings/{id}/{action}",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/api/v1/service-counts", Rule::Public),
    ("GET", "/sites", Rule::Roles(READERS)),
    ("POST", "/sites", Rule::Roles(&["enterprise"])),
    ("GET", "/sites/files/{id}", Rule::Roles(READERS)),
    ("GET", "/api/v1/sites", Rule::Roles(READERS)),
    ("POST", "/api/v1/sites", Rule::Roles(&["enterprise"])),
    ("GET", "/api/v1/sites/{id}", Rule::Roles(READERS)),
    (
        "POST",
        "/api/v1/sites/{id}/files",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/api/v1/site-files/{id}", Rule::Roles(READERS)),
    ("GET", "/competitions", Rule::Public),
    ("POST", "/competitions", Rule::Roles(&["bureau"])),
    ("GET", "/competitions/{id}", Rule::Public),
    (
        "POST",
        "/competitions/{id}/entries",
        Rule::Roles(VOUCHER_HOLDERS),
    ),
    (
        "POST",
        "/competitions/{id}/{action}",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/competitions/entries/{id}", Rule::Roles(PARTIES)),
    (
        "POST",
        "/competitions/entries/{id}/screen",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/competitions/entries/{id}/score",
        Rule::Roles(&["expert"]),
    ),
    (
        "GET",
        "/competitions/entries/{id}/files/{slot}",
        Rule::Roles(PARTIES),
    ),
    ("GET", "/api/v1/competitions", Rule::Public),
    ("POST", "/api/v1/competitions", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/competitions/{id}", Rule::Public),
    (
        "GET",
        "/api/v1/competitions/{id}/entries",
        Rule::Roles(PARTIES),
    ),
    (
        "POST",
        "/api/v1/competitions/{id}/entries",
        Rule::Roles(VOUCHER_HOLDERS),
    ),
    (
        "POST",
        "/api/v1/competitions/{id}/rounds",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/competitions/{id}/close-round",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/competitions/{id}/publish",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/competitions/{id}/prizes",
        Rule::Roles(&["bureau"]),
    ),
    (
        "GET",
        "/api/v1/competition-rounds/{id}",
        Rule::Roles(&["bureau"]),
    ),
    (
        "GET",
        "/api/v1/competition-entries/{id}",
        Rule::Roles(PARTIES),
    ),
    (
        "POST",
        "/api/v1/competition-entries/{id}/files",
        Rule::Roles(VOUCHER_HOLDERS),
    ),
    (
        "GET",
        "/api/v1/competition-entries/{id}/files/{slot}",
        Rule::Roles(PARTIES),
    ),
    (
        "POST",
        "/api/v1/competition-entries/{id}/screening",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/competition-entries/{id}/scores",
        Rule::Roles(&["expert"]),
    ),
    ("GET", "/events", Rule::Public),
    ("GET", "/events/new", Rule::Roles(&["bureau"])),
    ("POST", "/events/new", Rule::Roles(&["bureau"])),
    ("GET", "/events/{id}", Rule::Public),
    ("GET", "/events/{id}/edit", Rule::Roles(&["bureau"])),
    ("POST", "/events/{id}/edit", Rule::Roles(&["bureau"])),
    ("POST", "/events/{id}/registrations", Rule::Public),
    (
        "POST",
        "/events/{id}/registrations/{reg}/{action}",
        Rule::Roles(&["bureau", "enterprise"]),
    ),
    ("POST", "/events/{id}/outcome", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/events", Rule::Public),
    ("POST", "/api/v1/events", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/events/{id}", Rule::Public),
    ("PUT", "/api/v1/events/{id}", Rule::Roles(&["bureau"])),
    ("POST", "/api/v1/events/{id}/registrations", Rule::Public),
    (
        "GET",
        "/api/v1/events/{id}/registrations",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/events/{id}/outcome",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/event-registrations/{id}/cancel",
        Rule::Roles(&["bureau", "enterprise"]),
    ),
    (
        "POST",
        "/api/v1/event-registrations/{id}/check-in",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/portal", Rule::Public),
    ("GET", "/portal/c/{category}", Rule::Public),
    ("GET", "/portal/c/{category}/feed.atom", Rule::Public),
    ("GET", "/portal/tags/{tag}", Rule::Public),
    ("GET", "/portal/search", Rule::Public),
    ("GET", "/portal/articles/{id}", Rule::Public),
    ("GET", "/portal/articles/{id}/qr.svg", Rule::Public),
    ("GET", "/portal/files/{id}", Rule::Public),
    ("GET", "/portal/manage", Rule::Roles(&["bureau"])),
    ("GET", "/portal/manage/new", Rule::Roles(&["bureau"])),
    ("POST", "/portal/manage/new", Rule::Roles(&["bureau"])),
    ("GET", "/portal/manage/{id}", Rule::Roles(&["bureau"])),
    ("POST", "/portal/manage/{id}", Rule::Roles(&["bureau"])),
    (
        "POST",
        "/portal/manage/{id}/files",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/portal/manage/{id}/{action}",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/portal/subscriptions", Rule::Roles(&["enterprise"])),
    (
        "POST",
        "/portal/subscriptions",
        Rule::Roles(&["enterprise"]),
    ),
    ("GET", "/data", Rule::Public),
    ("GET", "/data/catalog.json", Rule::Public),
    ("GET", "/data/{file}", Rule::Public),
    ("GET", "/api/v1/article-categories", Rule::Public),
    ("GET", "/api/v1/articles", Rule::Public),
    ("POST", "/api/v1/articles", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/article-desk", Rule::Roles(&["bureau"])),
    ("GET", "/api/v1/articles/{id}", Rule::Public),
    ("PUT", "/api/v1/articles/{id}", Rule::Roles(&["bureau"])),
    (
        "GET",
        "/api/v1/articles/{id}/revisions",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/articles/{id}/files",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/articles/{id}/{action}",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/subscriptions", Rule::Roles(&["enterprise"])),
    ("PUT", "/api/v1/subscriptions", Rule::Roles(&["enterprise"])),
    ("GET", "/api/v1/open-data", Rule::Public),
    ("GET", "/api/v1/open-data/{set}", Rule::Public),
    ("GET", "/api/v1/plans/{id}/tasks", Rule::Roles(SUPERVISION)),
    (
        "GET",
        "/api/v1/plans/{id}/tasks/{code}",
        Rule::Roles(SUPERVISION),
    ),
    (
        "PUT",
        "/api/v1/plans/{id}/tasks/{code}/reports/{period}",
        Rule::Roles(&["unit"]),
    ),
    (
        "POST",
        "/api/v1/plans/{id}/tasks/{code}/reports/{period}/files",
        Rule::Roles(&["unit"]),
    ),
    (
        "POST",
        "/api/v1/plans/{id}/tasks/{code}/units/{unit}/reports/{period}/review",
        Rule::Roles(&["bureau"]),
    ),
    (
        "POST",
        "/api/v1/plans/{id}/tasks/{code}/units/{unit}/reports/{period}/reminders",
        Rule::Roles(&["bureau"]),
    ),
    ("GET", "/api/v1/reminders/{id}", Rule::Roles(SUPERVISION)),
    ("GET", "/api/v1/task-files/{id}", Rule::Roles(SUPERVISION)),
    ("GET", "/notices", Rule::Public),
    ("GET", "/notices/{id}", Rule::Public),
    ("POST", "/notices/{id}/objections", Rule::Public),
    ("GET", "/admin/users", Rule::Roles(&["admin"])),
    ("GET", "/admin/users/export/{file}", Rule::Roles(&["admin"])),
    ("POST", "/admin/users", Rule::Roles(&["admin"])),
    (
        "POST",
        "/admin/users/{username}/{action}",
        Rule::Roles(&["admin"]),
    ),
    ("GET", "/audit", Rule::Roles(AUDITORS)),
    ("GET", "/audit/export/{format}", Rule::Roles(AUDITORS)),
];

fn pinned(access: kechuang_web::auth::Access) -> Rule {
    use kechuang_web::auth::Access;
    match access {
        Access::Public => Rule::Public,
        Access::Account => Rule::Account,
        Access::Signed => Rule::Signed,
        Access::Roles(roles) => {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            MATRIX
                .iter()
                .filter_map(|(_, _, r)| match r {
                    Rule::Roles(x) if *x == names.as_slice() => Some(*r),
                    _ => None,
                })
                .next()
                .unwrap_or_else(|| panic!("no pinned rule names roles {names:?}"))
        }
    }
}

#[test]
fn every_route_has_a_pinned_rule() {
    let table = kechuang_web::route_table();
    for (method, path, access) in &table {
        let pin = MATRIX
            .iter()
            .find(|(m, p, _)| *m == method.as_str() && p == path)
            .unwrap_or_else(|| panic!("{method} {path} has no row in the authorization matrix"));
        assert_eq!(pin.2, pinned(*access), "{method} {path}");
    }
    assert_eq!(
        table.len(),
        MATRIX.len(),
        "the matrix lists routes the router lacks"
    );
}

/// The callers of the matrix: anonymous, one of each role, and a county officer who has not
/// yet changed the first password.
struct Caller {
    name: &'static str,
    role: Option<&'static str>,
    token: Option<String>,
    pending: bool,
    /// A bureau of another city of the province: none of Shaoguan's records are its own.
    outsider: bool,
}

struct Fixture {
    own_uscc: String,
    other_uscc: String,
    own_platform: i64,
    other_platform: i64,
}

/// The first sample enterprise registered in a county.
fn enterprise_in(rows: &[Vec<String>], county: &str) -> String {
    rows.iter()
        .find(|r| r.get(2).map(String::as_str) == Some(county))
        .map(|r| r[0].clone())
        .unwrap_or_else(|| panic!("a sample enterprise in {county}"))
}

async fn platform_in(server: &Server, region: &str) -> i64 {
    let page = server
        .get_json(&format!("/api/v1/platforms?region={region}&per_page=1"))
        .await;
    page["items"][0]["id"]
        .as_i64()
        .expect("a platform in the region")
}

/// Fills a route's parameters; `other` picks an object outside a county officer's scope.
fn concrete(path: &str, f: &Fixture, other: bool) -> String {
    let (uscc, region, platform) = if other {
        (&f.other_uscc, "440204", f.other_platform)
    } else {
        (&f.own_uscc, "440203", f.own_platform)
    };
    let path = path
        .replace("/platforms/{id}", &format!("/platforms/{platform}"))
        .replace("/tokens/{id}", "/tokens/999999")
        .replace("/preview/{file}", "/preview/preview-2018.xlsx")
        .replace("/ledger/{file}", "/ledger/ledger.xlsx")
        .replace("/vouchers/export/{file}", "/vouchers/export/vouchers.xlsx")
        .replace("/experts/export/{file}", "/experts/export/experts.xlsx")
        .replace("/users/export/{file}", "/users/export/users.xlsx")
        .replace(
            "/calls/{id}/export/{file}",
            "/calls/1/export/applications.xlsx",
        )
        .replace("/calls/{id}/files/{file}", "/calls/1/files/1")
        .replace("/calls/export/{file}", "/calls/export/calls.xlsx")
        .replace(
            "/finance/loans/export/{file}",
            "/finance/loans/export/loans.xlsx",
        )
        .replace("/rd/export/{file}", "/rd/export/missing.xlsx")
        .replace("/report/{file}", "/report/2019.xlsx")
        .replace("/patents/export/{format}", "/patents/export/patents.csv")
        .replace("{id}", "1")
        .replace("{plan}", "1")
        .replace("{unit}", "czj")
        .replace(
            "{code}",
            if path.contains("/tasks/") {
                "3.19-1"
            } else if path.contains("indicators") {
                "gdp"
            } else if path.contains("programmes") {
                "hte-certified"
            } else {
                "2.3"
            },
        )
        .replace("{year}", "2018")
        .replace("{objection}", "1")
        .replace("{slot}", "proposal")
        .replace("{uscc}", uscc)
        .replace(
            "{format}",
            if path.starts_with("/audit") {
                "audit.csv"
            } else {
                "enterprises.csv"
            },
        )
        .replace("{region}", region)
        .replace("{period}", "2018")
        .replace("{lang}", "zh")
        .replace("{username}", "nobody-here")
        .replace("{action}", "disable")
        .replace("{kind}", "enterprises")
        .replace("{contract_no}", "HT-0001")
        .replace("{category}", "policies")
        .replace("{reg}", "1")
        .replace("{tag}", "tag")
        .replace("{set}", "articles")
        .replace("/data/{file}", "/data/articles.csv")
        .replace("{file}", "1.xlsx");
    // Lists and drill-downs take the region as a filter.
    let filtered = path == "/api/v1/enterprises"
        || path.contains("/records")
        || path.contains("/observations");
    if filtered {
        format!("{path}?region={region}")
    } else {
        path
    }
}

async fn call(server: &Server, caller: &Caller, method: &str, url: &str) -> (u16, String, String) {
    let m = Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = server.client.request(m.clone(), server.url(url));
    if let Some(t) = &caller.token {
        req = req.bearer_auth(t);
    }
    // Bodies that change nothing: empty JSON objects are refused by the handlers' own checks.
    if m != Method::GET {
        req = if url.starts_with("/api/") {
            req.json(&json!({}))
        } else {
            req.header("content-type", "application/x-www-form-urlencoded")
                .body("")
        };
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, res.text().await.unwrap_or_default())
}

async fn the_matrix_holds_for_every_route_role_and_scope(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = csv_rows("enterprises-sample.csv");
    let server = env.serve().await;
    let f = Fixture {
        own_uscc: enterprise_in(&rows, "440203"),
        other_uscc: enterprise_in(&rows, "440204"),
        own_platform: platform_in(&server, "440203").await,
        other_platform: platform_in(&server, "440204").await,
    };
    // A province's deployment, where Guangzhou's bureau works beside Shaoguan's.
    env.cli_ok(&["region", "load-guangdong"]);
    // A batch of awards, so the routes of programmes and batches name a real record.
    fund_hte_2018(&env, true);
    // Both enterprises' R&D surveys of 2018, so the survey routes name real records.
    let survey = env.write(
        "rd-survey-2018.csv",
        &format!(
            "统一社会信用代码,企业名称,研究开发人员合计,研究开发费用合计（万元）,人员人工费用（万元）,直接投入费用（万元）,\
             折旧费用与长期待摊费用（万元）,无形资产摊销费用（万元）,设计费用（万元）,装备调试费用与试验费用（万元）,\
             委托外部研究开发费用（万元）,其他费用（万元）\n\
             {},甲,5,100,60,40,0,0,0,0,0,0\n{},乙,5,100,60,40,0,0,0,0,0,0\n",
            f.own_uscc, f.other_uscc
        ),
    );
    env.cli_ok(&[
        "import",
        "rd-survey",
        "--year",
        "2018",
        &survey.display().to_string(),
    ]);
    let mut callers = vec![Caller {
        name: "anonymous",
        role: None,
        token: None,
        pending: false,
        outsider: false,
    }];
    for (name, role, scope) in [
        ("admin1", "admin", vec![]),
        ("bureau1", "bureau", vec!["--region", "440200"]),
        ("county1", "county", vec!["--region", "440203"]),
        ("ent1", "enterprise", vec!["--uscc", f.own_uscc.as_str()]),
        ("bank1", "bank", vec!["--org", "韶关农商银行"]),
        ("expert1", "expert", vec![]),
        ("unit1", "unit", vec!["--org", "czj"]),
        ("guangzhou1", "bureau", vec!["--region", "440100"]),
    ] {
        env.add_user(name, role, &scope);
        callers.push(Caller {
            name,
            role: Some(role),
            token: Some(env.token(name)),
            pending: false,
            outsider: name == "guangzhou1",
        });
    }
    let out = env.cli_stdin(
        &[
            "user",
            "add",
            "newcomer",
            "--role",
            "county",
            "--region",
            "440203",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    callers.push(Caller {
        name: "newcomer",
        role: Some("county"),
        token: Some(env.token("newcomer")),
        pending: true,
        outsider: false,
    });

    let mut checked = 0;
    // What Shaoguan's bureau got for each URL, which the other city's bureau must not get.
    let mut home: std::collections::HashMap<String, u16> = Default::default();
    for (method, path, rule) in MATRIX {
        let money = path.contains("/programmes/{code}") || path.contains("/batches/{id}");
        let scoped = path.contains("{uscc}")
            || path.contains("{region}")
            || path.starts_with("/platforms/{id}")
            || *path == "/api/v1/enterprises"
            || path.contains("/records")
            || path.contains("/observations");
        for other in [false, true] {
            if other && !scoped {
                continue;
            }
            let url = concrete(path, &f, other);
            for c in &callers {
                let (status, location, body) = call(&server, c, method, &url).await;
                let what = format!("{} {method} {url} → {status} {body:.200}", c.name);
                let api = url.starts_with("/api/");
                checked += 1;
                if *rule == Rule::Public {
                    assert!(status != 401 && status != 403, "public: {what}");
                    continue;
                }
                let Some(role) = c.role else {
                    if api {
                        assert_eq!(status, 401, "anonymous API: {what}");
                    } else {
                        assert_eq!(status, 303, "anonymous page: {what}");
                        assert!(location.starts_with("/login?next="), "{what}");
                    }
                    continue;
                };
                if c.pending && *rule != Rule::Account {
                    if api {
                        assert_eq!(status, 403, "{what}");
                        assert!(body.contains("password_change_required"), "{what}");
                    } else {
                        assert_eq!(status, 303, "{what}");
                        assert_eq!(location, "/account/password", "{what}");
                    }
                    continue;
                }
                let allowed = match rule {
                    Rule::Roles(roles) => roles.contains(&role),
                    _ => true,
                };
                if !allowed {
                    assert_eq!(status, 403, "role refused: {what}");
                    continue;
                }
                assert!(status != 401 && status != 403, "allowed: {what}");
                if c.name == "bureau1" {
                    home.insert(format!("{method} {url}"), status);
                }
                if c.outsider {
                    let theirs = home.get(&format!("{method} {url}")).copied();
                    if money || (scoped && *method == "GET") {
                        // Another city's record does not exist for it; a request malformed
                        // for Shaoguan's bureau too may be refused as malformed first.
                        assert!(
                            status == 404 || (status == theirs.unwrap_or(0) && status >= 400),
                            "another city's record: {what} (Shaoguan's bureau: {theirs:?})"
                        );
                    }
                    if *method == "GET" && status == 200 {
                        for own in ["hte-certified", "bureau1", &f.own_uscc] {
                            assert!(!body.contains(own), "another city's {own}: {what}");
                        }
                    }
                    continue;
                }
                // Outside the caller's scope an object does not exist; inside, it does.
                let county_like = role == "county" || role == "enterprise";
                if scoped && *method == "GET" {
                    if other && county_like {
                        assert_eq!(status, 404, "outside the scope: {what}");
                    } else if !other || role == "bureau" {
                        assert_eq!(status, 200, "inside the scope: {what}");
                    }
                }
            }
        }
    }
    assert!(checked > 300, "{checked} requests checked");
}

async fn lists_show_only_the_callers_records(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let server = env.serve().await;
    env.add_user("county1", "county", &["--region", "440203"]);
    let county = env.token("county1");
    let (status, body) = server
        .get_as(Some(&county), "/api/v1/enterprises?per_page=200")
        .await;
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).expect("json");
    let items = page["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|e| e["enterprise"]["region_code"] == "440203" || e["region_code"] == "440203"),
        "{body:.400}"
    );
    let all = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert!(
        page["total"].as_i64() < all["total"].as_i64(),
        "the bureau sees more"
    );
    let (status, _) = server
        .get_as(Some(&county), "/api/v1/platforms?region=440204")
        .await;
    assert_eq!(status, 404, "another county's list is not found");
}

async fn no_address_can_lock_an_account_for_another(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    env.add_user("liuke", "bureau", &["--region", "440200"]);
    // Behind a reverse proxy at 127.0.0.9, whose X-Forwarded-For names the client.
    let server = env.serve_with(&["--trusted-proxy", "127.0.0.9"]).await;
    let login = |client: reqwest::Client,
                 forwarded: Option<&'static str>,
                 user: String,
                 pw: &'static str| {
        let url = server.url("/api/v1/session");
        async move {
            let mut req = client
                .post(url)
                .json(&json!({ "username": user, "password": pw }));
            if let Some(f) = forwarded {
                req = req.header("x-forwarded-for", f);
            }
            let res = req.send().await.expect("login");
            (res.status().as_u16(), res.text().await.expect("body"))
        }
    };
    let audited = || {
        env.cli_ok(&["audit", "list", "--entity", "session", "--limit", "1000"])
            .matches("login.failed")
            .count()
    };
    // Unknown user and wrong password answer alike.
    let (s1, unknown) = login(
        client_from([127, 0, 0, 5]),
        None,
        "nobody".into(),
        "Wrong-pass-1",
    )
    .await;
    let (s2, wrong) = login(
        client_from([127, 0, 0, 6]),
        None,
        "gaoke".into(),
        "Wrong-pass-1",
    )
    .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(unknown, wrong);
    // Five wrong passwords for gaoke from one address lock gaoke there, and only there.
    for _ in 0..4 {
        let (s, _) = login(
            client_from([127, 0, 0, 6]),
            None,
            "gaoke".into(),
            "Wrong-pass-1",
        )
        .await;
        assert_eq!(s, 401);
    }
    let (s, body) = login(client_from([127, 0, 0, 6]), None, "gaoke".into(), PASSWORD).await;
    assert_eq!(s, 429, "gaoke is locked from that address: {body}");
    let (s, body) = login(client_from([127, 0, 0, 7]), None, "gaoke".into(), PASSWORD).await;
    assert_eq!(
        s, 200,
        "the attacker's address cannot lock gaoke out elsewhere: {body}"
    );
    // Five unknown names from one address do not lock the address for its other users.
    for name in ["u1x", "u2x", "u3x", "u4x", "u5x"] {
        let (s, _) = login(
            client_from([127, 0, 3, 1]),
            None,
            name.into(),
            "Wrong-pass-1",
        )
        .await;
        assert_eq!(s, 401);
    }
    let (s, _) = login(client_from([127, 0, 3, 1]), None, "liuke".into(), PASSWORD).await;
    assert_eq!(
        s, 200,
        "an office's shared address is not locked by a few typos"
    );
    // Through the proxy each client is its own address: one client's failures do not lock
    // gaoke for another, and a client that sends its own X-Forwarded-For is not believed.
    for _ in 0..5 {
        let via = Some("203.0.113.5");
        let (s, _) = login(
            client_from([127, 0, 0, 9]),
            via,
            "gaoke".into(),
            "Wrong-pass-1",
        )
        .await;
        assert_eq!(s, 401);
    }
    let (s, _) = login(
        client_from([127, 0, 0, 9]),
        Some("203.0.113.5"),
        "gaoke".into(),
        PASSWORD,
    )
    .await;
    assert_eq!(s, 429);
    let (s, _) = login(
        client_from([127, 0, 0, 9]),
        Some("203.0.113.6"),
        "gaoke".into(),
        PASSWORD,
    )
    .await;
    assert_eq!(s, 200, "another client behind the same proxy");
    let (s, _) = login(
        client_from([127, 0, 4, 1]),
        Some("203.0.113.5"),
        "gaoke".into(),
        PASSWORD,
    )
    .await;
    assert_eq!(
        s, 200,
        "a forged X-Forwarded-For from outside the proxy is ignored"
    );
    // An address that tries many names is locked, for all of them.
    for i in 0..50 {
        let (s, _) = login(
            client_from([127, 0, 5, 1]),
            None,
            format!("spray{i}"),
            "Wrong-pass-1",
        )
        .await;
        assert_eq!(s, 401, "attempt {i}");
    }
    let (s, _) = login(client_from([127, 0, 5, 1]), None, "liuke".into(), PASSWORD).await;
    assert_eq!(s, 429, "the spraying address is locked");
    // An over-long name is refused without a lookup or a write; an 8 MB body is not read.
    let before = audited();
    let (s, _) = login(
        client_from([127, 0, 6, 1]),
        None,
        "x".repeat(65),
        "Wrong-pass-1",
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(audited(), before, "nothing written for an impossible name");
    let res = client_from([127, 0, 6, 1])
        .post(server.url("/api/v1/session"))
        .json(&json!({ "username": "y".repeat(8 << 20), "password": "x" }))
        .send()
        .await;
    // The server answers 413 at once and may close the connection while the body is still
    // being sent: either way it did not read it.
    match res {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    assert_eq!(audited(), before);
    let (s, _) = server.get("/audit").await;
    assert_eq!(s, 200, "the audit trail still reads");
}

async fn sessions_csrf_and_tokens(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    let s = server.login("gaoke", PASSWORD).await;
    let me: serde_json::Value = s
        .request(Method::GET, "/api/v1/me")
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "bureau");
    assert_eq!(me["scope"], "region:440200");
    // A state-changing request on the cookie needs the CSRF token.
    let res = s
        .request(Method::POST, "/api/v1/tokens")
        .json(&json!({ "name": "stats" }))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.text().await.expect("body").contains("csrf"));
    let res = s
        .request(Method::POST, "/logout")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=forged")
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status().as_u16(), 403, "a forged form is refused");
    // A file upload from another site is refused by what the browser says of its origin,
    // with or without a token in the URL (which no longer carries one).
    for (site, origin) in [
        ("cross-site", None),
        ("none", None),
        ("", Some("http://evil.example")),
    ] {
        let mut req = s.request(Method::POST, &format!("/import?csrf={}", s.csrf));
        if !site.is_empty() {
            req = req.header("sec-fetch-site", site);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let res = req
            .multipart(reqwest::multipart::Form::new().text("kind", "enterprises"))
            .send()
            .await
            .expect("upload");
        assert_eq!(
            res.status().as_u16(),
            403,
            "upload from {site:?} {origin:?}"
        );
    }
    let created: serde_json::Value = s
        .with_csrf(Method::POST, "/api/v1/tokens")
        .json(&json!({ "name": "stats", "expires_in_days": 30 }))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let token = created["token"].as_str().expect("token").to_owned();
    let (status, _) = server.get_as(Some(&token), "/api/v1/enterprises").await;
    assert_eq!(status, 200, "the token works as its owner");
    // At rest, only a digest: the token itself is nowhere in the database.
    sqlx::any::install_default_drivers();
    let mut db = AnyConnection::connect(&env.database_url())
        .await
        .expect("db");
    let stored: Vec<String> = sqlx::query_scalar("SELECT digest FROM api_tokens")
        .fetch_all(&mut db)
        .await
        .expect("digests");
    assert!(!stored.iter().any(|d| d.contains(&token[3..])));
    let id = created["id"].as_i64().expect("id");
    let res = s
        .with_csrf(Method::DELETE, &format!("/api/v1/tokens/{id}"))
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status().as_u16(), 204);
    let (status, _) = server.get_as(Some(&token), "/api/v1/enterprises").await;
    assert_eq!(status, 401, "a revoked token is refused");
    // Idle for more than 30 minutes: the session is gone.
    let s2 = server.login("gaoke", PASSWORD).await;
    db.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z'")
        .await
        .expect("age sessions");
    let res = s2
        .request(Method::GET, "/api/v1/me")
        .send()
        .await
        .expect("me");
    assert_eq!(res.status().as_u16(), 401, "idle sessions expire");
    // Logout ends the session.
    let s3 = server.login("gaoke", PASSWORD).await;
    let res = s3
        .with_csrf(Method::DELETE, "/api/v1/session")
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status().as_u16(), 204);
    let res = s3
        .request(Method::GET, "/api/v1/me")
        .send()
        .await
        .expect("me");
    assert_eq!(res.status().as_u16(), 401);
    // Login rotates the id: a second login from the same browser gets a new session.
    let s4 = server.login("gaoke", PASSWORD).await;
    assert_ne!(s4.cookie, s3.cookie);
}

async fn a_modified_audit_row_is_detected(b: Backend) {
    let env = TestEnv::new(b).await;
    for name in ["gaoke", "liuke", "wangke"] {
        env.add_user(name, "bureau", &["--region", "440200"]);
    }
    let ok = env.cli_ok(&["audit", "verify"]);
    assert!(ok.contains("完整"), "{ok}");
    let users = env.cli_ok(&["audit", "list", "--entity", "user"]);
    assert_eq!(users.lines().count(), 3, "one entry per account: {users}");
    let seq: i64 = users
        .lines()
        .last()
        .and_then(|l| l.split('\t').next())
        .and_then(|n| n.parse().ok())
        .expect("seq of the first account's entry");
    sqlx::any::install_default_drivers();
    let mut db = AnyConnection::connect(&env.database_url())
        .await
        .expect("db");
    // The table refuses changes outright…
    let refused = db
        .execute(format!("UPDATE audit_log SET actor = 'someone-else' WHERE seq = {seq}").as_str())
        .await;
    assert!(refused.is_err(), "append-only");
    // …and someone who removes that guard is still found out.
    match env.backend {
        Backend::Sqlite => {
            db.execute("DROP TRIGGER audit_log_no_update")
                .await
                .expect("drop");
        }
        Backend::Postgres => {
            db.execute("DROP TRIGGER audit_log_no_change ON audit_log")
                .await
                .expect("drop");
        }
    }
    db.execute(
        "UPDATE audit_log SET after_json = replace(after_json, 'bureau', 'admin') WHERE seq = 2",
    )
    .await
    .expect("tamper");
    let out = env.cli(&["audit", "verify"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("第 2 条"),
        "the first broken link is named: {err}"
    );
}

/// On a province's deployment each city's bureau reads the audit entries about its own
/// records, whoever made them (the command line too), and none about another city's.
async fn the_audit_trail_shows_an_entry_to_who_may_see_its_record(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    env.cli_ok(&["region", "load-guangdong"]);
    // Shaoguan's batch, committed from the command line: no Shaoguan account made it.
    fund_hte_2018(&env, true);
    env.add_user("sg1", "bureau", &["--region", "440200"]);
    env.add_user("gz1", "bureau", &["--region", "440100"]);
    env.add_user("adm9", "admin", &[]);
    let (sg, gz, admin) = (env.token("sg1"), env.token("gz1"), env.token("adm9"));
    let server = env.serve().await;
    let rows = csv_rows("enterprises-sample.csv");
    // Guangzhou's bureau registers a provider: an entry about its own work.
    let res = server
        .client
        .post(server.url("/api/v1/providers"))
        .bearer_auth(&gz)
        .json(&json!({ "name": "广州检测中心", "uscc": rows.iter().map(|r| &r[0]).find(|c| c.len() == 18).expect("a credit code"), "services": "检测" }))
        .send()
        .await
        .expect("provider");
    assert_eq!(
        res.status().as_u16(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let count = |token: &str, entity: &str| {
        let req = server
            .client
            .get(server.url(&format!("/api/v1/audit?entity={entity}&per_page=500")))
            .bearer_auth(token);
        async move {
            let body: serde_json::Value =
                req.send().await.expect("audit").json().await.expect("json");
            body["total"].as_i64().unwrap_or_else(|| panic!("{body}"))
        }
    };
    assert!(
        count(&sg, "award_batch").await >= 1,
        "Shaoguan reads its batch's entries"
    );
    assert_eq!(
        count(&gz, "award_batch").await,
        0,
        "Guangzhou reads none of them"
    );
    assert!(
        count(&gz, "voucher_provider").await >= 1,
        "Guangzhou reads its own work"
    );
    assert_eq!(count(&sg, "voucher_provider").await, 0, "Shaoguan does not");
    assert!(count(&admin, "award_batch").await >= 1);
    assert!(count(&admin, "voucher_provider").await >= 1);
    // Each city sees its own accounts' creation, not the other's.
    let users = |token: String| async move { count(&token, "user").await };
    let (sg_users, gz_users, all_users) = (
        users(sg.clone()).await,
        users(gz.clone()).await,
        users(admin).await,
    );
    assert!(sg_users >= 1 && gz_users >= 1);
    assert!(
        sg_users + gz_users < all_users,
        "the administrator's own account is the admin's to read"
    );
}

on_both_backends!(
    the_audit_trail_shows_an_entry_to_who_may_see_its_record,
    the_matrix_holds_for_every_route_role_and_scope,
    lists_show_only_the_callers_records,
    no_address_can_lock_an_account_for_another,
    sessions_csrf_and_tokens,
    a_modified_audit_row_is_detected,
);
