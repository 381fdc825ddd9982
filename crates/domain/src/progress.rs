//! Progress of a target, in the two views DESIGN.md §4 asks for:
//!
//! * 序时进度 — the Chinese government convention: `completion` = (current − baseline) ÷
//!   (target − baseline) is compared with `time_elapsed` = (as-of − plan start) ÷
//!   (deadline − plan start); on track when completion ≥ time elapsed.
//! * the CAGR method used for SDG progress reports: the observed compound annual growth rate
//!   against the rate required to reach the target from the baseline; the ratio classifies
//!   progress as substantial (≥ 0.95), moderate (0.60–0.95), limited (0–0.60) or deterioration
//!   (< 0), and the observed rate projects the value at the deadline.
//!
//! Where a value is zero or negative a growth rate is undefined, so both rates fall back to
//! absolute change per year, which classifies the same way.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Relative tolerance for "target met": figures come from statistics rounded to a few digits.
const EPS: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<=")]
    AtMost,
}

impl Comparator {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            ">=" | "≥" => Some(Self::AtLeast),
            "<=" | "≤" => Some(Self::AtMost),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtLeast => ">=",
            Self::AtMost => "<=",
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast => "≥",
            Self::AtMost => "≤",
        }
    }
    pub fn is_met(self, value: f64, target: f64) -> bool {
        let tol = EPS * target.abs().max(1.0);
        match self {
            Self::AtLeast => value >= target - tol,
            Self::AtMost => value <= target + tol,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Achieved,
    OnTrack,
    Behind,
    NoData,
    /// A county view of a city-wide total target: the plan sets no share for the county, so
    /// there is nothing to be on or behind track against.
    NoTarget,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Achieved => "achieved",
            Self::OnTrack => "on_track",
            Self::Behind => "behind",
            Self::NoData => "no_data",
            Self::NoTarget => "no_target",
        }
    }
    /// As reports and pages in Chinese name it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Achieved => "已完成",
            Self::OnTrack => "序时推进",
            Self::Behind => "进度滞后",
            Self::NoData => "暂无数据",
            Self::NoTarget => "未分解目标",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CagrStatus {
    Achieved,
    Substantial,
    Moderate,
    Limited,
    Deterioration,
    InsufficientData,
}

impl CagrStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Achieved => "achieved",
            Self::Substantial => "substantial",
            Self::Moderate => "moderate",
            Self::Limited => "limited",
            Self::Deterioration => "deterioration",
            Self::InsufficientData => "insufficient_data",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Achieved => "已达标",
            Self::Substantial => "进展显著",
            Self::Moderate => "进展一般",
            Self::Limited => "进展有限",
            Self::Deterioration => "不进反退",
            Self::InsufficientData => "数据不足",
        }
    }
    fn from_ratio(ratio: f64) -> Self {
        if ratio >= 0.95 {
            Self::Substantial
        } else if ratio >= 0.60 {
            Self::Moderate
        } else if ratio >= 0.0 {
            Self::Limited
        } else {
            Self::Deterioration
        }
    }
}

/// A dated value: an observation at the end of its period, or a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub date: NaiveDate,
    pub value: f64,
}

/// What progress is measured against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    pub comparator: Comparator,
    pub baseline: Option<Point>,
    pub target: f64,
    pub deadline: NaiveDate,
    pub plan_start: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub current: Option<Point>,
    /// The baseline used: the goal's own, else the first observation.
    pub baseline: Option<Point>,
    pub completion: Option<f64>,
    pub time_elapsed: f64,
    pub status: Status,
    pub cagr_status: CagrStatus,
    pub projection: Option<f64>,
}

/// Years between two dates, as the unit both growth rates are expressed in.
fn years(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64 / 365.25
}

pub fn time_elapsed(plan_start: NaiveDate, deadline: NaiveDate, as_of: NaiveDate) -> f64 {
    let total = (deadline - plan_start).num_days();
    if total <= 0 {
        return 1.0;
    }
    ((as_of - plan_start).num_days() as f64 / total as f64).clamp(0.0, 1.0)
}

/// Assesses a goal given the observed series (any order; points after `as_of` are ignored,
/// so the same data answers "where were we on date X").
pub fn assess(goal: &Goal, series: &[Point], as_of: NaiveDate) -> Progress {
    let mut known: Vec<Point> = series
        .iter()
        .copied()
        .filter(|p| p.date <= as_of && p.value.is_finite())
        .collect();
    known.sort_by_key(|p| p.date);
    let elapsed = time_elapsed(goal.plan_start, goal.deadline, as_of);
    let Some(current) = known.last().copied() else {
        return Progress {
            current: None,
            baseline: goal.baseline,
            completion: None,
            time_elapsed: elapsed,
            status: Status::NoData,
            cagr_status: CagrStatus::InsufficientData,
            projection: None,
        };
    };
    let baseline = goal.baseline.or_else(|| known.first().copied());
    let met = goal.comparator.is_met(current.value, goal.target);
    let completion = baseline.map(|b| completion(goal, b.value, current.value, met));
    let status = if met {
        Status::Achieved
    } else if completion.is_some_and(|c| c + EPS >= elapsed) {
        Status::OnTrack
    } else {
        Status::Behind
    };
    let (cagr_status, projection) = match baseline {
        Some(b) => cagr_view(goal, b, current, met),
        None => (CagrStatus::InsufficientData, None),
    };
    Progress {
        current: Some(current),
        baseline,
        completion,
        time_elapsed: elapsed,
        status,
        cagr_status,
        projection,
    }
}

/// The share of the way from baseline to target covered, from 0 to 1, agreeing with the
/// status: 1 exactly when the target is met (however far past it), 0 when the value has gone
/// back below its baseline, and 0 when the baseline already met the target and the value no
/// longer does — never a negative share or one of several thousand percent.
fn completion(goal: &Goal, baseline: f64, current: f64, met: bool) -> f64 {
    if met {
        return 1.0;
    }
    if goal.comparator.is_met(baseline, goal.target) {
        return 0.0;
    }
    let c = (current - baseline) / (goal.target - baseline);
    if c.is_finite() {
        c.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn cagr_view(goal: &Goal, base: Point, current: Point, met: bool) -> (CagrStatus, Option<f64>) {
    let observed_years = years(base.date, current.date);
    if observed_years <= 0.0 {
        // One data point: a rate needs two.
        return if met {
            (CagrStatus::Achieved, None)
        } else {
            (CagrStatus::InsufficientData, None)
        };
    }
    let geometric = base.value > 0.0 && current.value > 0.0 && goal.target > 0.0;
    let rate = |from: f64, to: f64, span: f64| {
        if geometric {
            (to / from).powf(1.0 / span) - 1.0
        } else {
            (to - from) / span
        }
    };
    let observed = rate(base.value, current.value, observed_years);
    let years_left = years(current.date, goal.deadline).max(0.0);
    let projection = if geometric {
        current.value * (1.0 + observed).powf(years_left)
    } else {
        current.value + observed * years_left
    };
    if met {
        return (CagrStatus::Achieved, Some(projection));
    }
    let required_years = years(base.date, goal.deadline);
    if required_years <= 0.0 {
        return (CagrStatus::InsufficientData, Some(projection));
    }
    let required = rate(base.value, goal.target, required_years);
    if required.abs() < EPS {
        // Baseline equals target yet the current value misses it: it has moved away.
        return (CagrStatus::Deterioration, Some(projection));
    }
    (
        CagrStatus::from_ratio(observed / required),
        Some(projection),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }
    fn p(y: i32, v: f64) -> Point {
        Point {
            date: d(y, 12, 31),
            value: v,
        }
    }
    fn goal(cmp: Comparator, baseline: Option<Point>, target: f64) -> Goal {
        Goal {
            comparator: cmp,
            baseline,
            target,
            deadline: d(2020, 12, 31),
            plan_start: d(2017, 1, 1),
        }
    }

    #[test]
    fn progress_reads_sensibly_at_the_edges() {
        // Certificates lapsed since the baseline: 0 against a baseline of 100 reads 0%, behind.
        let g = goal(Comparator::AtLeast, Some(p(2016, 100.0)), 130.0);
        let pr = assess(&g, &[p(2020, 0.0)], d(2020, 12, 31));
        assert_eq!(pr.completion, Some(0.0));
        assert_eq!(pr.status, Status::Behind);
        // Far past the target: achieved, 100%, not 1,000%.
        let pr = assess(&g, &[p(2020, 1300.0)], d(2020, 12, 31));
        assert_eq!((pr.status, pr.completion), (Status::Achieved, Some(1.0)));
        // The baseline already past the target: met is 100%, fallen back is 0%.
        let g = goal(Comparator::AtLeast, Some(p(2016, 150.0)), 130.0);
        let pr = assess(&g, &[p(2020, 200.0)], d(2020, 12, 31));
        assert_eq!((pr.status, pr.completion), (Status::Achieved, Some(1.0)));
        let pr = assess(&g, &[p(2020, 120.0)], d(2020, 12, 31));
        assert_eq!((pr.status, pr.completion), (Status::Behind, Some(0.0)));
        // Zeros everywhere.
        let g = goal(Comparator::AtLeast, Some(p(2016, 0.0)), 0.0);
        let pr = assess(&g, &[p(2020, 0.0)], d(2020, 12, 31));
        assert_eq!((pr.status, pr.completion), (Status::Achieved, Some(1.0)));
        let g = goal(Comparator::AtMost, Some(p(2016, 0.0)), 0.0);
        let pr = assess(&g, &[p(2020, 3.0)], d(2020, 12, 31));
        assert_eq!((pr.status, pr.completion), (Status::Behind, Some(0.0)));
    }

    proptest! {
        /// Status and completion never contradict: completion lies in 0..=1; it is 1 exactly
        /// when the target is met, which is exactly when the status is achieved.
        #[test]
        fn status_and_completion_agree(
            base in -1000.0f64..1000.0,
            target in -1000.0f64..1000.0,
            current in -2000.0f64..2000.0,
            at_most in proptest::bool::ANY,
        ) {
            let cmp = if at_most { Comparator::AtMost } else { Comparator::AtLeast };
            let g = goal(cmp, Some(p(2016, base)), target);
            let pr = assess(&g, &[p(2019, current)], d(2019, 12, 31));
            let c = pr.completion.expect("a baseline");
            prop_assert!((0.0..=1.0).contains(&c), "{}", c);
            let met = cmp.is_met(current, target);
            prop_assert_eq!(pr.status == Status::Achieved, met);
            prop_assert_eq!(c == 1.0, met, "completion {} met {}", c, met);
        }
    }

    #[test]
    fn no_data_without_observations() {
        let g = goal(Comparator::AtLeast, Some(p(2016, 24.0)), 50.0);
        let pr = assess(&g, &[], d(2018, 6, 30));
        assert_eq!(pr.status, Status::NoData);
        assert_eq!(pr.cagr_status, CagrStatus::InsufficientData);
        assert_eq!(pr.completion, None);
        assert_eq!(pr.projection, None);
    }

    #[test]
    fn on_track_and_behind_against_time_elapsed() {
        // 24 → 50 centres; half the span done at the end of 2018, when half the time has gone.
        let g = goal(Comparator::AtLeast, Some(p(2016, 24.0)), 50.0);
        let pr = assess(&g, &[p(2017, 30.0), p(2018, 37.0)], d(2018, 12, 31));
        assert!((pr.completion.expect("has baseline") - 0.5).abs() < 1e-12);
        assert!((pr.time_elapsed - 0.5).abs() < 0.01);
        assert_eq!(pr.status, Status::OnTrack);
        let pr = assess(&g, &[p(2017, 30.0), p(2018, 33.0)], d(2018, 12, 31));
        assert_eq!(pr.status, Status::Behind);
    }

    #[test]
    fn first_observation_serves_as_baseline() {
        let g = goal(Comparator::AtLeast, None, 100.0);
        let pr = assess(&g, &[p(2018, 80.0), p(2017, 60.0)], d(2019, 1, 1));
        assert_eq!(pr.baseline, Some(p(2017, 60.0)));
        assert!((pr.completion.expect("baseline") - 0.5).abs() < 1e-12);
        assert_ne!(pr.cagr_status, CagrStatus::InsufficientData);
    }

    #[test]
    fn one_data_point_and_no_baseline() {
        let g = goal(Comparator::AtLeast, None, 100.0);
        let pr = assess(&g, &[p(2017, 60.0)], d(2018, 1, 1));
        assert_eq!(pr.completion, Some(0.0));
        assert_eq!(pr.status, Status::Behind);
        assert_eq!(pr.cagr_status, CagrStatus::InsufficientData);
        assert_eq!(pr.projection, None);
    }

    #[test]
    fn target_already_met() {
        let g = goal(Comparator::AtLeast, Some(p(2016, 1.0)), 3.0);
        let pr = assess(&g, &[p(2017, 3.0)], d(2017, 12, 31));
        assert_eq!(pr.status, Status::Achieved);
        assert_eq!(pr.cagr_status, CagrStatus::Achieved);
        assert_eq!(pr.completion, Some(1.0));
        // A baseline that already meets the target.
        let g = goal(Comparator::AtLeast, Some(p(2016, 5.0)), 3.0);
        let pr = assess(&g, &[p(2017, 6.0)], d(2017, 12, 31));
        assert_eq!(pr.status, Status::Achieved);
    }

    #[test]
    fn at_most_targets_progress_downwards() {
        // Energy use per unit of GDP: 0.8 → at most 0.6.
        let g = goal(Comparator::AtMost, Some(p(2016, 0.8)), 0.6);
        // 0.69 after two years: a geometric rate of −7.1 %/year against −6.9 % required.
        let pr = assess(&g, &[p(2018, 0.69)], d(2018, 12, 31));
        assert!((pr.completion.expect("baseline") - 0.55).abs() < 1e-9);
        assert_eq!(pr.status, Status::OnTrack);
        assert_eq!(pr.cagr_status, CagrStatus::Substantial);
        let pr = assess(&g, &[p(2018, 0.9)], d(2018, 12, 31));
        assert_eq!(pr.status, Status::Behind);
        assert_eq!(pr.cagr_status, CagrStatus::Deterioration);
        let pr = assess(&g, &[p(2018, 0.55)], d(2018, 12, 31));
        assert_eq!(pr.status, Status::Achieved);
    }

    #[test]
    fn zero_values_fall_back_to_linear_rates() {
        // New R&D institutes: 0 → 2, one recognised after two of four years.
        let g = goal(Comparator::AtLeast, Some(p(2016, 0.0)), 2.0);
        let pr = assess(&g, &[p(2018, 1.0)], d(2018, 12, 31));
        assert_eq!(pr.completion, Some(0.5));
        assert_eq!(pr.cagr_status, CagrStatus::Substantial);
        let proj = pr.projection.expect("two points");
        assert!((proj - 2.0).abs() < 0.01, "linear projection {proj}");
        // Still zero: no progress at all.
        let pr = assess(&g, &[p(2018, 0.0)], d(2018, 12, 31));
        assert_eq!(pr.cagr_status, CagrStatus::Limited);
        assert_eq!(pr.status, Status::Behind);
    }

    #[test]
    fn deadline_passed() {
        let g = Goal {
            deadline: d(2018, 12, 31),
            ..goal(Comparator::AtLeast, Some(p(2016, 10.0)), 20.0)
        };
        let pr = assess(&g, &[p(2018, 15.0), p(2019, 18.0)], d(2020, 6, 30));
        assert_eq!(pr.time_elapsed, 1.0);
        assert_eq!(pr.status, Status::Behind);
        assert_eq!(pr.current, Some(p(2019, 18.0)));
        // The projection at a passed deadline is the latest value itself.
        assert_eq!(pr.projection, Some(18.0));
    }

    #[test]
    fn observations_after_as_of_are_ignored() {
        let g = goal(Comparator::AtLeast, Some(p(2016, 100.0)), 130.0);
        let pr = assess(&g, &[p(2017, 110.0), p(2019, 140.0)], d(2018, 6, 30));
        assert_eq!(pr.current, Some(p(2017, 110.0)));
        assert_ne!(pr.status, Status::Achieved);
    }

    #[test]
    fn cagr_classes() {
        // 100 → 200 over 4 years requires ~18.9 %/year.
        let g = goal(Comparator::AtLeast, Some(p(2016, 100.0)), 200.0);
        let at = d(2018, 12, 31);
        let st = |v: f64| assess(&g, &[p(2018, v)], at).cagr_status;
        assert_eq!(st(141.0), CagrStatus::Substantial);
        assert_eq!(st(130.0), CagrStatus::Moderate);
        assert_eq!(st(110.0), CagrStatus::Limited);
        assert_eq!(st(90.0), CagrStatus::Deterioration);
    }

    proptest! {
        #[test]
        fn time_elapsed_is_a_fraction(days in -2000i64..5000) {
            let start = d(2017, 1, 1);
            let as_of = start + chrono::Duration::days(days);
            let t = time_elapsed(start, d(2020, 12, 31), as_of);
            prop_assert!((0.0..=1.0).contains(&t));
        }

        #[test]
        fn achieved_exactly_when_target_met(
            base in 0.0f64..1000.0, target in 0.0f64..1000.0, cur in 0.0f64..1000.0,
            at_most in any::<bool>(),
        ) {
            let cmp = if at_most { Comparator::AtMost } else { Comparator::AtLeast };
            let g = goal(cmp, Some(p(2016, base)), target);
            let pr = assess(&g, &[p(2018, cur)], d(2019, 6, 1));
            prop_assert_eq!(pr.status == Status::Achieved, cmp.is_met(cur, target));
            prop_assert_eq!(pr.cagr_status == CagrStatus::Achieved, cmp.is_met(cur, target));
            let c = pr.completion.expect("baseline given");
            prop_assert!(c.is_finite());
            prop_assert!(pr.projection.is_some_and(f64::is_finite));
        }

        #[test]
        fn moving_toward_the_target_never_lowers_completion(
            base in 0.0f64..100.0, delta in 1.0f64..100.0, a in 0.0f64..1.0, b in 0.0f64..1.0,
        ) {
            let target = base + delta;
            let g = goal(Comparator::AtLeast, Some(p(2016, base)), target);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            let at = d(2019, 1, 1);
            let c_lo = assess(&g, &[p(2018, base + lo * delta)], at).completion;
            let c_hi = assess(&g, &[p(2018, base + hi * delta)], at).completion;
            prop_assert!(c_lo <= c_hi);
        }
    }
}
