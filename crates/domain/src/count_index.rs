//! The registries reduced to what count indicators need — for each record its registry, kind,
//! level, region and validity dates, as small integers — so every count of every region at any
//! date is one pass over compact arrays instead of a query per indicator, region and date.
//! The store fills it; the web layer keeps it until the registries change.

use crate::indicator::{CountSpec, Registry};
use crate::region::RegionCode;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A day as a number, so comparisons are integer compares.
type Day = i32;

fn day(d: NaiveDate) -> Day {
    use chrono::Datelike;
    d.num_days_from_ce()
}

fn parse_day(s: &str) -> Option<Day> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(day)
}

#[derive(Debug, Clone, Copy)]
struct Rec {
    /// How many identical records this one stands for (patents arrive grouped).
    n: u32,
    kind: u16,
    level: u16,
    region: u16,
    /// The enterprise for certificates (one enterprise with a renewal counts once).
    owner: u32,
    from: Day,
    /// Last valid day, inclusive (`Day::MAX` when open).
    until: Day,
    /// First day no longer valid because revoked (`Day::MAX` when not revoked).
    revoked: Day,
    above_scale: bool,
    /// The enterprise is registered outside the city (an off-site applicant's site).
    offsite: bool,
}

/// One record as the store reads it (dates ISO text).
#[derive(Debug, Clone, Default)]
pub struct SourceRecord<'a> {
    pub kind: &'a str,
    pub level: &'a str,
    pub region: &'a str,
    pub owner: &'a str,
    pub from: Option<&'a str>,
    pub until: Option<&'a str>,
    pub revoked: Option<&'a str>,
    pub above_scale: bool,
    pub offsite: bool,
}

#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }
    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
}

#[derive(Debug, Default)]
pub struct CountIndex {
    kinds: Interner,
    levels: Interner,
    regions: Interner,
    owners: Interner,
    certificates: Vec<Rec>,
    platforms: Vec<Rec>,
    enterprises: Vec<Rec>,
    patents: Vec<Rec>,
}

impl CountIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record; one with no start date cannot be counted at any date and is skipped
    /// (enterprises without a registration date count from the beginning of time instead).
    pub fn add(&mut self, registry: Registry, r: &SourceRecord<'_>) {
        self.add_many(registry, r, 1);
    }

    /// Adds `n` identical records at once: a registry read grouped by what counting needs
    /// (a province's patents are a million rows but far fewer distinct ones).
    pub fn add_many(&mut self, registry: Registry, r: &SourceRecord<'_>, n: u32) {
        let from = match (registry, r.from.and_then(parse_day)) {
            (_, Some(d)) => d,
            (Registry::Enterprises, None) => Day::MIN,
            (_, None) => return,
        };
        let rec = Rec {
            n,
            kind: self.kinds.id(r.kind) as u16,
            level: self.levels.id(r.level) as u16,
            region: self.regions.id(r.region) as u16,
            owner: if registry == Registry::Certificates {
                self.owners.id(r.owner)
            } else {
                0
            },
            from,
            until: r.until.and_then(parse_day).unwrap_or(Day::MAX),
            revoked: r.revoked.and_then(parse_day).unwrap_or(Day::MAX),
            above_scale: r.above_scale,
            offsite: r.offsite,
        };
        match registry {
            Registry::Certificates => self.certificates.push(rec),
            Registry::Platforms => self.platforms.push(rec),
            Registry::Enterprises => self.enterprises.push(rec),
            Registry::Patents => self.patents.push(rec),
        }
    }

    /// Call once all records are added: certificates are grouped by enterprise so a count can
    /// take each enterprise once.
    pub fn finish(&mut self) {
        self.certificates.sort_unstable_by_key(|r| r.owner);
    }

    /// How many records the index stands for.
    pub fn len(&self) -> usize {
        [
            &self.certificates,
            &self.platforms,
            &self.enterprises,
            &self.patents,
        ]
        .iter()
        .flat_map(|v| v.iter())
        .map(|r| r.n as usize)
        .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn records(&self, registry: Registry) -> &[Rec] {
        match registry {
            Registry::Certificates => &self.certificates,
            Registry::Platforms => &self.platforms,
            Registry::Enterprises => &self.enterprises,
            Registry::Patents => &self.patents,
        }
    }

    /// The kind ids a spec asks for: `None` for every kind, an empty list when none of its
    /// kinds has a record.
    fn kind_filter(&self, spec: &CountSpec) -> Option<Vec<u16>> {
        if spec.kinds.is_empty() || spec.registry == Registry::Enterprises {
            return None;
        }
        Some(
            spec.kinds
                .iter()
                .filter_map(|k| self.kinds.get(k))
                .map(|id| id as u16)
                .collect(),
        )
    }

    /// Whether any record of the spec's kinds exists, at any date or level (until a list is
    /// imported, a zero would be a guess).
    pub fn has_records(&self, spec: &CountSpec) -> bool {
        let recs = self.records(spec.registry);
        match self.kind_filter(spec) {
            None => !recs.is_empty(),
            Some(kinds) => recs.iter().any(|r| kinds.contains(&r.kind)),
        }
    }

    /// Matching records at `as_of`, by the region each is registered in — the same figures
    /// as the store's `registry_counts`, which the tests hold it to.
    pub fn counts(&self, spec: &CountSpec, as_of: NaiveDate) -> HashMap<RegionCode, f64> {
        let d = day(as_of);
        let kinds = self.kind_filter(spec);
        let level = match (spec.registry, &spec.level) {
            (Registry::Platforms, Some(l)) => match self.levels.get(l) {
                Some(id) => Some(id as u16),
                None => return HashMap::new(),
            },
            _ => None,
        };
        let since = spec.recognised_from.map(day);
        let above_scale =
            spec.registry == Registry::Enterprises && spec.kinds.iter().any(|k| k == "above_scale");
        let matches = |r: &Rec| {
            r.from <= d
                && (!spec.valid_at_as_of || (r.until >= d && r.revoked > d))
                && since.is_none_or(|s| r.from >= s)
                && kinds.as_ref().is_none_or(|k| k.contains(&r.kind))
                && level.is_none_or(|l| r.level == l)
                && (!above_scale || r.above_scale)
                && (spec.offsite || !r.offsite)
        };
        let mut by_region = vec![0u32; self.regions.names.len()];
        let recs = self.records(spec.registry);
        if spec.registry == Registry::Certificates {
            // Sorted by enterprise: count an enterprise at its first matching certificate.
            let mut last: Option<u32> = None;
            for r in recs.iter().filter(|r| matches(r)) {
                if last != Some(r.owner) {
                    by_region[r.region as usize] += 1;
                    last = Some(r.owner);
                }
            }
        } else {
            for r in recs.iter().filter(|r| matches(r)) {
                by_region[r.region as usize] += r.n;
            }
        }
        by_region
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .filter_map(|(i, n)| {
                let code = RegionCode::parse(&self.regions.names[i]).ok()?;
                Some((code, f64::from(n)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec(registry: Registry, kinds: &[&str]) -> CountSpec {
        CountSpec {
            registry,
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
            level: None,
            valid_at_as_of: true,
            recognised_from: None,
            distinct_counties: false,
            offsite: false,
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn cert<'a>(
        owner: &'a str,
        region: &'a str,
        from: &'a str,
        until: &'a str,
    ) -> SourceRecord<'a> {
        SourceRecord {
            kind: "hte",
            region,
            owner,
            from: Some(from),
            until: Some(until),
            ..SourceRecord::default()
        }
    }

    #[test]
    fn a_renewed_enterprise_counts_once_and_lapses_count_nothing() {
        let mut idx = CountIndex::new();
        idx.add(
            Registry::Certificates,
            &cert("A", "440203", "2015-11-01", "2018-10-31"),
        );
        idx.add(
            Registry::Certificates,
            &cert("B", "440204", "2016-01-01", "2018-12-31"),
        );
        idx.add(
            Registry::Certificates,
            &cert("A", "440203", "2018-10-01", "2021-09-30"),
        );
        idx.finish();
        let s = spec(Registry::Certificates, &["hte"]);
        let at = |x| idx.counts(&s, d(x));
        let w = RegionCode::parse("440203").expect("code");
        assert_eq!(at("2018-10-15").get(&w), Some(&1.0), "overlap: once");
        assert_eq!(at("2018-10-15").values().sum::<f64>(), 2.0);
        assert_eq!(at("2021-10-01").values().sum::<f64>(), 0.0, "all lapsed");
        assert!(idx.has_records(&s));
        assert!(!idx.has_records(&spec(Registry::Certificates, &["tech_sme"])));
    }

    #[test]
    fn platforms_by_level_since_and_revocation() {
        let mut idx = CountIndex::new();
        let p = |level, from, revoked| SourceRecord {
            kind: "incubator",
            level,
            region: "440203",
            owner: "",
            from: Some(from),
            until: None,
            revoked,
            above_scale: false,
            offsite: false,
        };
        idx.add(Registry::Platforms, &p("provincial", "2016-05-01", None));
        idx.add(
            Registry::Platforms,
            &p("provincial", "2018-05-01", Some("2019-06-01")),
        );
        idx.add(Registry::Platforms, &p("national", "2018-05-01", None));
        idx.finish();
        let mut s = spec(Registry::Platforms, &["incubator"]);
        s.level = Some("provincial".into());
        assert_eq!(idx.counts(&s, d("2018-12-31")).values().sum::<f64>(), 2.0);
        assert_eq!(idx.counts(&s, d("2019-06-01")).values().sum::<f64>(), 1.0);
        s.recognised_from = Some(d("2017-01-01"));
        assert_eq!(idx.counts(&s, d("2018-12-31")).values().sum::<f64>(), 1.0);
        s.level = Some("city".into());
        assert!(idx.counts(&s, d("2018-12-31")).is_empty());
    }

    #[test]
    fn patents_count_from_grant_until_lapse_by_type() {
        let mut idx = CountIndex::new();
        let p = |kind, region, from: Option<&'static str>, lapsed| SourceRecord {
            kind,
            region,
            from,
            revoked: lapsed,
            ..SourceRecord::default()
        };
        idx.add(
            Registry::Patents,
            &p("invention", "440203", Some("2017-03-01"), None),
        );
        idx.add(
            Registry::Patents,
            &p(
                "invention",
                "440204",
                Some("2017-05-01"),
                Some("2019-02-01"),
            ),
        );
        idx.add(
            Registry::Patents,
            &p("utility_model", "440204", Some("2017-05-01"), None),
        );
        // Applied for, never granted: counted at no date.
        idx.add(Registry::Patents, &p("invention", "440204", None, None));
        idx.finish();
        let s = spec(Registry::Patents, &["invention"]);
        let total = |x| idx.counts(&s, d(x)).values().sum::<f64>();
        assert_eq!(total("2017-02-28"), 0.0);
        assert_eq!(total("2018-12-31"), 2.0);
        assert_eq!(
            total("2019-01-31"),
            2.0,
            "valid up to the day before its lapse"
        );
        assert_eq!(total("2019-02-01"), 1.0, "lapsed from its date");
        assert!(!idx.has_records(&spec(Registry::Patents, &["design"])));
        // Patents read grouped count with their number.
        idx.add_many(
            Registry::Patents,
            &p("invention", "440203", Some("2018-01-02"), None),
            3,
        );
        idx.finish();
        let total = |x| idx.counts(&s, d(x)).values().sum::<f64>();
        assert_eq!(total("2019-02-01"), 4.0);
        assert_eq!(
            idx.len(),
            6,
            "three granted, three grouped; the application is not held"
        );
    }

    proptest! {
        // Against a plain recount: an enterprise is counted iff one of its certificates is
        // valid that day, and certificates added in any order give the same figures.
        #[test]
        fn counts_equal_a_plain_recount(
            certs in proptest::collection::vec((0u8..6, 0i32..2000, 0i32..1500), 0..40),
            at in 0i32..3500,
        ) {
            let base = d("2015-01-01");
            let date = |n: i32| (base + chrono::Duration::days(i64::from(n))).format("%Y-%m-%d").to_string();
            let rows: Vec<(String, String, String, String)> = certs
                .iter()
                // An enterprise is registered in one county.
                .map(|(o, f, len)| (format!("E{o}"), format!("44020{}", o % 3 + 3), date(*f), date(f + len)))
                .collect();
            let mut idx = CountIndex::new();
            for (o, r, f, u) in &rows {
                idx.add(Registry::Certificates, &cert(o, r, f, u));
            }
            idx.finish();
            let when = date(at);
            let mut expected: HashMap<String, std::collections::BTreeSet<String>> = HashMap::new();
            for (o, r, f, u) in &rows {
                if *f <= when && *u >= when {
                    expected.entry(r.clone()).or_default().insert(o.clone());
                }
            }
            let got = idx.counts(&spec(Registry::Certificates, &["hte"]), d(&when));
            prop_assert_eq!(got.len(), expected.len());
            for (r, owners) in expected {
                let code = RegionCode::parse(&r).expect("code");
                prop_assert_eq!(got.get(&code).copied(), Some(owners.len() as f64));
            }
        }
    }
}
