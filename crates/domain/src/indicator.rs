//! Indicators: what is measured, in which unit, and how a value comes about.

use crate::formula::Formula;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub unit: String,
    pub description: String,
    pub kind: IndicatorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IndicatorKind {
    /// Observations entered by hand or imported.
    Manual { aggregation: Aggregation },
    /// Computed from other indicators of the same region and period.
    Formula(Formula),
    /// A count of registry records; the registries supply the figures.
    RegistryCount(CountSpec),
}

impl IndicatorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Manual { .. } => "manual",
            Self::Formula(_) => "formula",
            Self::RegistryCount(_) => "registry_count",
        }
    }
}

/// How a region without its own figure gets one from its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Counts and amounts: the city is the sum of its counties.
    Sum,
    /// Figures that only exist for the region that reports them (a fund's size, a ratio
    /// reported without its parts): never derived from children.
    None,
}

impl Aggregation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sum" => Some(Self::Sum),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// Which registry a count reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registry {
    Enterprises,
    Certificates,
    Platforms,
}

/// The filter of a registry-count indicator, written in a plan file as
/// `count = { registry = "platforms", kind = "engineering_research_centre", level = "provincial" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountSpec {
    pub registry: Registry,
    /// Certificate or platform kind, e.g. `hte` or `incubator`.
    #[serde(default)]
    pub kind: Option<String>,
    /// `city`, `provincial` or `national`.
    #[serde(default)]
    pub level: Option<String>,
    /// Count only records valid at the as-of date (issued, not expired, not revoked).
    #[serde(default = "default_true")]
    pub valid_at_as_of: bool,
    /// Count only records recognised on or after this date ("newly built since the plan").
    #[serde(default)]
    pub recognised_from: Option<NaiveDate>,
    /// Count distinct counties having at least one matching record, instead of records.
    #[serde(default)]
    pub distinct_counties: bool,
}

fn default_true() -> bool {
    true
}

impl Indicator {
    pub fn aggregation(&self) -> Aggregation {
        match &self.kind {
            IndicatorKind::Manual { aggregation } => *aggregation,
            // Counts of records add up; distinct counties covered do too, since a county
            // belongs to one city only.
            IndicatorKind::RegistryCount(_) => Aggregation::Sum,
            // Formulas are recomputed from the rolled-up inputs instead.
            IndicatorKind::Formula(_) => Aggregation::None,
        }
    }
}
