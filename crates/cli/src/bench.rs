//! `kechuang bench`: figures for the speed and memory goals, printed, never asserted.
//!
//! It generates a synthetic list — valid USCCs spread over a city's counties or a whole
//! province's, high-tech certificates for three in ten enterprises, innovation platforms, and
//! as many patents as enterprises —
//! imports it through the ordinary import path into the database given — each import beside
//! the database's own bulk load of the same rows (`Store::reference_load`), optionally on top
//! of a base of `--base` enterprises — and then times the registry counts: a dashboard's
//! progress after writes, and every registry-count target of the plan for every region at one
//! date, from the in-memory count index (as pages and the API compute them) and, for
//! comparison, by SQL queries.

use anyhow::{bail, Context as _, Result};
use kechuang_domain::indicator::IndicatorKind;
use kechuang_domain::region::{guangdong_regions, RegionKind};
use kechuang_domain::registry::region_totals;
use kechuang_domain::uscc::Uscc;
use kechuang_domain::RegionCode;
use kechuang_ingest::export::CsvSink;
use kechuang_ingest::registries::{CERTIFICATE_HEADERS, ENTERPRISE_HEADERS, PLATFORM_HEADERS};
use kechuang_service::imports::{import, FileKind, ImportRequest};
use kechuang_service::progress::{Loaded, ProgressCache};
use kechuang_store::{Actor, Store};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Shaoguan's ten counties.
    City,
    /// Guangdong: 21 cities, 122 counties (and 东莞, 中山 without counties).
    Province,
}

struct Files {
    /// One more certificate, for an enterprise of the list: the one-record write.
    one_certificate: PathBuf,
    enterprises: PathBuf,
    certificates: PathBuf,
    platforms: PathBuf,
    patents: PathBuf,
}

const PLATFORM_KINDS: [(&str, &str); 5] = [
    ("科技企业孵化器", "省级"),
    ("科技企业孵化器", "国家级"),
    ("工程技术研究中心", "省级"),
    ("工程技术研究中心", "市级"),
    ("新型研发机构", "省级"),
];

/// Writes the enterprises numbered `range` over `places`, certificates for three in ten, one
/// platform per fifty enterprises, and as many patents: nine in ten held by an enterprise
/// (named, a third of them with its code as well), the rest by individuals; four in ten
/// inventions, one in ten lapsed.
fn generate(dir: &Path, range: Range<usize>, places: &[(String, String)]) -> Result<Files> {
    std::fs::create_dir_all(dir)?;
    let tag = format!("{}-{}", range.start, range.end);
    let files = Files {
        one_certificate: dir.join(format!("bench-one-certificate-{tag}.csv")),
        enterprises: dir.join(format!("bench-enterprises-{tag}.csv")),
        certificates: dir.join(format!("bench-certificates-{tag}.csv")),
        platforms: dir.join(format!("bench-platforms-{tag}.csv")),
        patents: dir.join(format!("bench-patents-{tag}.csv")),
    };
    let mut e = CsvSink::create(&files.enterprises, &ENTERPRISE_HEADERS)?;
    let mut c = CsvSink::create(&files.certificates, &CERTIFICATE_HEADERS)?;
    let mut p = CsvSink::create(&files.platforms, &PLATFORM_HEADERS)?;
    let mut pt = CsvSink::create(&files.patents, &kechuang_ingest::patents::PATENT_HEADERS)?;
    let mut rng = fastrand::Rng::with_seed(7);
    for i in range {
        let (code, place) = &places[i % places.len()];
        // Sequential bodies keep a million codes distinct within each region.
        let uscc =
            Uscc::complete(&format!("91{code}"), &format!("{:08}", i / places.len()))?.to_string();
        let name = format!("{place}基准测试第{i}号科技有限公司");
        let founded = format!(
            "{}-{:02}-{:02}",
            rng.i32(1990..=2019),
            rng.u32(1..=12),
            rng.u32(1..=28)
        );
        e.row(&[
            &uscc,
            &name,
            code,
            "",
            "3985",
            &founded,
            "小型",
            "否",
            "新材料",
            "",
        ])?;
        if i % 10 < 3 {
            // The k-th certificate: nine years of a million numbers each keep nine million
            // distinct, enough for a base of thirty million enterprises.
            let k = i / 10 * 3 + i % 10;
            let year = 2012 + (k % 9) as i32;
            let number = format!("GR{year}44{:06}", k / 9 % 1_000_000);
            c.row(&[
                "高新技术企业证书",
                &number,
                &uscc,
                "",
                &format!("{year}-11-28"),
                "",
                "",
            ])?;
        }
        {
            let year = 2011 + (i % 10) as i32;
            let (digit, kind) = match i % 20 {
                0..=7 => (1, "发明"),
                8..=16 => (2, "实用新型"),
                _ => (3, "外观设计"),
            };
            let digits = format!("{}{digit}{:07}", year - 1, i / 10 % 10_000_000);
            let number = format!("{digits}.{}", kechuang_domain::patent::check_char(&digits));
            let (holder, holder_code) = match i % 10 {
                9 => ("张三".to_owned(), ""),
                0..=2 => (name.clone(), uscc.as_str()),
                _ => (name.clone(), ""),
            };
            let lapsed = (i % 10 == 4).then(|| format!("{}-03-01", year + 3));
            pt.row(&[
                &number,
                "一种基准测试用装置",
                kind,
                &format!("{}-05-10", year - 1),
                &format!("{year}-08-20"),
                &holder,
                holder_code,
                // The county by its code, except where the holder's code tells it.
                if holder_code.is_empty() { code } else { "" },
                if lapsed.is_some() { "失效" } else { "有效" },
                lapsed.as_deref().unwrap_or(""),
            ])?;
        }
        if i % 50 == 0 {
            let (kind, level) = PLATFORM_KINDS[(i / 50) % PLATFORM_KINDS.len()];
            let year = 2010 + (i / 50 % 10) as i32;
            p.row(&[
                &format!("{place}{kind}第{i}号"),
                kind,
                level,
                code,
                &format!("{year}-06-30"),
                &format!("粤科函〔{year}〕{}号", i / 50),
                &name,
                &uscc,
                "",
            ])?;
        }
    }
    let mut one = CsvSink::create(&files.one_certificate, &CERTIFICATE_HEADERS)?;
    let (code, _) = &places[0];
    one.row(&[
        "高新技术企业证书",
        "GR201944999999",
        &Uscc::complete(&format!("91{code}"), "00000000")?.to_string(),
        "",
        "2019-12-02",
        "",
        "",
    ])?;
    one.finish()?;
    e.finish()?;
    c.finish()?;
    p.finish()?;
    pt.finish()?;
    // On disk before the clock starts, as a file received is: otherwise the kernel writes the
    // generated lists out while the import runs, and the import is timed against that.
    for f in [
        &files.enterprises,
        &files.certificates,
        &files.platforms,
        &files.patents,
    ] {
        std::fs::File::open(f)?.sync_all()?;
    }
    Ok(files)
}

/// Peak resident memory of this process so far, in MB (Linux).
fn peak_rss_mb() -> String {
    status_mb("VmHWM:")
}

/// Resident memory of this process now, in MB (Linux).
fn rss_mb() -> String {
    status_mb("VmRSS:")
}

/// A size field of `/proc/self/status`, in MB.
fn status_mb(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map_or_else(|| "n/a".into(), |kb| format!("{:.0}", kb / 1024.0))
}

/// Starts the peak over from the present size (Linux: `5` to `clear_refs`), so each import's
/// peak is its own and not what the reference load before it held.
fn reset_peak_rss() {
    // Where the kernel refuses, peaks simply accumulate, which the figures then say.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn rate(rows: usize, secs: f64) -> String {
    format!("{:.0} rows/s", rows as f64 / secs.max(1e-9))
}

fn file_rows(path: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    Ok(text.lines().count().saturating_sub(1))
}

/// Imports a file through the ordinary path, printing its time, memory and how long another
/// write waited meanwhile; answers the time and the import's batch.
async fn timed_import(
    store: &Store,
    kind: FileKind,
    path: &Path,
    label: &str,
) -> Result<(f64, Option<i64>)> {
    let rows = file_rows(path)?;
    let actor = Actor::new("bench", "cli");
    // What the process already holds (after the dashboard's first request, the count index
    // a server keeps) is part of the peak: printed beside it, so the import's own share shows.
    let before = rss_mb();
    reset_peak_rss();
    // Another user's small write, every 100 ms while the import runs: how long the longest
    // of them waited is what a county officer saving a form during the import feels.
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let probe = {
        let (store, running) = (store.clone(), std::sync::Arc::clone(&running));
        tokio::spawn(async move {
            let who = Actor::new("bench-probe", "cli");
            let keys = ["bench:probe".to_owned()];
            let (mut longest, mut writes) = (0.0f64, 0u32);
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                if let Err(e) = store
                    .record_login_failure(&keys, chrono::Utc::now(), &who)
                    .await
                {
                    // How long it waited tells a busy timeout from a refusal at once.
                    let waited = t.elapsed().as_secs_f64() * 1000.0;
                    return (longest, writes, Some(format!("{e} (after {waited:.0} ms)")));
                }
                longest = longest.max(t.elapsed().as_secs_f64());
                writes += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            (longest, writes, None)
        })
    };
    let t = Instant::now();
    let out = import(
        store,
        &ImportRequest {
            kind,
            path,
            file_name: label,
            dry_run: false,
            accept_legacy_uscc: false,
            default_kind: None,
            actor: &actor,
            progress: None,
            bank: None,
            year: None,
            sent: false,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    let (longest, writes, failed) = probe
        .await
        .unwrap_or_else(|e| (0.0, 0, Some(e.to_string())));
    if let Some(p) = out.problems.first() {
        bail!("bench file refused: {p}");
    }
    // The import answers at its commit; it then prunes the count log and, on SQLite, copies
    // its pages from the WAL into the database file. That upkeep is timed too, so no cost
    // goes unreported.
    let t = Instant::now();
    store.settle().await;
    let upkeep = format!(
        "; upkeep after it (count log pruned{}) {:.2} s more",
        match store.backend() {
            kechuang_store::Backend::Sqlite => ", WAL checkpointed",
            kechuang_store::Backend::Postgres => "",
        },
        t.elapsed().as_secs_f64()
    );
    println!(
        "import {label}: {rows} rows in {secs:.2} s = {}, peak RSS {} MB \
         ({before} MB held before it){upkeep}",
        rate(rows, secs),
        peak_rss_mb()
    );
    println!(
        "  another write during it: {writes} made, the longest waited {:.0} ms{}",
        longest * 1000.0,
        failed
            .map(|e| format!("; one FAILED: {e}"))
            .unwrap_or_default()
    );
    Ok((secs, out.summary.and_then(|s| s.batch_id)))
}

/// An import, then the database's own bulk load of the rows it wrote into the same tables as
/// they stood before it (`Store::reference_load`), and the ratio of the two.
async fn compared_import(store: &Store, kind: FileKind, path: &Path, label: &str) -> Result<()> {
    let (secs, batch) = timed_import(store, kind, path, label).await?;
    let Some(batch) = batch else {
        bail!("bench import {label} wrote nothing");
    };
    let reference = store.reference_load(batch).await?;
    let ref_secs = reference.took.as_secs_f64();
    let own = match store.backend() {
        kechuang_store::Backend::Sqlite => "SQLite's prepared INSERT of each row",
        kechuang_store::Backend::Postgres => "PostgreSQL's COPY",
    };
    println!(
        "  {own}, the same {} rows into the same tables: {ref_secs:.2} s; \
         ratio {:.2} (kechuang ÷ database)",
        reference.rows,
        secs / ref_secs.max(1e-9)
    );
    Ok(())
}

/// Fills the tables with `base` enterprises and their certificates before anything is timed,
/// a million a file as offices send them, so the imports after it are measured on top.
async fn import_base(
    store: &Store,
    base: usize,
    dir: &Path,
    places: &[(String, String)],
) -> Result<()> {
    let t = Instant::now();
    let mut start = 0;
    while start < base {
        let end = (start + 1_000_000).min(base);
        let files = generate(dir, start..end, places)?;
        for (kind, what, path) in [
            (
                kechuang_ingest::registries::Kind::Enterprises,
                "enterprises",
                &files.enterprises,
            ),
            (
                kechuang_ingest::registries::Kind::Certificates,
                "certificates",
                &files.certificates,
            ),
        ] {
            let label = format!("base {start}..{end}: {what}");
            timed_import(store, FileKind::Registry(kind), path, &label).await?;
        }
        for f in [
            files.one_certificate,
            files.enterprises,
            files.certificates,
            files.platforms,
            files.patents,
        ] {
            std::fs::remove_file(f)?;
        }
        start = end;
    }
    println!(
        "base of {base} enterprises and their certificates imported in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn run(
    store: &Store,
    scale: Scale,
    rows: Option<usize>,
    base: usize,
    dir: &Path,
) -> Result<ExitCode> {
    if store.registry_generation().await? != 0 {
        bail!("bench needs an empty database (give --data-dir or --database-url of a fresh one)");
    }
    let backend = match store.backend() {
        kechuang_store::Backend::Sqlite => "SQLite",
        kechuang_store::Backend::Postgres => "PostgreSQL",
    };
    if scale == Scale::Province {
        store.ensure_regions(&guangdong_regions()).await?;
    }
    let tree = store.region_tree().await?;
    let root = match scale {
        Scale::City => RegionCode::parse("440200")?,
        Scale::Province => RegionCode::parse("440000")?,
    };
    // Enterprises are registered in the leaves: counties, and cities without counties.
    let places: Vec<(String, String)> = tree
        .subtree(&root)
        .iter()
        .filter_map(|c| tree.get(c))
        .filter(|r| r.kind != RegionKind::Province && r.kind != RegionKind::Zone)
        .filter(|r| tree.children(&r.code).next().is_none())
        .map(|r| (r.code.to_string(), r.name.clone()))
        .collect();
    let rows = rows.unwrap_or(match scale {
        Scale::City => 100_000,
        Scale::Province => 1_000_000,
    });
    if base > 0 {
        import_base(store, base, dir, &places).await?;
    }
    let t = Instant::now();
    let files = generate(dir, base..base + rows, &places)?;
    println!(
        "generated {rows} enterprises over {} regions in {:.2} s",
        places.len(),
        t.elapsed().as_secs_f64()
    );
    compared_import(
        store,
        FileKind::Registry(kechuang_ingest::registries::Kind::Enterprises),
        &files.enterprises,
        &format!("enterprises ({backend})"),
    )
    .await?;
    compared_import(
        store,
        FileKind::Registry(kechuang_ingest::registries::Kind::Certificates),
        &files.certificates,
        &format!("certificates ({backend})"),
    )
    .await?;
    compared_import(
        store,
        FileKind::Registry(kechuang_ingest::registries::Kind::Platforms),
        &files.platforms,
        &format!("platforms ({backend})"),
    )
    .await?;

    // What a dashboard request computes (the plan's progress for the city), from a server's
    // progress cache: read whole at first, then after a one-record write and after a large
    // import, each beside the same request with nothing changed.
    let cache = ProgressCache::default();
    let plan = kechuang_service::progress::default_plan_id(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let city = RegionCode::parse("440200")?;
    let at = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default();
    let dashboard = || async {
        let t = Instant::now();
        let loaded = Loaded::load(store, &cache, plan, at)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        loaded.evaluate_all(&city);
        anyhow::Ok(t.elapsed().as_secs_f64() * 1000.0)
    };
    let cold = dashboard().await?;
    let warm = dashboard().await?;
    println!(
        "dashboard progress ({backend}, plan {plan}, {city}, as of {at}): first {cold:.0} ms \
         (registries read whole), then {warm:.2} ms with nothing changed"
    );
    timed_import(
        store,
        FileKind::Registry(kechuang_ingest::registries::Kind::Certificates),
        &files.one_certificate,
        &format!("one certificate ({backend})"),
    )
    .await?;
    let after_one = dashboard().await?;
    println!(
        "  after one certificate added: {after_one:.1} ms ({:.1} ms more than with nothing changed)",
        after_one - warm
    );
    compared_import(
        store,
        FileKind::Registry(kechuang_ingest::registries::Kind::Patents),
        &files.patents,
        &format!("patents ({backend})"),
    )
    .await?;
    let after_import = dashboard().await?;
    println!(
        "  after the {} patents imported: {after_import:.0} ms",
        file_rows(&files.patents)?
    );

    let specs: Vec<_> = store
        .indicators()
        .await?
        .into_iter()
        .filter_map(|i| match i.kind {
            IndicatorKind::RegistryCount(s) => Some(s),
            _ => None,
        })
        .collect();
    let as_of = chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap_or_default();
    let regions = tree.subtree(&root).len();

    reset_peak_rss();
    let t = Instant::now();
    let (_, _, index) = store.count_index(false).await?;
    println!(
        "count index read after a write ({backend}): {} records in {:.0} ms, peak RSS {} MB",
        index.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        peak_rss_mb()
    );
    // Warm, as every request after the first finds it.
    let mut figures = 0;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for spec in &specs {
            let raw = index.counts(spec, as_of);
            figures += region_totals(&tree, &raw, spec.distinct_counties, &root).len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "all {} registry-count targets × {regions} regions at {as_of}, from the index: {:.2} ms ({} figures)",
        specs.len(),
        best * 1000.0,
        figures / 5
    );
    let t = Instant::now();
    // What every request reads to know its cached progress is still current.
    let g = store.generations().await?;
    println!(
        "per-request freshness check (registry generation {}, data generation {}): {:.2} ms",
        g.registry,
        g.data,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    for spec in &specs {
        let raw: HashMap<RegionCode, f64> = store
            .registry_counts(spec, as_of)
            .await?
            .into_iter()
            .collect();
        region_totals(&tree, &raw, spec.distinct_counties, &root);
    }
    println!(
        "the same by SQL queries ({backend}), for comparison: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(ExitCode::SUCCESS)
}
