//! The audit trail: the entries an auditor filters, and the walk of the hash chain that
//! shows whether any entry was changed or removed.

use crate::auth::Principal;
use crate::clock::parse_optional_day;
use crate::Error;
use kechuang_domain::auth::Role;
use kechuang_store::{AuditFilter, AuditRecord, Page, Store, Verification};

kechuang_domain::problems! {
    pub enum AuditProblem {
        AuditorsOnly = "auditors_only" {
            zh: "仅管理员和市科技局可查看审计日志", en: "only administrators and the bureau read the audit trail",
        },
    }
}

fn auditor(who: &Principal) -> Result<(), Error> {
    match who.role() {
        Role::Admin | Role::Bureau => Ok(()),
        _ => Err(Error::forbidden(AuditProblem::AuditorsOnly)),
    }
}

/// A filter as typed: blank fields mean no filter; dates are `YYYY-MM-DD`, inclusive.
pub fn filter(
    actor: Option<&str>,
    entity: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<AuditFilter, Error> {
    let date = |field, d| {
        parse_optional_day(field, d).map(|d| d.map(|d| d.format("%Y-%m-%d").to_string()))
    };
    let text = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(AuditFilter {
        actor: text(actor),
        entity: text(entity),
        from: date("from", from)?,
        to: date("to", to)?,
    })
}

/// A page of entries, newest first.
pub async fn entries(
    store: &Store,
    who: &Principal,
    filter: &AuditFilter,
    page: u32,
    per_page: u32,
) -> Result<Page<AuditRecord>, Error> {
    auditor(who)?;
    Ok(store.audit_entries(filter, page, per_page).await?)
}

/// Walks the whole chain.
pub async fn verify(store: &Store, who: &Principal) -> Result<Verification, Error> {
    auditor(who)?;
    Ok(store.verify_audit().await?)
}
