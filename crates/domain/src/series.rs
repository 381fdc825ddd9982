//! Resolving an indicator's series for a region: its own observations where it has them,
//! else the roll-up of its children; formulas evaluated over the resolved inputs, so a city's
//! ratio is recomputed from summed numerator and denominator, never averaged.

use crate::indicator::{Aggregation, Indicator, IndicatorKind};
use crate::period::Period;
use crate::region::{RegionCode, RegionTree};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Guards against a formula cycle that slipped past plan validation.
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// The region's own observation.
    Observed,
    /// Summed from children; `reported` of `expected` children had a figure.
    Rollup { reported: usize, expected: usize },
    /// Computed by the indicator's formula.
    Formula,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Value {
    pub value: f64,
    pub basis: Basis,
}

pub type Series = BTreeMap<Period, Value>;

/// The raw figures: observed (or registry-counted) values by indicator and region.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    by_key: HashMap<(String, RegionCode), BTreeMap<Period, f64>>,
}

impl Figures {
    pub fn insert(&mut self, indicator: &str, region: &RegionCode, period: Period, value: f64) {
        self.by_key
            .entry((indicator.to_owned(), region.clone()))
            .or_default()
            .insert(period, value);
    }
    fn own(&self, indicator: &str, region: &RegionCode) -> Option<&BTreeMap<Period, f64>> {
        self.by_key.get(&(indicator.to_owned(), region.clone()))
    }
}

pub struct Resolver<'a> {
    pub tree: &'a RegionTree,
    pub indicators: &'a HashMap<String, Indicator>,
    pub figures: &'a Figures,
}

impl Resolver<'_> {
    pub fn series(&self, indicator: &str, region: &RegionCode) -> Series {
        self.series_at(indicator, region, 0)
    }

    fn series_at(&self, code: &str, region: &RegionCode, depth: usize) -> Series {
        let Some(ind) = self.indicators.get(code) else {
            return Series::new();
        };
        if depth > MAX_DEPTH {
            return Series::new();
        }
        if let IndicatorKind::Formula(f) = &ind.kind {
            let inputs: Vec<(String, Series)> = f
                .inputs()
                .into_iter()
                .map(|i| {
                    let s = self.series_at(&i, region, depth + 1);
                    (i, s)
                })
                .collect();
            let Some((_, first)) = inputs.first() else {
                return Series::new();
            };
            let mut out = Series::new();
            for period in first.keys() {
                let lookup = |name: &str| {
                    inputs
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, s)| s.get(period))
                        .map(|v| v.value)
                };
                if let Some(value) = f.eval(&lookup) {
                    out.insert(
                        *period,
                        Value {
                            value,
                            basis: Basis::Formula,
                        },
                    );
                }
            }
            return out;
        }
        let mut out: Series = self
            .figures
            .own(code, region)
            .map(|m| {
                m.iter()
                    .map(|(p, v)| {
                        let v = Value {
                            value: *v,
                            basis: Basis::Observed,
                        };
                        (*p, v)
                    })
                    .collect()
            })
            .unwrap_or_default();
        if ind.aggregation() == Aggregation::Sum {
            let children = self.tree.rollup_children(region);
            let expected = children.len();
            let mut sums: BTreeMap<Period, (f64, usize)> = BTreeMap::new();
            for child in children {
                for (p, v) in self.series_at(code, &child.code, depth + 1) {
                    let e = sums.entry(p).or_insert((0.0, 0));
                    e.0 += v.value;
                    e.1 += 1;
                }
            }
            for (p, (sum, reported)) in sums {
                out.entry(p).or_insert(Value {
                    value: sum,
                    basis: Basis::Rollup { reported, expected },
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formula::Formula;
    use crate::region::shipped_regions;

    fn ind(code: &str, kind: IndicatorKind) -> (String, Indicator) {
        (
            code.to_owned(),
            Indicator {
                code: code.to_owned(),
                name: code.to_owned(),
                name_en: code.to_owned(),
                unit: String::new(),
                description: String::new(),
                kind,
            },
        )
    }
    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid code")
    }

    fn setup() -> (RegionTree, HashMap<String, Indicator>) {
        let sum = IndicatorKind::Manual {
            aggregation: Aggregation::Sum,
        };
        let indicators = HashMap::from([
            ind("rd_expenditure", sum.clone()),
            ind("gdp", sum),
            ind(
                "rd_intensity",
                IndicatorKind::Formula(
                    Formula::parse("rd_expenditure / (gdp * 10000) * 100").expect("parses"),
                ),
            ),
            ind(
                "fund_size",
                IndicatorKind::Manual {
                    aggregation: Aggregation::None,
                },
            ),
        ]);
        (RegionTree::new(shipped_regions()), indicators)
    }

    #[test]
    fn city_ratio_is_recomputed_from_summed_parts_not_averaged() {
        let (tree, indicators) = setup();
        let mut figs = Figures::default();
        let y = Period::Year(2018);
        // County A: 1 % of a large economy; county B: 3 % of a small one.
        figs.insert("rd_expenditure", &rc("440203"), y, 90_000.0);
        figs.insert("gdp", &rc("440203"), y, 900.0);
        figs.insert("rd_expenditure", &rc("440204"), y, 30_000.0);
        figs.insert("gdp", &rc("440204"), y, 100.0);
        let r = Resolver {
            tree: &tree,
            indicators: &indicators,
            figures: &figs,
        };
        let city = r.series("rd_intensity", &rc("440200"));
        let v = city.get(&y).expect("computed");
        // (90,000 + 30,000) / (1,000 × 10,000) × 100 = 1.2 %, while the mean of ratios is 2 %.
        assert!((v.value - 1.2).abs() < 1e-9, "got {}", v.value);
        assert_eq!(v.basis, Basis::Formula);
        let gdp = r.series("gdp", &rc("440200"));
        assert_eq!(
            gdp.get(&y).map(|v| v.basis),
            Some(Basis::Rollup {
                reported: 2,
                expected: 10
            })
        );
    }

    #[test]
    fn own_observation_wins_over_rollup() {
        let (tree, indicators) = setup();
        let mut figs = Figures::default();
        let y = Period::Year(2019);
        figs.insert("gdp", &rc("440203"), y, 100.0);
        figs.insert("gdp", &rc("440200"), y, 1_300.0);
        let r = Resolver {
            tree: &tree,
            indicators: &indicators,
            figures: &figs,
        };
        let v = r.series("gdp", &rc("440200"));
        assert_eq!(
            v.get(&y).map(|v| (v.value, v.basis)),
            Some((1_300.0, Basis::Observed))
        );
        // Guangdong has no figure of its own: it rolls up Shaoguan's.
        let gd = r.series("gdp", &rc("440000"));
        assert_eq!(gd.get(&y).map(|v| v.value), Some(1_300.0));
    }

    #[test]
    fn non_summable_figures_do_not_roll_up() {
        let (tree, indicators) = setup();
        let mut figs = Figures::default();
        figs.insert("fund_size", &rc("440203"), Period::Year(2018), 500.0);
        let r = Resolver {
            tree: &tree,
            indicators: &indicators,
            figures: &figs,
        };
        assert!(r.series("fund_size", &rc("440200")).is_empty());
    }

    #[test]
    fn formula_needs_every_input_for_the_period() {
        let (tree, indicators) = setup();
        let mut figs = Figures::default();
        figs.insert("rd_expenditure", &rc("440203"), Period::Year(2017), 1.0);
        let r = Resolver {
            tree: &tree,
            indicators: &indicators,
            figures: &figs,
        };
        assert!(r.series("rd_intensity", &rc("440203")).is_empty());
    }
}
