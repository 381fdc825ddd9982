//! A plan's progress: gathers the records a target's figures need from the store and hands
//! them to the domain to compute. The API, the pages and reports call these functions, so they
//! can never disagree on a number.
//!
//! Progress is computed from the current records and kept only while they stay as they are
//! ([`ProgressCache`]), so it is never stale.

use crate::{Error, Missing};
use chrono::NaiveDate;
use kechuang_domain::count_index::CountIndex;
use kechuang_domain::evaluate::{Context, Evaluation};
use kechuang_domain::indicator::{Indicator, IndicatorKind};
use kechuang_domain::plan::Target;
use kechuang_domain::region::{Region, RegionTree};
use kechuang_domain::registry::region_totals;
use kechuang_domain::series::Figures;
use kechuang_domain::{Period, RegionCode};
use kechuang_store::{
    CountCursor, CountedRecord, Generations, ObservationRecord, PlanSummary, Store,
};
use std::collections::HashMap;
use std::sync::Arc;

kechuang_domain::problems! {
    pub enum ProgressProblem {
        RegionOutsidePlan { code: RegionCode } = "region_outside_plan" {
            zh: "区划 {code} 不在本计划范围内", en: "region {code} is not within the plan's region",
        },
        InvalidDate { raw: String } = "invalid_date" {
            zh: "日期 '{raw}' 无效，应如 2019-03-31 或 2019年3月31日", en: "date '{raw}' is not a date such as 2019-03-31",
        },
    }
}

/// A plan with everything needed to evaluate it anywhere, as of one date.
pub struct Loaded {
    pub plan: PlanSummary,
    pub plan_region: RegionCode,
    pub targets: Vec<Target>,
    pub indicators: HashMap<String, Indicator>,
    pub tree: RegionTree,
    pub figures: Figures,
    /// The date the figures were loaded for; every evaluation is as of it.
    pub as_of: NaiveDate,
    /// The stored records this was loaded from.
    generations: Generations,
    /// Evaluations already made, by region: a page showing the city and its counties
    /// evaluates each once for as long as the records stay as they are.
    evaluated: std::sync::Mutex<HashMap<RegionCode, Arc<Vec<Evaluation>>>>,
    /// What pages make of the evaluations (rows, charts, maps) by a key of their choosing,
    /// kept as long as the evaluations are.
    views: std::sync::Mutex<HashMap<String, Arc<dyn std::any::Any + Send + Sync>>>,
}

/// Views kept per plan-as-of: each region, language and map choice of a page is one. With
/// [`PLANS_KEPT`] this bounds what the cache can hold whatever dates and regions are asked
/// for (a dashboard's view is under 100 KB: at most about 50 MB in all).
const VIEWS_KEPT: usize = 64;

/// What a server keeps in memory between requests so that reading progress costs no
/// recomputation while nothing changed, and is exactly as fresh as the stored records:
/// - the registries' count index (see `kechuang_domain::count_index`), valid for one registry
///   generation, read again only after a registry write;
/// - each plan loaded as of a date, with its evaluations, valid for one pair of generations
///   ([`Store::generations`]).
///
/// Each request reads the generations — one small query — and uses what it has if they
/// match; after a write, from this process, the command line or another instance, the next
/// request loads again, once.
#[derive(Default)]
pub struct ProgressCache {
    index: tokio::sync::RwLock<Option<HeldIndex>>,
    rebuilding: tokio::sync::Mutex<()>,
    plans: std::sync::Mutex<HashMap<(i64, NaiveDate), Arc<Loaded>>>,
    loading: tokio::sync::Mutex<()>,
    /// The plans as read at a data generation (a write to `plans` moves it on).
    plan_list: std::sync::Mutex<Option<(i64, Arc<Vec<PlanSummary>>)>>,
}

/// The count index a server holds, with where it was read.
#[derive(Clone)]
struct HeldIndex {
    generation: i64,
    with_enterprises: bool,
    cursor: CountCursor,
    index: Arc<CountIndex>,
}

/// Plans-as-of kept at once: a dashboard's default date and the dates people look back at.
/// Past it, those of older generations go first, then all.
const PLANS_KEPT: usize = 8;

impl ProgressCache {
    /// The index of the stored registries at `generation` or later; `with_enterprises` when
    /// some count needs the enterprise registry itself. After a registry write the index held
    /// takes in what the write changed (the store's count change log), not the registries
    /// whole; whole only at first, when the log no longer reaches back to it, or when counts
    /// need enterprises it was read without.
    pub async fn index(
        &self,
        store: &Store,
        generation: i64,
        with_enterprises: bool,
    ) -> Result<Arc<CountIndex>, Error> {
        if let Some(idx) = self.index_at(generation, with_enterprises).await {
            return Ok(idx);
        }
        // One rebuild at a time; whoever waited finds it done.
        let _one = self.rebuilding.lock().await;
        if let Some(idx) = self.index_at(generation, with_enterprises).await {
            return Ok(idx);
        }
        let held = self.index.read().await.clone();
        let applied = match held.filter(|h| h.with_enterprises || !with_enterprises) {
            Some(held) => store
                .count_changes(&held.cursor, held.with_enterprises)
                .await?
                .map(|(read_at, cursor, changes)| HeldIndex {
                    generation: read_at,
                    with_enterprises: held.with_enterprises,
                    cursor,
                    index: Arc::new(
                        held.index
                            .with_changes(changes.iter().map(|c| (c.registry, c.record(), c.n))),
                    ),
                }),
            None => None,
        };
        let next = match applied {
            Some(next) => next,
            None => {
                let (read_at, cursor, idx) = store.count_index(with_enterprises).await?;
                HeldIndex {
                    generation: read_at,
                    with_enterprises,
                    cursor,
                    index: Arc::new(idx),
                }
            }
        };
        let idx = Arc::clone(&next.index);
        *self.index.write().await = Some(next);
        Ok(idx)
    }

    /// The generations now, and the plans at them: read again only after a write.
    pub async fn current(&self, store: &Store) -> Result<Current, Error> {
        let generations = store.generations().await?;
        let held = self
            .plan_list
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let plans = match held {
            Some((data, plans)) if data == generations.data => plans,
            // Read after the generations, so as fresh as they are or fresher: a list kept
            // under a generation it has outrun is only read again one request early.
            _ => {
                let plans = Arc::new(store.plans().await?);
                *self.plan_list.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((generations.data, Arc::clone(&plans)));
                plans
            }
        };
        Ok(Current { generations, plans })
    }

    async fn index_at(&self, generation: i64, with_enterprises: bool) -> Option<Arc<CountIndex>> {
        match &*self.index.read().await {
            // The counter only moves on: an index read later than asked is as fresh or fresher.
            Some(h) if h.generation >= generation && (h.with_enterprises || !with_enterprises) => {
                Some(Arc::clone(&h.index))
            }
            _ => None,
        }
    }

    fn plan_at(&self, key: (i64, NaiveDate), generations: Generations) -> Option<Arc<Loaded>> {
        let plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        plans
            .get(&key)
            .filter(|l| l.generations == generations)
            .cloned()
    }

    fn keep(&self, loaded: Arc<Loaded>) {
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if plans.len() >= PLANS_KEPT {
            plans.retain(|_, l| l.generations == loaded.generations);
            if plans.len() >= PLANS_KEPT {
                plans.clear();
            }
        }
        plans.insert((loaded.plan.id, loaded.as_of), loaded);
    }
}

impl Loaded {
    /// Loads the plan with every figure needed to evaluate it as of `as_of`: observations,
    /// and registry counts at each year end of the plan period and at `as_of` itself.
    /// Read from the cache while the records it came from are unchanged.
    pub async fn load(
        store: &Store,
        cache: &ProgressCache,
        plan_id: i64,
        as_of: NaiveDate,
    ) -> Result<Arc<Self>, Error> {
        let generations = store.generations().await?;
        Self::load_at(store, cache, plan_id, as_of, generations).await
    }

    /// [`Loaded::load`] with the generations already read (see [`Current`]).
    async fn load_at(
        store: &Store,
        cache: &ProgressCache,
        plan_id: i64,
        as_of: NaiveDate,
        generations: Generations,
    ) -> Result<Arc<Self>, Error> {
        if let Some(loaded) = cache.plan_at((plan_id, as_of), generations) {
            return Ok(loaded);
        }
        let _one = cache.loading.lock().await;
        if let Some(loaded) = cache.plan_at((plan_id, as_of), generations) {
            return Ok(loaded);
        }
        let loaded = Arc::new(Self::read(store, cache, plan_id, as_of, generations).await?);
        cache.keep(Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Reads what `load` keeps, from the records as they are at `generations` or later.
    async fn read(
        store: &Store,
        cache: &ProgressCache,
        plan_id: i64,
        as_of: NaiveDate,
        generations: Generations,
    ) -> Result<Self, Error> {
        let plan = store.plan(plan_id).await?;
        let plan_region = RegionCode::parse(&plan.region_code).map_err(Error::internal)?;
        let targets = store.targets(plan_id).await?;
        let indicators: HashMap<String, Indicator> = store.indicators_by_code().await?;
        let tree = store.region_tree().await?;
        let mut figures = Figures::default();
        let records = record_figures(store, &indicators, &tree, &plan, &plan_region, as_of).await?;
        for (ind, region, period, value) in store.figures().await? {
            // Counted and ledger indicators come from their records only: observations left
            // from before an indicator became one (an upgraded database) are not mixed in.
            // Records indicators keep observations for the years before their records begin.
            match indicators.get(&ind).map(|i| &i.kind) {
                Some(IndicatorKind::RegistryCount(_) | IndicatorKind::Ledger(_)) => continue,
                Some(IndicatorKind::Records(_)) => {
                    use chrono::Datelike;
                    if records
                        .get(&ind)
                        .is_some_and(|(first, _)| period.end_date().year() >= *first)
                    {
                        continue;
                    }
                }
                _ => {}
            }
            figures.insert(&ind, &region, period, value);
        }
        for (ind, (_, values)) in &records {
            for (region, period, value) in values {
                figures.insert(ind, region, *period, *value);
            }
        }
        // The counts the targets read: their own indicators', and those inside their formulas
        // (2.2 is valid invention patents ÷ population).
        let mut wanted: Vec<&Indicator> = Vec::new();
        let mut stack: Vec<&str> = targets.iter().map(|t| t.indicator.as_str()).collect();
        while let Some(code) = stack.pop() {
            match indicators.get(code) {
                Some(ind) if wanted.iter().any(|w| w.code == ind.code) => {}
                Some(ind) => {
                    if let IndicatorKind::Formula(f) = &ind.kind {
                        stack.extend(f.inputs().iter().filter_map(|i| {
                            indicators
                                .get_key_value(i.as_str())
                                .map(|(k, _)| k.as_str())
                        }));
                    }
                    wanted.push(ind);
                }
                None => {}
            }
        }
        let with_enterprises = wanted.iter().any(|i| {
            matches!(
                &i.kind,
                IndicatorKind::RegistryCount(s)
                    if s.registry == kechuang_domain::indicator::Registry::Enterprises
            )
        });
        let index = cache
            .index(store, generations.registry, with_enterprises)
            .await?;
        let counted: Vec<&Indicator> = wanted
            .into_iter()
            .filter(|ind| matches!(&ind.kind, IndicatorKind::RegistryCount(spec) if index.has_records(spec)))
            .collect();
        // A target that continues one of an earlier plan shows one series across both: its
        // counts go back to the earlier plan's first year.
        // Most plans continue none: the plans are read only for one that does.
        let earlier: Vec<&str> = targets
            .iter()
            .filter_map(|t| Some(t.continues.as_deref()?.split_once('/')?.0))
            .collect();
        let plans = if earlier.is_empty() {
            Vec::new()
        } else {
            store.plans().await?
        };
        let first_year = plans
            .iter()
            .filter(|p| earlier.contains(&p.code.as_str()))
            .map(|p| p.start_year)
            .fold(plan.start_year, i32::min);
        for (date, period) in count_dates(first_year, plan.end_year, as_of) {
            for ind in &counted {
                if let IndicatorKind::RegistryCount(spec) = &ind.kind {
                    let raw = index.counts(spec, date);
                    for (region, n) in
                        region_totals(&tree, &raw, spec.distinct_counties, &plan_region)
                    {
                        figures.insert(&ind.code, &region, period, n);
                    }
                }
            }
        }
        add_ledger_figures(
            store,
            &indicators,
            &tree,
            &plan,
            &plan_region,
            as_of,
            &mut figures,
        )
        .await?;
        Ok(Self {
            plan,
            plan_region,
            targets,
            indicators,
            tree,
            figures,
            as_of,
            generations,
            evaluated: Default::default(),
            views: Default::default(),
        })
    }

    pub fn ctx(&self) -> Context<'_> {
        Context {
            plan_region: &self.plan_region,
            plan_start: self.plan.start_date(),
            tree: &self.tree,
            indicators: &self.indicators,
            figures: &self.figures,
        }
    }

    /// The region asked for, which must lie within the plan's region; the plan's own by default.
    pub fn region(&self, code: Option<&str>) -> Result<Region, Error> {
        let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
            None => self.plan_region.clone(),
            Some(c) => RegionCode::parse(c).map_err(Error::invalid)?,
        };
        let inside = self.tree.subtree(&self.plan_region).contains(&code);
        match self.tree.get(&code) {
            Some(r) if inside => Ok(r.clone()),
            // A region the plan does not cover has no figures in it: not found, as a record
            // outside a caller's scope is.
            _ => Err(Error::not_found(ProgressProblem::RegionOutsidePlan {
                code,
            })),
        }
    }

    /// The plan's region followed by the regions directly under it: counties, then zones.
    pub fn selectable_regions(&self) -> Vec<Region> {
        let mut out: Vec<Region> = self
            .tree
            .get(&self.plan_region)
            .cloned()
            .into_iter()
            .collect();
        out.extend(self.tree.children(&self.plan_region).cloned());
        out
    }

    pub fn counties(&self) -> Vec<Region> {
        self.tree
            .rollup_children(&self.plan_region)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Every target evaluated for a region as of the loaded date, in the plan's order;
    /// made once per region.
    pub fn evaluate_all(&self, region: &RegionCode) -> Arc<Vec<Evaluation>> {
        let done = self
            .evaluated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(region)
            .cloned();
        if let Some(done) = done {
            return done;
        }
        // Evaluated outside the lock: two requests may both evaluate a region the first
        // time, and one result is kept.
        let ctx = self.ctx();
        let evals: Arc<Vec<Evaluation>> = Arc::new(
            self.targets
                .iter()
                .filter_map(|t| ctx.evaluate(t, region, self.as_of))
                .collect(),
        );
        self.evaluated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(region.clone())
            .or_insert(evals)
            .clone()
    }

    /// A view made earlier from these evaluations under `key`, if of type `T`.
    pub fn view<T: std::any::Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(views.get(key)?).downcast::<T>().ok()
    }

    /// Keeps a view made from these evaluations under `key`, and returns it.
    pub fn keep_view<T: std::any::Any + Send + Sync>(&self, key: String, view: T) -> Arc<T> {
        let view = Arc::new(view);
        let mut views = self.views.lock().unwrap_or_else(|p| p.into_inner());
        if views.len() >= VIEWS_KEPT {
            views.clear();
        }
        views.insert(
            key,
            Arc::clone(&view) as Arc<dyn std::any::Any + Send + Sync>,
        );
        view
    }

    pub fn target(&self, code: &str) -> Result<&Target, Error> {
        self.targets.iter().find(|t| t.code == code).ok_or_else(|| {
            Error::not_found(Missing::Target {
                code: code.to_owned(),
            })
        })
    }

    /// The indicator codes whose records make up an indicator's value: itself, or the inputs
    /// of its formula (recursively).
    pub fn record_indicators(&self, code: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![code.to_owned()];
        while let Some(c) = stack.pop() {
            match self.indicators.get(&c).map(|i| &i.kind) {
                Some(IndicatorKind::Formula(f)) => stack.extend(f.inputs()),
                Some(_) if !out.contains(&c) => out.push(c),
                _ => {}
            }
        }
        out.sort();
        out
    }
}

/// Ledger indicators (e.g. the city's project funds a year): the year's ledger entries by
/// recipient's region, in the indicator's unit, for every region of the plan (zero included)
/// and every plan year up to `as_of` — once the ledger holds entries of the kind, so a new
/// installation shows "no data" rather than a failing zero.
async fn add_ledger_figures(
    store: &Store,
    indicators: &HashMap<String, Indicator>,
    tree: &RegionTree,
    plan: &PlanSummary,
    plan_region: &RegionCode,
    as_of: NaiveDate,
    figures: &mut Figures,
) -> Result<(), Error> {
    use chrono::Datelike;
    use kechuang_domain::indicator::LedgerEntry;
    type Totals = Vec<(String, String, i32, kechuang_domain::money::Fen)>;
    let mut totals: HashMap<(LedgerEntry, bool), Totals> = HashMap::new();
    for ind in indicators.values() {
        let IndicatorKind::Ledger(spec) = &ind.kind else {
            continue;
        };
        let Some(per) = kechuang_domain::money::unit_fen(&ind.unit) else {
            continue;
        };
        let rows = match totals.entry((spec.entry, spec.offsite)) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(store.ledger_totals(spec.entry, spec.offsite).await?)
            }
        };
        let rows: Vec<_> = rows
            .iter()
            .filter(|(p, ..)| spec.programmes.is_empty() || spec.programmes.contains(p))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let last = plan.end_year.min(as_of.year());
        for year in plan.start_year..=last {
            let mut raw: HashMap<RegionCode, f64> = HashMap::new();
            for (_, region, y, fen) in &rows {
                if *y == year {
                    if let Ok(r) = RegionCode::parse(region) {
                        *raw.entry(r).or_default() += fen.0 as f64 / per as f64;
                    }
                }
            }
            for (region, v) in region_totals(tree, &raw, false, plan_region) {
                figures.insert(&ind.code, &region, Period::Year(year), v);
            }
        }
    }
    Ok(())
}

/// Figures of a records indicator by code: the first year its records hold, and its values
/// from that year on at each count date — sums of dated records in the indicator's unit:
/// running totals (distinct pool members, pool loans, contributions, funds' committed size) or
/// a year's own (survey totals); by county where the measure is kept by county, for the plan's
/// region otherwise.
type RecordFigures = HashMap<String, (i32, Vec<(RegionCode, Period, f64)>)>;

async fn record_figures(
    store: &Store,
    indicators: &HashMap<String, Indicator>,
    tree: &RegionTree,
    plan: &PlanSummary,
    plan_region: &RegionCode,
    as_of: NaiveDate,
) -> Result<RecordFigures, Error> {
    use chrono::Datelike;
    let mut out = RecordFigures::new();
    for ind in indicators.values() {
        let IndicatorKind::Records(measure) = &ind.kind else {
            continue;
        };
        let per = if measure.is_money() {
            match kechuang_domain::money::unit_fen(&ind.unit) {
                Some(p) => p as f64,
                None => continue,
            }
        } else {
            1.0
        };
        let items = store.record_items(*measure).await?;
        let Some(first) = items.iter().map(|(_, d, ..)| d.as_str()).min() else {
            continue;
        };
        let Some(first_year) = first.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
            continue;
        };
        let mut values = Vec::new();
        for (date, period) in count_dates(plan.start_year, plan.end_year, as_of) {
            if date.year() < first_year {
                continue;
            }
            // A yearly figure exists for whole years only: its own year's records.
            if !measure.cumulative() && !matches!(period, Period::Year(_)) {
                continue;
            }
            let day = date.to_string();
            let year_start = format!("{}-01-01", date.year());
            let mut raw: HashMap<RegionCode, f64> = HashMap::new();
            let mut whole = 0.0;
            for (region, d, _, v) in &items {
                if d.as_str() > day.as_str()
                    || (!measure.cumulative() && d.as_str() < year_start.as_str())
                {
                    continue;
                }
                whole += *v as f64 / per;
                if let Ok(r) = RegionCode::parse(region) {
                    *raw.entry(r).or_default() += *v as f64 / per;
                }
            }
            if measure.by_county() {
                for (region, v) in region_totals(tree, &raw, false, plan_region) {
                    values.push((region, period, v));
                }
            } else {
                values.push((plan_region.clone(), period, whole));
            }
        }
        out.insert(ind.code.clone(), (first_year, values));
    }
    Ok(out)
}

/// The dates registry counts are taken at: each year end from the year before the plan to the
/// plan's end (as far as `as_of` reaches), and `as_of` itself.
fn count_dates(start_year: i32, end_year: i32, as_of: NaiveDate) -> Vec<(NaiveDate, Period)> {
    let mut out: Vec<(NaiveDate, Period)> = (start_year - 1..=end_year)
        .map(|y| (Period::Year(y).end_date(), Period::Year(y)))
        .filter(|(d, _)| *d <= as_of)
        .collect();
    if !out.iter().any(|(d, _)| *d == as_of) {
        out.push((as_of, Period::Day(as_of)));
    }
    out
}

/// The date a plan is evaluated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub date: NaiveDate,
    /// The plan has ended and no date was asked for, so this is its last day: the final
    /// assessment, which is what anyone opening an ended plan wants to see.
    pub final_assessment: bool,
}

/// The date asked for; without one, today while the plan runs and its last day once it has
/// ended. Evaluated at today, an ended plan would count certificates that have lapsed since
/// and show a finished plan as failing.
pub async fn plan_as_of(store: &Store, plan_id: i64, raw: Option<&str>) -> Result<AsOf, Error> {
    if asked(raw) {
        return as_asked(raw);
    }
    unasked(&store.plan(plan_id).await?)
}

/// A date was written (blanks are not one).
fn asked(raw: Option<&str>) -> bool {
    raw.is_some_and(|s| !s.trim().is_empty())
}

fn as_asked(raw: Option<&str>) -> Result<AsOf, Error> {
    Ok(AsOf {
        date: parse_as_of(raw)?,
        final_assessment: false,
    })
}

/// No date asked for: today while `plan` runs, its last day once it has ended.
fn unasked(plan: &PlanSummary) -> Result<AsOf, Error> {
    let end = NaiveDate::from_ymd_opt(plan.end_year, 12, 31).ok_or_else(|| {
        Error::internal(format!("plan {} ends in year {}", plan.id, plan.end_year))
    })?;
    let today = crate::clock::today_in_china();
    Ok(if today > end {
        AsOf {
            date: end,
            final_assessment: true,
        }
    } else {
        AsOf {
            date: today,
            final_assessment: false,
        }
    })
}

pub fn parse_as_of(raw: Option<&str>) -> Result<NaiveDate, Error> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(crate::clock::today_in_china()),
        Some(s) => kechuang_domain::text::written_date(s)
            .ok_or_else(|| Error::invalid(ProgressProblem::InvalidDate { raw: s.to_owned() })),
    }
}

/// The records (observations) behind an indicator's figure for a region: those of the region
/// and everything below it, of the indicator or its formula's inputs.
pub async fn records_behind(
    store: &Store,
    loaded: &Loaded,
    indicator: &str,
    region: &RegionCode,
) -> Result<Vec<ObservationRecord>, Error> {
    let subtree = loaded.tree.subtree(region);
    let mut out = Vec::new();
    for code in loaded.record_indicators(indicator) {
        out.extend(store.observations(Some(&code), Some(&subtree)).await?);
    }
    Ok(out)
}

/// The registry records a count indicator's figure includes for a region at a date — for a
/// formula, those of the counts inside it (2.2's valid invention patents); empty for typed-in
/// figures.
pub async fn counted_records(
    store: &Store,
    loaded: &Loaded,
    indicator: &str,
    region: &RegionCode,
    as_of: NaiveDate,
) -> Result<Vec<CountedRecord>, Error> {
    // The same subtree `region_totals` counts over.
    let regions = loaded.tree.subtree(region);
    let mut out = Vec::new();
    for code in loaded.record_indicators(indicator) {
        match loaded.indicators.get(&code).map(|i| &i.kind) {
            Some(IndicatorKind::RegistryCount(spec)) => {
                out.extend(store.counted_records(spec, as_of, &regions).await?);
            }
            // A yearly sum: the entries of the year the figure shows, the last of the plan at most.
            Some(IndicatorKind::Ledger(spec)) => {
                use chrono::Datelike;
                let year = as_of.year().min(loaded.plan.end_year);
                out.extend(store.ledger_records(spec, year, &regions).await?);
            }
            Some(IndicatorKind::Records(measure)) => {
                out.extend(store.measure_records(*measure, as_of, &regions).await?);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The plan a page shows when asked without naming one: the plan whose period covers today,
/// else the most recent (see `kechuang_domain::plan::current_plan`).
pub async fn default_plan_id(store: &Store) -> Result<i64, Error> {
    current_plan_id(store)
        .await?
        .ok_or_else(|| Error::not_found(Missing::Plan))
}

/// The same, or `None` when no plan is loaded.
pub async fn current_plan_id(store: &Store) -> Result<Option<i64>, Error> {
    Ok(current_of(&store.plans().await?))
}

fn current_of(plans: &[PlanSummary]) -> Option<i64> {
    use chrono::Datelike;
    let plans: Vec<(i64, i32, i32)> = plans
        .iter()
        .map(|p| (p.id, p.start_year, p.end_year))
        .collect();
    kechuang_domain::plan::current_plan(&plans, crate::clock::today_in_china().year())
}

/// Where every read of progress starts: the stored records' generations and the plans as they
/// are at them. From [`ProgressCache::current`], one small query while nothing changed, so a
/// public page that names no plan and no date costs the database that query alone.
#[derive(Clone)]
pub struct Current {
    pub generations: Generations,
    pub plans: Arc<Vec<PlanSummary>>,
}

impl Current {
    /// As [`default_plan_id`].
    pub fn default_plan_id(&self) -> Result<i64, Error> {
        self.current_plan_id()
            .ok_or_else(|| Error::not_found(Missing::Plan))
    }

    /// As [`current_plan_id`].
    pub fn current_plan_id(&self) -> Option<i64> {
        current_of(&self.plans)
    }

    pub fn plan(&self, plan_id: i64) -> Result<&PlanSummary, Error> {
        self.plans.iter().find(|p| p.id == plan_id).ok_or_else(|| {
            kechuang_store::StoreError::NotFound(kechuang_store::Absent::Plan { id: plan_id })
                .into()
        })
    }

    /// As [`plan_as_of`].
    pub fn as_of(&self, plan_id: i64, raw: Option<&str>) -> Result<AsOf, Error> {
        if asked(raw) {
            return as_asked(raw);
        }
        unasked(self.plan(plan_id)?)
    }

    /// As [`Loaded::load`], at these generations.
    pub async fn load(
        &self,
        store: &Store,
        cache: &ProgressCache,
        plan_id: i64,
        as_of: NaiveDate,
    ) -> Result<Arc<Loaded>, Error> {
        Loaded::load_at(store, cache, plan_id, as_of, self.generations).await
    }
}

/// An indicator's resolved series for a region, with the records behind it.
pub struct IndicatorSeries {
    pub indicator: Indicator,
    pub region: Region,
    pub series: kechuang_domain::series::Series,
    pub records: Vec<ObservationRecord>,
}

pub async fn indicator_series(
    store: &Store,
    cache: &ProgressCache,
    code: &str,
    region: Option<&str>,
) -> Result<IndicatorSeries, Error> {
    let indicators: HashMap<String, Indicator> = store.indicators_by_code().await?;
    let indicator = indicators.get(code).cloned().ok_or_else(|| {
        Error::not_found(Missing::Indicator {
            code: code.to_owned(),
        })
    })?;
    let tree = store.region_tree().await?;
    let region_code = match region.map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => RegionCode::parse(r).map_err(Error::invalid)?,
        // Without a region: the first city, the usual unit of a plan.
        None => tree
            .all()
            .iter()
            .find(|r| r.kind == kechuang_domain::region::RegionKind::City)
            .map(|r| r.code.clone())
            .ok_or_else(|| Error::not_found(Missing::Plan))?,
    };
    let region = tree.get(&region_code).cloned().ok_or_else(|| {
        Error::not_found(Missing::Region {
            code: region_code.to_string(),
        })
    })?;
    // An indicator of the system's records has its figures computed, as a plan's are.
    let figures = if matches!(indicator.kind, IndicatorKind::Records(_)) {
        let plan = default_plan_id(store).await?;
        let as_of = plan_as_of(store, plan, None).await?.date;
        Loaded::load(store, cache, plan, as_of)
            .await?
            .figures
            .clone()
    } else {
        let mut figures = Figures::default();
        for (ind, r, p, v) in store.figures().await? {
            figures.insert(&ind, &r, p, v);
        }
        figures
    };
    let series = kechuang_domain::series::Resolver {
        tree: &tree,
        indicators: &indicators,
        figures: &figures,
    }
    .series(code, &region_code);
    let subtree = tree.subtree(&region_code);
    let mut inputs = vec![code.to_owned()];
    if let IndicatorKind::Formula(f) = &indicator.kind {
        inputs = f.inputs().into_iter().collect();
    }
    let mut records = Vec::new();
    for i in inputs {
        records.extend(store.observations(Some(&i), Some(&subtree)).await?);
    }
    Ok(IndicatorSeries {
        indicator,
        region,
        series,
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: i64, start_year: i32, end_year: i32) -> PlanSummary {
        PlanSummary {
            id,
            code: format!("p{id}"),
            name: String::new(),
            name_en: String::new(),
            region_code: "440200".into(),
            start_year,
            end_year,
            preamble: String::new(),
        }
    }

    #[test]
    fn the_kept_plans_answer_as_the_store_would() {
        use chrono::Datelike;
        let year = crate::clock::today_in_china().year();
        let now = Current {
            generations: Generations {
                registry: 1,
                data: 1,
            },
            plans: Arc::new(vec![plan(1, 2017, 2020), plan(2, year - 1, year + 3)]),
        };
        // The plan that runs today is the default; an ended plan is read at its last day.
        assert_eq!(now.default_plan_id().ok(), Some(2));
        let ended = now.as_of(1, None).expect("as of");
        assert_eq!(
            (ended.date, ended.final_assessment),
            (NaiveDate::from_ymd_opt(2020, 12, 31).expect("day"), true)
        );
        let running = now.as_of(2, Some("  ")).expect("as of");
        assert_eq!(
            (running.date, running.final_assessment),
            (crate::clock::today_in_china(), false)
        );
        // A date asked for is taken as written, for any plan, even one not kept.
        let asked = now.as_of(9, Some("2019年3月31日")).expect("as of");
        assert_eq!(
            asked.date,
            NaiveDate::from_ymd_opt(2019, 3, 31).expect("day")
        );
        assert_eq!(
            now.as_of(9, None).err().map(|e| e.code()),
            Some("not_found")
        );
        assert_eq!(
            now.as_of(1, Some("2019-02-30")).err().map(|e| e.code()),
            Some("invalid_date")
        );
        let empty = Current {
            plans: Arc::new(Vec::new()),
            ..now
        };
        assert_eq!(
            empty.default_plan_id().err().map(|e| e.code()),
            Some("plan_not_found")
        );
    }
}
