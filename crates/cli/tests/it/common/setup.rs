//! What the suite needs on the machine, provided by the suite itself, so that the README's
//! test command is the whole set-up on a fresh Debian machine:
//!
//! - the Debian packages it drives (PostgreSQL's server, Chromium, ChromeDriver, CJK fonts for
//!   screenshots a person can read) are installed with `apt-get` when missing and the run is
//!   root's; anyone else is told in one line what to install;
//! - a throwaway PostgreSQL cluster of its own (`initdb` in a temporary directory, on a free
//!   loopback port, tuned for tests: no fsync), removed by a small watcher process once this
//!   test process has exited, however it exits.
//!
//! `KECHUANG_TEST_POSTGRES_URL` names an existing server instead (an administrator's URL; each
//! test creates and drops a database of its own there).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A Debian package the suite uses, and how to tell it is there without asking dpkg (which a
/// non-Debian developer machine may not have).
struct Need {
    package: &'static str,
    present: fn() -> bool,
}

const NEEDS: &[Need] = &[
    Need {
        package: "postgresql",
        present: || postgres_bin_dir().is_some(),
    },
    Need {
        package: "chromium",
        present: || Path::new(&chromium()).exists(),
    },
    Need {
        package: "chromium-driver",
        present: || on_path(&chromedriver()),
    },
    Need {
        package: "fonts-noto-cjk",
        present: || Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists(),
    },
];

/// The Chromium binary the browser tests drive.
pub fn chromium() -> String {
    std::env::var("KECHUANG_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// The ChromeDriver binary the browser tests start.
pub fn chromedriver() -> String {
    std::env::var("KECHUANG_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into())
}

fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(what: &str, cmd: &mut Command) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Installs what is missing, once per run. Without root it stops the run with one line
/// saying what to install, rather than failing later in a way that hides the cause.
pub fn packages() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let external_pg = std::env::var("KECHUANG_TEST_POSTGRES_URL").is_ok();
        let missing: Vec<&str> = NEEDS
            .iter()
            .filter(|n| !(external_pg && n.package == "postgresql"))
            .filter(|n| !(n.present)())
            .map(|n| n.package)
            .collect();
        if missing.is_empty() {
            return;
        }
        let list = missing.join(" ");
        if !is_root() {
            panic!("the test suite needs these Debian packages: sudo apt-get install -y {list}");
        }
        // Straight to the terminal: the test harness captures `eprintln!`.
        let _ = writeln!(std::io::stderr(), "test set-up: installing {list}");
        run(
            "apt-get update",
            Command::new("apt-get")
                .args(["update", "-qq"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        );
        run(
            &format!("apt-get install {list}"),
            Command::new("apt-get")
                .args(["install", "-y", "-qq", "--no-install-recommends"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        );
    });
}

/// PostgreSQL's server programs: the newest version Debian installed, else `initdb` on PATH.
fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

/// The PostgreSQL server the tests use: its administrator's URL, and on the throwaway cluster
/// a database holding kechuang's schema that each test's database is copied from.
struct Postgres {
    admin_url: String,
    template: Option<&'static str>,
}

fn postgres() -> &'static Postgres {
    static POSTGRES: OnceLock<Postgres> = OnceLock::new();
    POSTGRES.get_or_init(|| {
        if let Ok(admin_url) = std::env::var("KECHUANG_TEST_POSTGRES_URL") {
            // Nothing is left behind on a server the suite does not own: no template there.
            return Postgres {
                admin_url,
                template: None,
            };
        }
        packages();
        Postgres {
            admin_url: throwaway_cluster(),
            template: Some(TEMPLATE),
        }
    })
}

/// The administrator's URL of the PostgreSQL server the tests use, starting the throwaway
/// cluster on first use.
pub fn postgres_admin_url() -> &'static str {
    &postgres().admin_url
}

/// The database on the throwaway cluster that holds kechuang's schema, migrated once, for
/// `CREATE DATABASE … TEMPLATE`: copying it costs a test about half the CPU that migrating a
/// new database does (0.24 s against 0.5 s, measured), and the suite makes about ninety.
pub fn template_database() -> Option<&'static str> {
    postgres().template
}

const TEMPLATE: &str = "kc_template";

fn throwaway_cluster() -> String {
    let bin = postgres_bin_dir().expect("PostgreSQL's initdb after installing postgresql");
    // Not a TempDir: the watcher below removes it after this process is gone, which a drop
    // in a static never would.
    let dir = tempfile::Builder::new()
        .prefix("kechuang-test-pg-")
        .tempdir()
        .expect("temp dir for PostgreSQL")
        .keep();
    let data = dir.join("data");
    // PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's `postgres`.
    let as_owner = |program: &str| {
        let path = bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    };
    if is_root() {
        run(
            "chown of the test cluster's directory",
            Command::new("chown").args(["postgres:postgres"]).arg(&dir),
        );
    }
    run(
        "initdb",
        as_owner("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "kechuang", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .args(["--locale=C"]),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port for PostgreSQL");
    // Durability is worthless for a cluster deleted after the run; without it the suite's
    // many CREATE DATABASEs and commits do not wait for the disk.
    let options = format!(
        "-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    run(
        "pg_ctl start",
        as_owner("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-o", &options, "-w", "-t", "60", "start"])
            .stdout(Stdio::null()),
    );
    watch_and_remove(&dir);
    run(
        "createdb of the template database",
        Command::new(bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "kechuang"])
            .arg(TEMPLATE)
            .stdout(Stdio::null()),
    );
    // The schema alone, as the store's own open leaves a new database: what a command then
    // adds to it (the shipped plan) stays each test's, and `restore` still finds it empty.
    let template = format!("postgres://kechuang@127.0.0.1:{port}/{TEMPLATE}");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime to migrate the template");
        rt.block_on(async {
            let target = kechuang_store::DatabaseTarget::from_url(&template).expect("url");
            let store = kechuang_store::Store::open(&target)
                .await
                .expect("migrate the template database");
            store.close().await;
        });
    })
    .join()
    .expect("migrating the template database");
    format!("postgres://kechuang@127.0.0.1:{port}/postgres")
}

/// Starts a watcher that, once this test process has exited, stops the cluster (an immediate
/// shutdown: nothing in it is kept) and deletes its directory. Its output goes nowhere, so it
/// holds no pipe of the test runner open.
#[expect(
    clippy::zombie_processes,
    reason = "the watcher outlives this process by design, so there is nothing to wait for"
)]
fn watch_and_remove(dir: &Path) {
    let script = r#"
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        pid=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null)
        if [ -n "$pid" ]; then
            kill -QUIT "$pid" 2>/dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        fi
        rm -rf "$2"
    "#;
    Command::new("sh")
        .args(["-c", script, "kechuang-test-pg-watch"])
        .arg(std::process::id().to_string())
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the test cluster's watcher");
}

/// A PostgreSQL cluster of one test's own — a primary, or a streaming standby of one made
/// with the system's `pg_basebackup` — on its own port and directory, stopped and removed
/// when dropped (and by the watcher, should the test process die first).
pub struct OwnCluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
}

impl OwnCluster {
    fn program(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn new() -> Self {
        packages();
        let bin = postgres_bin_dir().expect("PostgreSQL's programs (initdb, pg_basebackup)");
        let dir = tempfile::Builder::new()
            .prefix("kechuang-test-cluster-")
            .tempdir()
            .expect("temp dir for a cluster")
            .keep();
        if is_root() {
            run(
                "chown of the cluster's directory",
                Command::new("chown").args(["postgres:postgres"]).arg(&dir),
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        watch_and_remove(&dir);
        Self { dir, bin, port }
    }

    fn start(&self) {
        let options = format!(
            "-c port={} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c synchronous_commit=off",
            self.port,
            self.dir.display()
        );
        run(
            "pg_ctl start",
            self.program("pg_ctl")
                .arg("-D")
                .arg(self.dir.join("data"))
                .arg("-l")
                .arg(self.dir.join("server.log"))
                .args(["-o", &options, "-w", "-t", "60", "start"])
                .stdout(Stdio::null()),
        );
    }

    /// A new primary, running, with the role `kechuang` (trusted on loopback, replication too).
    pub fn primary() -> Self {
        let c = Self::new();
        run(
            "initdb",
            c.program("initdb")
                .arg("-D")
                .arg(c.dir.join("data"))
                .args(["-U", "kechuang", "--auth=trust", "-E", "UTF8", "--no-sync"])
                .args(["--locale=C"]),
        );
        c.start();
        c
    }

    /// A hot standby of `primary`, streaming from it, running.
    pub fn standby_of(primary: &OwnCluster) -> Self {
        let c = Self::new();
        run(
            "pg_basebackup",
            c.program("pg_basebackup")
                .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
                .args([
                    "-U",
                    "kechuang",
                    "-X",
                    "stream",
                    "-R",
                    "--no-sync",
                    "--checkpoint=fast",
                ])
                .arg("-D")
                .arg(c.dir.join("data")),
        );
        c.start();
        c
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://kechuang@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server at once, as a crash or a pulled cable would.
    pub fn stop(&self) {
        let _ = self
            .program("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
