//! The test harness: each test gets its own database — a fresh SQLite directory or a fresh
//! PostgreSQL database — and drives the real `kechuang` binary against it, as an officer would.
//!
//! PostgreSQL is a throwaway server that [`setup`] starts for this run, or the one named by
//! `KECHUANG_TEST_POSTGRES_URL`. A run without PostgreSQL fails rather than silently testing
//! one backend.

pub mod setup;

use chrono::NaiveDate;
use sqlx::{AnyConnection, Connection, Executor};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per backend from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::common::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::common::Backend::Postgres).await } )*
        }
    };
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kechuang")
}

pub fn postgres_admin_url() -> String {
    setup::postgres_admin_url().to_owned()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database of its own, and the `--data-dir` / `--database-url` arguments that reach it.
pub struct TestEnv {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    db_args: Vec<String>,
    pg_database: Option<String>,
    /// A bureau officer's API token, made on first use, which `Server::get` sends.
    bureau_token: std::sync::OnceLock<String>,
    /// A second bureau officer's, for approvals (see [`TestEnv::approver_token`]).
    approver_token: std::sync::OnceLock<String>,
}

/// The password test accounts get: it satisfies the policy.
pub const PASSWORD: &str = "Kechuang-2018!";

impl TestEnv {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::with_database(backend, Vec::new()),
            Backend::Postgres => {
                let name = format!(
                    "kc_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_subsec_nanos()
                );
                sqlx::any::install_default_drivers();
                let admin = postgres_admin_url();
                let mut conn = AnyConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is needed for the test suite ({admin}): {e}. Run `bash .ci/run` or start PostgreSQL.")
                });
                // A copy of the migrated template where there is one: the schema every
                // command would otherwise build first.
                let create = match setup::template_database() {
                    Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
                    None => format!("CREATE DATABASE {name}"),
                };
                conn.execute(create.as_str())
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let mut env = Self::on_postgres(database_url(&admin, &name));
                env.pg_database = Some(name);
                env
            }
        }
    }

    /// A new database `kechuang` on a PostgreSQL cluster of the test's own, which removes it.
    pub async fn on_own_cluster(cluster: &setup::OwnCluster) -> Self {
        sqlx::any::install_default_drivers();
        let mut admin = AnyConnection::connect(&cluster.url("postgres"))
            .await
            .expect("connect to the test's own cluster");
        admin
            .execute("CREATE DATABASE kechuang")
            .await
            .expect("create database");
        let _ = admin.close().await;
        Self::on_postgres(cluster.url("kechuang"))
    }

    /// A PostgreSQL database named by URL, e.g. on a test's own cluster, which removes it.
    pub fn on_postgres(url: String) -> Self {
        Self::with_database(Backend::Postgres, vec!["--database-url".into(), url])
    }

    /// A temporary data directory, after `database` (none: SQLite in the directory). With a
    /// database URL the directory still holds what is not in the database (the spool of
    /// files being imported).
    fn with_database(backend: Backend, mut database: Vec<String>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        database.extend([
            "--data-dir".into(),
            dir.path().join("data").display().to_string(),
        ]);
        Self {
            backend,
            db_args: database,
            dir,
            pg_database: None,
            bureau_token: std::sync::OnceLock::new(),
            approver_token: std::sync::OnceLock::new(),
        }
    }

    pub fn db_args(&self) -> &[String] {
        &self.db_args
    }

    /// The store itself, for a library-level test, opened as the server opens it.
    pub async fn store(&self) -> kechuang_store::Store {
        kechuang_store::Store::open(
            &kechuang_store::DatabaseTarget::from_url(&self.database_url()).expect("url"),
        )
        .await
        .expect("open")
    }

    /// The database URL a library-level test can open directly: the `--database-url` every
    /// PostgreSQL environment passes to the command line, else the SQLite file.
    pub fn database_url(&self) -> String {
        let named = self
            .db_args
            .iter()
            .position(|a| a == "--database-url")
            .and_then(|i| self.db_args.get(i + 1));
        match named {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}",
                self.dir.path().join("data").join("kechuang.db").display()
            ),
        }
    }

    /// Runs `kechuang ARGS…` against this database.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .args(args)
            .args(&self.db_args)
            .env_remove("KECHUANG_DATABASE_URL")
            .env_remove("KECHUANG_DATA_DIR")
            // Messages in the interface's first language, whatever the developer's locale.
            .env_remove("LANG")
            .output()
            .expect("run kechuang")
    }

    /// Runs the CLI and insists it succeeds, returning standard output.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "kechuang {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the CLI with `input` on standard input (for `--password-stdin`).
    pub fn cli_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(bin())
            .args(args)
            .args(&self.db_args)
            .env_remove("KECHUANG_DATABASE_URL")
            .env_remove("KECHUANG_DATA_DIR")
            // Messages in the interface's first language, whatever the developer's locale.
            .env_remove("LANG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kechuang");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("kechuang output")
    }

    /// Creates an account with the test password, ready to use (no forced change).
    /// `scope` is `--region CODE`, `--uscc CODE` or `--org NAME` as the role needs.
    pub fn add_user(&self, name: &str, role: &str, scope: &[&str]) {
        let mut args = vec![
            "user",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "--no-forced-change",
        ];
        args.extend_from_slice(scope);
        let out = self.cli_stdin(&args, &format!("{PASSWORD}\n"));
        assert!(
            out.status.success(),
            "user add {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new API token of an existing account.
    pub fn token(&self, name: &str) -> String {
        self.cli_ok(&["token", "create", name, "--name", "tests"])
            .trim()
            .to_owned()
    }

    /// The token of a bureau officer of the whole city, created on first use.
    pub fn bureau_token(&self) -> String {
        self.bureau_token
            .get_or_init(|| {
                self.add_user("tester", "bureau", &["--region", "440200"]);
                self.token("tester")
            })
            .clone()
    }

    /// The token of a second bureau officer of the whole city, who approves what the first
    /// generated (separation of duties); created on first use.
    pub fn approver_token(&self) -> String {
        self.approver_token
            .get_or_init(|| {
                self.add_user("shenpi", "bureau", &["--region", "440200"]);
                self.token("shenpi")
            })
            .clone()
    }

    /// Uses another database's bureau token, for a copy of that database (a restore).
    pub fn same_token_as(&self, other: &TestEnv) {
        let _ = self.bureau_token.set(other.bureau_token());
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write test file");
        p
    }

    /// Starts `kechuang serve` on a free port and waits until it answers.
    pub async fn serve(&self) -> Server {
        self.serve_with(&[]).await
    }

    /// Starts `kechuang serve EXTRA…`, e.g. with `--demo`.
    pub async fn serve_with(&self, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .args(&self.db_args)
            .env_remove("KECHUANG_DATABASE_URL")
            .env_remove("KECHUANG_DATA_DIR")
            // Messages in the interface's first language, whatever the developer's locale.
            .env_remove("LANG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        // With --demo the imports report first; the address line comes last.
        while !line.contains("http://") {
            line.clear();
            if reader.read_line(&mut line).expect("server output") == 0 {
                panic!("server exited before printing its address");
            }
        }
        let url = line
            .split_once("http://")
            .map(|(_, rest)| format!("http://{}", rest.trim().trim_end_matches('/')))
            .unwrap_or_else(|| panic!("unexpected server output: {line}"));
        // Redirects are answers to check, not to follow.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let token = self.bureau_token();
        let server = Server {
            url,
            child,
            client,
            token,
        };
        for _ in 0..100 {
            if server
                .client
                .get(server.url("/healthz"))
                .send()
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("server did not answer at {}", server.url);
    }
}

fn database_url(admin: &str, name: &str) -> String {
    match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("bad PostgreSQL URL {admin}"),
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            // Drop runs outside async code: a small runtime of its own removes the database.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(mut conn) = AnyConnection::connect(&postgres_admin_url()).await {
                        let _ = conn
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct Server {
    pub url: String,
    child: Child,
    pub client: reqwest::Client,
    /// Sent by `get` and `get_json`: a bureau officer of the whole city.
    pub token: String,
}

impl Server {
    /// A request with a bearer token: the status and the JSON body (null when empty or not
    /// JSON).
    pub async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Kills the server at once (SIGKILL, `kill -9`): no shutdown, no flush, no cleanup.
    pub fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server process's peak resident memory so far, in MiB (Linux's VmHWM).
    pub fn peak_rss_mib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .map_or(0, |kib| kib / 1024)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().await.expect("json body")
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        self.get_as(Some(&self.token), path).await
    }

    /// A GET as nobody in particular: the public.
    pub async fn get_anon(&self, path: &str) -> (u16, String) {
        self.get_as(None, path).await
    }

    pub async fn get_as(&self, token: Option<&str>, path: &str) -> (u16, String) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// Logs in through the API as a browser would, keeping the session cookie.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        self.session_of(serde_json::json!({ "username": username, "password": password }))
            .await
    }

    /// Logs in with a second factor's code (or recovery code).
    pub async fn login_with_code(&self, username: &str, password: &str, code: &str) -> Session {
        self.session_of(
            serde_json::json!({ "username": username, "password": password, "code": code }),
        )
        .await
    }

    async fn session_of(&self, credentials: serde_json::Value) -> Session {
        let username = credentials["username"].clone();
        let res = self
            .client
            .post(self.url("/api/v1/session"))
            .json(&credentials)
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status().as_u16(), 200, "login {username}");
        let cookie = cookie_set(&res, "kc_session").expect("session cookie");
        let body: serde_json::Value = res.json().await.expect("json");
        Session {
            cookie,
            csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
            base: self.url.clone(),
            client: self.client.clone(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client whose requests come from `ip` (any address of 127.0.0.0/8 works on
/// loopback), to act as several clients or addresses.
pub fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Funds the high-tech reward for 2018 (1,000 万元) and, with `commit`, commits its batch
/// (number 1 in a new database): the funding tests' starting point.
pub fn fund_hte_2018(env: &TestEnv, commit: bool) {
    env.cli_ok(&[
        "programme",
        "budget",
        "hte-certified",
        "--year",
        "2018",
        "--amount",
        "1000万元",
    ]);
    if commit {
        env.cli_ok(&["programme", "batch", "hte-certified", "--year", "2018"]);
    }
}

/// The target object with this code from a targets response.
pub fn target<'a>(targets: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    targets
        .as_array()
        .and_then(|a| a.iter().find(|t| t["code"] == code))
        .unwrap_or_else(|| panic!("target {code} missing"))
}

pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

// ---- the sample files in docs/examples, and counts computed from them independently ----

/// Reads a sample CSV (UTF-8 with BOM, header in its first row) into rows of cells.
pub fn csv_rows(name: &str) -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(repo_file(&format!("docs/examples/{name}"))).expect("sample");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|x| x.expect("csv row").iter().map(str::to_owned).collect())
        .collect()
}

/// Writes `rows` as a CSV file (with the byte-order mark spreadsheet programs write) into the
/// test's directory; answers its path.
pub fn write_csv(env: &TestEnv, name: &str, rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("row");
    }
    let text = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    env.write(name, &format!("\u{feff}{text}"))
        .display()
        .to_string()
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&s.replace('.', "-"), "%Y-%m-%d").expect("date")
}

/// Enterprises holding a certificate valid at `at`, counted independently of kechuang: a
/// certificate is valid from its issue date for three years.
pub fn hte_holders(at: NaiveDate, county: Option<&str>) -> usize {
    hte_holder_set(at, county).len()
}

/// The sample's enterprises (credit codes) holding a certificate valid at `at`, counted from the
/// files themselves; and each sample enterprise's county code.
pub fn hte_holder_set(at: NaiveDate, county: Option<&str>) -> HashSet<String> {
    hte_holders_and_counties(at, county).0
}

/// Each sample enterprise's county code, from the sample file.
pub fn sample_counties() -> HashMap<String, String> {
    hte_holders_and_counties(d("2000-01-01"), None).1
}

fn hte_holders_and_counties(
    at: NaiveDate,
    county: Option<&str>,
) -> (HashSet<String>, HashMap<String, String>) {
    let ents = csv_rows("enterprises-sample.csv");
    let names: HashMap<&str, &str> = [
        ("武江区", "440203"),
        ("浈江区", "440204"),
        ("曲江区", "440205"),
        ("始兴县", "440222"),
        ("仁化县", "440224"),
        ("翁源县", "440229"),
        ("乳源瑶族自治县", "440232"),
        ("新丰县", "440233"),
        ("乐昌市", "440281"),
        ("南雄市", "440282"),
    ]
    .into_iter()
    .collect();
    let county_of: HashMap<String, String> = ents[2..]
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                names
                    .get(r[2].as_str())
                    .map_or(r[2].clone(), |c| (*c).to_owned()),
            )
        })
        .collect();
    let holders: HashSet<String> = csv_rows("hte-certificates-sample.csv")[1..]
        .iter()
        .filter(|r| {
            let issued = d(&r[3]);
            let expires = issued
                .checked_add_months(chrono::Months::new(36))
                .and_then(|x| x.pred_opt())
                .expect("date");
            issued <= at && at <= expires && county.is_none_or(|c| county_of[&r[1]] == c)
        })
        .map(|r| r[1].clone())
        .collect();
    (holders, county_of)
}

/// Enterprises of the sample whose first certificate was issued in `year`, counted from the
/// file itself, independently of kechuang.
pub fn first_certified_in(year: i32) -> std::collections::BTreeSet<String> {
    let mut first: std::collections::BTreeMap<String, NaiveDate> = Default::default();
    for r in &csv_rows("hte-certificates-sample.csv")[1..] {
        let issued = d(&r[3]);
        first
            .entry(r[1].clone())
            .and_modify(|f| *f = (*f).min(issued))
            .or_insert(issued);
    }
    first
        .into_iter()
        .filter(|(_, f)| chrono::Datelike::year(f) == year)
        .map(|(u, _)| u)
        .collect()
}

pub fn import_registry_samples(env: &TestEnv) {
    let sample = |name: &str| {
        repo_file(&format!("docs/examples/{name}"))
            .display()
            .to_string()
    };
    env.cli_ok(&["import", "enterprises", &sample("enterprises-sample.csv")]);
    env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        &sample("hte-certificates-sample.csv"),
    ]);
    env.cli_ok(&["import", "platforms", &sample("platforms-sample.csv")]);
}

/// Sends JSON with a token, answering the status and the body (null when it is not JSON).
pub async fn send_json(
    server: &Server,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let res = server
        .client
        .request(method, server.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// A logged-in browser-like client: the session cookie and its CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    base: String,
    client: reqwest::Client,
}

impl Session {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
    }

    /// A request carrying the CSRF token, as the pages' forms and scripts send it.
    pub fn with_csrf(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.request(method, path)
            .header("x-csrf-token", &self.csrf)
    }
}

/// The `NAME=value` pair of the cookie `name` a response sets, if it sets one.
pub fn cookie_set(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|kv| kv.starts_with(&format!("{name}=")))
        })
        .map(str::to_owned)
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
