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
    /// A yearly sum of the funding ledger (payments or commitments), by recipient's region.
    Ledger(LedgerSpec),
    /// A figure of the system's own records (tech finance's pool, loans, reserve and seed fund;
    /// the R&D surveys); observations fill the years before the records begin.
    Records(RecordMeasure),
}

impl IndicatorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Manual { .. } => "manual",
            Self::Formula(_) => "formula",
            Self::RegistryCount(_) => "registry_count",
            Self::Ledger(_) => "ledger",
            Self::Records(_) => "records",
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registry {
    Enterprises,
    Certificates,
    Platforms,
    /// Counted by type (`invention`, …), valid from grant until lapse, in the patent's county.
    Patents,
}

impl Registry {
    pub const ALL: [Registry; 4] = [
        Registry::Enterprises,
        Registry::Certificates,
        Registry::Platforms,
        Registry::Patents,
    ];
}

/// The filter of a registry-count indicator, written in a plan file as
/// `count = { registry = "platforms", kind = "engineering_research_centre", level = "provincial" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountSpec {
    pub registry: Registry,
    /// Certificate or platform kinds, e.g. `"hte"` or `["academician_workstation",
    /// "commissioner_station"]`; for enterprises, `above_scale`. Empty: every kind.
    #[serde(default, rename = "kind", with = "one_or_many")]
    pub kinds: Vec<String>,
    /// `city`, `provincial` or `national`.
    #[serde(default)]
    pub level: Option<String>,
    /// Count only records valid at the as-of date (issued, not expired, not revoked).
    #[serde(default = "default_true")]
    pub valid_at_as_of: bool,
    /// Count only records recognised on or after this date ("newly built since the plan").
    #[serde(default, with = "toml_or_iso_date")]
    pub recognised_from: Option<NaiveDate>,
    /// Count distinct counties having at least one matching record, instead of records.
    #[serde(default)]
    pub distinct_counties: bool,
    /// Take in records of off-site enterprises (registered outside the city, with a site in
    /// it; plan §三(八)25) at their site's county. Left out unless the rule says so.
    #[serde(default)]
    pub offsite: bool,
}

/// Which ledger entries a ledger indicator sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEntry {
    /// Money committed when an award is approved.
    Commitment,
    /// Money paid out.
    Payment,
}

impl LedgerEntry {
    pub fn code(self) -> &'static str {
        match self {
            Self::Commitment => "commitment",
            Self::Payment => "payment",
        }
    }
}

/// Which records an indicator reads, written in a plan file as `records = "pool_enterprises"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordMeasure {
    /// Distinct enterprises ever admitted to the credit risk pool on or before the date, by
    /// the enterprise's county (leaving does not subtract).
    PoolEnterprises,
    /// Loans issued to enterprises while they were pool members, cumulative, by county.
    PoolLoans,
    /// Contributions to the credit risk reserve, cumulative.
    ReserveContributions,
    /// The committed size of the seed funds established by the date.
    SeedFundCommitted,
    /// The year's R&D expenditure as the enterprise surveys report it, by county (a yearly
    /// figure, not cumulative).
    RdSurveyTotal,
}

impl RecordMeasure {
    pub const ALL: [RecordMeasure; 5] = [
        Self::PoolEnterprises,
        Self::PoolLoans,
        Self::ReserveContributions,
        Self::SeedFundCommitted,
        Self::RdSurveyTotal,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::PoolEnterprises => "pool_enterprises",
            Self::PoolLoans => "pool_loans",
            Self::ReserveContributions => "reserve_contributions",
            Self::SeedFundCommitted => "seed_fund_committed",
            Self::RdSurveyTotal => "rd_survey_total",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == s.trim())
    }
    /// Money rather than a count of enterprises.
    pub fn is_money(self) -> bool {
        !matches!(self, Self::PoolEnterprises)
    }
    /// Figures kept by county (the enterprise's); the others are the city's only.
    pub fn by_county(self) -> bool {
        matches!(
            self,
            Self::PoolEnterprises | Self::PoolLoans | Self::RdSurveyTotal
        )
    }
    /// A running total to the date; otherwise the year's own figure.
    pub fn cumulative(self) -> bool {
        !matches!(self, Self::RdSurveyTotal)
    }
}

/// The filter of a ledger indicator, written in a plan file as
/// `ledger = { entry = "payment" }` or with `programmes = ["hte-certified", …]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSpec {
    pub entry: LedgerEntry,
    /// Only these programmes; empty: every programme.
    #[serde(default)]
    pub programmes: Vec<String>,
    /// Take in money paid to off-site applicants, at their operating site's county.
    #[serde(default)]
    pub offsite: bool,
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
            // Money paid to a county's enterprises adds up to the city's.
            IndicatorKind::Ledger(_) => Aggregation::Sum,
            // Pool members and loans add up by county; a reserve or a fund is the city's own.
            IndicatorKind::Records(m) if m.by_county() => Aggregation::Sum,
            IndicatorKind::Records(_) => Aggregation::None,
            // Formulas are recomputed from the rolled-up inputs instead.
            IndicatorKind::Formula(_) => Aggregation::None,
        }
    }
}

/// Lets a plan file write `kind = "x"` or `kind = ["x", "y"]`.
mod one_or_many {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        })
    }

    pub fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// A date written as a TOML date in plan files and as ISO text when stored as JSON.
mod toml_or_iso_date {
    use chrono::NaiveDate;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Toml(toml::value::Datetime),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let text = match Option::<Repr>::deserialize(d)? {
            None => return Ok(None),
            Some(Repr::Text(s)) => s,
            Some(Repr::Toml(t)) => t.to_string(),
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| D::Error::custom(format!("'{text}' is not a date such as 2017-01-01")))
    }

    pub fn serialize<S: Serializer>(v: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            None => s.serialize_none(),
        }
    }
}
