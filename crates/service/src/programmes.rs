//! Funding programmes as the command line, the pages and the API use them: the preview of a
//! batch (who qualifies, why, how much, within which budget), its commitment, and the steps a
//! batch goes through. One path for all three, so a dry run on the command line and the
//! preview on a page can never disagree.

use crate::auth::Principal;
use crate::clock::parse_optional_day;
use crate::{Error, Missing};
use chrono::Datelike;
use kechuang_domain::auth::DataScope;
use kechuang_domain::money::Fen;
use kechuang_domain::programme::{preview, EventSource, Preview, Programme, Rules};
use kechuang_domain::text::fields;
use kechuang_domain::RegionCode;
use kechuang_store::{Actor, BatchStep, BudgetLine, Store};

/// A programme's preview for a year.
pub struct BatchPreview {
    pub programme: Programme,
    pub year: i32,
    pub preview: Preview,
    /// The year's budget, when one is set.
    pub budget: Option<BudgetLine>,
}

kechuang_domain::problems! {
    pub enum BatchProblem {
        RunsOnApplications { programme: String } = "programme_runs_on_applications" {
            zh: "{programme} 不按登记库事件批量奖补，而是通过申报评审",
            en: "{programme} runs on applications and review, not on batches",
        },
        NoBudget { programme: String, year: i32 } = "no_budget" {
            zh: "{programme} 尚未设置 {year} 年预算，请先设置",
            en: "{programme} has no budget for {year}: set one first",
        },
        InvalidYear { raw: String } = "invalid_year" {
            zh: "年度 '{raw}' 无效", en: "'{raw}' is not a year",
        },
        NoticeDays { raw: String } = "invalid_notice_days" {
            zh: "公示天数应为 1—60 的整数，而不是 '{raw}'",
            en: "notice days are a whole number from 1 to 60, not '{raw}'",
        },
        NameRequired = "name_required" { zh: "请填写名称", en: "a name is required" },
    }
}

/// The year a batch preview opens on when none is chosen: the latest year with events of the
/// programme's kind, within the years it runs and not after this one, so the officer sees the
/// awards that wait rather than an empty year.
pub async fn default_preview_year(store: &Store, p: &Programme) -> Result<i32, Error> {
    let this_year = crate::clock::today_in_china().year();
    let last = p.to_year.unwrap_or(this_year).min(this_year);
    let latest = match p.event {
        Some(event) => store.latest_issue_year(event).await?,
        None => None,
    };
    Ok(latest
        .unwrap_or(last)
        .clamp(p.from_year, last.max(p.from_year)))
}

/// Applies a programme's rules to the registries for a year, without writing anything.
pub async fn preview_batch(
    store: &Store,
    scope: &FundsScope,
    code: &str,
    year: i32,
) -> Result<BatchPreview, Error> {
    scope.check(code)?;
    let programme = store.programme(code).await?;
    let rules = compile(&programme)?;
    // Well-formed, but the programme does not run that year.
    programme.check_year(year).map_err(Error::conflict)?;
    let Some(event) = programme.event else {
        return Err(Error::conflict(BatchProblem::RunsOnApplications {
            programme: code.to_owned(),
        }));
    };
    let region = store.programme_region(code).await?;
    let tree = store.region_tree().await?;
    let mut candidates = match event {
        EventSource::Certificate(kind) => store.award_candidates(kind, year).await?,
        EventSource::Patent(kind) => store.patent_candidates(kind, year).await?,
        EventSource::RdSurvey => store.survey_candidates(year).await?,
    };
    for c in &mut candidates {
        c.in_region = kechuang_domain::RegionCode::parse(&c.enterprise.region)
            .is_ok_and(|r| tree.is_within(&r, &region));
    }
    let awarded = store.awarded_keys(code).await?;
    let budget = store.budget_line(code, year).await?;
    let preview = preview(
        &programme,
        &rules,
        year,
        &candidates,
        &awarded,
        budget.as_ref().map(BudgetLine::available),
    )
    .map_err(Error::invalid)?;
    Ok(BatchPreview {
        programme,
        year,
        preview,
        budget,
    })
}

/// Commits what a fresh preview finds due as a batch awaiting review. A budget must be set
/// first, so every batch is sized against one.
pub async fn commit_batch(
    store: &Store,
    scope: &FundsScope,
    code: &str,
    year: i32,
    actor: &Actor,
) -> Result<(i64, BatchPreview), Error> {
    let p = preview_batch(store, scope, code, year).await?;
    if p.budget.is_none() {
        return Err(Error::conflict(BatchProblem::NoBudget {
            programme: code.to_owned(),
            year,
        }));
    }
    let due: Vec<_> = p.preview.due().cloned().collect();
    let id = store.commit_batch(&p.programme, year, &due, actor).await?;
    Ok((id, p))
}

/// Parses a batch step's form or JSON fields.
pub fn step(
    action: &str,
    comment: Option<&str>,
    notice_start: Option<&str>,
    paid_on: Option<&str>,
    payment_ref: Option<&str>,
) -> Result<BatchStep, Error> {
    let action = kechuang_domain::programme::BatchAction::parse(action).ok_or_else(|| {
        Error::invalid(Missing::Action {
            action: action.to_owned(),
        })
    })?;
    Ok(BatchStep {
        action,
        comment: comment.unwrap_or_default().trim().to_owned(),
        // Notices run and payments are dated in China's time.
        today: crate::clock::today_in_china(),
        notice_start: parse_optional_day("notice_start", notice_start)?,
        paid_on: parse_optional_day("paid_on", paid_on)?,
        payment_ref: payment_ref.unwrap_or_default().trim().to_owned(),
    })
}

/// Parses a year given on a page or the command line.
pub fn parse_year(raw: &str) -> Result<i32, Error> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1949..=2200).contains(y))
        .ok_or_else(|| {
            Error::invalid(BatchProblem::InvalidYear {
                raw: raw.to_owned(),
            })
        })
}

/// Parses an amount of money given on a page or the command line.
pub fn parse_amount(raw: &str) -> Result<Fen, Error> {
    Fen::parse(raw).map_err(Error::invalid)
}

/// A programme's rules compiled, or the first reason they are not.
fn compile(p: &Programme) -> Result<Rules, Error> {
    Rules::compile(p).map_err(|errors| match errors.into_iter().next() {
        Some(first) => Error::invalid(first),
        None => Error::internal("rules refused without a reason"),
    })
}

/// A new wording of a programme's name, basis and rules, as typed on its page or sent to
/// the API.
pub struct RulesChange {
    pub name: String,
    pub basis: String,
    pub eligibility: String,
    pub amount: String,
    /// Empty: every award due has the same priority.
    pub priority: String,
    pub notice_days: String,
    pub description: String,
    /// Whether the officer who generated a batch may not approve it; `None` keeps it.
    pub separate_duties: Option<bool>,
}

/// Changes a programme's rules. They are compiled and tried on a sample before anything is
/// saved, so a rule that does not run is refused with its reason rather than failing when
/// money is due.
pub async fn update_rules(
    store: &Store,
    scope: &FundsScope,
    code: &str,
    change: RulesChange,
    actor: &Actor,
) -> Result<Programme, Error> {
    scope.check(code)?;
    crate::within_limits(&[
        (&fields::PROGRAMME_NAME, &change.name),
        (&fields::BASIS, &change.basis),
        (&fields::RULE, &change.eligibility),
        (&fields::RULE, &change.amount),
        (&fields::RULE, &change.priority),
        (&fields::DESCRIPTION, &change.description),
    ])?;
    let mut p = store.programme(code).await?;
    p.name = change.name.trim().to_owned();
    p.basis = change.basis.trim().to_owned();
    p.eligibility = change.eligibility.trim().to_owned();
    p.amount = change.amount.trim().to_owned();
    p.priority = Some(change.priority.trim().to_owned()).filter(|s| !s.is_empty());
    p.description = change.description.trim().to_owned();
    if let Some(separate) = change.separate_duties {
        p.separate_duties = separate;
    }
    p.notice_days = change
        .notice_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=60).contains(d))
        .ok_or_else(|| {
            Error::invalid(BatchProblem::NoticeDays {
                raw: change.notice_days.clone(),
            })
        })?;
    if p.name.is_empty() {
        return Err(Error::invalid(BatchProblem::NameRequired));
    }
    compile(&p)?;
    store.update_programme(&p, actor).await?;
    Ok(p)
}

/// Sets a programme's budget for a year and returns the year's line as it now stands.
pub async fn set_budget(
    store: &Store,
    scope: &FundsScope,
    code: &str,
    year: i32,
    amount: Fen,
    actor: &Actor,
) -> Result<BudgetLine, Error> {
    scope.check(code)?;
    store.set_budget(code, year, amount, actor).await?;
    store
        .budget_line(code, year)
        .await?
        .ok_or_else(|| Error::internal("the budget just set is missing"))
}

// ---- whose money ----------------------------------------------------------------------------

/// The funding records a caller may see and act on: those of the programmes whose plan's
/// region lies within the caller's, so one city's bureau on a province's deployment never
/// reads or moves another city's budgets, batches, payments, vouchers or applications.
/// Administrators, whose scope is the system, see all (they audit it); anyone else sees none.
pub struct FundsScope {
    all: bool,
    codes: std::collections::HashSet<String>,
}

impl FundsScope {
    /// The installation's operator at the command line, who holds the database itself.
    pub fn operator() -> Self {
        Self {
            all: true,
            codes: Default::default(),
        }
    }

    pub fn covers(&self, programme_code: &str) -> bool {
        self.all || self.codes.contains(programme_code)
    }

    /// Not found, exactly as a programme that does not exist, when outside the scope.
    pub fn check(&self, programme_code: &str) -> Result<(), Error> {
        if self.covers(programme_code) {
            Ok(())
        } else {
            Err(Error::not_found(kechuang_store::Absent::Programme {
                code: programme_code.to_owned(),
            }))
        }
    }
}

pub async fn funds_scope(store: &Store, who: &Principal) -> Result<FundsScope, Error> {
    match who.scope() {
        DataScope::System => Ok(FundsScope {
            all: true,
            codes: Default::default(),
        }),
        DataScope::Region(own) => {
            let tree = store.region_tree().await?;
            let codes = store
                .programme_regions()
                .await?
                .into_iter()
                .filter(|(_, region)| {
                    RegionCode::parse(region).is_ok_and(|r| tree.is_within(&r, own))
                })
                .map(|(code, _)| code)
                .collect();
            Ok(FundsScope { all: false, codes })
        }
        _ => Ok(FundsScope {
            all: false,
            codes: Default::default(),
        }),
    }
}

/// A programme the caller may see.
pub async fn programme(store: &Store, scope: &FundsScope, code: &str) -> Result<Programme, Error> {
    scope.check(code)?;
    Ok(store.programme(code).await?)
}

/// A batch the caller may see; one outside the scope is not found, like one that does not
/// exist.
pub async fn batch(
    store: &Store,
    scope: &FundsScope,
    id: i64,
) -> Result<kechuang_store::BatchRecord, Error> {
    let b = store.batch(id).await?;
    if !scope.covers(&b.programme_code) {
        return Err(Error::not_found(kechuang_store::Absent::Batch { id }));
    }
    Ok(b)
}

/// Takes a step on a batch: review, publish, approve, pay or void.
pub async fn take_step(
    store: &Store,
    scope: &FundsScope,
    id: i64,
    step: &BatchStep,
    actor: &Actor,
) -> Result<kechuang_domain::programme::BatchStatus, Error> {
    crate::within_limits(&[
        (&fields::COMMENT, &step.comment),
        (&fields::PAYMENT_REFERENCE, &step.payment_ref),
    ])?;
    batch(store, scope, id).await?;
    Ok(store.act_on_batch(id, step, actor).await?)
}

/// Settles an objection to a batch on notice: upheld (its award is withdrawn) or dismissed.
pub async fn resolve_objection(
    store: &Store,
    scope: &FundsScope,
    batch_id: i64,
    objection: i64,
    upheld: bool,
    resolution: &str,
    actor: &Actor,
) -> Result<(), Error> {
    crate::within_limits(&[(&fields::RESOLUTION, resolution)])?;
    batch(store, scope, batch_id).await?;
    let belongs = store
        .objections(batch_id)
        .await?
        .iter()
        .any(|o| o.id == objection);
    if !belongs {
        return Err(Error::not_found(kechuang_store::Absent::Objection {
            id: objection,
        }));
    }
    Ok(store
        .resolve_objection(objection, upheld, resolution, actor)
        .await?)
}

/// Records an objection from the public to a batch on notice: with a name, a contact and
/// its text, within the limits per address and per notice.
pub async fn object(store: &Store, o: &kechuang_store::NewObjection) -> Result<i64, Error> {
    kechuang_domain::programme::check_objection(&o.name, &o.contact, &o.text)
        .map_err(Error::invalid)?;
    Ok(store
        .add_objection(o, crate::clock::today_in_china())
        .await?)
}

/// Dismisses a batch's open objections in one step, all or those from one address.
pub async fn dismiss_objections(
    store: &Store,
    scope: &FundsScope,
    batch_id: i64,
    from_client: Option<&str>,
    resolution: &str,
    actor: &Actor,
) -> Result<u64, Error> {
    crate::within_limits(&[(&fields::RESOLUTION, resolution)])?;
    batch(store, scope, batch_id).await?;
    let from = from_client.map(str::trim).filter(|c| !c.is_empty());
    Ok(store
        .dismiss_objections(batch_id, from, resolution, actor)
        .await?)
}
