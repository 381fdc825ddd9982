//! Successive plans: a new plan begun in the browser from an earlier one, edited as a draft
//! (its plan file), checked as `kechuang plan load` checks a file, and published — every
//! publish a revision kept with who and when; and a plan's file, as loaded, for download.

use crate::auth::{AsBureau, Principal};
use crate::Error;
use kechuang_domain::plan::{parse_plan, Plan, PlanError};
use kechuang_domain::plan_copy::{copy_plan_file, CopyAs};
use kechuang_store::{Absent, DraftRecord, PlanRevision, Store, StoreError};

/// The longest plan file a draft holds (the shipped plan is about 80 KB).
pub const MAX_PLAN_BYTES: usize = 1 << 20;

kechuang_domain::problems! {
    pub enum PlanProblem {
        Year { raw: String } = "plan_year_invalid" {
            zh: "年份 '{raw}' 无效，应如 2021", en: "'{raw}' is not a year such as 2021",
        },
        Period { from: i32, to: i32 } = "plan_period_invalid" {
            zh: "计划期 {from}—{to} 无效", en: "the plan period {from}–{to} is not valid",
        },
        Code { raw: String } = "plan_code_invalid" {
            zh: "计划代码 '{raw}' 应为小写字母、数字和 -，如 shaoguan-2021-2025",
            en: "plan code '{raw}': lowercase letters, digits and '-', e.g. shaoguan-2021-2025",
        },
        Name = "plan_name_required" {
            zh: "请填写计划名称", en: "the plan needs a name",
        },
        CodeTaken { code: String } = "plan_code_taken" {
            zh: "已有代码为 {code} 的另一计划：草稿发布会覆盖它，请改用新代码",
            en: "another plan has the code {code}; publishing would overwrite it — choose a new code",
        },
        TooLarge = "plan_file_too_large" {
            zh: "计划文件超过 1 MB", en: "a plan file holds at most 1 MB",
        },
        Invalid { count: usize } = "plan_invalid" {
            zh: "计划文件有 {count} 处错误，未发布", en: "the plan file has {count} error(s); nothing was published",
        },
        Line { message: String } = "plan_line" { zh: "{message}", en: "{message}" },
        OutsideRegion = "plan_outside_region" {
            zh: "计划所属区划不在本账号管辖范围内", en: "the plan's region is outside this account's",
        },
    }
}

/// A new plan's code, name and years as typed.
#[derive(Debug, Clone, Default)]
pub struct CopyInput {
    pub code: String,
    pub name: String,
    pub start_year: String,
    pub end_year: String,
}

/// A plan of another city does not exist for a bureau: the same answer as a missing one.
async fn own_plan(store: &Store, who: &AsBureau<'_>, plan_id: i64) -> Result<(), Error> {
    within_scope(store, who, &store.plan(plan_id).await?).await
}

/// The plan, when its region lies within the caller's scope; not found otherwise, as a record
/// outside a scope always is. A bureau's own plans, and no other city's.
pub(crate) async fn within_scope(
    store: &Store,
    who: &Principal,
    plan: &kechuang_store::PlanSummary,
) -> Result<(), Error> {
    let tree = store.region_tree().await?;
    let inside = kechuang_domain::RegionCode::parse(&plan.region_code)
        .is_ok_and(|r| who.scope().covers_region(&tree, &r));
    if inside {
        Ok(())
    } else {
        Err(StoreError::NotFound(Absent::Plan { id: plan.id }).into())
    }
}

/// A draft is its plan's bureau's.
async fn own_draft(store: &Store, who: &AsBureau<'_>, id: i64) -> Result<DraftRecord, Error> {
    let d = store.draft(id).await?;
    if let Some(p) = d.based_on {
        own_plan(store, who, p)
            .await
            .map_err(|_| Error::from(StoreError::NotFound(Absent::Draft { id })))?;
    }
    Ok(d)
}

fn year(raw: &str) -> Result<i32, Error> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2200).contains(y))
        .ok_or_else(|| {
            Error::invalid(PlanProblem::Year {
                raw: raw.chars().take(20).collect(),
            })
        })
}

/// Begins a new plan as a draft copied from a published one.
pub async fn copy(
    store: &Store,
    who: AsBureau<'_>,
    plan_id: i64,
    input: &CopyInput,
) -> Result<i64, Error> {
    own_plan(store, &who, plan_id).await?;
    let code = input.code.trim();
    let valid = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(Error::invalid(PlanProblem::Code {
            raw: code.chars().take(40).collect(),
        }));
    }
    if input.name.trim().is_empty() {
        return Err(Error::invalid(PlanProblem::Name));
    }
    crate::within_limits(&[(
        &kechuang_domain::text::fields::CALL_TITLE,
        input.name.as_str(),
    )])?;
    let (from, to) = (year(&input.start_year)?, year(&input.end_year)?);
    if to < from || to - from > 20 {
        return Err(Error::invalid(PlanProblem::Period { from, to }));
    }
    if store.plans().await?.iter().any(|p| p.code == code) {
        return Err(Error::conflict(PlanProblem::CodeTaken {
            code: code.to_owned(),
        }));
    }
    let src = store.plan_source(plan_id).await?;
    let copy = copy_plan_file(
        &src,
        &CopyAs {
            code: code.to_owned(),
            name: input.name.trim().to_owned(),
            start_year: from,
            end_year: to,
        },
    )
    .map_err(|e| Error::invalid(PlanProblem::Invalid { count: e.0.len() }))?;
    Ok(store
        .save_draft(None, (code, Some(plan_id), &copy), &who.actor())
        .await?)
}

/// A draft to change a published plan: the one already open, or a new one from its file.
pub async fn edit(store: &Store, who: AsBureau<'_>, plan_id: i64) -> Result<i64, Error> {
    own_plan(store, &who, plan_id).await?;
    let plan = store.plan(plan_id).await?;
    if let Some(d) = store
        .drafts()
        .await?
        .into_iter()
        .find(|d| d.code == plan.code)
    {
        return Ok(d.id);
    }
    let src = store.plan_source(plan_id).await?;
    Ok(store
        .save_draft(None, (&plan.code, Some(plan_id), &src), &who.actor())
        .await?)
}

/// A draft with the problems its file has now (none when it would publish).
pub async fn draft(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
) -> Result<(DraftRecord, Vec<PlanError>), Error> {
    let d = own_draft(store, &who, id).await?;
    let problems = check(store, &d).await?.err().unwrap_or_default();
    Ok((d, problems))
}

pub async fn drafts(store: &Store, who: AsBureau<'_>) -> Result<Vec<DraftRecord>, Error> {
    let mut out = Vec::new();
    for d in store.drafts().await? {
        if own_draft(store, &who, d.id).await.is_ok() {
            out.push(d);
        }
    }
    Ok(out)
}

/// Saves a draft's file as typed, even with problems (a draft is work in progress); answers
/// the problems it has.
pub async fn save(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    source: &str,
) -> Result<Vec<PlanError>, Error> {
    if source.len() > MAX_PLAN_BYTES {
        return Err(Error::invalid(PlanProblem::TooLarge));
    }
    let d = own_draft(store, &who, id).await?;
    store
        .save_draft(Some(id), (&d.code, d.based_on, source), &who.actor())
        .await?;
    let d = store.draft(id).await?;
    Ok(check(store, &d).await?.err().unwrap_or_default())
}

/// Every check a draft must pass to be published: the file's own (as `plan load`), the
/// targets it continues exist, and its code is its own or that of the plan it edits.
async fn check(store: &Store, d: &DraftRecord) -> Result<Result<Plan, Vec<PlanError>>, Error> {
    let plan = match parse_plan(&d.source, &store.region_tree().await?) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.0)),
    };
    let mut problems = continuity(store, &plan, &d.source).await?;
    let plans = store.plans().await?;
    if let Some(other) = plans.iter().find(|p| p.code == plan.code) {
        if d.based_on != Some(other.id) || d.code != plan.code {
            problems.push(PlanError {
                line: line_of(&d.source, "code"),
                message: format!(
                    "已有代码为 {} 的另一计划，发布会覆盖它 (another plan has this code)",
                    plan.code
                ),
            });
        }
    }
    Ok(if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    })
}

fn line_of(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.trim_start().starts_with(needle) || l.contains(needle))
        .map_or(1, |i| i + 1)
}

/// Each `continues` names a target of another, published plan.
pub async fn continuity(store: &Store, plan: &Plan, src: &str) -> Result<Vec<PlanError>, Error> {
    let mut out = Vec::new();
    let plans = store.plans().await?;
    for t in &plan.targets {
        let Some(c) = &t.continues else { continue };
        let (p, code) = c.split_once('/').unwrap_or((c.as_str(), ""));
        let found = match plans.iter().find(|x| x.code == p && x.code != plan.code) {
            Some(earlier) => store
                .targets(earlier.id)
                .await?
                .iter()
                .any(|x| x.code == code),
            None => false,
        };
        if !found {
            out.push(PlanError {
                line: line_of(src, &format!("\"{c}\"")),
                message: format!(
                    "目标 {} 接续的 {c} 不存在：应为已发布计划的目标 (continues names no published target)",
                    t.code
                ),
            });
        }
    }
    Ok(out)
}

/// Publishes a draft: the plan is loaded (new, or replacing the plan it edits) as a new
/// revision, and the draft is closed. Refused with every problem while any remains.
pub async fn publish(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
) -> Result<Result<i64, Vec<PlanError>>, Error> {
    let d = own_draft(store, &who, id).await?;
    let plan = match check(store, &d).await? {
        Ok(p) => p,
        Err(problems) => return Ok(Err(problems)),
    };
    let tree = store.region_tree().await?;
    if !who.scope().covers_region(&tree, &plan.region) {
        return Err(Error::forbidden(PlanProblem::OutsideRegion));
    }
    let plan_id = store.load_plan(&plan, &d.source, who.username()).await?;
    store.drop_draft(id).await?;
    Ok(Ok(plan_id))
}

/// Staff read the files of their own region's plans: a county's officer its city's, a
/// bureau its own; another city's plan does not exist for them.
async fn staff_plan(store: &Store, who: &Principal, plan_id: i64) -> Result<(), Error> {
    let plan = store.plan(plan_id).await?;
    if within_scope(store, who, &plan).await.is_ok() {
        return Ok(());
    }
    // A county's officer reads the plan of the city the county lies in.
    let tree = store.region_tree().await?;
    let inside = match (
        who.scope(),
        kechuang_domain::RegionCode::parse(&plan.region_code),
    ) {
        (kechuang_domain::auth::DataScope::Region(own), Ok(r)) => tree.subtree(&r).contains(own),
        _ => false,
    };
    if inside {
        Ok(())
    } else {
        Err(StoreError::NotFound(Absent::Plan { id: plan_id }).into())
    }
}

/// The revisions of a published plan, newest first.
pub async fn revisions(
    store: &Store,
    who: &Principal,
    plan_id: i64,
) -> Result<Vec<PlanRevision>, Error> {
    staff_plan(store, who, plan_id).await?;
    Ok(store.plan_revisions(plan_id).await?)
}

/// A plan's file: as last published, or as of a revision.
pub async fn source(
    store: &Store,
    who: &Principal,
    plan_id: i64,
    revision: Option<i64>,
) -> Result<String, Error> {
    staff_plan(store, who, plan_id).await?;
    match revision {
        None => Ok(store.plan_source(plan_id).await?),
        Some(r) => store
            .plan_revisions(plan_id)
            .await?
            .into_iter()
            .find(|x| x.revision == r)
            .map(|x| x.source)
            .ok_or_else(|| StoreError::NotFound(Absent::Plan { id: plan_id }).into()),
    }
}
