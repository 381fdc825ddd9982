//! A county's data entry: the form of a year's figures, with the previous year's figure and
//! the plan's target beside each field, and the checks a submitted figure must pass.

use crate::auth::{AsBureau, AsCounty, Principal};
use crate::progress::default_plan_id;
use crate::{Error, Missing, Saved};
use kechuang_domain::entry::{EntryAction, FigureProblem};
use kechuang_domain::indicator::{Indicator, IndicatorKind};
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::region::Region;
use kechuang_domain::Period;
use kechuang_store::Store;
use std::collections::HashMap;

/// One field of a county's data-entry form: the indicator, the figure entered (or already
/// on record), the previous period's figure and the plan's target beside it.
pub struct EntryLine {
    pub indicator: Indicator,
    pub previous: Option<f64>,
    pub value: Option<f64>,
    pub note: String,
    pub target: Option<LineTarget>,
}

/// The plan's target beside a field of the form.
pub enum LineTarget {
    /// The county's own share of the target.
    County(f64),
    /// The city's target, where the plan sets no county share.
    City(f64),
    /// The figure feeds a computed target (e.g. R&D expenditure feeds 2.1 R&D intensity).
    Via {
        code: String,
        value: f64,
        unit: String,
    },
}

/// A county's form for a year: every manual indicator that counties report (those summed
/// into the city total), in plan order.
pub struct EntrySheet {
    pub region: Region,
    pub period: Period,
    pub lines: Vec<EntryLine>,
    pub ret: Option<kechuang_store::EntryReturn>,
}

/// The county and year a data-entry address names, if the caller may see them: a county in
/// their scope and a plausible year; anything else is not found.
pub async fn entry_place(
    store: &Store,
    who: &Principal,
    region: &str,
    period: &str,
) -> Result<(Region, Period), Error> {
    let tree = store.region_tree().await?;
    let code = who.region_within(&tree, Some(region))?;
    let region = tree
        .get(&code)
        .filter(|r| r.kind == kechuang_domain::region::RegionKind::County)
        .cloned()
        .ok_or_else(|| {
            Error::not_found(Missing::County {
                code: code.to_string(),
            })
        })?;
    match Period::parse(period) {
        Ok(p @ Period::Year(y)) if (2000..=2100).contains(&y) => Ok((region, p)),
        _ => Err(Error::not_found(Missing::Period {
            period: period.to_owned(),
        })),
    }
}

pub async fn entry_sheet(
    store: &Store,
    who: &Principal,
    region: &str,
    period: &str,
) -> Result<EntrySheet, Error> {
    let (region, period) = entry_place(store, who, region, period).await?;
    let code = region.code.clone();
    let plan_id = default_plan_id(store).await?;
    let targets = store.targets(plan_id).await?;
    let indicators = store.indicators().await?;
    let observed = store
        .observations(None, Some(std::slice::from_ref(&code)))
        .await?;
    let ret = store.entry_return(&code, &period).await?;
    let formulas: HashMap<String, (kechuang_domain::formula::Formula, String)> = indicators
        .iter()
        .filter_map(|i| match &i.kind {
            IndicatorKind::Formula(f) => Some((i.code.clone(), (f.clone(), i.unit.clone()))),
            _ => None,
        })
        .collect();
    let previous_period = Period::Year(period.year() - 1).to_string();
    let this_period = period.to_string();
    let lines = indicators
        .into_iter()
        .filter(|i| {
            matches!(
                i.kind,
                IndicatorKind::Manual {
                    aggregation: kechuang_domain::indicator::Aggregation::Sum
                }
            )
        })
        .map(|i| {
            let find = |p: &str| {
                observed
                    .iter()
                    .find(|o| o.indicator == i.code && o.period == p)
            };
            let entered = ret
                .as_ref()
                .and_then(|r| r.values.iter().find(|v| v.indicator == i.code));
            let direct = targets.iter().find(|t| t.indicator == i.code).map(|t| {
                t.county_targets
                    .iter()
                    .find(|(r, _)| *r == code)
                    .map_or(LineTarget::City(t.target), |(_, v)| LineTarget::County(*v))
            });
            let via = || {
                targets.iter().find_map(|t| {
                    let f = formulas.get(&t.indicator)?;
                    f.0.inputs().contains(&i.code).then(|| LineTarget::Via {
                        code: t.code.clone(),
                        value: t.target,
                        unit: f.1.clone(),
                    })
                })
            };
            let target = direct.or_else(via);
            EntryLine {
                previous: find(&previous_period).map(|o| o.value),
                value: entered
                    .map(|v| v.value)
                    .or_else(|| find(&this_period).map(|o| o.value)),
                note: entered.map(|v| v.note.clone()).unwrap_or_default(),
                target,
                indicator: i,
            }
        })
        .collect();
    Ok(EntrySheet {
        region,
        period,
        lines,
        ret,
    })
}

/// Checks submitted figures against the domain's rules; returns the accepted values and the
/// problems by indicator code. A blank field is simply not reported.
pub fn check_entry(
    sheet: &EntrySheet,
    submitted: &HashMap<String, String>,
) -> (Vec<kechuang_store::EntryValue>, Vec<FieldProblem>) {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for line in &sheet.lines {
        let code = &line.indicator.code;
        let raw = submitted
            .get(&format!("v_{code}"))
            .map(|s| s.trim().replace(',', ""))
            .unwrap_or_default();
        let note = submitted
            .get(&format!("n_{code}"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        if let Err(mut p) = kechuang_domain::text::fields::NOTE.check(&note) {
            p.field = code.clone();
            problems.push(p);
            continue;
        }
        match raw.parse::<f64>() {
            Err(_) => problems.push(FieldProblem::new(
                code.clone(),
                FigureProblem::NotANumber { raw: raw.clone() },
            )),
            Ok(v) => match kechuang_domain::entry::check_value(
                &line.indicator.unit,
                v,
                line.previous,
                &note,
            ) {
                Ok(()) => values.push(kechuang_store::EntryValue {
                    indicator: code.clone(),
                    value: v,
                    note,
                }),
                Err(p) => problems.push(FieldProblem::new(code.clone(), p)),
            },
        }
    }
    (values, problems)
}

kechuang_domain::problems! {
    pub enum EntryProblem {
        CommentRequired = "reason_required" {
            zh: "退回须填写审核意见", en: "returning needs a comment",
        },
    }
}

/// A county saves its figures, or submits them to the bureau. Every figure is checked
/// first (`submitted` holds `v_{indicator}` and `n_{indicator}` for a figure and its note);
/// with any problem nothing is saved.
pub async fn save(
    store: &Store,
    who: AsCounty<'_>,
    region: &str,
    period: &str,
    submitted: &HashMap<String, String>,
    submit: bool,
) -> Result<Saved, Error> {
    let sheet = entry_sheet(store, &who, region, period).await?;
    let (values, mut problems) = check_entry(&sheet, submitted);
    if submit && values.is_empty() && problems.is_empty() {
        if let Some(first) = sheet.lines.first() {
            problems.push(FieldProblem::new(
                first.indicator.code.clone(),
                FigureProblem::NothingEntered,
            ));
        }
    }
    if !problems.is_empty() {
        return Ok(Saved::Refused(problems));
    }
    let action = if submit {
        EntryAction::Submit
    } else {
        EntryAction::Save
    };
    store
        .save_return(
            &sheet.region.code,
            &sheet.period,
            &values,
            action,
            &who.actor(),
        )
        .await?;
    Ok(Saved::Done)
}

/// The bureau approves, returns (with a comment) or unlocks a county's return.
pub async fn review(
    store: &Store,
    who: AsBureau<'_>,
    region: &str,
    period: &str,
    action: &str,
    comment: &str,
) -> Result<(), Error> {
    let (county, year) = entry_place(store, &who, region, period).await?;
    let action = match action {
        "approve" => EntryAction::Approve,
        "return" => EntryAction::Return,
        "unlock" => EntryAction::Unlock,
        other => {
            return Err(Error::invalid(Missing::Action {
                action: other.to_owned(),
            }))
        }
    };
    let comment = comment.trim();
    crate::within_limits(&[(&kechuang_domain::text::fields::COMMENT, comment)])?;
    if action == EntryAction::Return && comment.is_empty() {
        return Err(Error::invalid(EntryProblem::CommentRequired));
    }
    store
        .review_return(&county.code, &year, action, comment, &who.actor())
        .await?;
    Ok(())
}
