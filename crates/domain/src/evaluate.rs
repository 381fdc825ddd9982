//! Evaluating a plan's targets for one region at one date: which target value applies, the
//! region's series, and its progress in both views.

use crate::indicator::{Aggregation, Indicator, IndicatorKind};
use crate::plan::{Target, TargetKind};
use crate::progress::{assess, Goal, Point, Progress, Status};
use crate::region::{RegionCode, RegionTree};
use crate::series::{Figures, Resolver, Series, Value};
use crate::Period;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Whose target a figure is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetScope {
    /// The plan's own target, for the plan's region.
    Plan,
    /// A target set for this county in the plan.
    County,
    /// A ratio or rate: the plan's target applies to every part of the region alike.
    Uniform,
    /// A total for the whole region with no share assigned to this county.
    None,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub target: Target,
    pub indicator: Indicator,
    pub series: Series,
    /// The target value that applies to the region, if any.
    pub applicable: Option<f64>,
    pub scope: TargetScope,
    pub progress: Progress,
}

impl Evaluation {
    /// The period the current value comes from, with its basis: the latest period of the
    /// series that ends on the current value's date and holds that value. Matching the value
    /// as well as the date matters because a year, its last quarter and its last month all end
    /// on the same day. Every page and the API name the current period through this.
    pub fn current_period(&self) -> Option<(&Period, &Value)> {
        let current = self.progress.current?;
        self.series
            .iter()
            .rev()
            .find(|(per, v)| per.end_date() == current.date && v.value == current.value)
    }
}

pub struct Context<'a> {
    pub plan_region: &'a RegionCode,
    pub plan_start: NaiveDate,
    pub tree: &'a RegionTree,
    pub indicators: &'a HashMap<String, Indicator>,
    pub figures: &'a Figures,
}

impl Context<'_> {
    pub fn series(&self, indicator: &str, region: &RegionCode) -> Series {
        Resolver {
            tree: self.tree,
            indicators: self.indicators,
            figures: self.figures,
        }
        .series(indicator, region)
    }

    /// Evaluates one target; `None` when its indicator is not defined (a stored plan
    /// referring to a removed indicator).
    pub fn evaluate(
        &self,
        t: &Target,
        region: &RegionCode,
        as_of: NaiveDate,
    ) -> Option<Evaluation> {
        let indicator = self.indicators.get(&t.indicator)?.clone();
        let series = self.series(&t.indicator, region);
        let (applicable, scope) = if region == self.plan_region {
            (Some(t.target), TargetScope::Plan)
        } else if let Some((_, v)) = t.county_targets.iter().find(|(r, _)| r == region) {
            (Some(*v), TargetScope::County)
        } else if intensive(&indicator) && t.kind == TargetKind::Quantity {
            (Some(t.target), TargetScope::Uniform)
        } else {
            (None, TargetScope::None)
        };
        let points: Vec<Point> = series
            .iter()
            .map(|(p, v)| Point {
                date: p.end_date(),
                value: v.value,
            })
            .collect();
        // Milestones start undone and annual targets start from nothing each year, so both
        // measure from zero; other targets from their baseline or first observation.
        let zero_start = Point {
            date: self.plan_start,
            value: 0.0,
        };
        let baseline = match (t.kind, t.annual, scope) {
            (TargetKind::Milestone, _, _) | (_, true, _) => Some(zero_start),
            // A county's share of a region-wide baseline is unknown: use its own first figure.
            (_, _, TargetScope::Plan) => t.baseline,
            _ => None,
        };
        let progress = match applicable {
            Some(target) => assess(
                &Goal {
                    comparator: t.comparator,
                    baseline,
                    target,
                    deadline: t.deadline,
                    plan_start: self.plan_start,
                },
                &points,
                as_of,
            ),
            None => {
                let mut p = assess(
                    &Goal {
                        comparator: t.comparator,
                        baseline,
                        target: f64::INFINITY,
                        deadline: t.deadline,
                        plan_start: self.plan_start,
                    },
                    &points,
                    as_of,
                );
                p.completion = None;
                p.projection = None;
                p.cagr_status = crate::progress::CagrStatus::InsufficientData;
                if p.current.is_some() {
                    p.status = Status::NoTarget;
                }
                p
            }
        };
        Some(Evaluation {
            target: t.clone(),
            indicator,
            series,
            applicable,
            scope,
            progress,
        })
    }
}

/// Ratios and rates are the same kind of figure for a county as for the city, so the city's
/// target is meaningful for each county; totals are not.
fn intensive(ind: &Indicator) -> bool {
    match &ind.kind {
        IndicatorKind::Formula(_) => true,
        IndicatorKind::Manual { aggregation } => {
            *aggregation == Aggregation::None && ind.unit == "%"
        }
        IndicatorKind::RegistryCount(_) | IndicatorKind::Ledger(_) | IndicatorKind::Records(_) => {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;
    use crate::progress::CagrStatus;
    use crate::region::shipped_regions;
    use crate::Period;

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid")
    }

    #[test]
    fn city_and_county_views_of_the_shipped_plan() {
        let tree = RegionTree::new(shipped_regions());
        let plan = parse_plan(
            include_str!("../../../plans/shaoguan-2017-2020.toml"),
            &tree,
        )
        .expect("valid plan");
        let indicators: HashMap<String, Indicator> = plan
            .indicators
            .iter()
            .map(|i| (i.code.clone(), i.clone()))
            .collect();
        let mut figs = Figures::default();
        let wujiang = rc("440203");
        figs.insert("rd_expenditure", &wujiang, Period::Year(2018), 60_000.0);
        figs.insert("gdp", &wujiang, Period::Year(2018), 400.0);
        figs.insert("erc_provincial", &wujiang, Period::Year(2018), 12.0);
        figs.insert("erc_provincial", &rc("440204"), Period::Year(2018), 25.0);
        let ctx = Context {
            plan_region: &plan.region,
            plan_start: plan.start_date(),
            tree: &tree,
            indicators: &indicators,
            figures: &figs,
        };
        let as_of = NaiveDate::from_ymd_opt(2019, 3, 31).expect("date");
        let t = |c: &str| plan.targets.iter().find(|t| t.code == c).expect("target");

        // 2.1 for a county: 1.5 % against the uniform 2 % target.
        let e = ctx.evaluate(t("2.1"), &wujiang, as_of).expect("evaluates");
        assert_eq!(e.scope, TargetScope::Uniform);
        assert!((e.progress.current.expect("value").value - 1.5).abs() < 1e-9);
        assert_eq!(e.progress.status, Status::Behind);

        // 2.9a for the city: 12 + 25 = 37 of 24 → 50, half-way at ~56 % of the time.
        let e = ctx
            .evaluate(t("2.9a"), &plan.region, as_of)
            .expect("evaluates");
        assert_eq!(e.progress.current.map(|p| p.value), Some(37.0));
        assert_eq!(e.progress.completion, Some(0.5));
        assert_eq!(e.progress.status, Status::Behind);
        assert_ne!(e.progress.cagr_status, CagrStatus::InsufficientData);

        // 2.9a for a county: a share of a city total, with no county target.
        let e = ctx.evaluate(t("2.9a"), &wujiang, as_of).expect("evaluates");
        assert_eq!(e.scope, TargetScope::None);
        assert_eq!(e.progress.status, Status::NoTarget);
        assert_eq!(e.applicable, None);

        // No figures at all.
        let e = ctx
            .evaluate(t("2.3"), &plan.region, as_of)
            .expect("evaluates");
        assert_eq!(e.progress.status, Status::NoData);
        assert_eq!(e.current_period(), None);
    }

    #[test]
    fn the_current_period_is_the_one_holding_the_current_value() {
        let tree = RegionTree::new(shipped_regions());
        let plan = parse_plan(
            include_str!("../../../plans/shaoguan-2017-2020.toml"),
            &tree,
        )
        .expect("valid plan");
        let indicators: HashMap<String, Indicator> = plan
            .indicators
            .iter()
            .map(|i| (i.code.clone(), i.clone()))
            .collect();
        let wujiang = rc("440203");
        let as_of = NaiveDate::from_ymd_opt(2019, 3, 31).expect("date");
        let t = plan
            .targets
            .iter()
            .find(|t| t.code == "2.9a")
            .expect("2.9a");
        // A year and its last quarter end on the same day: whichever holds the current
        // value is the current period, whichever order they were entered in.
        for (year_value, quarter_value) in [(12.0, 14.0), (14.0, 12.0)] {
            let mut figs = Figures::default();
            figs.insert("erc_provincial", &wujiang, Period::Year(2018), year_value);
            figs.insert(
                "erc_provincial",
                &wujiang,
                Period::Quarter(2018, 4),
                quarter_value,
            );
            let ctx = Context {
                plan_region: &plan.region,
                plan_start: plan.start_date(),
                tree: &tree,
                indicators: &indicators,
                figures: &figs,
            };
            let e = ctx.evaluate(t, &wujiang, as_of).expect("evaluates");
            let current = e.progress.current.expect("a value").value;
            let (period, value) = e.current_period().expect("a period");
            assert_eq!(value.value, current);
            let expected = if current == year_value {
                Period::Year(2018)
            } else {
                Period::Quarter(2018, 4)
            };
            assert_eq!(*period, expected);
        }
    }
}
