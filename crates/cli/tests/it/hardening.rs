//! Attacks on a running server, each of which once stopped or misled it, now refused safely.

use crate::common::*;
use serde_json::{json, Value};
use std::io::Write;

/// An XLSX archive whose parts are the same small deflated part many times over: a few MB
/// sent, far more inflated.
fn zip_bomb(parts: usize) -> Vec<u8> {
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut one = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    one.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("part");
    one.write_all(&b"<c><v>0</v></c>".repeat(16_000))
        .expect("write");
    let one = one.finish().expect("finish").into_inner();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(one)).expect("read back");
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..parts {
        let part = source.by_index_raw(0).expect("raw part");
        bomb.raw_copy_file_rename(part, format!("xl/worksheets/sheet{i}.xml"))
            .expect("copy");
    }
    bomb.finish().expect("finish").into_inner()
}

async fn hostile_spreadsheets_are_refused_and_the_server_keeps_answering(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let send = |name: &'static str, body: Vec<u8>| {
        let req = server
            .client
            .post(server.url(&format!(
                "/api/v1/imports/enterprises?file_name={name}&dry_run=false"
            )))
            .bearer_auth(&server.token)
            .header("accept-language", "en")
            .body(body);
        async move {
            let res = req.send().await.expect("send");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    // Two cells, A1 and XFD1048576: the sheet declares 17 billion cells.
    let dir = tempfile::tempdir().expect("temp dir");
    let far = dir.path().join("far.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "统一社会信用代码").expect("a1");
    sheet.write(1_048_575, 16_383, "x").expect("xfd");
    book.save(&far).expect("save");
    let (status, body) = send("far.xlsx", std::fs::read(&far).expect("read")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "column_past_limit", "{body}");
    assert_eq!(body["error"]["details"]["cell"], "XFD1048576");
    // 4,000 parts of 240 KB each: about 5 MB sent, 940 MB inflated.
    let bomb = zip_bomb(4_000);
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
    let (status, body) = send("bomb.xlsx", bomb).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "file_inflates_too_far", "{body}");
    assert_eq!(body["error"]["details"]["limit_mb"], "768");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("xl/worksheets/sheet"), "{body}");
    assert!(
        !message.contains("spool") && !message.contains("upload-"),
        "no server path in {body}"
    );
    // The server still answers, and nothing was written.
    assert_eq!(server.get_json("/healthz").await["status"], "ok");
    let list = server.get_json("/api/v1/enterprises").await;
    assert_eq!(list["total"], 0, "{list}");
    eprintln!(
        "hostile spreadsheets ({b:?}): server peak RSS {} MiB",
        server.peak_rss_mib()
    );
}

/// County names as bureau files write them — with the province and city in front, spaces of
/// either width, the short or the full form — file the enterprise under the county itself.
async fn a_county_written_with_its_city_in_front_is_filed_under_the_county(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let rows = csv_rows("enterprises-sample.csv");
    let names = [
        "韶关市武江区",
        "广东省韶关市武江区",
        "韶关市　武江区",
        "武江",
        "韶关市乳源瑶族自治县",
        "乳源县",
    ];
    let mut csv = String::from("统一社会信用代码,企业名称,所属县区\n");
    for (i, name) in names.iter().enumerate() {
        csv.push_str(&format!("{},写法{i}公司,{name}\n", rows[i + 2][0]));
    }
    let res =
        server
            .client
            .post(server.url(
                "/api/v1/imports/enterprises?file_name=广东省韶关市企业名单.csv&dry_run=false",
            ))
            .bearer_auth(&server.token)
            .body(csv)
            .send()
            .await
            .expect("send");
    let status = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    let count = |region: &'static str| {
        let url = format!("/api/v1/enterprises?region={region}&per_page=1");
        let server = &server;
        async move { server.get_json(&url).await["total"].as_i64().unwrap_or(-1) }
    };
    assert_eq!(count("440203").await, 4, "武江区");
    assert_eq!(count("440232").await, 2, "乳源瑶族自治县");
    // Filed under the county, so the city's own count is only theirs.
    let city_only = server
        .get_json("/api/v1/enterprises?region=440200&per_page=50")
        .await;
    let filed_under_city = city_only["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|e| {
                    e["region_code"] == "440200" || e["enterprise"]["region_code"] == "440200"
                })
                .count()
        })
        .unwrap_or(usize::MAX);
    assert_eq!(filed_under_city, 0, "{city_only}");
    // An unknown or another city's county is refused by name, with nothing written.
    let res = server
        .client
        .post(server.url("/api/v1/imports/enterprises?file_name=x.csv&dry_run=false"))
        .bearer_auth(&server.token)
        .header("accept-language", "en")
        .body(format!(
            "统一社会信用代码,企业名称,所属县区\n{},甲公司,深圳市南山区\n",
            rows[9][0]
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.expect("json");
    assert!(body.to_string().contains("深圳市南山区"), "{body}");
}

/// What a signed-in caller sees is not cached; behind https the browser is told to stay on
/// it; the data directory, the database and the spool are this user's only.
async fn private_answers_and_private_files(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env
        .serve_with(&["--public-url", "https://kjj.example.gov.cn"])
        .await;
    let res = server
        .client
        .get(server.url("/api/v1/enterprises"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("signed in");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .is_ok_and(|v| v.starts_with("max-age=")));
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: std::path::PathBuf| {
        std::fs::metadata(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let data = env.dir.path().join("data");
    assert_eq!(mode(data.join("spool")), 0o700);
    if b == Backend::Sqlite {
        assert_eq!(mode(data.clone()), 0o700);
        assert_eq!(mode(data.join("kechuang.db")), 0o600);
    }
}

/// A flood of objections cannot bury a notice: each needs a name and a contact, one address
/// and one notice take a bounded number a day, and the bureau dismisses a flood in one step.
async fn an_objection_flood_is_cut_off_and_dismissed_at_once(b: Backend) {
    let env = TestEnv::new(b).await;
    import_registry_samples(&env);
    fund_hte_2018(&env, true);
    env.cli_ok(&["programme", "step", "1", "review"]);
    env.cli_ok(&["programme", "step", "1", "publish"]);
    let server = env.serve().await;
    let object = |client: reqwest::Client, name: &'static str, contact: &'static str| {
        let url = server.url("/api/v1/notices/1/objections");
        async move {
            let res = client
                .post(url)
                .header("accept-language", "en")
                .json(&serde_json::json!({ "name": name, "contact": contact, "text": "材料不实" }))
                .send()
                .await
                .expect("object");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    let (s, body) = object(client_from([127, 0, 9, 1]), "", "").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (422, Some("objection_name_required"))
    );
    let (s, body) = object(client_from([127, 0, 9, 1]), "张三", "").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (422, Some("objection_contact_required"))
    );
    // One address: five a day.
    for i in 0..5 {
        let (s, body) = object(client_from([127, 0, 9, 1]), "张三", "13800000000").await;
        assert_eq!(s, 201, "objection {i}: {body}");
    }
    let (s, body) = object(client_from([127, 0, 9, 1]), "张三", "13800000000").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (409, Some("objections_rate_limited"))
    );
    // Many addresses: the notice takes a hundred a day, then no more.
    for i in 0..95u8 {
        let (s, body) = object(client_from([127, 0, 10, i + 1]), "李四", "13900000000").await;
        assert_eq!(s, 201, "address {i}: {body}");
    }
    let (s, body) = object(client_from([127, 0, 11, 1]), "王五", "13700000000").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (409, Some("notice_flooded")),
        "{body}"
    );
    let batch = server.get_json("/api/v1/batches/1").await;
    assert_eq!(batch["batch"]["open_objections"], 100);
    // The bureau dismisses one address's five, then the rest, in two steps.
    let dismiss = |body: Value| {
        server
            .client
            .post(server.url("/api/v1/batches/1/objections/dismissals"))
            .bearer_auth(&server.token)
            .json(&body)
            .send()
    };
    let res = dismiss(serde_json::json!({ "from": "127.0.9.1", "resolution": "重复提交" }))
        .await
        .expect("dismiss");
    assert_eq!(res.json::<Value>().await.expect("json")["dismissed"], 5);
    let res = dismiss(serde_json::json!({ "resolution": "经核查，异议不成立" }))
        .await
        .expect("dismiss");
    assert_eq!(res.json::<Value>().await.expect("json")["dismissed"], 95);
    let batch = server.get_json("/api/v1/batches/1").await;
    assert_eq!(batch["batch"]["open_objections"], 0);
    let audit = env.cli_ok(&["audit", "list", "--entity", "batch", "--limit", "50"]);
    assert_eq!(
        audit.matches("objection.dismiss_many").count(),
        2,
        "{audit}"
    );
}

/// Every table of a backup file as sorted JSON rows, to compare two databases whatever
/// backend they were taken from. The count change log is not data (restores leave it out)
/// and is not compared.
async fn tables_of(file: &std::path::Path) -> std::collections::BTreeMap<String, Vec<String>> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=ro", file.display()))
        .await
        .expect("open backup");
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' AND name NOT IN ('count_changes', 'count_log') \
         ORDER BY name",
    )
    .fetch_all(&mut db)
    .await
    .expect("tables");
    let mut out = std::collections::BTreeMap::new();
    for t in names {
        let cols: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{t}\")"))
            .fetch_all(&mut db)
            .await
            .expect("columns")
            .iter()
            .map(|r| r.get::<String, _>(1))
            .collect();
        let list = cols
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT json_array({list}) AS r FROM \"{t}\" ORDER BY r"
        ))
        .fetch_all(&mut db)
        .await
        .expect("rows");
        out.insert(t, rows);
    }
    out
}

/// A backup taken while the server runs restores into a fresh SQLite and a fresh PostgreSQL
/// database: every table the same, the audit chain whole, the dashboard the same.
async fn a_backup_taken_while_serving_restores_into_either_backend(b: Backend) {
    let env = TestEnv::new(b).await;
    import_registry_samples(&env);
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    fund_hte_2018(&env, true);
    let server = env.serve().await;
    let targets = "/api/v1/plans/1/targets?as_of=2020-12-31";
    let dashboard = server.get_json(targets).await;
    let file = env.dir.path().join("kechuang-backup.db");
    let out = env.cli_ok(&["backup", file.to_str().expect("path")]);
    assert!(out.contains("backed up"), "{out}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("backup")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "a backup is the operator's only");
    }
    // A backup never overwrites a file.
    let again = env.cli(&["backup", file.to_str().expect("path")]);
    assert!(!again.status.success());
    let source = tables_of(&file).await;
    assert!(source["enterprises"].len() > 10 && !source["audit_log"].is_empty());
    for target in [Backend::Sqlite, Backend::Postgres] {
        let fresh = TestEnv::new(target).await;
        let out = fresh.cli_ok(&["restore", file.to_str().expect("path")]);
        assert!(out.contains("audit chain"), "{out}");
        // Restoring twice is refused: the database is no longer empty.
        let twice = fresh.cli(&["restore", file.to_str().expect("path")]);
        assert!(!twice.status.success(), "{b:?} → {target:?}");
        let verify = fresh.cli_ok(&["audit", "verify"]);
        assert!(!verify.contains("broken"), "{verify}");
        let copy = fresh.dir.path().join("copy.db");
        let out = fresh.cli(&["backup", copy.to_str().expect("path")]);
        assert!(
            out.status.success(),
            "backup of the restored copy, {b:?} → {target:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let restored = tables_of(&copy).await;
        for (t, rows) in &source {
            assert_eq!(rows, &restored[t], "{t}, {b:?} → {target:?}");
        }
        fresh.same_token_as(&env);
        let served = fresh.serve().await;
        assert_eq!(
            served.get_json(targets).await,
            dashboard,
            "the dashboard, {b:?} → {target:?}"
        );
    }
}

/// How many rows a query counts, straight from the database.
async fn count(env: &TestEnv, sql: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&env.database_url())
        .await
        .expect("db");
    sqlx::query_scalar(sql).fetch_one(&mut db).await.expect(sql)
}

/// The server is killed (`kill -9`) at a random moment while it imports a large registry
/// file, while it commits a batch and while it pays one, again and again: afterwards the database holds the whole
/// operation or none of it, the audit chain verifies and the next start is clean.
async fn a_server_killed_mid_write_leaves_all_or_nothing(b: Backend) {
    const TRIALS: usize = 20;
    const ROWS: usize = 3000;
    let env = TestEnv::new(b).await;
    import_registry_samples(&env);
    fund_hte_2018(&env, false);
    let token = env.bureau_token();
    let (mut whole, mut none) = (0, 0);
    for trial in 0..TRIALS {
        let mut csv = String::from("统一社会信用代码,企业名称,所属县区\n");
        for j in 0..ROWS {
            let uscc =
                kechuang_domain::uscc::Uscc::complete("91440203", &format!("{trial:02}{j:06}"))
                    .expect("uscc");
            csv.push_str(&format!(
                "{},压测{trial}-{j}有限公司,武江区\n",
                uscc.as_str()
            ));
        }
        let server = env.serve().await;
        let send = server
            .client
            .post(server.url("/api/v1/imports/enterprises?file_name=big.csv&dry_run=false"))
            .bearer_auth(&token)
            .body(csv)
            .send();
        let request = tokio::spawn(send);
        tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(0..400))).await;
        server.kill_9();
        let _ = request.await;
        let n = count(
            &env,
            &format!("SELECT COUNT(*) FROM enterprises WHERE name LIKE '压测{trial}-%'"),
        )
        .await;
        match n {
            0 => none += 1,
            n if n == ROWS as i64 => whole += 1,
            n => panic!("import trial {trial}: {n} of {ROWS} rows after kill -9"),
        }
        let verify = env.cli_ok(&["audit", "verify"]);
        assert!(!verify.contains("broken"), "{verify}");
    }
    eprintln!(
        "kill -9 during a {ROWS}-row import ({b:?}): {TRIALS} trials, {whole} whole, {none} none, 0 partial"
    );
    let (mut whole, mut none) = (0, 0);
    for trial in 0..TRIALS {
        let server = env.serve().await;
        let send = server
            .client
            .post(server.url("/api/v1/programmes/hte-certified/batches"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "year": 2018 }))
            .send();
        let request = tokio::spawn(send);
        tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(0..60))).await;
        server.kill_9();
        let _ = request.await;
        // A batch is there with all its awards and its audit entry, or not at all.
        let batches = count(
            &env,
            "SELECT COUNT(*) FROM award_batches WHERE status = 'submitted'",
        )
        .await;
        let hollow = count(
            &env,
            "SELECT COUNT(*) FROM award_batches b WHERE NOT EXISTS \
             (SELECT 1 FROM awards a WHERE a.batch_id = b.id)",
        )
        .await;
        assert_eq!(
            hollow, 0,
            "commit trial {trial}: a batch without its awards"
        );
        let audited = count(
            &env,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'batch.commit'",
        )
        .await;
        let made = count(&env, "SELECT COUNT(*) FROM award_batches").await;
        assert_eq!(
            audited, made,
            "commit trial {trial}: every batch audited once"
        );
        match batches {
            0 => none += 1,
            1 => {
                whole += 1;
                // Voided, so the next trial finds the same awards due again.
                let id = count(&env, "SELECT MAX(id) FROM award_batches").await;
                env.cli_ok(&[
                    "programme",
                    "step",
                    &id.to_string(),
                    "void",
                    "--comment",
                    "试验",
                ]);
            }
            n => panic!("commit trial {trial}: {n} open batches"),
        }
        let verify = env.cli_ok(&["audit", "verify"]);
        assert!(!verify.contains("broken"), "{verify}");
    }
    eprintln!(
        "kill -9 during a batch commit ({b:?}): {TRIALS} trials, {whole} whole, {none} none, 0 partial"
    );
    // Payments: each trial approves a batch of one award (the budget grows by one award's
    // 30 万元 a trial, so each commit takes the next one due), then pays it and is killed.
    let (mut whole, mut none) = (0, 0);
    for trial in 0..TRIALS {
        let budget = format!("{}万元", 30 * (trial + 1));
        env.cli_ok(&[
            "programme",
            "budget",
            "hte-certified",
            "--year",
            "2018",
            "--amount",
            &budget,
        ]);
        env.cli_ok(&["programme", "batch", "hte-certified", "--year", "2018"]);
        let id = count(&env, "SELECT MAX(id) FROM award_batches")
            .await
            .to_string();
        env.cli_ok(&["programme", "step", &id, "review"]);
        env.cli_ok(&[
            "programme",
            "step",
            &id,
            "publish",
            "--notice-start",
            "2018-12-01",
        ]);
        env.cli_ok(&["programme", "step", &id, "approve"]);
        let server = env.serve().await;
        let send = server
            .client
            .post(server.url(&format!("/api/v1/batches/{id}/steps")))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "action": "pay", "paid_on": "2019-01-10", "payment_ref": "韶科拨〔2019〕1号",
            }))
            .send();
        let request = tokio::spawn(send);
        tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(0..40))).await;
        server.kill_9();
        let _ = request.await;
        let awards = count(
            &env,
            &format!("SELECT COUNT(*) FROM awards WHERE batch_id = {id}"),
        )
        .await;
        let payments = count(
            &env,
            &format!(
                "SELECT COUNT(*) FROM ledger_entries l JOIN awards a ON a.id = l.award_id \
                 WHERE a.batch_id = {id} AND l.entry = 'payment'"
            ),
        )
        .await;
        let paid = count(
            &env,
            &format!("SELECT COUNT(*) FROM award_batches WHERE id = {id} AND status = 'paid'"),
        )
        .await;
        match (payments, paid) {
            (0, 0) => none += 1,
            (p, 1) if p == awards => whole += 1,
            other => {
                panic!("payment trial {trial}: (payments, paid) = {other:?} of {awards} awards")
            }
        }
        let verify = env.cli_ok(&["audit", "verify"]);
        assert!(!verify.contains("broken"), "{verify}");
    }
    eprintln!(
        "kill -9 during a payment ({b:?}): {TRIALS} trials, {whole} whole, {none} none, 0 partial"
    );
    // The next start is clean.
    let server = env.serve().await;
    assert_eq!(server.get_json("/healthz").await["status"], "ok");
}

/// A client that trickles its headers is cut off after the header deadline, and the server
/// answers others meanwhile.
async fn a_slow_client_is_cut_off(b: Backend) {
    use std::io::{Read, Write};
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let addr = server.url.trim_start_matches("http://").to_owned();
    let slow = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .expect("partial headers");
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("timeout");
        let mut buf = Vec::new();
        // The server closes the connection (perhaps after a 408), which ends the read; had it
        // waited for the rest of the headers, the client's own 30 s timeout would end it
        // with an error instead.
        let ended = s.read_to_end(&mut buf);
        (
            ended.map_err(|e| e.kind()),
            String::from_utf8_lossy(&buf).into_owned(),
        )
    });
    assert_eq!(server.get_json("/healthz").await["status"], "ok");
    let (ended, answer) = slow.join().expect("slow client");
    assert!(ended.is_ok(), "the server kept the connection: {ended:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );
}

/// Every kept text input has a length: past it the request is refused with the field named,
/// and nothing is written (not even an audit entry).
async fn an_over_long_text_is_refused_unwritten(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let rows = csv_rows("enterprises-sample.csv");
    let send = |method: reqwest::Method, path: &str, body: Value| {
        server
            .client
            .request(method, server.url(path))
            .bearer_auth(&server.token)
            .header("accept-language", "en")
            .json(&body)
            .send()
    };
    let entries = || async { server.get_json("/api/v1/audit/verify").await["entries"].clone() };
    let before = entries().await;
    let refused = |res: reqwest::Response, field: &'static str| async move {
        assert_eq!(res.status().as_u16(), 422);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["error"]["code"], "too_long", "{body}");
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("at most"));
    };
    let long_name = "韶关市检测服务中心".repeat(23);
    assert_eq!(long_name.chars().count(), 207);
    let res = send(
        reqwest::Method::POST,
        "/api/v1/providers",
        json!({ "name": long_name, "uscc": rows.iter().map(|r| &r[0]).find(|c| c.len() == 18).expect("a credit code"), "services": "检测" }),
    )
    .await
    .expect("provider");
    refused(res, "name").await;
    let res = send(
        reqwest::Method::POST,
        "/api/v1/calls",
        json!({ "programme": "key-projects", "year": 2018, "title": "申报指南".repeat(51),
                "opens_on": "2018-03-01", "closes_on": "2018-04-01" }),
    )
    .await
    .expect("call");
    refused(res, "title").await;
    let res = send(
        reqwest::Method::PUT,
        "/api/v1/programmes/hte-certified/rules",
        json!({ "name": "高企认定奖励", "eligibility": "true || ".repeat(2_600) + "true",
                "amount": "wan(30)", "notice_days": 7 }),
    )
    .await
    .expect("rules");
    refused(res, "rule").await;
    assert_eq!(
        server.get_json("/api/v1/providers").await["items"],
        json!([])
    );
    assert_eq!(server.get_json("/api/v1/calls").await["items"], json!([]));
    assert_eq!(
        entries().await,
        before,
        "nothing was audited, so nothing was written"
    );
    // A password the login would refuse unread cannot be set.
    let out = env.cli_stdin(
        &[
            "user",
            "add",
            "longpw",
            "--role",
            "bureau",
            "--region",
            "440200",
            "--password-stdin",
        ],
        &format!("Ab1!{}\n", "x".repeat(1_100)),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password_too_long"));
}

on_both_backends!(
    an_over_long_text_is_refused_unwritten,
    a_slow_client_is_cut_off,
    a_server_killed_mid_write_leaves_all_or_nothing,
    a_backup_taken_while_serving_restores_into_either_backend,
    an_objection_flood_is_cut_off_and_dismissed_at_once,
    private_answers_and_private_files,
    hostile_spreadsheets_are_refused_and_the_server_keeps_answering,
    a_county_written_with_its_city_in_front_is_filed_under_the_county,
);
