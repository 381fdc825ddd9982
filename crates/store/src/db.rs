//! Opening a database: URL rules, pools, SQLite settings, migrations.

use crate::{Result, StoreError};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The migrations, embedded in the binary. Listed here rather than found by `sqlx::migrate!`:
/// that macro's crate builds sqlx and a second bundled SQLite for the compiler host, which cost
/// every clean build (and CI run) over a minute. Each name must match its file, as sqlx's own
/// directory reader would parse it, so databases migrated by either agree on every checksum.
macro_rules! migrations {
    ($dir:literal: $($file:literal),+ $(,)?) => {
        std::sync::LazyLock::new(|| sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(vec![$(embedded_migration(
                $file,
                include_str!(concat!("../../../migrations/", $dir, "/", $file)),
            )),+]),
            ..sqlx::migrate::Migrator::DEFAULT
        })
    };
}

pub(crate) static SQLITE_MIGRATIONS: std::sync::LazyLock<sqlx::migrate::Migrator> = migrations!(
    "sqlite": "0001_foundation.sql", "0002_registries.sql", "0003_accounts.sql",
    "0004_import_reports.sql", "0005_registry_generation.sql", "0006_ledger_indicators.sql",
    "0007_programmes.sql", "0008_second_factor.sql", "0009_audit_region.sql",
    "0010_separate_duties.sql", "0011_call_guides.sql", "0012_finance.sql", "0013_rd_statistics.sql", "0014_patents.sql", "0015_rd_training.sql", "0016_rd_survey_workflow.sql", "0017_rd_survey_details.sql", "0018_supervision.sql", "0019_portal.sql", "0020_events.sql", "0021_offsite.sql", "0022_services.sql", "0023_competitions.sql", "0024_data_generation.sql", "0025_count_changes.sql", "0026_count_changes_grouped.sql", "0027_service_generation.sql", "0028_enterprise_names.sql", "0029_grouped_insert_log.sql",
);
static POSTGRES_MIGRATIONS: std::sync::LazyLock<sqlx::migrate::Migrator> = migrations!(
    "postgres": "0001_foundation.sql", "0002_registries.sql", "0003_accounts.sql",
    "0004_import_reports.sql", "0005_registry_generation.sql", "0006_ledger_indicators.sql",
    "0007_programmes.sql", "0008_second_factor.sql", "0009_audit_region.sql",
    "0010_separate_duties.sql", "0011_call_guides.sql", "0012_finance.sql", "0013_rd_statistics.sql", "0014_patents.sql", "0015_rd_training.sql", "0016_rd_survey_workflow.sql", "0017_rd_survey_details.sql", "0018_supervision.sql", "0019_portal.sql", "0020_events.sql", "0021_offsite.sql", "0022_services.sql", "0023_competitions.sql", "0024_data_generation.sql", "0025_count_changes.sql", "0026_count_changes_grouped.sql", "0027_service_generation.sql", "0028_enterprise_names.sql", "0029_grouped_insert_log.sql",
);

/// One migration as sqlx reads a file `VERSION_DESCRIPTION.sql`: the version before the first
/// underscore, the rest (without `.sql`, underscores as spaces) its description.
fn embedded_migration(file: &'static str, sql: &'static str) -> sqlx::migrate::Migration {
    use sqlx::migrate::{Migration, MigrationType};
    let (version, rest) = file.split_once('_').unwrap_or(("0", file));
    let migration_type = MigrationType::from_filename(rest);
    let description = rest
        .trim_end_matches(migration_type.suffix())
        .replace('_', " ");
    Migration::new(
        version.parse().unwrap_or_default(),
        std::borrow::Cow::Owned(description),
        migration_type,
        std::borrow::Cow::Borrowed(sql),
        sql.starts_with("-- no-transaction"),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives, parsed from `--database-url` or derived from `--data-dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// `create` is only set for the data directory or an explicit `?mode=rwc`: a mistyped
    /// path must fail loudly, never start an empty database beside the real one.
    Sqlite {
        path: PathBuf,
        create: bool,
    },
    Postgres(String),
}

impl DatabaseTarget {
    pub fn from_url(url: &str) -> Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                StoreError::Config(format!(
                    "不支持的数据库地址 '{url}'：应为 sqlite://路径 或 postgres://… \
                     (unsupported database URL; use sqlite://PATH or postgres://…)"
                ))
            })?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::Config(format!(
                "SQLite 地址 '{url}' 没有文件路径 (SQLite URL names no file)"
            )));
        }
        let create = query.split('&').any(|kv| kv == "mode=rwc");
        Ok(Self::Sqlite {
            path: PathBuf::from(path),
            create,
        })
    }

    pub fn in_data_dir(dir: &Path) -> Self {
        Self::Sqlite {
            path: dir.join("kechuang.db"),
            create: true,
        }
    }

    /// For logs and messages: never prints a password.
    pub fn display(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
                _ => url.clone(),
            },
        }
    }
}

/// Work a store started that may outlive the call that started it: an import's upkeep after
/// it has answered (pruning the count log; on SQLite, copying its pages from the WAL into the
/// database file). [`Store::settle`] waits for it.
#[derive(Clone, Default)]
pub(crate) struct Background(std::sync::Arc<std::sync::Mutex<Pending>>);

#[derive(Default)]
struct Pending {
    threads: Vec<std::thread::JoinHandle<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Background {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add(&self, thread: std::thread::JoinHandle<()>) {
        let mut pending = self.pending();
        pending.threads.retain(|t| !t.is_finished());
        pending.threads.push(thread);
    }

    pub(crate) fn add_task(&self, task: tokio::task::JoinHandle<()>) {
        let mut pending = self.pending();
        pending.tasks.retain(|t| !t.is_finished());
        pending.tasks.push(task);
    }

    fn take(&self) -> Pending {
        std::mem::take(&mut *self.pending())
    }
}

#[derive(Clone)]
pub struct Store {
    pub(crate) read: AnyPool,
    /// SQLite allows one writer at a time: a single connection serializes this process's
    /// writes, and `BEGIN IMMEDIATE` with a busy timeout queues behind other processes.
    /// Registry imports write through a native connection of their own
    /// (`registry_writer::sqlite`), which takes its turn the same way.
    pub(crate) write: AnyPool,
    backend: Backend,
    /// The SQLite file, for the native connection that bulk imports write through.
    pub(crate) sqlite_path: Option<PathBuf>,
    /// The PostgreSQL address, for the native connection `COPY` needs
    /// (`registry_writer::reference`).
    pub(crate) postgres_url: Option<String>,
    pub(crate) background: Background,
    /// PostgreSQL streaming standbys for read-only public work ([`Store::for_public_reads`]).
    replicas: std::sync::Arc<Replicas>,
}

/// The standbys, taken in turn; one that failed is left alone for a while.
#[derive(Default)]
struct Replicas {
    pools: Vec<(AnyPool, std::sync::Mutex<Option<std::time::Instant>>)>,
    next: std::sync::atomic::AtomicUsize,
}

/// How long a standby that failed to answer is passed over.
const REPLICA_REST: Duration = Duration::from_secs(10);
/// How long a public request waits for a standby before reading the primary.
const REPLICA_WAIT: Duration = Duration::from_secs(1);

/// Makes a file or directory this user's only (on Unix; elsewhere the platform's own rules).
pub(crate) fn private(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
            StoreError::Config(format!(
                "无法设置 {} 的权限 (cannot restrict permissions): {e}",
                path.display()
            ))
        })?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

impl Store {
    /// Connects and applies pending migrations.
    pub async fn open(target: &DatabaseTarget) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let store = match target {
            DatabaseTarget::Sqlite { path, create } => {
                if *create {
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            StoreError::Config(format!("无法创建数据目录 {} ({e})", dir.display()))
                        })?;
                        private(dir, 0o700)?;
                    }
                } else if !path.is_file() {
                    return Err(StoreError::Config(format!(
                        "SQLite 数据库文件 {} 不存在。请检查 --database-url；如要新建数据库，请用 \
                         --data-dir，或在地址后加 ?mode=rwc \
                         (database file does not exist; use --data-dir or ?mode=rwc to create one)",
                        path.display()
                    )));
                }
                let mode = if *create { "rwc" } else { "rw" };
                let url = format!("sqlite://{}?mode={mode}", path.display());
                let opts = |n: u32| {
                    AnyPoolOptions::new()
                        .max_connections(n)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    "PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON; \
                                     PRAGMA synchronous = NORMAL",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                let write = opts(1)
                    .connect(&url)
                    .await
                    .map_err(|e| connect_error(target, e))?;
                // WAL lets readers (the web server) go on while an import writes; it is a
                // property of the file, so setting it once per open is enough.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&write)
                    .await?;
                // The database, its journal and shared memory: this user's only.
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let file = PathBuf::from(file);
                    if file.exists() {
                        private(&file, 0o600)?;
                    }
                }
                let read = opts(8)
                    .connect(&url)
                    .await
                    .map_err(|e| connect_error(target, e))?;
                Self {
                    read,
                    write,
                    backend: Backend::Sqlite,
                    sqlite_path: Some(path.clone()),
                    postgres_url: None,
                    background: Background::default(),
                    replicas: Default::default(),
                }
            }
            DatabaseTarget::Postgres(url) => {
                // One direct attempt first: a pool would retry a refused connection until its
                // acquire timeout, making a typo in the URL look like a hang.
                let probe =
                    tokio::time::timeout(Duration::from_secs(10), AnyConnection::connect(url))
                        .await
                        .map_err(|_| {
                            StoreError::Config(format!(
                                "连接数据库超时 {} (timed out connecting to the database)",
                                target.display()
                            ))
                        })?
                        .map_err(|e| connect_error(target, e))?;
                probe.close().await.map_err(|e| connect_error(target, e))?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .map_err(|e| connect_error(target, e))?;
                Self {
                    read: pool.clone(),
                    write: pool,
                    backend: Backend::Postgres,
                    sqlite_path: None,
                    postgres_url: Some(url.clone()),
                    background: Background::default(),
                    replicas: Default::default(),
                }
            }
        };
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Adds PostgreSQL streaming standbys (`postgres://…` of each, the same database) for
    /// read-only public work. They are connected on first use, so a standby that is down
    /// when the server starts only means its reads go to the primary.
    pub fn with_replicas(mut self, urls: &[String]) -> Result<Self> {
        if urls.is_empty() {
            return Ok(self);
        }
        if self.backend != Backend::Postgres {
            return Err(StoreError::Config(
                "只读副本仅用于 PostgreSQL (read replicas need a PostgreSQL primary)".into(),
            ));
        }
        let mut pools = Vec::new();
        for url in urls {
            let target = DatabaseTarget::from_url(url)?;
            if !matches!(target, DatabaseTarget::Postgres(_)) {
                return Err(StoreError::Config(format!(
                    "只读副本地址应为 postgres://… (a replica URL must be postgres://…): {}",
                    target.display()
                )));
            }
            let pool = AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(REPLICA_WAIT)
                .connect_lazy(url)
                .map_err(|e| connect_error(&target, e))?;
            pools.push((pool, std::sync::Mutex::new(None)));
        }
        self.replicas = std::sync::Arc::new(Replicas {
            pools,
            next: Default::default(),
        });
        Ok(self)
    }

    /// This store with its reads sent to a standby, for read-only public work (the public
    /// dashboard, the portal, open data and its downloads); writes still go to the primary. A standby
    /// is used only when it has replayed every write that the figures depend on — its
    /// generations equal the primary's — so a lagging standby never shows an older figure
    /// than the primary would; one that lags, fails or is down leaves the reads on the
    /// primary.
    pub async fn for_public_reads(&self) -> Store {
        let n = self.replicas.pools.len();
        if n == 0 {
            return self.clone();
        }
        let Ok(primary) = self.generations().await else {
            return self.clone();
        };
        let first = self
            .replicas
            .next
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for i in 0..n {
            let (pool, rest) = &self.replicas.pools[(first + i) % n];
            let resting = rest
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some_and(|since| since.elapsed() < REPLICA_REST);
            if resting {
                continue;
            }
            let standby = Store {
                read: pool.clone(),
                ..self.clone()
            };
            match tokio::time::timeout(REPLICA_WAIT, standby.generations()).await {
                Ok(Ok(g)) if g == primary => return standby,
                // Behind: the next standby may have caught up.
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "read replica failed; reading the primary");
                    *rest.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(std::time::Instant::now());
                }
                Err(_) => {
                    tracing::warn!("read replica did not answer in time; reading the primary");
                    *rest.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(std::time::Instant::now());
                }
            }
        }
        self.clone()
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                // SQLite changes a table's constraints only by rebuilding it, which its
                // documentation says to do with foreign keys off (they cannot be switched
                // inside the migration's own transaction). They are checked afterwards.
                let mut conn = self.write.acquire().await?;
                // How many migrations the database has taken (none yet: no table at all).
                const APPLIED: &str = "SELECT count(*) FROM _sqlx_migrations WHERE success";
                let before: Option<i64> =
                    sqlx::query_scalar(APPLIED).fetch_one(&mut *conn).await.ok();
                conn.execute("PRAGMA foreign_keys = OFF").await?;
                let ran = SQLITE_MIGRATIONS.run_direct(&mut *conn).await;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                ran?;
                // The check reads every reference in the database (2 s at province scale),
                // so it runs only when a migration did, not at every start and command.
                let after: Option<i64> =
                    sqlx::query_scalar(APPLIED).fetch_one(&mut *conn).await.ok();
                if after == before {
                    return Ok(());
                }
                let broken: Vec<AnyRow> = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await?;
                if !broken.is_empty() {
                    return Err(StoreError::Corrupt(format!(
                        "{} 行外键引用失效 (rows with broken foreign keys after migration)",
                        broken.len()
                    )));
                }
            }
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.write).await?,
        }
        Ok(())
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// Waits for the work this store left running in the background: after an import, the
    /// count log's pruning and, on SQLite, the checkpoint that copies its pages from the WAL
    /// into the database file.
    pub async fn settle(&self) {
        let Pending { threads, tasks } = self.background.take();
        for task in tasks {
            let _ = task.await;
        }
        if !threads.is_empty() {
            let _ = tokio::task::spawn_blocking(move || {
                for t in threads {
                    let _ = t.join();
                }
            })
            .await;
        }
    }

    pub async fn close(&self) {
        self.settle().await;
        self.read.close().await;
        self.write.close().await;
    }

    /// Lists each table's columns as `table.column NULL|NOT NULL`, for the test that keeps
    /// the two backends' migrations equivalent.
    pub async fn schema_outline(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name || '.' || p.name || CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 \
                 THEN ' NOT NULL' ELSE ' NULL' END AS col \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
            }
            Backend::Postgres => {
                "SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' \
                 THEN ' NOT NULL' ELSE ' NULL' END AS col \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'"
            }
        };
        let rows: Vec<AnyRow> = sqlx::query(sql).fetch_all(&self.read).await?;
        let mut cols: Vec<String> = rows
            .iter()
            .map(|r| sqlx::Row::try_get::<String, _>(r, "col"))
            .collect::<Result<_, _>>()?;
        cols.sort();
        Ok(cols)
    }
}

fn connect_error(target: &DatabaseTarget, e: sqlx::Error) -> StoreError {
    StoreError::Config(format!(
        "无法连接数据库 {} (cannot connect to the database): {e}",
        target.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded list is what sqlx itself reads from the directories: no file forgotten,
    /// and every version, description and checksum the same as `migrate!` would have made.
    #[tokio::test]
    async fn embedded_migrations_match_their_directories() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        for (dir, embedded) in [
            ("sqlite", &*SQLITE_MIGRATIONS),
            ("postgres", &*POSTGRES_MIGRATIONS),
        ] {
            let read = sqlx::migrate::Migrator::new(root.join(dir))
                .await
                .expect(dir);
            let key = |m: &sqlx::migrate::Migration| {
                (
                    m.version,
                    m.description.to_string(),
                    m.checksum.to_vec(),
                    m.no_tx,
                )
            };
            let want: Vec<_> = read.iter().map(key).collect();
            let have: Vec<_> = embedded.iter().map(key).collect();
            assert_eq!(have, want, "{dir}");
        }
    }

    #[test]
    fn urls_are_parsed_strictly() {
        assert!(matches!(
            DatabaseTarget::from_url("sqlite:///tmp/k.db"),
            Ok(DatabaseTarget::Sqlite { path, create: false }) if path == Path::new("/tmp/k.db")
        ));
        assert!(matches!(
            DatabaseTarget::from_url("sqlite://data/k.db?mode=rwc"),
            Ok(DatabaseTarget::Sqlite { create: true, .. })
        ));
        assert!(matches!(
            DatabaseTarget::from_url("postgresql://u:p@h/db"),
            Ok(DatabaseTarget::Postgres(_))
        ));
        for bad in [
            "mysql://x",
            "sqlit://x.db",
            "/tmp/k.db",
            "sqlite://",
            "sqlite::memory:",
        ] {
            assert!(DatabaseTarget::from_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_hides_the_password() {
        let t = DatabaseTarget::Postgres("postgres://kc:secret@db:5432/kc".into());
        assert_eq!(t.display(), "postgres://***@db:5432/kc");
    }
}
