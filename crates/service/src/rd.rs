//! R&D statistics (plan §三(二)4, 应统尽统): importing the statistics office's survey file and
//! the tax authority's super-deduction list, and the coverage check — the enterprises that
//! should report R&D for a year against those whose survey shows it.

use crate::auth::Principal;
use crate::{Error, Missing};
use kechuang_domain::rd::{rate, Reason};
use kechuang_domain::RegionCode;
use kechuang_store::{Actor, Store};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which R&D statistics file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdFile {
    /// The statistics office's survey file (107-2).
    Survey,
    /// The tax authority's super-deduction list.
    SuperDeduction,
    /// A training session's sign-in sheet.
    Training,
}

/// An R&D statistics file to import.
pub struct FileImport<'a> {
    pub file: RdFile,
    pub path: &'a std::path::Path,
    pub file_name: &'a str,
    pub dry_run: bool,
    pub actor: &'a Actor,
    /// The year of a file without a 年度 column.
    pub year: Option<i32>,
}

/// What the file came to (see `finance::FileOutcome`).
pub struct FileOutcome {
    pub table_rows: usize,
    pub rows: usize,
    pub problems: Vec<kechuang_ingest::RowProblem>,
    pub summary: Option<kechuang_store::WriteSummary>,
}

pub async fn import_file(store: &Store, req: &FileImport<'_>) -> Result<FileOutcome, Error> {
    use kechuang_ingest::rd as ingest;
    let path = req.path.to_owned();
    let table = tokio::task::spawn_blocking(move || kechuang_ingest::table::read_table(&path))
        .await
        .map_err(|e| Error::internal(format!("the import's reader stopped: {e}")))?
        .map_err(Error::invalid)?;
    if req.file == RdFile::Training {
        return import_training(store, req, table).await;
    }
    let wanted = kechuang_ingest::finance::usccs(&table);
    let known = if wanted.is_empty() {
        kechuang_domain::registry::RegionsByUscc::default()
    } else {
        store.enterprise_regions(&wanted).await?
    };
    let (revenue, surveyed) = store.rd_check_context(&wanted).await?;
    let ctx = ingest::Context {
        year: req.year,
        known: &known,
        revenue: &revenue,
        surveyed: &surveyed,
    };
    let summary = |(inserted, updated, unchanged)| kechuang_store::WriteSummary {
        inserted,
        updated,
        unchanged,
        batch_id: None,
    };
    let mut out = FileOutcome {
        table_rows: table.len(),
        rows: 0,
        problems: Vec::new(),
        summary: None,
    };
    if req.file == RdFile::Survey {
        let parsed = ingest::parse_surveys(&table, &ctx);
        out.rows = parsed.count;
        out.problems = parsed.problems;
        if out.problems.is_empty() && !req.dry_run {
            let w = store
                .write_surveys(&parsed.rows, req.file_name, req.actor)
                .await?;
            out.summary = Some(summary(w));
        }
    } else {
        let parsed = ingest::parse_deductions(&table, &ctx);
        out.rows = parsed.count;
        out.problems = parsed.problems;
        if out.problems.is_empty() && !req.dry_run {
            let w = store
                .write_deductions(&parsed.rows, req.file_name, req.actor)
                .await?;
            out.summary = Some(summary(w));
        }
    }
    Ok(out)
}

/// A sign-in sheet: its enterprises looked up by code and by the names it gives.
async fn import_training(
    store: &Store,
    req: &FileImport<'_>,
    table: Vec<kechuang_ingest::table::Row>,
) -> Result<FileOutcome, Error> {
    let wanted = kechuang_ingest::finance::usccs(&table);
    let mut known = if wanted.is_empty() {
        kechuang_domain::registry::RegionsByUscc::default()
    } else {
        store.enterprise_regions(&wanted).await?
    };
    // Every cell that could be a name: a sheet is small, and its name column is found only
    // when it is parsed.
    let cells: BTreeSet<String> = table
        .iter()
        .flat_map(|r| r.cells.iter())
        .map(|c| c.trim().to_owned())
        .filter(|c| (4..=100).contains(&c.chars().count()))
        .collect();
    let names = crate::registries::enterprises_by_name(store, cells, &mut known).await?;
    let tree = store.region_tree().await?;
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("no regions are loaded"))?;
    let parsed = kechuang_ingest::rd::parse_trainings(
        &table,
        &kechuang_ingest::rd::TrainingContext {
            tree: &tree,
            home: &home,
            known: &known,
            names: &names,
        },
    );
    let mut out = FileOutcome {
        table_rows: table.len(),
        rows: parsed.count,
        problems: parsed.problems,
        summary: None,
    };
    if out.problems.is_empty() && !req.dry_run {
        let (inserted, updated, unchanged) = store
            .write_trainings(&parsed.rows, req.file_name, req.actor)
            .await?;
        out.summary = Some(kechuang_store::WriteSummary {
            inserted,
            updated,
            unchanged,
            batch_id: None,
        });
    }
    Ok(out)
}

/// The training sessions that prepare a year's survey (see `training_window`) in the
/// caller's region, or a county of it.
pub async fn trainings(
    store: &Store,
    who: &Principal,
    year: i32,
    region: Option<&str>,
) -> Result<Vec<kechuang_store::TrainingItem>, Error> {
    let tree = store.region_tree().await?;
    let top = who.region_within(&tree, region)?;
    // Sessions held in the region, or above it (a city's session serves its counties).
    let mut regions: Vec<String> = tree.subtree(&top).iter().map(|c| c.to_string()).collect();
    let mut up = tree.get(&top).and_then(|r| r.parent.clone());
    while let Some(p) = up {
        regions.push(p.to_string());
        up = tree.get(&p).and_then(|r| r.parent.clone());
    }
    let (from, to) = kechuang_domain::rd::training_window(year);
    Ok(store.trainings(from, to, &regions).await?)
}

/// An enterprise that should report R&D and did not, with why it should.
#[derive(Debug, Clone, Serialize)]
pub struct MissingReport {
    pub uscc: String,
    pub name: String,
    pub region: String,
    pub reasons: Vec<Reason>,
    /// It attended an R&D statistics training session for the year (`training_window`).
    pub trained: bool,
}

/// A county's coverage.
#[derive(Debug, Clone, Serialize)]
pub struct CountyCoverage {
    pub region: String,
    pub should: usize,
    pub reported: usize,
    pub rate: Option<f64>,
}

/// 应统尽统 for a year and region.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub year: i32,
    pub region: String,
    pub should: usize,
    pub reported: usize,
    /// reported ÷ should × 100; none when no enterprise should report.
    pub rate: Option<f64>,
    pub missing: Vec<MissingReport>,
    pub by_county: Vec<CountyCoverage>,
}

kechuang_domain::problems! {
    pub enum CoverageProblem {
        Year { raw: String } = "invalid_year" {
            zh: "年度 '{raw}' 应为四位年份", en: "year '{raw}' must be four digits",
        },
    }
}

/// Who should report R&D for `year` in the caller's region (or a county of it) and did not:
/// those on the super-deduction list, holding a valid high-tech certificate at the year's end,
/// or above scale with an R&D institution — against those whose survey shows R&D.
pub async fn coverage(
    store: &Store,
    who: &Principal,
    year: &str,
    region: Option<&str>,
) -> Result<Coverage, Error> {
    let year: i32 = year
        .trim()
        .trim_end_matches('年')
        .parse()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| {
            Error::invalid(CoverageProblem::Year {
                raw: year.to_owned(),
            })
        })?;
    let tree = store.region_tree().await?;
    let region = who.region_within(&tree, region)?;
    let inside: BTreeSet<String> = tree
        .subtree(&region)
        .iter()
        .map(|c| c.to_string())
        .collect();
    let (from, to) = kechuang_domain::rd::training_window(year);
    let trained = store.trained(from, to).await?;
    let mut should: BTreeMap<String, MissingReport> = BTreeMap::new();
    for (uscc, name, r, reason) in store.rd_should_report(year).await? {
        if !inside.contains(&r) {
            continue;
        }
        let e = should.entry(uscc.clone()).or_insert(MissingReport {
            trained: trained.contains(&uscc),
            uscc,
            name,
            region: r,
            reasons: Vec::new(),
        });
        if !e.reasons.contains(&reason) {
            e.reasons.push(reason);
            e.reasons.sort();
        }
    }
    let inside_list: Vec<String> = inside.iter().cloned().collect();
    let reported: BTreeSet<String> = store
        .surveys(year, Some(&inside_list))
        .await?
        .into_iter()
        .filter(|s| s.total.0 > 0)
        .map(|s| s.uscc)
        .collect();
    let county_of = |code: &str| tree.county_of(code);
    let mut counties: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (uscc, m) in &should {
        let c = counties.entry(county_of(&m.region)).or_default();
        c.0 += 1;
        if reported.contains(uscc) {
            c.1 += 1;
        }
    }
    let done = should.keys().filter(|u| reported.contains(*u)).count();
    let total = should.len();
    Ok(Coverage {
        year,
        region: region.to_string(),
        should: total,
        reported: done,
        rate: rate(total, done),
        missing: should
            .into_iter()
            .filter(|(u, _)| !reported.contains(u))
            .map(|(_, m)| m)
            .collect(),
        by_county: counties
            .into_iter()
            .map(|(region, (s, r))| CountyCoverage {
                region,
                should: s,
                reported: r,
                rate: rate(s, r),
            })
            .collect(),
    })
}

/// 应统尽统 for the dashboard: the latest surveyed year up to `up_to` in a region, for staff
/// whose scope covers it; `None` for everyone else, for a region outside the caller's scope,
/// and before any survey.
pub async fn dashboard_coverage(
    store: &Store,
    who: &Principal,
    region: &RegionCode,
    up_to: i32,
) -> Result<Option<Coverage>, Error> {
    use kechuang_domain::auth::Role;
    if !matches!(who.role(), Role::Bureau | Role::County) {
        return Ok(None);
    }
    let tree = store.region_tree().await?;
    if !who.scope().covers_region(&tree, region) {
        return Ok(None);
    }
    let Some(year) = store.latest_survey_year(up_to).await? else {
        return Ok(None);
    };
    Ok(Some(
        coverage(store, who, &year.to_string(), Some(region.as_str())).await?,
    ))
}

/// The surveys of a year in the caller's region.
pub async fn surveys(
    store: &Store,
    who: &Principal,
    year: i32,
) -> Result<Vec<kechuang_domain::rd::Survey>, Error> {
    let tree = store.region_tree().await?;
    let regions: Vec<String> = who
        .regions(&tree)
        .map_err(|_| Error::not_found(Missing::OutOfScope))?
        .iter()
        .map(|c| c.to_string())
        .collect();
    Ok(store.surveys(year, Some(&regions)).await?)
}

/// A region's R&D expenditure as the surveys add it up, beside the statistics office's
/// official figure (`rd_expenditure`, 万元) for the same year.
#[derive(Debug, Clone, Serialize)]
pub struct RollupLine {
    pub region: String,
    pub enterprises: usize,
    pub surveyed: kechuang_domain::money::Fen,
    pub official_wan: Option<f64>,
    /// Surveyed ÷ official × 100.
    pub share: Option<f64>,
}

/// The surveys' totals for a year, for a region and each county under it: the series
/// `enterprise_rd_expenditure` beside `rd_expenditure`.
pub async fn rollup(
    store: &Store,
    who: &Principal,
    year: i32,
    region: Option<&str>,
) -> Result<Vec<RollupLine>, Error> {
    let tree = store.region_tree().await?;
    let top = who.region_within(&tree, region)?;
    let mut lines: Vec<RegionCode> = vec![top.clone()];
    lines.extend(
        tree.rollup_children(&top)
            .into_iter()
            .map(|r| r.code.clone()),
    );
    let subtree: Vec<String> = tree.subtree(&top).iter().map(|c| c.to_string()).collect();
    let surveys = store.surveys(year, Some(&subtree)).await?;
    let official: HashMap<String, f64> = store
        .observations(Some("rd_expenditure"), Some(&tree.subtree(&top)))
        .await?
        .into_iter()
        .filter(|o| o.period == year.to_string())
        .map(|o| (o.region, o.value))
        .collect();
    Ok(lines
        .into_iter()
        .map(|code| {
            let inside: BTreeSet<String> =
                tree.subtree(&code).iter().map(|c| c.to_string()).collect();
            let mine: Vec<_> = surveys
                .iter()
                .filter(|s| inside.contains(&s.region_code))
                .collect();
            let surveyed = kechuang_domain::money::Fen(mine.iter().map(|s| s.total.0).sum());
            // A region without its own figure is the sum of its counties', as the dashboard
            // rolls it up.
            let official_wan = official.get(code.as_str()).copied().or_else(|| {
                let children: Vec<f64> = tree
                    .rollup_children(&code)
                    .iter()
                    .map(|c| official.get(c.code.as_str()).copied())
                    .collect::<Option<Vec<_>>>()?;
                (!children.is_empty()).then(|| children.iter().sum())
            });
            RollupLine {
                region: code.to_string(),
                enterprises: mine.len(),
                share: official_wan.filter(|o| *o > 0.0).map(|o| {
                    surveyed.0 as f64 / kechuang_domain::money::FEN_PER_WAN as f64 * 100.0 / o
                }),
                surveyed,
                official_wan,
            }
        })
        .collect())
}

// ---- an enterprise's own survey: filled by it, checked by its county, accepted by the bureau

/// The survey form as typed: figures in 万元 as text, so a wrong one is named on its field.
#[derive(Debug, Clone, Default)]
pub struct SurveyInput {
    pub staff: String,
    pub total: String,
    /// In the order of `kechuang_domain::rd::PARTS`.
    pub parts: [String; 8],
    pub super_deduction_base: String,
    pub note: String,
    /// 政府资金 within the total (万元).
    pub gov_funds: String,
    /// R&D institutions at the year's end.
    pub institutions: String,
    pub patent_applications: String,
    /// 新产品销售收入 (万元).
    pub new_product_sales: String,
}

kechuang_domain::problems! {
    /// What is wrong with a field of the survey form.
    pub enum InputProblem {
        Staff { raw: String } = "rd_staff_invalid" {
            zh: "研究开发人员应为不小于 0 的整数，而不是 '{raw}'",
            en: "R&D staff is a whole number of 0 or more, not '{raw}'",
        },
        Count { raw: String } = "rd_count_invalid" {
            zh: "应为不小于 0 的整数，而不是 '{raw}'",
            en: "a whole number of 0 or more, not '{raw}'",
        },
        Required = "rd_field_required" {
            zh: "必填，没有请填 0", en: "required: write 0 for none",
        },
        OnlyEnterprises = "rd_survey_enterprise_only" {
            zh: "企业研发调查由企业本身填报", en: "an enterprise fills its own R&D survey",
        },
        StaffOnly = "rd_survey_staff_only" {
            zh: "只有县（市、区）和市科技局审核企业填报", en: "only the county and the bureau act on a survey",
        },
    }
}

/// An enterprise's survey of a year as its page shows it.
pub struct OwnSurvey {
    pub enterprise: kechuang_domain::registry::EnterpriseRow,
    /// None before anything is saved.
    pub survey: Option<(
        kechuang_domain::rd::Survey,
        kechuang_domain::rd::SurveyStatus,
        String,
    )>,
}

fn own_uscc(who: &Principal) -> Result<String, Error> {
    match who.scope() {
        kechuang_domain::auth::DataScope::Enterprise(u) => Ok(u.clone()),
        _ => Err(Error::forbidden(InputProblem::OnlyEnterprises)),
    }
}

/// The caller's own survey of a year.
pub async fn own_survey(store: &Store, who: &Principal, year: i32) -> Result<OwnSurvey, Error> {
    let uscc = own_uscc(who)?;
    Ok(OwnSurvey {
        enterprise: store.enterprise(&uscc).await?,
        survey: store.survey_of(&uscc, year).await?,
    })
}

/// Checks the enterprise's survey as the statistics office would and saves it as a draft;
/// with `submit`, sends it to the county. Every problem is answered on its field, and nothing
/// is saved while any remains.
pub async fn save_own(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    year: i32,
    input: &SurveyInput,
    submit: bool,
) -> Result<crate::Saved, Error> {
    use kechuang_domain::money::{Fen, MoneyUnit};
    use kechuang_domain::problem::FieldProblem;
    use kechuang_domain::rd::{check, step, Context, Survey, SurveyAction, SurveyActor};
    let uscc = own_uscc(who)?;
    if !(1990..=2100).contains(&year) {
        return Err(Error::invalid(CoverageProblem::Year {
            raw: year.to_string(),
        }));
    }
    crate::within_limits(&[(&kechuang_domain::text::fields::NOTE, input.note.as_str())])?;
    let enterprise = store.enterprise(&uscc).await?;
    let mut problems: Vec<FieldProblem> = Vec::new();
    let staff = match input.staff.trim().parse::<i64>() {
        Ok(n) if n >= 0 => n,
        _ => {
            problems.push(FieldProblem::new(
                "rd_staff",
                InputProblem::Staff {
                    // Quoted back as typed, within reason: a message is not an echo chamber.
                    raw: input.staff.chars().take(40).collect(),
                },
            ));
            0
        }
    };
    let mut money = |field: &str, raw: &str, required: bool| -> Option<Fen> {
        let raw = raw.trim();
        if raw.is_empty() {
            if required {
                problems.push(FieldProblem::new(field.to_owned(), InputProblem::Required));
            }
            return None;
        }
        match Fen::parse_in(raw, MoneyUnit::Wan) {
            Ok(f) if f.0 >= 0 => Some(f),
            Ok(_) => {
                problems.push(FieldProblem::new(field.to_owned(), InputProblem::Required));
                None
            }
            Err(e) => {
                problems.push(FieldProblem::new(field.to_owned(), e));
                None
            }
        }
    };
    let total = money("rd_total_wan", &input.total, true).unwrap_or(Fen::ZERO);
    let mut parts = [Fen::ZERO; 8];
    for (i, (key, _, _)) in kechuang_domain::rd::PARTS.iter().enumerate() {
        parts[i] = money(key, &input.parts[i], false).unwrap_or(Fen::ZERO);
    }
    let super_deduction_base = money(
        "super_deduction_base_wan",
        &input.super_deduction_base,
        false,
    );
    let gov_funds = money("gov_funds_wan", &input.gov_funds, false);
    let new_product_sales = money("new_product_sales_wan", &input.new_product_sales, false);
    let mut count = |field: &str, raw: &str| -> Option<i64> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                problems.push(FieldProblem::new(
                    field.to_owned(),
                    InputProblem::Count {
                        raw: raw.chars().take(40).collect(),
                    },
                ));
                None
            }
        }
    };
    let details = kechuang_domain::rd::SurveyDetails {
        gov_funds,
        institutions: count("institutions", &input.institutions),
        patent_applications: count("patent_applications", &input.patent_applications),
        new_product_sales,
    };
    let survey = Survey {
        uscc: uscc.clone(),
        name: enterprise.name.clone(),
        region_code: enterprise.region_code.clone(),
        year,
        staff,
        total,
        parts,
        super_deduction_base,
        note: input.note.trim().to_owned(),
        details,
    };
    if problems.is_empty() {
        let (revenue, surveyed) = store.rd_check_context(std::slice::from_ref(&uscc)).await?;
        let ctx = Context {
            revenue: revenue.get(&(uscc.clone(), year)).copied(),
            last_year: surveyed.get(&(uscc.clone(), year - 1)).copied(),
        };
        problems.extend(
            check(&survey, &ctx)
                .into_iter()
                .map(|(field, p)| FieldProblem::new(field, p)),
        );
    }
    if !problems.is_empty() {
        return Ok(crate::Saved::Refused(problems));
    }
    let locked = |status: kechuang_domain::rd::SurveyStatus| {
        Error::conflict(kechuang_domain::rd::StepProblem::Locked {
            status: status.name().to_owned(),
        })
    };
    if !store.save_survey_draft(&survey, actor).await? {
        let status = store
            .survey_of(&uscc, year)
            .await?
            .map(|s| s.1)
            .unwrap_or(kechuang_domain::rd::SurveyStatus::Accepted);
        return Err(locked(status));
    }
    if submit {
        use kechuang_domain::rd::SurveyStatus as S;
        let to = step(S::Draft, SurveyAction::Submit, SurveyActor::Enterprise, "")
            .map_err(Error::conflict)?;
        if !store
            .step_survey(&uscc, year, S::Draft, to, "", actor)
            .await?
        {
            return Err(locked(S::Submitted));
        }
    }
    Ok(crate::Saved::Done)
}

/// A county or the bureau acts on an enterprise's survey: the county checks and sends on, or
/// returns; the bureau accepts, or returns. A survey outside the caller's region is not found.
pub async fn act_on_survey(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    uscc: &str,
    year: i32,
    action: kechuang_domain::rd::SurveyAction,
    comment: &str,
) -> Result<kechuang_domain::rd::SurveyStatus, Error> {
    use kechuang_domain::auth::Role;
    use kechuang_domain::rd::{step, SurveyActor};
    crate::within_limits(&[(&kechuang_domain::text::fields::COMMENT, comment)])?;
    let by = match who.role() {
        Role::County => SurveyActor::County,
        Role::Bureau => SurveyActor::Bureau,
        _ => return Err(Error::forbidden(InputProblem::StaffOnly)),
    };
    let uscc = kechuang_domain::uscc::normalise(uscc);
    let hidden = || Error::not_found(Missing::Enterprise { uscc: uscc.clone() });
    let (survey, status, _) = store.survey_of(&uscc, year).await?.ok_or_else(hidden)?;
    let tree = store.region_tree().await?;
    let inside =
        RegionCode::parse(&survey.region_code).is_ok_and(|r| who.scope().covers_region(&tree, &r));
    if !inside {
        return Err(hidden());
    }
    let to = step(status, action, by, comment).map_err(Error::conflict)?;
    if !store
        .step_survey(&uscc, year, status, to, comment.trim(), actor)
        .await?
    {
        return Err(Error::conflict(kechuang_domain::rd::StepProblem::NotNow {
            status: status.name().to_owned(),
            action: action.code().to_owned(),
        }));
    }
    Ok(to)
}

/// The enterprises' own surveys waiting for the caller: submitted ones for a county, checked
/// ones for the bureau; nothing for anyone else.
pub async fn waiting_surveys(
    store: &Store,
    who: &Principal,
) -> Result<Vec<kechuang_domain::rd::Survey>, Error> {
    use kechuang_domain::auth::Role;
    use kechuang_domain::rd::SurveyStatus;
    let status = match who.role() {
        Role::County => SurveyStatus::Submitted,
        Role::Bureau => SurveyStatus::Checked,
        _ => return Ok(Vec::new()),
    };
    let tree = store.region_tree().await?;
    let regions: Vec<String> = who
        .regions(&tree)
        .map_err(|_| Error::not_found(Missing::OutOfScope))?
        .iter()
        .map(|c| c.to_string())
        .collect();
    Ok(store.surveys_in(status, &regions).await?)
}

/// An enterprise's survey for a county or the bureau to read, within their region.
pub async fn survey_for_review(
    store: &Store,
    who: &Principal,
    uscc: &str,
    year: i32,
) -> Result<
    (
        kechuang_domain::rd::Survey,
        kechuang_domain::rd::SurveyStatus,
        String,
    ),
    Error,
> {
    let uscc = kechuang_domain::uscc::normalise(uscc);
    let hidden = || Error::not_found(Missing::Enterprise { uscc: uscc.clone() });
    let found = store.survey_of(&uscc, year).await?.ok_or_else(hidden)?;
    let tree = store.region_tree().await?;
    let visible = match who.scope() {
        kechuang_domain::auth::DataScope::Enterprise(own) => *own == uscc,
        scope => {
            RegionCode::parse(&found.0.region_code).is_ok_and(|r| scope.covers_region(&tree, &r))
        }
    };
    if !visible {
        return Err(hidden());
    }
    Ok(found)
}
