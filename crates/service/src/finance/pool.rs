//! Pool entry (三.17): the form an enterprise fills from the registries, its county's
//! recommendation and the bureau's admission, the entry rule, and how long each step takes.

use super::{field, number, positive_wan, scope, FinanceInput, Officer, Scope};
use crate::auth::{AsApplicant, Principal};
use crate::clock::today_in_china;
use crate::{Error, Missing};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::finance::{
    self as rules, FinanceProblem, PoolAction, PoolCandidate, PoolRule, PoolStage, PoolStatus,
};
use kechuang_domain::money::{Fen, FEN_PER_WAN};
use kechuang_domain::programme::EnterpriseFacts;
use kechuang_domain::RegionCode;
use kechuang_store::{BankRecord, MemberRecord, NewPoolApplication, PoolApplicationRecord, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The latest year's annual facts the form shows (money in 万元).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LatestFacts {
    pub year: i32,
    pub revenue: Option<f64>,
    pub rd_expenditure: Option<f64>,
    pub employees: Option<i64>,
}

/// What the pool form shows an enterprise: what the registries hold of it, whether the rule
/// admits it, the banks to choose from, and its latest application.
#[derive(Debug, Clone, Serialize)]
pub struct PoolForm {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub registered_on: Option<String>,
    /// Valid certificates: (kind, number, valid until).
    pub certificates: Vec<(String, String, Option<String>)>,
    pub facts: Option<LatestFacts>,
    pub rule: String,
    pub eligible: bool,
    pub banks: Vec<BankRecord>,
    pub applications: Vec<PoolApplicationRecord>,
    pub member: Option<MemberRecord>,
}

async fn candidate(
    store: &Store,
    uscc: &str,
    requested: Fen,
) -> Result<(PoolCandidate, PoolForm), Error> {
    let e = store.enterprise(uscc).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => Error::not_found(Missing::Enterprise {
            uscc: uscc.to_owned(),
        }),
        other => other.into(),
    })?;
    let today = today_in_china().to_string();
    let certificates: Vec<(String, String, Option<String>)> = store
        .certificates_of(uscc)
        .await?
        .into_iter()
        .map(|c| c.certificate)
        .filter(|c| {
            c.issued_on <= today
                && c.expires_on.as_deref().is_none_or(|x| x >= today.as_str())
                && c.revoked_on.as_deref().is_none_or(|x| x > today.as_str())
        })
        .map(|c| (c.kind, c.number, c.expires_on))
        .collect();
    let facts = store
        .facts_of(uscc)
        .await?
        .into_iter()
        .max_by_key(|f| f.year);
    let tree = store.region_tree().await?;
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("no regions are loaded"))?;
    let in_region = RegionCode::parse(&e.region_code).is_ok_and(|r| tree.is_within(&r, &home));
    let mut fact_map = HashMap::new();
    if let Some(f) = &facts {
        for (k, v) in [
            ("revenue", f.revenue),
            ("rd_expenditure", f.rd_expenditure),
            ("hitech_product_revenue", f.hitech_product_revenue),
            ("employees", f.employees.map(|x| x as f64)),
            ("st_staff", f.st_staff.map(|x| x as f64)),
            ("invention_patents", f.invention_patents.map(|x| x as f64)),
        ] {
            if let Some(v) = v {
                fact_map.insert(k.to_owned(), v);
            }
        }
    }
    let c = PoolCandidate {
        enterprise: EnterpriseFacts {
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            region: e.region_code.clone(),
            registered_year: e
                .registered_on
                .as_deref()
                .map(kechuang_domain::programme::year_of)
                .unwrap_or(0),
            size: e.size.clone(),
            above_scale: e.above_scale,
            hitech_field: e.hitech_field.clone(),
            industry: e.industry.clone(),
        },
        certificates: certificates.iter().map(|(k, ..)| k.clone()).collect(),
        facts: fact_map,
        in_region,
        requested_wan: requested.0 as f64 / FEN_PER_WAN as f64,
    };
    let (rule, _) = store.pool_rule().await?;
    let form = PoolForm {
        uscc: e.uscc,
        name: e.name,
        region_code: e.region_code,
        registered_on: e.registered_on,
        certificates,
        facts: facts.map(|f| LatestFacts {
            year: f.year,
            revenue: f.revenue,
            rd_expenditure: f.rd_expenditure,
            employees: f.employees,
        }),
        rule,
        eligible: false,
        banks: store.banks().await?,
        applications: store.pool_applications(None, Some(uscc), None).await?,
        member: store
            .pool_members(None, None)
            .await?
            .into_iter()
            .find(|m| m.uscc == uscc && m.left_on.is_none()),
    };
    Ok((c, form))
}

/// The rule's verdict, a rule that fails on this enterprise being the bureau's problem to fix,
/// not the applicant's: it is logged and the enterprise is told it does not qualify.
fn judge(rule: &str, c: &PoolCandidate) -> Result<bool, Error> {
    let compiled = PoolRule::compile(rule).map_err(Error::internal)?;
    compiled.eligible(c).map_err(Error::internal)
}

pub async fn pool_form(store: &Store, who: AsApplicant<'_>) -> Result<PoolForm, Error> {
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::not_found(Missing::OutOfScope));
    };
    // Eligibility before a sum is named: the rule sees the smallest loan.
    let (c, mut form) = candidate(store, uscc, Fen(1)).await?;
    form.eligible = judge(&form.rule, &c)?;
    Ok(form)
}

/// A pool application as the enterprise fills it in.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PoolInput {
    /// The loan sought, 万元.
    pub requested: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub contact: String,
    /// Partner banks chosen, by id.
    #[serde(default)]
    pub banks: Vec<i64>,
}

pub async fn apply_to_pool(
    store: &Store,
    who: AsApplicant<'_>,
    input: &PoolInput,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::not_found(Missing::OutOfScope));
    };
    crate::within_limits(&[
        (&fields::NOTE, &input.purpose),
        (&fields::NOTE, &input.contact),
    ])?;
    let requested = positive_wan("requested", &input.requested)?;
    if input.banks.is_empty() {
        return Err(field("banks", FinanceProblem::NoBankChosen));
    }
    let (c, form) = candidate(store, uscc, requested).await?;
    if !judge(&form.rule, &c)? {
        return Err(Error::conflict(FinanceProblem::NotEligible));
    }
    let prefill = serde_json::json!({
        "certificates": form.certificates,
        "facts": form.facts,
        "registered_on": form.registered_on,
    })
    .to_string();
    let mut banks = input.banks.clone();
    banks.sort_unstable();
    banks.dedup();
    Ok(store
        .submit_pool_application(
            &NewPoolApplication {
                uscc,
                name: &form.name,
                region_code: &form.region_code,
                requested,
                purpose: &input.purpose,
                contact: &input.contact,
                prefill: &prefill,
                banks: &banks,
            },
            &who.actor(),
        )
        .await?)
}

/// The county recommends or declines; the bureau admits or declines. Admission makes the
/// enterprise a member from today for the rule's months.
pub async fn act_on_pool_application(
    store: &Store,
    who: &Principal,
    id: i64,
    action: &str,
    comment: &str,
) -> Result<PoolStatus, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, comment)])?;
    let action = PoolAction::parse(action).ok_or_else(|| {
        Error::not_found(Missing::Action {
            action: action.to_owned(),
        })
    })?;
    let app = store.pool_application(id).await?;
    let scope = scope(store, who).await?;
    if !scope.sees_region(&app.region_code) {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    let stage = match who.role() {
        Role::County => PoolStage::County,
        Role::Bureau => PoolStage::Bureau,
        _ => return Err(Error::not_found(Missing::OutOfScope)),
    };
    let to = rules::pool_step(app.status, action, stage).map_err(Error::conflict)?;
    let (_, months) = store.pool_rule().await?;
    let today = today_in_china();
    let until = today + chrono::Months::new(u32::try_from(months).unwrap_or(24));
    store
        .act_on_pool_application(id, app.status, to, comment, today, until, &who.actor())
        .await?;
    Ok(to)
}

/// Ends a membership on a date (an enterprise leaves the pool, or its bank reports it gone);
/// counted members stay counted, loans after the date are no longer pool loans.
pub async fn end_membership(
    store: &Store,
    who: &Officer<'_>,
    id: i64,
    on: &str,
) -> Result<(), Error> {
    let on = crate::clock::parse_day("left_on", on)?;
    let tree = store.region_tree().await?;
    let member = store
        .pool_members(None, None)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .filter(|m| RegionCode::parse(&m.region_code).is_ok_and(|r| who.covers(&tree, &r)))
        .ok_or_else(|| Error::not_found(Missing::OutOfScope))?;
    if member.left_on.is_some() || on.to_string() < member.admitted_on {
        return Err(Error::conflict(FinanceProblem::LeaveBeforeAdmission {
            admitted_on: member.admitted_on,
        }));
    }
    Ok(store.end_membership(id, on, &who.actor()).await?)
}

pub async fn set_pool_rule(
    store: &Store,
    who: &Officer<'_>,
    rule: &str,
    months: &str,
) -> Result<(), Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::RULE, rule)])?;
    PoolRule::compile(rule).map_err(|e| field("rule", e))?;
    let months = number("validity_months", months)?
        .filter(|m| *m >= 1.0)
        .ok_or_else(|| field("validity_months", FinanceInput::NotPositive))?;
    Ok(store
        .set_pool_rule(rule, months.round() as i64, &who.actor())
        .await?)
}

/// Days an application spent at each stage, per county: median and slowest.
#[derive(Debug, Clone, Serialize)]
pub struct StageTimes {
    pub region_code: String,
    /// Applied → recommended by the county.
    pub county: Option<(f64, i64)>,
    /// Recommended → admitted by the bureau.
    pub bureau: Option<(f64, i64)>,
    /// Applied → admitted.
    pub total: Option<(f64, i64)>,
    pub admitted: usize,
}

/// What the pool page shows a caller.
#[derive(Debug, Clone, Serialize)]
pub struct PoolView {
    pub applications: Vec<PoolApplicationRecord>,
    pub members: Vec<MemberRecord>,
    pub times: Vec<StageTimes>,
    /// All counties together.
    pub overall: StageTimes,
    pub rule: String,
    pub validity_months: i64,
}

fn days_between(a: &str, b: &str) -> Option<i64> {
    let d = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&crate::clock::china()).date_naive())
    };
    Some((d(b)? - d(a)?).num_days())
}

fn stage_times(region: &str, apps: &[&PoolApplicationRecord]) -> StageTimes {
    let (mut county, mut bureau, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut admitted = 0;
    for a in apps {
        if let Some(r) = &a.recommended_at {
            county.extend(days_between(&a.submitted_at, r));
            if a.status == PoolStatus::Admitted {
                bureau.extend(a.decided_at.as_deref().and_then(|d| days_between(r, d)));
            }
        }
        if a.status == PoolStatus::Admitted {
            admitted += 1;
            total.extend(
                a.decided_at
                    .as_deref()
                    .and_then(|d| days_between(&a.submitted_at, d)),
            );
        }
    }
    StageTimes {
        region_code: region.to_owned(),
        county: rules::median_and_max(&county),
        bureau: rules::median_and_max(&bureau),
        total: rules::median_and_max(&total),
        admitted,
    }
}

pub async fn pool(store: &Store, who: &Principal) -> Result<PoolView, Error> {
    let scope = scope(store, who).await?;
    let (applications, members) = match &scope {
        Scope::Regions(r) => (
            store.pool_applications(Some(r), None, None).await?,
            store.pool_members(Some(r), None).await?,
        ),
        Scope::Bank(Some(b)) => (
            store.pool_applications(None, None, Some(*b)).await?,
            store.pool_members(None, Some(*b)).await?,
        ),
        Scope::Bank(None) => (Vec::new(), Vec::new()),
        Scope::Enterprise(u) => {
            let mut m = store.pool_members(None, None).await?;
            m.retain(|x| x.uscc == *u);
            (store.pool_applications(None, Some(u), None).await?, m)
        }
    };
    let mut by_region: BTreeMap<&str, Vec<&PoolApplicationRecord>> = BTreeMap::new();
    for a in &applications {
        by_region.entry(&a.region_code).or_default().push(a);
    }
    let times = by_region
        .iter()
        .map(|(r, apps)| stage_times(r, apps))
        .collect();
    let all: Vec<&PoolApplicationRecord> = applications.iter().collect();
    let overall = stage_times("", &all);
    let (rule, validity_months) = store.pool_rule().await?;
    Ok(PoolView {
        times,
        overall,
        applications,
        members,
        rule,
        validity_months,
    })
}

/// One pool application, if the caller sees it.
pub async fn pool_application(
    store: &Store,
    who: &Principal,
    id: i64,
) -> Result<PoolApplicationRecord, Error> {
    let app = store.pool_application(id).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => Error::not_found(Missing::OutOfScope),
        other => other.into(),
    })?;
    let visible = match scope(store, who).await? {
        s @ Scope::Regions(_) => s.sees_region(&app.region_code),
        Scope::Bank(b) => b.is_some_and(|b| app.banks.iter().any(|(id, _)| *id == b)),
        Scope::Enterprise(u) => u == app.uscc,
    };
    if visible {
        Ok(app)
    } else {
        Err(Error::not_found(Missing::OutOfScope))
    }
}
