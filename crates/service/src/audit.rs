//! The audit trail: the entries an auditor filters, and the walk of the hash chain that
//! shows whether any entry was changed or removed.

use crate::auth::Principal;
use crate::clock::parse_optional_day;
use crate::Error;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::RegionCode;
use kechuang_store::{AuditFilter, AuditRecord, Page, Store, Verification, Visibility};

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
        visible_to: None,
        entity: text(entity),
        from: date("from", from)?,
        to: date("to", to)?,
    })
}

/// A page of entries, newest first. Administrators and a bureau over the whole deployment
/// read every entry; a bureau over part of it (one city of a province) reads the entries about
/// records of its region — whoever made them, the command line included — so it never learns
/// what another city did. Entries written before entries named their record's region are
/// shown by who made them: the accounts within its region.
pub async fn entries(
    store: &Store,
    who: &Principal,
    filter: &AuditFilter,
    page: u32,
    per_page: u32,
) -> Result<Page<AuditRecord>, Error> {
    auditor(who)?;
    let mut filter = filter.clone();
    if let DataScope::Region(own) = who.scope() {
        let tree = store.region_tree().await?;
        if tree.root().is_none_or(|r| r.code != *own) {
            let actors = store
                .users()
                .await?
                .into_iter()
                .filter(|u| match &u.scope {
                    DataScope::Region(r) => tree.is_within(r, own),
                    DataScope::Enterprise(uscc) => kechuang_domain::uscc::Uscc::parse(uscc)
                        .ok()
                        .and_then(|u| RegionCode::parse(u.region_part()).ok())
                        .is_some_and(|r| tree.is_within(&r, own)),
                    _ => false,
                })
                .map(|u| u.username)
                .collect();
            let regions = tree
                .subtree(own)
                .into_iter()
                .map(|r| r.to_string())
                .collect();
            filter.visible_to = Some(Visibility { regions, actors });
        }
    }
    Ok(store.audit_entries(&filter, page, per_page).await?)
}

/// Walks the whole chain.
pub async fn verify(store: &Store, who: &Principal) -> Result<Verification, Error> {
    auditor(who)?;
    Ok(store.verify_audit().await?)
}
