//! The registries reduced to what count indicators need — for each record its registry, kind,
//! level, region and validity dates, as small integers — so every count of every region at any
//! date is one pass over compact arrays instead of a query per indicator, region and date.
//!
//! An index is a *base*, read whole from the registries and shared, and the *changes* written
//! since, applied as signed records (a removal is the same record with `-1`), so a write costs
//! the next reader only what it changed: [`CountIndex::with_changes`] makes the new index
//! without copying the base. The base remembers the counts it has given, so after a write a
//! count costs a look-up plus a pass over the changes. The store fills both parts; the
//! service keeps the index.

use crate::indicator::{CountSpec, Registry};
use crate::region::RegionCode;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A day as a number, so comparisons are integer compares.
type Day = i32;

fn day(d: NaiveDate) -> Day {
    use chrono::Datelike;
    d.num_days_from_ce()
}

fn parse_day(s: &str) -> Option<Day> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(day)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rec {
    /// The enterprise for certificates (one enterprise with a renewal counts once). First,
    /// so that sorting groups an enterprise's certificates.
    owner: u32,
    region: u16,
    kind: u16,
    level: u16,
    from: Day,
    /// Last valid day, inclusive (`Day::MAX` when open).
    until: Day,
    /// First day no longer valid because revoked (`Day::MAX` when not revoked).
    revoked: Day,
    above_scale: bool,
    /// The enterprise is registered outside the city (an off-site applicant's site).
    offsite: bool,
    /// How many identical records this one stands for (patents arrive grouped); negative for
    /// records removed by a change.
    n: i32,
}

impl Rec {
    /// Everything but the number: records equal in this are one record counted `n` times.
    fn key(&self) -> (u32, u16, u16, u16, Day, Day, Day, bool, bool) {
        (
            self.owner,
            self.region,
            self.kind,
            self.level,
            self.from,
            self.until,
            self.revoked,
            self.above_scale,
            self.offsite,
        )
    }
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

#[derive(Debug, Default, Clone)]
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
    fn name(&self, id: impl Into<u32>) -> &str {
        self.names
            .get(id.into() as usize)
            .map_or("", String::as_str)
    }
}

/// Counts a part has given, by region id, for a spec at a day (`None`: at any day, by kind
/// alone). A base never changes once shared, so after a write a count costs the base's
/// remembered figures plus a pass over the changes, not a pass over a province's registries.
#[derive(Debug, Default)]
struct Memo(Mutex<HashMap<MemoKey, Arc<Vec<i64>>>>);

/// A count asked of a part: the spec and the day (`None`: the total by kind alone).
type MemoKey = (CountSpec, Option<Day>);

/// Distinct specs times dates a server asks for: the plan's dozen count targets at its year
/// ends and at the dates pages are viewed as of. Past it the memo starts over.
const MEMO_ENTRIES: usize = 512;

impl Memo {
    fn get_or(&self, key: MemoKey, count: impl FnOnce() -> Vec<i64>) -> Arc<Vec<i64>> {
        // A panic while the lock was held leaves only a memo, which is safe to go on using.
        if let Some(hit) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Arc::clone(hit);
        }
        // Counted without the lock: two requests at once may both count, never wait.
        let counted = Arc::new(count());
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= MEMO_ENTRIES {
            memo.clear();
        }
        memo.insert(key, Arc::clone(&counted));
        counted
    }

    fn clear(&mut self) {
        self.0.get_mut().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// A copied part is about to be changed, so it starts with nothing remembered.
impl Clone for Memo {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

/// Adds `each` to `by_region` for every enterprise with a matching certificate in `recs`
/// (sorted by enterprise and region, as a part's certificates are): an enterprise's matching
/// records are summed per region and it counts where the sum is positive.
fn count_enterprises(recs: &[Rec], f: &Filter, by_region: &mut [i64], each: i64) {
    let mut i = 0;
    while i < recs.len() {
        let (owner, region) = (recs[i].owner, recs[i].region);
        let mut net = 0i64;
        while i < recs.len() && recs[i].owner == owner && recs[i].region == region {
            if f.matches(&recs[i]) {
                net += i64::from(recs[i].n);
            }
            i += 1;
        }
        if net > 0 {
            by_region[region as usize] += each;
        }
    }
}

/// Records with their own names: the base of an index, or the changes on top of it.
#[derive(Debug, Default, Clone)]
struct Part {
    kinds: Interner,
    levels: Interner,
    regions: Interner,
    owners: Interner,
    certificates: Vec<Rec>,
    platforms: Vec<Rec>,
    enterprises: Vec<Rec>,
    patents: Vec<Rec>,
    memo: Memo,
}

/// What a spec asks of one part's records, in that part's ids.
struct Filter {
    day: Day,
    valid_at_as_of: bool,
    since: Option<Day>,
    /// `None`: every kind.
    kinds: Option<Vec<u16>>,
    level: Option<u16>,
    above_scale: bool,
    offsite: bool,
}

impl Filter {
    fn matches(&self, r: &Rec) -> bool {
        r.from <= self.day
            && (!self.valid_at_as_of || (r.until >= self.day && r.revoked > self.day))
            && self.since.is_none_or(|s| r.from >= s)
            && self.kinds.as_ref().is_none_or(|k| k.contains(&r.kind))
            && self.level.is_none_or(|l| r.level == l)
            && (!self.above_scale || r.above_scale)
            && (self.offsite || !r.offsite)
    }
}

impl Part {
    fn push(&mut self, registry: Registry, r: &SourceRecord<'_>, n: i32) {
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
        self.records_mut(registry).push(rec);
    }

    /// Adds another part's record under this part's names.
    fn push_from(&mut self, registry: Registry, other: &Part, r: &Rec) {
        let rec = Rec {
            kind: self.kinds.id(other.kinds.name(r.kind)) as u16,
            level: self.levels.id(other.levels.name(r.level)) as u16,
            region: self.regions.id(other.regions.name(r.region)) as u16,
            owner: if registry == Registry::Certificates {
                self.owners.id(other.owners.name(r.owner))
            } else {
                0
            },
            ..*r
        };
        self.records_mut(registry).push(rec);
    }

    fn records(&self, registry: Registry) -> &[Rec] {
        match registry {
            Registry::Certificates => &self.certificates,
            Registry::Platforms => &self.platforms,
            Registry::Enterprises => &self.enterprises,
            Registry::Patents => &self.patents,
        }
    }

    fn records_mut(&mut self, registry: Registry) -> &mut Vec<Rec> {
        match registry {
            Registry::Certificates => &mut self.certificates,
            Registry::Platforms => &mut self.platforms,
            Registry::Enterprises => &mut self.enterprises,
            Registry::Patents => &mut self.patents,
        }
    }

    /// Sorts every registry's records (certificates by enterprise, which counting relies on)
    /// and merges equal ones, dropping those whose additions and removals cancel out.
    fn normalise(&mut self) {
        self.memo.clear();
        for registry in Registry::ALL {
            let recs = self.records_mut(registry);
            recs.sort_unstable_by_key(Rec::key);
            let mut merged: Vec<Rec> = Vec::with_capacity(recs.len());
            for r in recs.drain(..) {
                match merged.last_mut() {
                    Some(last) if last.key() == r.key() => last.n += r.n,
                    _ => merged.push(r),
                }
            }
            merged.retain(|r| r.n != 0);
            *recs = merged;
        }
    }

    fn len(&self) -> i64 {
        Registry::ALL
            .iter()
            .flat_map(|r| self.records(*r))
            .map(|r| i64::from(r.n))
            .sum()
    }

    /// The kind ids a spec asks for: `None` for every kind, an empty list when none of its
    /// kinds has a record here.
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

    /// Matching records by kind alone, at any date or level.
    fn kind_total(&self, spec: &CountSpec) -> i64 {
        let kinds = self.kind_filter(spec);
        self.records(spec.registry)
            .iter()
            .filter(|r| kinds.as_ref().is_none_or(|k| k.contains(&r.kind)))
            .map(|r| i64::from(r.n))
            .sum()
    }

    /// Matching records at `as_of` by this part's region ids; for certificates, enterprises
    /// with a matching certificate (their records' sum positive), each once in its region.
    fn by_region(&self, spec: &CountSpec, as_of: NaiveDate) -> Vec<i64> {
        let mut by_region = vec![0i64; self.regions.names.len()];
        let Some(f) = self.filter(spec, as_of) else {
            return by_region;
        };
        let recs = self.records(spec.registry);
        if spec.registry != Registry::Certificates {
            for r in recs.iter().filter(|r| f.matches(r)) {
                by_region[r.region as usize] += i64::from(r.n);
            }
            return by_region;
        }
        count_enterprises(recs, &f, &mut by_region, 1);
        by_region
    }

    /// [`by_region`](Self::by_region), remembered: for the base, which never changes.
    fn by_region_kept(&self, spec: &CountSpec, as_of: NaiveDate) -> Arc<Vec<i64>> {
        self.memo.get_or((spec.clone(), Some(day(as_of))), || {
            self.by_region(spec, as_of)
        })
    }

    /// [`kind_total`](Self::kind_total), remembered.
    fn kind_total_kept(&self, spec: &CountSpec) -> i64 {
        self.memo
            .get_or((spec.clone(), None), || vec![self.kind_total(spec)])
            .first()
            .copied()
            .unwrap_or(0)
    }

    /// `None` when nothing here can match (a level no record of this part has).
    fn filter(&self, spec: &CountSpec, as_of: NaiveDate) -> Option<Filter> {
        let level = match (spec.registry, &spec.level) {
            (Registry::Platforms, Some(l)) => Some(self.levels.get(l)? as u16),
            _ => None,
        };
        Some(Filter {
            day: day(as_of),
            valid_at_as_of: spec.valid_at_as_of,
            since: spec.recognised_from.map(day),
            kinds: self.kind_filter(spec),
            level,
            above_scale: spec.registry == Registry::Enterprises
                && spec.kinds.iter().any(|k| k == "above_scale"),
            offsite: spec.offsite,
        })
    }

    /// The certificates of one enterprise (this part's records are sorted by enterprise).
    fn certificates_of(&self, owner: &str) -> &[Rec] {
        let Some(id) = self.owners.get(owner) else {
            return &[];
        };
        let recs = &self.certificates;
        let start = recs.partition_point(|r| r.owner < id);
        let end = recs.partition_point(|r| r.owner <= id);
        &recs[start..end]
    }
}

/// Every count of every region at any date, from the registries as read and changed since.
#[derive(Debug, Default, Clone)]
pub struct CountIndex {
    base: Arc<Part>,
    changes: Part,
    /// Enterprises whose certificates changed since the base was read, by name: counted from
    /// both parts together instead of as the base counted them.
    touched: Vec<String>,
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
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        let base = Arc::make_mut(&mut self.base);
        // What the base counted before no longer holds.
        base.memo.clear();
        base.push(registry, r, n);
    }

    /// Call once all records are added: certificates are grouped by enterprise so a count can
    /// take each enterprise once.
    pub fn finish(&mut self) {
        Arc::make_mut(&mut self.base).normalise();
    }

    /// This index with changes written since applied: each record with `+1` when added, `-1`
    /// when removed (an update is both). The base is shared, not copied; once the changes grow
    /// to a quarter of it they are folded into a new base.
    pub fn with_changes<'a>(
        &self,
        changes: impl IntoIterator<Item = (Registry, SourceRecord<'a>, i32)>,
    ) -> CountIndex {
        self.with_changes_folding_past(changes, 1024)
    }

    /// As [`with_changes`](Self::with_changes), folding the changes into a new base once
    /// they hold more than a quarter of the base's records and more than `least`.
    fn with_changes_folding_past<'a>(
        &self,
        changes: impl IntoIterator<Item = (Registry, SourceRecord<'a>, i32)>,
        least: usize,
    ) -> CountIndex {
        let mut next = self.changes.clone();
        for (registry, r, n) in changes {
            next.push(registry, &r, n);
        }
        next.normalise();
        let size = |p: &Part| {
            Registry::ALL
                .iter()
                .map(|r| p.records(*r).len())
                .sum::<usize>()
        };
        if size(&next) > (size(&self.base) / 4).max(least) {
            let mut base = (*self.base).clone();
            for registry in Registry::ALL {
                for r in next.records(registry) {
                    base.push_from(registry, &next, r);
                }
            }
            base.normalise();
            return CountIndex {
                base: Arc::new(base),
                ..CountIndex::default()
            };
        }
        let mut touched: Vec<String> = next
            .certificates
            .iter()
            .map(|r| next.owners.name(r.owner).to_owned())
            .collect();
        touched.dedup();
        CountIndex {
            base: Arc::clone(&self.base),
            changes: next,
            touched,
        }
    }

    /// How many records the index stands for.
    pub fn len(&self) -> usize {
        usize::try_from(self.base.len() + self.changes.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any record of the spec's kinds exists, at any date or level (until a list is
    /// imported, a zero would be a guess).
    pub fn has_records(&self, spec: &CountSpec) -> bool {
        self.base.kind_total_kept(spec) + self.changes.kind_total(spec) > 0
    }

    /// Matching records at `as_of`, by the region each is registered in — the same figures
    /// as the store's `registry_counts`, which the tests hold it to.
    pub fn counts(&self, spec: &CountSpec, as_of: NaiveDate) -> HashMap<RegionCode, f64> {
        let mut totals: HashMap<&str, i64> = HashMap::new();
        let base = &*self.base;
        for (i, n) in base.by_region_kept(spec, as_of).iter().enumerate() {
            if *n != 0 {
                *totals.entry(base.regions.name(i as u32)).or_default() += n;
            }
        }
        if spec.registry == Registry::Certificates {
            self.count_touched_enterprises(spec, as_of, &mut totals);
        } else {
            let changes = &self.changes;
            for (i, n) in changes.by_region(spec, as_of).into_iter().enumerate() {
                if n != 0 {
                    *totals.entry(changes.regions.name(i as u32)).or_default() += n;
                }
            }
        }
        totals
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .filter_map(|(region, n)| Some((RegionCode::parse(region).ok()?, n as f64)))
            .collect()
    }

    /// Enterprises whose certificates changed: the base counted them from its records alone,
    /// so each is taken out as the base counted it and counted again from both parts'
    /// records together (a renewal still counts once; a move counts in the new county).
    fn count_touched_enterprises<'s>(
        &'s self,
        spec: &CountSpec,
        as_of: NaiveDate,
        totals: &mut HashMap<&'s str, i64>,
    ) {
        let base = &*self.base;
        // Enterprises with changed certificates: both parts' records together.
        let filters = [
            (base, base.filter(spec, as_of)),
            (&self.changes, self.changes.filter(spec, as_of)),
        ];
        // Taken out as the base counted them, by the base's own rule.
        let mut taken = vec![0i64; base.regions.names.len()];
        for owner in &self.touched {
            if let Some(f) = &filters[0].1 {
                count_enterprises(base.certificates_of(owner), f, &mut taken, -1);
            }
            let mut net: HashMap<&str, i64> = HashMap::new();
            for (part, f) in &filters {
                let Some(f) = f else { continue };
                for r in part.certificates_of(owner).iter().filter(|r| f.matches(r)) {
                    *net.entry(part.regions.name(r.region)).or_default() += i64::from(r.n);
                }
            }
            for (region, n) in net {
                if n > 0 {
                    *totals.entry(region).or_default() += 1;
                }
            }
        }
        for (i, n) in taken.into_iter().enumerate() {
            if n != 0 {
                *totals.entry(base.regions.name(i as u32)).or_default() += n;
            }
        }
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

    /// (registry, owner, region, from, until)
    type Row = (Registry, String, String, String, String);

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

        // Changes applied on top of an index give the counts of an index read afresh from
        // the records as they end up, whatever was added, removed or moved in between, and
        // however the changes were grouped into writes.
        #[test]
        fn changes_give_the_counts_of_a_fresh_read(
            start in proptest::collection::vec((0u8..8, 0u8..3, 0i32..1500, 0i32..900, 0u8..2), 0..30),
            ops in proptest::collection::vec((0u8..3, 0usize..40, 0u8..8, 0u8..3, 0i32..1500, 0i32..900), 0..40),
            writes in 1usize..5,
            fold_past in prop_oneof![Just(1024usize), 0usize..6],
            at in proptest::collection::vec(0i32..2500, 1..4),
        ) {
            let base = d("2015-01-01");
            let date = |n: i32| (base + chrono::Duration::days(i64::from(n))).format("%Y-%m-%d").to_string();
            let row = |o: u8, r: u8, f: i32, len: i32, patent: bool| -> Row {
                let registry = if patent { Registry::Patents } else { Registry::Certificates };
                (registry, format!("E{o}"), format!("44020{}", r + 3), date(f), date(f + len))
            };
            fn source(x: &Row) -> SourceRecord<'_> {
                SourceRecord {
                kind: "k",
                region: &x.2,
                owner: if x.0 == Registry::Certificates { &x.1 } else { "" },
                from: Some(&x.3),
                until: if x.0 == Registry::Certificates { Some(&x.4) } else { None },
                revoked: if x.0 == Registry::Patents { Some(&x.4) } else { None },
                ..SourceRecord::default()
                }
            }
            let mut rows: Vec<Row> = start.iter().map(|(o, r, f, l, p)| row(*o, *r, *f, *l, *p == 1)).collect();
            // An enterprise is registered in one county: moving it moves its certificates.
            let mut idx = CountIndex::new();
            for x in &rows {
                idx.add(x.0, &source(x));
            }
            idx.finish();
            // After every write, as a server asks after each: the shared base's remembered
            // counts must combine with the changes as a fresh read counts.
            let check = |idx: &CountIndex, rows: &[Row]| -> Result<(), TestCaseError> {
                let mut fresh = CountIndex::new();
                for x in rows {
                    fresh.add(x.0, &source(x));
                }
                fresh.finish();
                prop_assert_eq!(idx.len(), fresh.len());
                for registry in [Registry::Certificates, Registry::Patents] {
                    let s = spec(registry, &["k"]);
                    prop_assert_eq!(idx.has_records(&s), fresh.has_records(&s));
                    for a in &at {
                        let when = d(&date(*a));
                        prop_assert_eq!(idx.counts(&s, when), fresh.counts(&s, when), "{:?} at {}", registry, when);
                    }
                }
                Ok(())
            };
            check(&idx, &rows)?;
            let chunk = ops.len().div_ceil(writes).max(1);
            for write in ops.chunks(chunk) {
                let mut changes: Vec<(Row, i32)> = Vec::new();
                for &(op, i, o, r, f, l) in write {
                    match op {
                        0 => {
                            let x = row(o, r, f, l, i % 2 == 0);
                            changes.push((x.clone(), 1));
                            rows.push(x);
                        }
                        1 if !rows.is_empty() => {
                            let x = rows.remove(i % rows.len());
                            changes.push((x, -1));
                        }
                        _ => {
                            // Moves an enterprise to another county with all its certificates.
                            let owner = format!("E{o}");
                            let to = format!("44020{}", r + 3);
                            for x in rows.iter_mut().filter(|x| x.0 == Registry::Certificates && x.1 == owner) {
                                changes.push((x.clone(), -1));
                                x.2.clone_from(&to);
                                changes.push((x.clone(), 1));
                            }
                        }
                    }
                }
                idx = idx.with_changes_folding_past(changes.iter().map(|(x, n)| (x.0, source(x), *n)), fold_past);
                check(&idx, &rows)?;
            }
        }
    }
}
