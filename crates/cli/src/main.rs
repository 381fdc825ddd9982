//! `kechuang`: serve the web application, migrate, load plans, import and export data.
//!
//! Every command that touches the database takes the same `--data-dir` / `--database-url`
//! options (and their environment variables), and can run while a server uses the same data.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Parser, Subcommand};
use kechuang_domain::plan::parse_plan;
use kechuang_domain::problem::Lang;
use kechuang_domain::region::shipped_regions;
use kechuang_domain::registry::{CertificateKind, PLATFORM_KINDS};
use kechuang_domain::RegionCode;
use kechuang_ingest::registries;

mod accounts;
mod bench;
mod demo;
mod finance;
mod operator;
mod programmes;
use kechuang_service::imports::{FileKind, ImportRequest};
use kechuang_store::{DatabaseTarget, Store};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Imports allocate a few small strings per cell of a list on the reading thread and free them
/// on the writing one; mimalloc handles that pattern several times faster than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The plan loaded into a new database.
const DEFAULT_PLAN: &str = include_str!("../../../plans/shaoguan-2017-2020.toml");

#[derive(Parser)]
#[command(
    name = "kechuang",
    version,
    about = "科创 — 科技创新行动计划管理系统 / S&T innovation action plan management"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    /// The language of messages: zh (default) or en; without it, `LANG` decides.
    #[arg(long, global = true)]
    lang: Option<String>,
    /// Record this run's actions in the audit trail under this kechuang account (it must
    /// exist); without it, under the system account that runs the command (`cli:NAME`).
    #[arg(long = "as", value_name = "USER", global = true)]
    as_user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Directory of the embedded SQLite database, created on first start [default:
    /// kechuang-data; kechuang-demo-data for `serve --demo`].
    #[arg(long, env = "KECHUANG_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// `sqlite://PATH` (an existing file) or `postgres://USER:PASSWORD@HOST/DB`; overrides --data-dir.
    #[arg(long, env = "KECHUANG_DATABASE_URL", global = true)]
    database_url: Option<String>,
}

impl DbArgs {
    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("kechuang-data"))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server.
    Serve {
        #[arg(long, env = "KECHUANG_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load city-scale demo data first (into `kechuang-demo-data/` unless a database is
        /// given), so the dashboard is alive at once. Never mixed into a database that
        /// already holds registry data.
        #[arg(long)]
        demo: bool,
        /// A reverse proxy whose `X-Forwarded-For` is believed (repeat, or separate with
        /// commas). Without one, the address a request comes from is the peer's: behind a
        /// proxy every user would otherwise share the proxy's address.
        #[arg(
            long = "trusted-proxy",
            env = "KECHUANG_TRUSTED_PROXY",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// The address users reach the server at, e.g. https://kjj.sg.gov.cn; an https://
        /// address turns on HSTS.
        #[arg(long, env = "KECHUANG_PUBLIC_URL")]
        public_url: Option<String>,
        /// Show the public portal at `/` to visitors who are not logged in (it is always at
        /// `/portal`); the dashboard stays at `/dashboard`.
        #[arg(long, env = "KECHUANG_PORTAL_HOME")]
        portal_home: bool,
        /// A directory of county outlines (`CITYCODE.json`, see crates/view/maps/README.md) for
        /// a city other than the shipped Shaoguan; its files take precedence.
        #[arg(long, env = "KECHUANG_MAPS")]
        maps: Option<PathBuf>,
        /// A PostgreSQL streaming standby of the database (repeat, or separate with commas):
        /// the public dashboard, the portal and open data read from it while it is current.
        #[arg(
            long = "replica-url",
            env = "KECHUANG_REPLICA_URL",
            value_delimiter = ','
        )]
        replica_urls: Vec<String>,
    },
    /// Measure import speed, peak memory and count latency; prints figures.
    Bench {
        /// city: Shaoguan's counties; province: Guangdong's 21 cities and 122 counties.
        #[arg(long, value_enum, default_value = "city")]
        scale: bench::Scale,
        /// How many enterprise rows to generate and import [default: 100000 for a city,
        /// 1000000 for the province].
        #[arg(long)]
        rows: Option<usize>,
        /// Enterprises (with their certificates) to import first, untimed, so the timed
        /// imports land in tables that already hold them.
        #[arg(long, default_value_t = 0)]
        base: usize,
        /// Where to write the generated files.
        #[arg(long, default_value = "kechuang-bench")]
        dir: PathBuf,
    },
    /// Write deterministic demo import files.
    Demo {
        #[arg(long, value_enum, default_value = "city")]
        scale: DemoScale,
        /// Where to write them.
        #[arg(long, default_value = "kechuang-demo")]
        out: PathBuf,
        /// Enterprises of the province scale (for a smaller trial).
        #[arg(long, default_value_t = 1_000_000)]
        enterprises: usize,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the whole database to FILE (an SQLite file), also while the
    /// server runs; either backend's backup restores into either backend.
    Backup { file: PathBuf },
    /// Load a backup FILE into this database, which must be empty (freshly created); the
    /// audit chain is verified afterwards.
    Restore { file: PathBuf },
    /// Regions: list them, add a zone (e.g. a high-tech park) under a city.
    #[command(subcommand)]
    Region(RegionCommand),
    /// Plans: load a plan file, list loaded plans.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Import a CSV or XLSX file; all rows or none.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data in the format `import` reads.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Accounts: add, list, reset a password, disable, enable, change a role.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// API tokens for machine clients.
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    /// The tamper-evident audit trail: verify the chain, list entries.
    #[command(subcommand)]
    Audit(accounts::AuditCommand),
    /// Funding programmes: budgets, batch rewards, review, notice, approval and payment.
    #[command(subcommand)]
    Programme(programmes::ProgrammeCommand),
    /// Tech finance: partner banks and agreements, the credit risk reserve, the seed fund.
    #[command(subcommand)]
    Finance(finance::FinanceCommand),
    /// Reports: the annual progress report of a plan.
    #[command(subcommand)]
    Report(ReportCommand),
    /// The public portal's categories (栏目).
    #[command(subcommand)]
    Portal(PortalCommand),
}

#[derive(Subcommand)]
enum PortalCommand {
    /// Lists the categories with their codes and feeds.
    Categories,
    /// Adds a category, or renames one: `kechuang portal category 科技成果 --code results`.
    Category {
        /// Its name as the portal shows it.
        name: String,
        /// Lower-case letters, digits and hyphens: its address, /portal/c/CODE.
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "")]
        name_en: String,
        /// Its articles carry a document number (文号), as policies do.
        #[arg(long)]
        doc_number: bool,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The annual progress report (年度进展报告) as a workbook: targets for the city and by
    /// county at the year's end, the measures' tasks with their latest progress, the
    /// programmes' budgets and spending.
    Annual {
        /// The plan's id (`kechuang plan list`).
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        year: i32,
        /// The workbook to write (.xlsx).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DemoScale {
    /// One city: about 5,000 enterprises.
    City,
    /// Guangdong: 1,000,000 enterprises over 21 cities with ten years of annual figures.
    Province,
}

#[derive(Subcommand)]
enum RegionCommand {
    /// List regions: code, name, parent, kind.
    List,
    /// Load all of Guangdong's regions (21 cities, 122 counties; the MCA list as at
    /// 2024-12-31) for a province-wide deployment.
    LoadGuangdong,
    /// Add a non-administrative zone under a city; its figures are its own, never added to
    /// the city's total (the zone lies within counties that already count them).
    AddZone {
        /// A six-digit code not used by GB/T 2260, e.g. 440290.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// The city it belongs to.
        #[arg(long)]
        parent: String,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Validate a plan file and load it (a plan with the same code is replaced).
    Load {
        file: PathBuf,
        /// Only validate; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List loaded plans.
    List,
}

#[derive(Args)]
struct RegistryImport {
    file: PathBuf,
    /// Validate and report; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Accept legacy codes that fail only their check characters, recording you as confirming them.
    #[arg(long)]
    accept_legacy_uscc: bool,
    /// Also write the validation report (row, column, value, problem) to this .xlsx or .csv file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(clap::Args)]
struct FileImport {
    file: PathBuf,
    /// Validate and report; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also write the validation report (row, column, value, problem) to this .xlsx or .csv file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Enterprises: 统一社会信用代码, 企业名称, 所属县区 (name or code), 地址, 行业代码, 成立日期, …
    Enterprises(RegistryImport),
    /// Certificates and statuses: 证书编号, 统一社会信用代码, 发证日期 (企业名称 and 所属县区 register a new enterprise).
    Certificates {
        #[command(flatten)]
        import: RegistryImport,
        /// The kind when the file has no 证书类型 column: hte, hte_pool, tech_sme, hitech_product.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Innovation platforms: 平台名称, 平台类型, 级别, 所属县区, 认定时间, 批准文号, 依托单位.
    Platforms(RegistryImport),
    /// Enterprises' annual facts: 统一社会信用代码, 年度, 营业收入, 研发费用, 从业人员, 科技人员, …
    Facts(RegistryImport),
    /// Patents: 申请号, 专利名称, 专利类型, 申请日, 授权公告日, 专利权人, 统一社会信用代码 (optional),
    /// 所属县区, 法律状态, 失效日期. Holders are linked to registered enterprises by code, else by
    /// exact name; valid invention patents make the indicator invention_patents (target 2.2).
    Patents(RegistryImport),
    /// The enterprise R&D survey (统计报表 107-2): 统一社会信用代码, 企业名称, 研究开发人员合计,
    /// 研究开发费用合计（万元）and its eight parts each with （万元）; checked as the statistics
    /// office checks it.
    RdSurvey {
        #[command(flatten)]
        import: FileImport,
        /// The survey's year, when the file has no 年度 column.
        #[arg(long)]
        year: Option<i32>,
    },
    /// The tax authority's R&D super-deduction list: 统一社会信用代码, 企业名称, 加计扣除金额（万元）.
    SuperDeduction {
        #[command(flatten)]
        import: FileImport,
        /// The list's year, when the file has no 年度 column.
        #[arg(long)]
        year: Option<i32>,
    },
    /// An R&D statistics training session's sign-in sheet: 培训日期, 培训名称, 举办县区, and each
    /// attending enterprise by 统一社会信用代码 or 企业名称 (its registered name).
    RdTraining(FileImport),
    /// Credit risk pool members: 统一社会信用代码, 企业名称, 入池日期, 退出日期 (optional), 合作银行 (optional).
    PoolMembers(FileImport),
    /// A partner bank's loans: 贷款合同编号, 统一社会信用代码, 企业名称, 合作银行, 放款日期, 到期日期,
    /// 贷款金额（万元）, 贷款余额（万元）, 五级分类, 担保方式. A re-sent contract updates its balance
    /// and classification and keeps the history.
    Loans(FileImport),
    /// Observations: 指标代码, 区划代码, 期间, 数值, 来源 (备注) — or indicator, region, period, value, source.
    Observations {
        file: PathBuf,
        /// Validate and report; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the validation report (row, column, value, problem) to this .xlsx or .csv file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The enterprise registry, in the format `import enterprises` reads.
    Enterprises {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Certificates and statuses, in the format `import certificates` reads.
    Certificates {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Innovation platforms, in the format `import platforms` reads.
    Platforms {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Enterprises' annual facts, in the format `import facts` reads.
    Facts {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The patent registry, in the format `import patents` reads.
    Patents {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Observations, as CSV (default, to standard output) or XLSX (by the --out extension).
    Observations {
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only this indicator.
        #[arg(long)]
        indicator: Option<String>,
    },
}

/// The language messages are written in: `--lang`, else the locale in `LANG`.
fn message_lang(flag: Option<&str>) -> Lang {
    match flag {
        Some(l) => Lang::from_tag(l),
        None => std::env::var("LANG").map_or(Lang::Zh, |l| Lang::from_tag(&l)),
    }
}

/// An error as the officer reads it: an operation's problem in their language with its code,
/// anything else as it is.
fn error_line(e: &anyhow::Error, lang: Lang) -> String {
    let label = match lang {
        Lang::Zh => "错误",
        Lang::En => "error",
    };
    match e.downcast_ref::<kechuang_service::Error>() {
        Some(op) => {
            // The operator at the command line may read the cause of an internal error.
            if let kechuang_service::Error::Internal(cause) = op {
                return format!("{label}[internal]: {cause}");
            }
            format!("{label}[{}]: {}", op.code(), op.message(lang))
        }
        None => format!("{label}: {e:#}"),
    }
}

/// SQLite allocates through the C library's malloc, not the allocator above. glibc gives the
/// free top of a thread's arena back to the system whenever it passes the trim threshold
/// (128 KiB): SQLite's allocations of a few kilobytes per statement crossed it again and again,
/// and each `madvise` that returned the pages flushed both cores' address caches, stopping
/// the other thread too. A 20,000-platform import made 19,600 such calls, which took 20 % of
/// the reading thread's time: 0.30–0.31 s, and 0.12 s with tops kept up to 2 MiB. The city
/// server after the load test (scripts/load) held 44 MB instead of 41 (4 MiB: 47 MB).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn keep_arena_tops() {
    // SAFETY: `mallopt` only sets a parameter of the C allocator; it is called before any
    // thread of ours is started.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 << 20);
    }
}

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    keep_arena_tops();
    let cli = Cli::parse();
    let lang = message_lang(cli.lang.as_deref());
    init_tracing(matches!(cli.command, Command::Serve { .. }));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误 (error): cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", error_line(&e, lang));
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    // `KECHUANG_LOG` takes a default level and levels per target (`info,sqlx=warn`), read by
    // the target filter, which needs no regular-expression engine as `EnvFilter` does. Without
    // it, a server logs its requests; a one-off command keeps its output for the officer.
    let filter: Targets = std::env::var("KECHUANG_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            if serving {
                Targets::new()
                    .with_default(LevelFilter::INFO)
                    .with_target("sqlx", LevelFilter::WARN)
            } else {
                Targets::new().with_default(LevelFilter::WARN)
            }
        });
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
}

async fn run(mut cli: Cli) -> Result<ExitCode> {
    if let Command::Demo {
        out,
        scale,
        enterprises,
    } = &cli.command
    {
        let files = match scale {
            DemoScale::City => demo::write_city(out)?,
            DemoScale::Province => demo::write_province(out, *enterprises)?,
        };
        println!("演示数据已写入 (demo files written): {}", out.display());
        let finance = files
            .finance
            .iter()
            .flat_map(|f| [&f.pool_members, &f.loans]);
        let rd = files.rd.iter().flat_map(|f| [&f.surveys, &f.deductions]);
        for f in [
            &files.observations,
            &files.enterprises,
            &files.certificates,
            &files.platforms,
            &files.facts,
        ]
        .into_iter()
        .chain(finance)
        .chain(rd)
        {
            println!("  {}", f.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let demo = matches!(cli.command, Command::Serve { demo: true, .. });
    // The demo never lands in the default database by accident: without a database named,
    // it gets a directory of its own.
    if demo && cli.db.database_url.is_none() && cli.db.data_dir.is_none() {
        cli.db.data_dir = Some(PathBuf::from("kechuang-demo-data"));
    }
    // A restore goes into the database as created, before anything is seeded into it.
    let seed = !matches!(cli.command, Command::Restore { .. });
    let store = open_store(&cli.db, seed).await?;
    if let Some(name) = &cli.as_user {
        operator::act_as(&store, name).await?;
    }
    if demo {
        load_demo(&store, &cli.db.data_dir()).await?;
    }
    let result = match cli.command {
        Command::Demo { .. } => Ok(ExitCode::SUCCESS),
        Command::Bench {
            scale,
            rows,
            base,
            dir,
        } => bench::run(&store, scale, rows, base, &dir).await,
        Command::Serve {
            addr,
            trusted_proxies,
            public_url,
            portal_home,
            maps,
            replica_urls,
            ..
        } => {
            let spool = cli.db.data_dir().join("spool");
            let store = store.clone().with_replicas(&replica_urls)?;
            let mut state = kechuang_web::AppState::new(store, &spool)
                .trusting(&trusted_proxies)
                .public_url(public_url.as_deref())
                .portal_home(portal_home);
            if let Some(dir) = maps {
                state = state
                    .map_dir(&dir)
                    .map_err(|e| anyhow::anyhow!("地图文件无效 (invalid map file): {e}"))?;
            }
            serve(state, &addr).await
        }
        Command::User(cmd) => accounts::user(&store, cmd).await,
        Command::Token(cmd) => accounts::token(&store, cmd).await,
        Command::Audit(cmd) => accounts::audit(&store, cmd).await,
        Command::Programme(cmd) => programmes::run(&store, cmd).await,
        Command::Finance(cmd) => finance::run(&store, cmd).await,
        Command::Migrate => {
            println!("数据库已是最新 (database is up to date)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            let copied = kechuang_service::backup::backup(&store, &file).await?;
            println!(
                "已备份 {} 张表、{} 行到 {} (backed up {} tables, {} rows)",
                copied.tables.len(),
                copied.rows(),
                file.display(),
                copied.tables.len(),
                copied.rows()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let (copied, verified) = kechuang_service::backup::restore(&store, &file).await?;
            println!(
                "已恢复 {} 张表、{} 行；审计链 {} 条完整 (restored {} tables, {} rows; audit chain of {} entries verified)",
                copied.tables.len(),
                copied.rows(),
                verified.entries,
                copied.tables.len(),
                copied.rows(),
                verified.entries
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Region(RegionCommand::List) => {
            for r in store.regions().await? {
                let parent = r.parent.map(|p| p.to_string()).unwrap_or_default();
                println!("{}\t{}\t{}\t{}", r.code, r.name, parent, r.kind.as_str());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Region(RegionCommand::LoadGuangdong) => {
            let regions = kechuang_domain::region::guangdong_regions();
            store.ensure_regions(&regions).await?;
            store
                .audit(&kechuang_store::AuditEntry {
                    actor: &operator::operator(),
                    action: "region.load",
                    entity: "region",
                    entity_id: "440000",
                    before: String::new(),
                    after: serde_json::json!({ "regions": regions.len() }).to_string(),
                })
                .await?;
            println!("已载入广东省 {} 个行政区划 (regions loaded)", regions.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Region(RegionCommand::AddZone { code, name, parent }) => {
            let code = RegionCode::parse(&code)?;
            let parent = RegionCode::parse(&parent)?;
            store
                .add_zone(&code, name.trim(), &parent, &operator::operator())
                .await?;
            println!("已添加园区 (zone added): {code} {name}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan(PlanCommand::Load { file, dry_run }) => {
            load_plan(&store, &file, dry_run).await
        }
        Command::Plan(PlanCommand::List) => {
            for p in store.plans().await? {
                println!(
                    "{}\t{}\t{}\t{}–{}",
                    p.id, p.code, p.name, p.start_year, p.end_year
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Observations {
            file,
            dry_run,
            report,
        }) => import_observations(&store, &file, dry_run, report.as_deref()).await,
        Command::Import(ImportCommand::RdSurvey { import, year }) => {
            import_file(&store, FileKind::RdSurvey, &import, year).await
        }
        Command::Import(ImportCommand::SuperDeduction { import, year }) => {
            import_file(&store, FileKind::SuperDeduction, &import, year).await
        }
        Command::Import(ImportCommand::RdTraining(i)) => {
            import_file(&store, FileKind::RdTraining, &i, None).await
        }
        Command::Import(ImportCommand::PoolMembers(i)) => {
            import_file(&store, FileKind::PoolMembers, &i, None).await
        }
        Command::Import(ImportCommand::Loans(i)) => {
            import_file(&store, FileKind::Loans, &i, None).await
        }
        Command::Import(ImportCommand::Enterprises(i)) => {
            import_registry(&store, registries::Kind::Enterprises, &i, None).await
        }
        Command::Import(ImportCommand::Certificates { import, kind }) => {
            let kind = match kind.as_deref().map(CertificateKind::parse) {
                None => None,
                Some(Some(k)) => Some(k),
                Some(None) => bail!(
                    "未知的证书类型 (unknown kind); use hte, hte_pool, tech_sme or hitech_product"
                ),
            };
            import_registry(&store, registries::Kind::Certificates, &import, kind).await
        }
        Command::Import(ImportCommand::Platforms(i)) => {
            import_registry(&store, registries::Kind::Platforms, &i, None).await
        }
        Command::Import(ImportCommand::Facts(i)) => {
            import_registry(&store, registries::Kind::Facts, &i, None).await
        }
        Command::Import(ImportCommand::Patents(i)) => {
            import_registry(&store, registries::Kind::Patents, &i, None).await
        }
        Command::Portal(PortalCommand::Categories) => {
            for c in kechuang_service::portal::categories(&store).await? {
                println!(
                    "{}\t{}\t{}\t/portal/c/{}/feed.atom{}",
                    c.code,
                    c.name,
                    c.name_en,
                    c.code,
                    if c.doc_number { "\t文号" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Portal(PortalCommand::Category {
            name,
            code,
            name_en,
            doc_number,
        }) => {
            let c = kechuang_store::Category {
                code: code.trim().to_owned(),
                name: name.trim().to_owned(),
                name_en: name_en.trim().to_owned(),
                doc_number,
            };
            kechuang_service::portal::put_category(&store, &operator::operator(), &c).await?;
            println!("栏目已保存 (category saved): {} {}", c.code, c.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(ReportCommand::Annual { plan, year, out }) => {
            let counts = kechuang_service::progress::ProgressCache::default();
            let report =
                kechuang_service::report::annual(&store, &counts, None, plan, year).await?;
            let bytes = kechuang_service::report::annual_xlsx(&report, "韶关市科学技术局")?;
            std::fs::write(&out, bytes).with_context(|| format!("{}", out.display()))?;
            println!(
                "已写入 {} 年度进展报告 (annual report written): {} — {} 项指标, {} 项任务",
                report.year,
                out.display(),
                report.city.len(),
                report.tasks.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(ExportCommand::Observations { out, indicator }) => {
            export_observations(&store, out.as_deref(), indicator.as_deref()).await
        }
        Command::Export(ExportCommand::Enterprises { out }) => {
            let rows = store
                .all_enterprises()
                .await?
                .iter()
                .map(registries::enterprise_line)
                .collect();
            export(
                out.as_deref(),
                "企业",
                &registries::ENTERPRISE_HEADERS,
                rows,
                &[],
            )
        }
        Command::Export(ExportCommand::Certificates { out }) => {
            let rows = store
                .all_certificates()
                .await?
                .iter()
                .map(registries::certificate_line)
                .collect();
            export(
                out.as_deref(),
                "证书",
                &registries::CERTIFICATE_HEADERS,
                rows,
                &[],
            )
        }
        Command::Export(ExportCommand::Facts { out }) => {
            let rows = store
                .all_facts()
                .await?
                .iter()
                .map(registries::fact_line)
                .collect();
            export(
                out.as_deref(),
                "年度数据",
                &registries::FACT_HEADERS,
                rows,
                &[2, 3, 4, 5, 6, 7],
            )
        }
        Command::Export(ExportCommand::Patents { out }) => {
            let tree = store.region_tree().await?;
            let name = |code: &str| {
                RegionCode::parse(code)
                    .ok()
                    .and_then(|c| tree.get(&c).map(|r| r.name.clone()))
                    .unwrap_or_else(|| code.to_owned())
            };
            let mut rows = Vec::new();
            let mut filter = kechuang_store::PatentFilter {
                per_page: 500,
                ..Default::default()
            };
            for page in 1.. {
                filter.page = page;
                let p = store.patents_page(&filter).await?;
                rows.extend(
                    p.items
                        .iter()
                        .map(|i| kechuang_ingest::patents::patent_line(&i.patent, &name)),
                );
                if i64::from(page) * i64::from(p.per_page) >= p.total {
                    break;
                }
            }
            export(
                out.as_deref(),
                "专利",
                &kechuang_ingest::patents::PATENT_HEADERS,
                rows,
                &[],
            )
        }
        Command::Export(ExportCommand::Platforms { out }) => {
            let kinds: HashMap<String, String> = store
                .platform_kinds()
                .await?
                .into_iter()
                .map(|(code, name, _)| (code, name))
                .collect();
            let name = |k: &str| kinds.get(k).cloned().unwrap_or_else(|| k.to_owned());
            let rows = store
                .all_platforms()
                .await?
                .iter()
                .map(|p| registries::platform_line(p, &name))
                .collect();
            export(
                out.as_deref(),
                "创新平台",
                &registries::PLATFORM_HEADERS,
                rows,
                &[],
            )
        }
    };
    store.close().await;
    result
}

/// Opens the database and, with `seed`, gives a new one the shipped regions, platform kinds
/// and plan.
async fn open_store(db: &DbArgs, seed: bool) -> Result<Store> {
    let target = match &db.database_url {
        Some(url) => DatabaseTarget::from_url(url)?,
        None => DatabaseTarget::in_data_dir(&db.data_dir()),
    };
    tracing::info!(database = %target.display(), "opening database");
    let store = Store::open(&target).await?;
    if !seed {
        return Ok(store);
    }
    store.ensure_regions(&shipped_regions()).await?;
    store.ensure_platform_kinds(&PLATFORM_KINDS).await?;
    if store.plans().await?.is_empty() {
        let plan = parse_plan(DEFAULT_PLAN, &store.region_tree().await?)
            .map_err(|e| anyhow::anyhow!("shipped plan is invalid: {e}"))?;
        store.load_plan(&plan, DEFAULT_PLAN, "system").await?;
        tracing::info!(plan = %plan.code, "loaded the default plan");
    }
    Ok(store)
}

/// Loads the city demo through the ordinary import path, unless registry data is there.
async fn load_demo(store: &Store, data_dir: &Path) -> Result<()> {
    if store.registry_generation().await? != 0 {
        println!("数据库已有登记数据，未载入演示数据 (registry data present; demo not loaded)");
        return Ok(());
    }
    let files = demo::write_city(&data_dir.join("demo-files"))?;
    let quiet = |dry_run| RegistryImport {
        file: PathBuf::new(),
        dry_run,
        accept_legacy_uscc: false,
        report: None,
    };
    let mut steps: Vec<(&Path, Option<registries::Kind>)> = vec![
        (&files.observations, None),
        (&files.enterprises, Some(registries::Kind::Enterprises)),
        (&files.certificates, Some(registries::Kind::Certificates)),
        (&files.platforms, Some(registries::Kind::Platforms)),
        (&files.facts, Some(registries::Kind::Facts)),
    ];
    if let Some(p) = &files.patents {
        steps.push((p, Some(registries::Kind::Patents)));
    }
    for (file, kind) in steps {
        let code = match kind {
            None => import_observations(store, file, false, None).await?,
            Some(k) => {
                import_registry(
                    store,
                    k,
                    &RegistryImport {
                        file: file.to_owned(),
                        ..quiet(false)
                    },
                    None,
                )
                .await?
            }
        };
        if code != ExitCode::SUCCESS {
            bail!("演示数据导入失败 (demo import failed): {}", file.display());
        }
    }
    if let Some(f) = &files.finance {
        demo::run_finance_setup(store).await?;
        for (file, kind) in [
            (
                &f.pool_members,
                kechuang_service::imports::FileKind::PoolMembers,
            ),
            (&f.loans, kechuang_service::imports::FileKind::Loans),
        ] {
            if run_import(
                store,
                &ImportArgs {
                    kind,
                    file,
                    dry_run: false,
                    accept_legacy_uscc: false,
                    default_kind: None,
                    report: None,
                    year: None,
                },
            )
            .await?
                != ExitCode::SUCCESS
            {
                bail!("演示数据导入失败 (demo import failed): {}", file.display());
            }
        }
        demo::run_seed_investments(store).await?;
    }
    if let Some(f) = &files.rd {
        for (file, kind) in [
            (
                &f.deductions,
                kechuang_service::imports::FileKind::SuperDeduction,
            ),
            (&f.surveys, kechuang_service::imports::FileKind::RdSurvey),
            (
                &f.trainings,
                kechuang_service::imports::FileKind::RdTraining,
            ),
        ] {
            let args = ImportArgs {
                kind,
                file,
                dry_run: false,
                accept_legacy_uscc: false,
                default_kind: None,
                report: None,
                year: None,
            };
            if run_import(store, &args).await? != ExitCode::SUCCESS {
                bail!("演示数据导入失败 (demo import failed): {}", file.display());
            }
        }
    }
    demo::run_programmes(store).await?;
    demo::run_supervision(store).await?;
    demo::run_events(store).await?;
    // After the portal: its demo guide is about another call than this one.
    demo::run_portal(store).await?;
    demo::run_offsite(store).await?;
    demo::run_services(store).await?;
    demo::run_competition(store).await
}

async fn serve(state: kechuang_web::AppState, addr: &str) -> Result<ExitCode> {
    kechuang_service::imports::prepare_spool(&state.spool)
        .with_context(|| format!("spool directory {}", state.spool.display()))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("无法监听地址 {addr} (cannot listen; is the port in use?)"))?;
    let local = listener.local_addr()?;
    // There is no default account: say how to make the first one.
    if state.store.users().await?.is_empty() {
        println!(
            "尚无用户账号；创建第一个管理员 (no accounts yet; create the first administrator):\n  \
             kechuang user add admin --role admin\n  \
             kechuang user add NAME --role bureau --region 440200"
        );
    }
    println!("kechuang 已启动 (started): http://{local}/");
    kechuang_web::serve(state, listener).await?;
    Ok(ExitCode::SUCCESS)
}

async fn load_plan(store: &Store, file: &Path, dry_run: bool) -> Result<ExitCode> {
    let src = std::fs::read_to_string(file).with_context(|| {
        format!(
            "无法读取计划文件 {} (cannot read plan file)",
            file.display()
        )
    })?;
    let plan = match parse_plan(&src, &store.region_tree().await?) {
        Ok(p) => p,
        Err(errors) => {
            eprintln!(
                "{}: 计划文件无效，未写入任何内容 (invalid plan file; nothing written)",
                file.display()
            );
            for e in &errors.0 {
                eprintln!("{}:{}: {}", file.display(), e.line, e.message);
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let broken = kechuang_service::plans::continuity(store, &plan, &src).await?;
    if !broken.is_empty() {
        eprintln!(
            "{}: 计划文件无效，未写入任何内容 (invalid plan file; nothing written)",
            file.display()
        );
        for e in &broken {
            eprintln!("{}:{}: {}", file.display(), e.line, e.message);
        }
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        println!(
            "校验通过 (valid): {} — {} 个目标 (targets), {} 个指标 (indicators)",
            plan.name,
            plan.targets.len(),
            plan.indicators.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let id = store
        .load_plan(&plan, &src, &operator::actor_name())
        .await?;
    println!(
        "已载入计划 (loaded plan) {} [id {id}]: {} 个目标 (targets), {} 个指标 (indicators)",
        plan.name,
        plan.targets.len(),
        plan.indicators.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn import_observations(
    store: &Store,
    file: &Path,
    dry_run: bool,
    report: Option<&Path>,
) -> Result<ExitCode> {
    run_import(
        store,
        &ImportArgs {
            kind: FileKind::Observations,
            file,
            dry_run,
            accept_legacy_uscc: false,
            default_kind: None,
            report,
            year: None,
        },
    )
    .await
}

/// A file of one kind with no options but a year: finance's and R&D statistics' files.
async fn import_file(
    store: &Store,
    kind: FileKind,
    import: &FileImport,
    year: Option<i32>,
) -> Result<ExitCode> {
    let args = ImportArgs {
        kind,
        file: &import.file,
        dry_run: import.dry_run,
        accept_legacy_uscc: false,
        default_kind: None,
        report: import.report.as_deref(),
        year,
    };
    run_import(store, &args).await
}

/// What a command asks of an import: the file, its kind and the options.
#[derive(Clone, Copy)]
struct ImportArgs<'a> {
    kind: FileKind,
    file: &'a Path,
    dry_run: bool,
    accept_legacy_uscc: bool,
    default_kind: Option<CertificateKind>,
    report: Option<&'a Path>,
    year: Option<i32>,
}

/// Imports through the same path as the upload page, and reports as a terminal user expects:
/// problems on standard error with a non-zero exit status, the summary on standard output.
async fn run_import(store: &Store, args: &ImportArgs<'_>) -> Result<ExitCode> {
    let ImportArgs {
        kind,
        file,
        dry_run,
        accept_legacy_uscc,
        default_kind,
        report,
        year,
    } = *args;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let actor = operator::operator();
    let progress = std::sync::Arc::new(kechuang_service::imports::ImportProgress::default());
    // A bar on a terminal only: a script's or a log's output stays one line per result.
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr())
        .then(|| tokio::spawn(progress_bar(progress.clone(), !dry_run)));
    let out = kechuang_service::imports::import(
        store,
        &ImportRequest {
            kind,
            path: file,
            file_name: &file_name,
            dry_run,
            accept_legacy_uscc,
            default_kind,
            actor: &actor,
            progress: Some(&progress),
            bank: None,
            year,
            sent: false,
        },
    )
    .await;
    if let Some(bar) = bar {
        bar.abort();
        // Clears the bar's line for the result.
        eprint!("\r\x1b[K");
    }
    let out = out?;
    write_report(report, &out.problems)?;
    if !out.problems.is_empty() {
        report_problems(file, &out.problems);
        return Ok(ExitCode::FAILURE);
    }
    match out.summary {
        None => println!(
            "校验通过 (valid): {} 行 (rows)；试运行，未写入 (dry run, nothing written)",
            out.rows
        ),
        Some(summary) => println!(
            "导入完成 (imported): 新增 {} (inserted), 更新 {} (updated), 未变 {} (unchanged)",
            summary.inserted, summary.updated, summary.unchanged
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Redraws an import's progress on the terminal's line twice a second: rows read and checked,
/// rows written, and a bar once the file's rows are counted.
async fn progress_bar(
    progress: std::sync::Arc<kechuang_service::imports::ImportProgress>,
    writing: bool,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    loop {
        tick.tick().await;
        let s = progress.snapshot();
        let mut line = match s.total {
            0 => format!("读取校验 (checked) {} 行", s.read),
            t => format!("读取校验 (checked) {} / {t} 行", s.read),
        };
        if writing {
            line.push_str(&format!(" · 写入 (written) {} 行", s.written));
        }
        if let Some(pct) = s.percent(writing) {
            let filled = (pct as usize * 24) / 100;
            line = format!(
                "[{}{}] {pct:>3}% {line}",
                "#".repeat(filled),
                "-".repeat(24 - filled)
            );
        }
        eprint!("\r\x1b[K{line}");
    }
}

/// Writes the report when asked, even an empty one: an empty report is the proof a file passed.
fn write_report(out: Option<&Path>, problems: &[kechuang_ingest::RowProblem]) -> Result<()> {
    if let Some(out) = out {
        kechuang_ingest::export::write(
            Some(out),
            &kechuang_ingest::export::report_table(problems),
        )?;
        eprintln!("校验报告 (validation report): {}", out.display());
    }
    Ok(())
}

fn report_problems(file: &Path, problems: &[kechuang_ingest::RowProblem]) {
    eprintln!(
        "{}: {} 处问题，未写入任何数据 ({} problem(s); nothing was written)",
        file.display(),
        problems.len(),
        problems.len()
    );
    eprintln!("行(row)\t列(column)\t值(value)\t问题(problem)");
    for p in problems {
        eprintln!("{}\t{}\t{}\t{}", p.row, p.column, p.value, p.problem);
    }
}

async fn import_registry(
    store: &Store,
    kind: registries::Kind,
    args: &RegistryImport,
    default_kind: Option<CertificateKind>,
) -> Result<ExitCode> {
    run_import(
        store,
        &ImportArgs {
            kind: FileKind::Registry(kind),
            file: &args.file,
            dry_run: args.dry_run,
            accept_legacy_uscc: args.accept_legacy_uscc,
            default_kind,
            report: args.report.as_deref(),
            year: None,
        },
    )
    .await
}

async fn export_observations(
    store: &Store,
    out: Option<&Path>,
    indicator: Option<&str>,
) -> Result<ExitCode> {
    if let Some(code) = indicator {
        if !store.indicators().await?.iter().any(|i| i.code == code) {
            bail!("未知的指标代码 '{code}' (unknown indicator)");
        }
    }
    let rows = store
        .observations(indicator, None)
        .await?
        .into_iter()
        .map(|o| {
            vec![
                o.indicator,
                o.region,
                o.period,
                o.value.to_string(),
                o.source,
                o.note,
            ]
        })
        .collect();
    export(
        out,
        "观测值",
        &kechuang_ingest::observations::HEADERS,
        rows,
        &[3],
    )
}

/// Writes an export and says where it went (to standard error, so standard output stays data).
fn export(
    out: Option<&Path>,
    sheet: &str,
    headers: &[&str],
    rows: Vec<Vec<String>>,
    numeric: &[usize],
) -> Result<ExitCode> {
    let n = rows.len();
    kechuang_ingest::export::write(
        out,
        &kechuang_ingest::export::Table {
            sheet,
            headers,
            rows,
            numeric,
        },
    )?;
    if let Some(p) = out {
        eprintln!("已导出 {n} 行到 {} (exported)", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
