//! Registries: enterprises, their certificates and statuses, and innovation platforms — the
//! rules that do not depend on storage (numbers, levels, validity at a date).

use crate::region::{RegionKind, RegionTree};
use crate::RegionCode;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Kinds of certificate or status an enterprise can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 国家高新技术企业证书: number GR + year + 44 + 6 digits, valid three years.
    Hte,
    /// 省高新技术企业培育库入库 (year, batch).
    HtePool,
    /// 科技型中小企业入库登记 (year, number).
    TechSme,
    /// 省级高新技术产品 (name, number, year).
    HitechProduct,
}

crate::problems! {
    /// What can be wrong with a certificate's number.
    pub enum NumberProblem {
        Empty = "certificate_number_empty" {
            zh: "证书编号为空", en: "the certificate number is empty",
        },
        HteForm { number: String } = "hte_number_form" {
            zh: "高企证书编号 '{number}' 格式应为 GR+年份+44+6位序号，如 GR201844001234",
            en: "the HTE certificate number '{number}' should be GR, the year, 44 and 6 digits, such as GR201844001234",
        },
        Province { number: String } = "hte_number_province" {
            zh: "高企证书编号 '{number}' 的省份代码应为 44",
            en: "the HTE certificate number '{number}' should carry Guangdong's province code 44",
        },
        YearDiffers { year: i32, issued_on: NaiveDate } = "certificate_year_differs" {
            zh: "证书编号年份 {year} 与发证日期 {issued_on} 不符",
            en: "the number's year {year} differs from the issue date {issued_on}",
        },
    }
}

impl CertificateKind {
    pub const ALL: [Self; 4] = [Self::Hte, Self::HtePool, Self::TechSme, Self::HitechProduct];

    pub fn code(self) -> &'static str {
        match self {
            Self::Hte => "hte",
            Self::HtePool => "hte_pool",
            Self::TechSme => "tech_sme",
            Self::HitechProduct => "hitech_product",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Hte => "高新技术企业证书",
            Self::HtePool => "高企培育库入库",
            Self::TechSme => "科技型中小企业",
            Self::HitechProduct => "省级高新技术产品",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Hte => "High-tech enterprise certificate",
            Self::HtePool => "High-tech enterprise cultivation pool",
            Self::TechSme => "Tech SME registration",
            Self::HitechProduct => "Provincial high-tech product",
        }
    }

    /// By code or by the Chinese names found in lists.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|k| {
            k.code() == s
                || k.name() == s
                || match k {
                    Self::Hte => matches!(s, "高新技术企业" | "国家高新技术企业" | "高企"),
                    Self::HtePool => matches!(s, "培育库" | "高企培育库" | "省高企培育库"),
                    Self::TechSme => matches!(s, "科技型中小企业入库" | "科技型中小企业评价入库"),
                    Self::HitechProduct => matches!(s, "高新技术产品" | "高新技术产品认定"),
                }
        })
    }

    /// How long a certificate of this kind is valid; `None` for statuses that do not lapse
    /// by date (they end only by revocation).
    pub fn validity(self) -> Option<Months> {
        match self {
            Self::Hte => Some(Months::new(36)),
            // Tech SME registration is annual.
            Self::TechSme => Some(Months::new(12)),
            Self::HtePool | Self::HitechProduct => None,
        }
    }

    /// Checks a certificate number for this kind, given its issue date.
    pub fn check_number(self, number: &str, issued_on: NaiveDate) -> Result<(), NumberProblem> {
        if number.trim().is_empty() {
            return Err(NumberProblem::Empty);
        }
        if self != Self::Hte {
            return Ok(());
        }
        let b = number.as_bytes();
        let well_formed =
            b.len() == 14 && number.starts_with("GR") && b[2..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(NumberProblem::HteForm {
                number: number.to_owned(),
            });
        }
        if &number[6..8] != "44" {
            return Err(NumberProblem::Province {
                number: number.to_owned(),
            });
        }
        let year: i32 = number[2..6].parse().unwrap_or(0);
        if year != issued_on.year() {
            return Err(NumberProblem::YearDiffers { year, issued_on });
        }
        Ok(())
    }

    /// The last day a certificate issued on `issued_on` is valid.
    pub fn expiry(self, issued_on: NaiveDate) -> Option<NaiveDate> {
        self.validity()
            .and_then(|m| issued_on.checked_add_months(m))
            .and_then(|d| d.pred_opt())
    }
}

/// Whether a record issued (recognised) on `from`, lapsing after `until`, revoked on
/// `revoked`, counts at `as_of`.
pub fn valid_at(
    from: NaiveDate,
    until: Option<NaiveDate>,
    revoked: Option<NaiveDate>,
    as_of: NaiveDate,
) -> bool {
    from <= as_of && until.is_none_or(|u| as_of <= u) && revoked.is_none_or(|r| as_of < r)
}

/// 市级 / 省级 / 国家级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    City,
    Provincial,
    National,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::Provincial => "provincial",
            Self::National => "national",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::City => "市级",
            Self::Provincial => "省级",
            Self::National => "国家级",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::City => "City",
            Self::Provincial => "Provincial",
            Self::National => "National",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "city" | "市级" | "市" => Some(Self::City),
            "provincial" | "省级" | "省" => Some(Self::Provincial),
            "national" | "国家级" | "国家" | "国家级（备案）" => Some(Self::National),
            _ => None,
        }
    }
}

/// The eight supported fields of 国科发火〔2016〕32号.
pub const HITECH_FIELDS: [&str; 8] = [
    "电子信息",
    "生物与新医药",
    "航空航天",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
];

/// The platform kinds shipped; more can be added as data.
pub const PLATFORM_KINDS: [(&str, &str, &str); 15] = [
    (
        "engineering_research_centre",
        "工程技术研究中心",
        "Engineering research centre",
    ),
    (
        "incubator",
        "科技企业孵化器",
        "Technology business incubator",
    ),
    ("maker_space", "众创空间", "Maker space"),
    (
        "star_creation",
        "星创天地",
        "Rural maker space (star-creation)",
    ),
    ("new_rd_institute", "新型研发机构", "New-type R&D institute"),
    ("specialised_town", "专业镇", "Specialised town"),
    (
        "academician_workstation",
        "院士工作站",
        "Academician workstation",
    ),
    (
        "commissioner_station",
        "科技特派员工作站",
        "S&T commissioner station",
    ),
    (
        "iur_alliance",
        "产学研创新联盟",
        "Industry-university-research alliance",
    ),
    ("key_lab", "重点实验室", "Key laboratory"),
    (
        "enterprise_tech_centre",
        "企业技术中心",
        "Enterprise technology centre",
    ),
    (
        "finance_centre",
        "科技金融服务中心",
        "Technology finance service centre",
    ),
    ("hitech_zone", "高新区", "High-tech zone"),
    (
        "agri_park",
        "农业科技园区",
        "Agricultural science and technology park",
    ),
    ("university_park", "大学科技园", "University science park"),
];

/// A registry count for every region within `within`: records are counted where they are
/// registered, so a region's figure is over its whole subtree (a platform registered at the
/// city counts for the city but for no county). Coverage (`distinct_counties`) is the number
/// of counties in the subtree with at least one record. Every region gets a figure, zero
/// included, so a count that falls to nothing shows as 0, not as an older figure.
pub fn region_totals(
    tree: &RegionTree,
    raw: &HashMap<RegionCode, f64>,
    distinct_counties: bool,
    within: &RegionCode,
) -> Vec<(RegionCode, f64)> {
    // Parents come before children in a subtree, so one backward pass adds every region's
    // children into it: each region is visited once, however large the province.
    let order = tree.subtree(within);
    let mut total: HashMap<&RegionCode, f64> = HashMap::with_capacity(order.len());
    for r in order.iter().rev() {
        let own = raw.get(r).copied().unwrap_or(0.0);
        let is_county = tree.get(r).is_some_and(|x| x.kind == RegionKind::County);
        let mut v = if distinct_counties {
            if is_county && own > 0.0 {
                1.0
            } else {
                0.0
            }
        } else {
            own
        };
        v += tree
            .children(r)
            .map(|c| total.get(&c.code).copied().unwrap_or(0.0))
            .sum::<f64>();
        total.insert(r, v);
    }
    order
        .iter()
        .map(|r| (r.clone(), total.get(r).copied().unwrap_or(0.0)))
        .collect()
}

// ---- records as imported and stored (dates ISO text, codes validated by the importer) ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseRow {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub address: String,
    pub industry: String,
    pub registered_on: Option<String>,
    pub size: String,
    pub above_scale: bool,
    pub hitech_field: String,
    pub contact: String,
    pub uscc_confirmed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateRow {
    pub kind: String,
    pub number: String,
    pub uscc: String,
    pub title: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    pub batch: String,
    pub revoked_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformRow {
    pub kind: String,
    pub level: String,
    pub name: String,
    pub host_uscc: Option<String>,
    pub host_name: String,
    pub region_code: String,
    pub recognised_on: String,
    pub document_no: String,
    pub revoked_on: Option<String>,
}

/// An enterprise's figures for one year (money in 万元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactRow {
    pub uscc: String,
    pub year: i32,
    pub revenue: Option<f64>,
    pub rd_expenditure: Option<f64>,
    pub employees: Option<i64>,
    pub st_staff: Option<i64>,
    pub invention_patents: Option<i64>,
    pub hitech_product_revenue: Option<f64>,
    pub has_rd_institution: Option<bool>,
}

/// What one registry import writes, in one transaction.
#[derive(Debug, Default)]
pub struct RegistryBatch {
    pub enterprises: Vec<EnterpriseRow>,
    pub certificates: Vec<CertificateRow>,
    pub platforms: Vec<PlatformRow>,
    pub facts: Vec<FactRow>,
    pub patents: Vec<crate::patent::PatentRow>,
}

impl RegistryBatch {
    /// How many records the part holds, of every kind.
    pub fn len(&self) -> usize {
        self.enterprises.len()
            + self.certificates.len()
            + self.platforms.len()
            + self.facts.len()
            + self.patents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Registered enterprises' regions by credit code, as an import holds them for its whole run:
/// one entry for every enterprise a file names, a million for a province's list. A code of 18
/// bytes and a region of 6 are kept inline (24 bytes an entry instead of two heap strings,
/// about 110); anything else, which no valid register holds, in a plain map beside them so
/// nothing is lost.
#[derive(Debug, Default, Clone)]
pub struct RegionsByUscc {
    compact: HashMap<[u8; 18], [u8; 6]>,
    other: HashMap<String, String>,
}

impl RegionsByUscc {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            compact: HashMap::with_capacity(n),
            other: HashMap::new(),
        }
    }

    pub fn insert(&mut self, uscc: &str, region: &str) {
        match (
            <[u8; 18]>::try_from(uscc.as_bytes()),
            <[u8; 6]>::try_from(region.as_bytes()),
        ) {
            (Ok(k), Ok(v)) => {
                self.other.remove(uscc);
                self.compact.insert(k, v);
            }
            _ => {
                if let Ok(k) = <[u8; 18]>::try_from(uscc.as_bytes()) {
                    self.compact.remove(&k);
                }
                self.other.insert(uscc.to_owned(), region.to_owned());
            }
        }
    }

    /// The region of a registered enterprise.
    pub fn get(&self, uscc: &str) -> Option<&str> {
        if let Ok(k) = <[u8; 18]>::try_from(uscc.as_bytes()) {
            if let Some(v) = self.compact.get(&k) {
                // Always UTF-8: the bytes were a whole `&str` when inserted.
                return std::str::from_utf8(v).ok();
            }
        }
        self.other.get(uscc).map(String::as_str)
    }

    pub fn contains_key(&self, uscc: &str) -> bool {
        self.get(uscc).is_some()
    }

    pub fn len(&self) -> usize {
        self.compact.len() + self.other.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for RegionsByUscc {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = Self::default();
        for (k, v) in iter {
            out.insert(k.as_ref(), v.as_ref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The compact map answers exactly as a plain map of strings would, whatever the
        /// shapes of the codes and regions (18 and 6 bytes, others, Chinese characters of
        /// three bytes each) and however often a code is inserted again.
        #[test]
        fn regions_by_uscc_is_a_map_of_strings(
            ops in proptest::collection::vec(
                ("(9144020[0-9]{10}[0-9X]|[0-9A-Z]{17,19}|[一-龥]{6}|x)",
                 "(4402[0-9]{2}|44020|[一-龥]{2}|[一-龥]{3})"),
                0..60,
            ),
            probes in proptest::collection::vec("(9144020[0-9]{10}[0-9X]|[0-9A-Z]{17,19})", 0..20),
        ) {
            let mut plain: HashMap<String, String> = HashMap::new();
            let mut compact = RegionsByUscc::default();
            for (k, v) in &ops {
                plain.insert(k.clone(), v.clone());
                compact.insert(k, v);
            }
            prop_assert_eq!(compact.len(), plain.len());
            for k in ops.iter().map(|(k, _)| k).chain(&probes) {
                prop_assert_eq!(compact.get(k), plain.get(k).map(String::as_str));
            }
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn hte_certificates_last_three_years() {
        assert_eq!(
            CertificateKind::Hte.expiry(d(2018, 11, 28)),
            Some(d(2021, 11, 27))
        );
        assert_eq!(CertificateKind::HtePool.expiry(d(2018, 11, 28)), None);
    }

    #[test]
    fn hte_numbers_are_checked() {
        let k = CertificateKind::Hte;
        assert!(k.check_number("GR201844001234", d(2018, 11, 28)).is_ok());
        assert!(k.check_number("GR20184400123", d(2018, 11, 28)).is_err());
        assert!(k.check_number("GR201843001234", d(2018, 11, 28)).is_err());
        assert!(k.check_number("GR201944001234", d(2018, 11, 28)).is_err());
        assert!(CertificateKind::TechSme
            .check_number("2018440203A0001", d(2018, 5, 1))
            .is_ok());
    }

    #[test]
    fn validity_at_a_date() {
        let (from, until) = (d(2018, 11, 28), Some(d(2021, 11, 27)));
        assert!(!valid_at(from, until, None, d(2018, 11, 27)));
        assert!(valid_at(from, until, None, d(2018, 11, 28)));
        assert!(valid_at(from, until, None, d(2021, 11, 27)));
        assert!(!valid_at(from, until, None, d(2021, 11, 28)));
        assert!(!valid_at(from, until, Some(d(2020, 1, 1)), d(2020, 1, 1)));
        assert!(valid_at(from, None, None, d(2030, 1, 1)));
    }

    #[test]
    fn totals_are_over_each_subtree_with_zeros() {
        let tree = RegionTree::new(crate::region::shipped_regions());
        let rc = |s: &str| RegionCode::parse(s).expect("code");
        let raw = HashMap::from([
            (rc("440203"), 3.0),
            (rc("440204"), 2.0),
            (rc("440200"), 1.0),
        ]);
        let totals: HashMap<RegionCode, f64> = region_totals(&tree, &raw, false, &rc("440200"))
            .into_iter()
            .collect();
        assert_eq!(
            totals[&rc("440200")],
            6.0,
            "the city's own record and its counties'"
        );
        assert_eq!(totals[&rc("440203")], 3.0);
        assert_eq!(totals[&rc("440282")], 0.0, "a county with nothing shows 0");
        let cover: HashMap<RegionCode, f64> = region_totals(&tree, &raw, true, &rc("440200"))
            .into_iter()
            .collect();
        assert_eq!(
            cover[&rc("440200")],
            2.0,
            "two counties covered; the city itself is no county"
        );
        assert_eq!(cover[&rc("440204")], 1.0);
    }

    #[test]
    fn names_from_lists_are_understood() {
        assert_eq!(
            CertificateKind::parse("高新技术企业"),
            Some(CertificateKind::Hte)
        );
        assert_eq!(
            CertificateKind::parse("tech_sme"),
            Some(CertificateKind::TechSme)
        );
        assert_eq!(Level::parse("省级"), Some(Level::Provincial));
        assert_eq!(Level::parse("国家"), Some(Level::National));
        assert_eq!(Level::parse("县级"), None);
    }
}
