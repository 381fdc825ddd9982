//! Funding programmes as the bureau uses them: the `hte-certified` batch reward from the
//! certificates imported, paid once whatever is re-imported or re-run; review, public notice,
//! objections and approval in their order; budgets that hold against simultaneous approvals;
//! and the ledger feeding target 4.2.1.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn due_of(stdout: &str) -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(stdout)
        .unwrap_or_else(|e| panic!("JSON list expected ({e}): {stdout}"))
}

fn usccs(list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|e| e["uscc"].as_str().expect("uscc").to_owned())
        .collect()
}

async fn batch_rewards_pay_each_first_certificate_once(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    let expected = first_certified_in(2018);
    assert!(
        expected.len() > 5,
        "the sample has first certificates in 2018"
    );
    let batch = |extra: &[&str]| {
        let mut args = vec![
            "programme",
            "batch",
            "hte-certified",
            "--year",
            "2018",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        env.cli(&args)
    };

    // The dry run lists exactly the first certifications of 2018, 300,000 yuan each.
    let out = batch(&["--dry-run"]);
    assert!(out.status.success());
    let due = due_of(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(usccs(&due), expected);
    assert!(due.iter().all(|e| e["amount_fen"] == 30_000_000));
    assert!(due
        .iter()
        .all(|e| e["basis"].as_str().is_some_and(|b| b.contains("首次认定"))));
    assert!(String::from_utf8_lossy(&out.stderr).contains("预算"));

    // No budget, no batch: nothing is written.
    let out = batch(&[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("尚未设置 2018 年预算"));
    // The same refusal for an officer who reads English, with its stable code.
    let out = env.cli(&[
        "programme",
        "batch",
        "hte-certified",
        "--year",
        "2018",
        "--lang",
        "en",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("error[no_budget]: hte-certified has no budget for 2018"),
        "{stderr}"
    );
    assert_eq!(env.cli_ok(&["programme", "batches"]).trim(), "");

    env.cli_ok(&[
        "programme",
        "budget",
        "hte-certified",
        "--year",
        "2018",
        "--amount",
        "1亿元",
    ]);
    let out = batch(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        usccs(&due_of(&String::from_utf8_lossy(&out.stdout))),
        expected
    );

    // Committing again, or after re-importing the certificates, pays nobody twice.
    let again = batch(&[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("没有应奖补"));
    import_registry_samples(&env);
    let out = batch(&["--dry-run"]);
    assert_eq!(
        due_of(&String::from_utf8_lossy(&out.stdout)),
        Vec::<Value>::new()
    );
    let batches = env.cli_ok(&["programme", "batches"]);
    assert_eq!(batches.lines().count(), 1, "{batches}");

    // A later list with a renewal and a new enterprise's first certificate: only the new
    // enterprise is due; the renewal is not a first certification.
    let renewed = expected.iter().next().expect("one").clone();
    let file = env.write(
        "later.csv",
        &format!(
            "证书编号,统一社会信用代码,企业名称,所属县区,发证日期\n\
             GR201844009001,{renewed},,,2018-12-28\n\
             GR201844009002,9144030071526726XG,韶关市新来科技有限公司,武江区,2018-12-28\n"
        ),
    );
    env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        file.to_str().expect("path"),
    ]);
    let out = batch(&["--dry-run"]);
    let due = due_of(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        usccs(&due),
        BTreeSet::from(["9144030071526726XG".to_owned()])
    );

    // The database itself refuses a second award of the same event, whatever the code does.
    let store = env.store().await;
    let programme = store.programme("hte-certified").await.expect("programme");
    let twice = kechuang_domain::programme::Entitlement {
        uscc: renewed.clone(),
        name: "重复".into(),
        region_code: "440203".into(),
        basis_key: renewed.clone(),
        basis: "重复".into(),
        event_on: "2018-12-28".into(),
        amount: kechuang_domain::money::Fen(30_000_000),
        priority: 0.0,
    };
    let err = store
        .commit_batch(
            &programme,
            2018,
            &[twice],
            &kechuang_store::Actor::new("test", "test"),
        )
        .await
        .expect_err("a second award of the same key");
    assert!(err.to_string().contains("已在其他批次"), "{err}");
    assert_eq!(store.batches(None).await.expect("batches").len(), 1);
}

/// A bureau officer's session on the pages, and the step API with its token.
/// A step on a batch as the bureau takes it: approvals by a second officer (`approver`), as
/// separation of duties asks of a batch the first officer (`server.token`) generated.
async fn step_by(server: &Server, approver: &str, batch: i64, body: Value) -> (u16, Value) {
    let token = if body["action"] == "approve" {
        approver
    } else {
        server.token.as_str()
    };
    let res = server
        .client
        .post(server.url(&format!("/api/v1/batches/{batch}/steps")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("step");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn commit(server: &Server, code: &str, year: i32) -> (u16, Value) {
    let res = server
        .client
        .post(server.url(&format!("/api/v1/programmes/{code}/batches")))
        .bearer_auth(&server.token)
        .json(&json!({ "year": year }))
        .send()
        .await
        .expect("commit");
    let status = res.status().as_u16();
    (status, res.json().await.expect("json"))
}

async fn set_budget(server: &Server, code: &str, year: i32, amount: Value) -> u16 {
    server
        .client
        .put(server.url(&format!("/api/v1/programmes/{code}/budgets/{year}")))
        .bearer_auth(&server.token)
        .json(&json!({ "amount": amount }))
        .send()
        .await
        .expect("budget")
        .status()
        .as_u16()
}

async fn a_budget_holds_against_simultaneous_approvals(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    let server = env.serve().await;
    let approver = env.approver_token();
    let n = first_certified_in(2018).len() as i64;
    // Two batches of the same year: the first takes 60% of the events, the second the rest.
    let first = n * 6 / 10;
    assert_eq!(
        set_budget(&server, "hte-certified", 2018, json!(first * 30_000_000)).await,
        200
    );
    let (s, a) = commit(&server, "hte-certified", 2018).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(
        set_budget(&server, "hte-certified", 2018, json!("1亿元")).await,
        200
    );
    let (s, b) = commit(&server, "hte-certified", 2018).await;
    assert_eq!(s, 201, "{b}");
    let (a, b) = (
        a["batch"]["id"].as_i64().expect("id"),
        b["batch"]["id"].as_i64().expect("id"),
    );
    // Now the budget holds either batch but not both.
    let budget = (n - 1) * 30_000_000;
    assert_eq!(
        set_budget(&server, "hte-certified", 2018, json!(budget)).await,
        200
    );
    for id in [a, b] {
        assert_eq!(
            step_by(&server, &approver, id, json!({"action": "review"}))
                .await
                .0,
            200
        );
        let (s, v) = step_by(
            &server,
            &approver,
            id,
            json!({"action": "publish", "notice_start": "2018-12-01"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
    let (ra, rb) = tokio::join!(
        step_by(&server, &approver, a, json!({"action": "approve"})),
        step_by(&server, &approver, b, json!({"action": "approve"}))
    );
    let statuses = [ra.0, rb.0];
    assert!(
        statuses.contains(&200) && statuses.contains(&409),
        "exactly one approval may pass: {statuses:?} {ra:?} {rb:?}"
    );
    let refused = if ra.0 == 409 { &ra.1 } else { &rb.1 };
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|e| e.contains("预算不足")),
        "{refused}"
    );
    let programmes = server.get_json("/api/v1/programmes").await;
    let line = programmes["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["programme"]["code"] == "hte-certified")
        })
        .and_then(|i| i["budgets"].as_array())
        .and_then(|b| b.iter().find(|b| b["year"] == 2018))
        .cloned()
        .expect("budget line");
    assert!(line["committed"].as_i64().expect("committed") <= budget);
    assert!(line["committed"].as_i64().expect("committed") > 0);
    // Two payments of the approved batch at once: one pays, the other is refused, and each
    // award is paid once (the ledger's unique key, not only a check in code).
    let approved = if ra.0 == 200 { a } else { b };
    let pay = json!({"action": "pay", "paid_on": "2019-01-10", "payment_ref": "韶科拨〔2019〕1号"});
    let (pa, pb) = tokio::join!(
        step_by(&server, &approver, approved, pay.clone()),
        step_by(&server, &approver, approved, pay)
    );
    let mut paid = [pa.0, pb.0];
    paid.sort_unstable();
    assert_eq!(paid, [200, 409], "exactly one payment: {pa:?} {pb:?}");
    let detail = server
        .get_json(&format!("/api/v1/batches/{approved}"))
        .await;
    let awards = detail["awards"].as_array().map_or(0, Vec::len);
    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&env.database_url())
        .await
        .expect("db");
    let payments: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_entries l JOIN awards a ON a.id = l.award_id \
         WHERE a.batch_id = $1 AND l.entry = 'payment'",
    )
    .bind(approved)
    .fetch_one(&mut db)
    .await
    .expect("payments");
    assert_eq!(payments, awards as i64, "each award paid once");
    // The budget cannot be cut below what is committed.
    assert_eq!(
        set_budget(&server, "hte-certified", 2018, json!(0)).await,
        409
    );
}

async fn notice_objections_and_payment_follow_their_order(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    env.add_user("officer", "bureau", &["--region", "440200"]);
    // A command-line action is recorded under the account given with --as, which must exist.
    let budget = ["programme", "budget", "hte-certified", "--year", "2020"];
    let refused = env.cli(&[&["--as", "nobody"][..], &budget, &["--amount", "10万元"]].concat());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nobody"));
    env.cli_ok(&[&["--as", "officer"][..], &budget, &["--amount", "20万元"]].concat());
    let server = env.serve().await;
    let trail = server.get_json("/api/v1/audit?entity=budget").await;
    let entries = trail["items"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "the refused run wrote nothing: {trail}");
    assert_eq!(entries[0]["actor"], "officer");
    assert_eq!(entries[0]["client"], "cli");
    let approver = env.approver_token();
    assert_eq!(
        set_budget(&server, "hte-certified", 2019, json!("1亿元")).await,
        200
    );
    let (s, v) = commit(&server, "hte-certified", 2019).await;
    assert_eq!(s, 201, "{v}");
    let id = v["batch"]["id"].as_i64().expect("id");
    let total = v["batch"]["total"].as_i64().expect("total");
    let first_award = server.get_json(&format!("/api/v1/batches/{id}")).await["awards"][0].clone();

    // Out of order: no approval before review and notice.
    let (s, v) = step_by(&server, &approver, id, json!({"action": "approve"})).await;
    assert_eq!(s, 409);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|e| e.contains("待审核")),
        "{v}"
    );
    assert_eq!(
        step_by(&server, &approver, id, json!({"action": "review"}))
            .await
            .0,
        200
    );
    // The notice starts today: it runs, so it can be objected to and not yet approved.
    assert_eq!(
        step_by(&server, &approver, id, json!({"action": "publish"}))
            .await
            .0,
        200
    );
    let (s, page) = server.get_anon(&format!("/notices/{id}")).await;
    assert_eq!(s, 200);
    assert!(page.contains(first_award["name"].as_str().expect("name")));
    let (s, list) = server.get_anon("/api/v1/notices").await;
    assert_eq!(s, 200);
    assert!(list.contains("\"running\":true"), "{list}");
    let res = server
        .client
        .post(server.url(&format!("/notices/{id}/objections")))
        .form(&[
            ("award", first_award["id"].to_string()),
            ("text", "该企业2019年并未取得高企证书。".into()),
            ("name", "张三".into()),
            ("contact", "13800000000".into()),
        ])
        .send()
        .await
        .expect("object");
    assert_eq!(
        res.status().as_u16(),
        303,
        "an objection is taken from anyone who gives a name and a contact"
    );
    let empty = server
        .client
        .post(server.url(&format!("/notices/{id}/objections")))
        .form(&[("text", "  "), ("name", "李四"), ("contact", "13900000000")])
        .send()
        .await
        .expect("object");
    assert_eq!(
        empty.status().as_u16(),
        422,
        "an empty objection is refused"
    );
    let (s, v) = step_by(&server, &approver, id, json!({"action": "approve"})).await;
    assert_eq!(s, 409);
    assert_eq!(v["error"]["code"], "notice_running", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|e| e.contains("公示期")),
        "{v}"
    );
    assert!(v["error"]["details"]["end"].is_string(), "{v}");

    // The bureau upholds the objection: that award is withdrawn and the total drops.
    let detail = server.get_json(&format!("/api/v1/batches/{id}")).await;
    let objection = detail["objections"][0]["id"].as_i64().expect("objection");
    let session = server.login("officer", PASSWORD).await;
    let res = session
        .with_csrf(
            Method::POST,
            &format!("/batches/{id}/objections/{objection}"),
        )
        .form(&[("decision", "uphold"), ("resolution", "经核实，异议成立。")])
        .send()
        .await
        .expect("resolve");
    assert_eq!(res.status().as_u16(), 303);
    let detail = server.get_json(&format!("/api/v1/batches/{id}")).await;
    assert_eq!(detail["batch"]["total"].as_i64(), Some(total - 30_000_000));
    assert_eq!(detail["batch"]["open_objections"], 0);
    assert_eq!(
        detail["awards"]
            .as_array()
            .map(|a| a.iter().filter(|x| x["status"] == "withdrawn").count()),
        Some(1)
    );
    // The withdrawn event is not batched again.
    let preview = server
        .get_json("/api/v1/programmes/hte-certified/preview?year=2019")
        .await;
    assert!(
        preview["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .all(|l| l["status"] == "already_awarded"),
        "{preview}"
    );
    // The preview filters by status and downloads whole, every line with its status.
    let (_, due_only) = server.get("/programmes/hte-certified?year=2019").await;
    assert!(
        due_only.contains("没有应奖补的新对象"),
        "nothing is due any more"
    );
    let (_, already) = server
        .get("/programmes/hte-certified?year=2019&show=already")
        .await;
    assert!(
        already.contains(&format!("已奖补 · 批次 {id}")),
        "{already}"
    );
    let res = server
        .client
        .get(server.url("/programmes/hte-certified/preview/preview-2019.csv"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("export");
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.expect("csv");
    assert!(csv.contains("企业名称") && csv.contains("已奖补"), "{csv}");
    // The trail reads as labelled fields: statuses by name, amounts in 元, no JSON.
    let (_, audit) = server.get("/audit?entity=award_batch").await;
    assert!(
        audit.contains("公示中") && audit.contains("合计金额（元）"),
        "{audit}"
    );
    let yuan = format!("{}", total / 100);
    let grouped = yuan
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).expect("digits"))
        .collect::<Vec<_>>()
        .join(",");
    assert!(audit.contains(&grouped), "the total in 元: {grouped}");
    assert!(
        !audit.contains("total_fen") && !audit.contains("&#34;"),
        "no stored JSON on the page"
    );
}

async fn payments_feed_the_project_funds_target(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    let server = env.serve().await;
    let approver = env.approver_token();
    let before = server
        .get_json("/api/v1/plans/1/targets?as_of=2018-12-31")
        .await;
    assert_eq!(target(&before, "4.2.1")["status"], "no_data");
    assert_eq!(
        set_budget(&server, "hte-certified", 2018, json!("1亿元")).await,
        200
    );
    let (_, v) = commit(&server, "hte-certified", 2018).await;
    let id = v["batch"]["id"].as_i64().expect("id");
    let total = v["batch"]["total"].as_i64().expect("total");
    for body in [
        json!({"action": "review"}),
        json!({"action": "publish", "notice_start": "2018-12-01"}),
        json!({"action": "approve"}),
        json!({"action": "pay", "paid_on": "2018-12-20", "payment_ref": "韶科拨〔2018〕12号"}),
    ] {
        let (s, v) = step_by(&server, &approver, id, body.clone()).await;
        assert_eq!(s, 200, "{body}: {v}");
    }
    let (s, v) = step_by(&server, &approver, id, json!({"action": "pay"})).await;
    assert_eq!(s, 409, "paid once: {v}");
    // 4.2.1 is in 万元: the year's payments, from the ledger.
    let after = server
        .get_json("/api/v1/plans/1/targets?as_of=2018-12-31")
        .await;
    assert_eq!(
        target(&after, "4.2.1")["current"]["value"].as_f64(),
        Some(total as f64 / 1_000_000.0)
    );
    // The grants are open data, with the recipient and the amount in yuan.
    let (s, body) = server.get_anon("/api/v1/grants").await;
    assert_eq!(s, 200);
    let grants: Value = serde_json::from_str(&body).expect("json");
    let grants = grants["grants"].as_array().expect("grants");
    assert_eq!(grants.len() as i64, total / 30_000_000);
    assert_eq!(grants[0]["amountAwarded"], 300000.0);
    assert_eq!(grants[0]["currency"], "CNY");
    assert!(grants[0]["recipientOrganization"][0]["id"]
        .as_str()
        .is_some_and(|s| s.starts_with("CN-USCC-")));
    // The ledger and the platform list download whole, with names beside codes.
    for (path, expect) in [
        ("/programmes/hte-certified/ledger/ledger.csv", "拨付"),
        ("/platforms/export/platforms.csv", "平台名称"),
    ] {
        let res = server
            .client
            .get(server.url(path))
            .bearer_auth(&server.token)
            .send()
            .await
            .expect("export");
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let csv = res.text().await.expect("csv");
        assert!(csv.contains(expect), "{path}: {csv:.300}");
        assert!(csv.lines().count() > 2, "{path} has rows");
    }
    // The finance department's payment list.
    let res = server
        .client
        .get(server.url(&format!("/batches/{id}/export/payment.xlsx")))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("export");
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "an XLSX file");
}

/// A browser-like session posting a multipart form (the application form) from a page of the
/// site, as the browser says with `Sec-Fetch-Site`.
async fn post_application(
    session: &Session,
    id: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    if let Some((slot, name, bytes)) = file {
        form = form.part(
            format!("file_{slot}"),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    let res = session
        .request(Method::POST, &format!("/applications/{id}"))
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("post application");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

async fn form_post(session: &Session, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = session
        .with_csrf(Method::POST, path)
        .form(form)
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = res.text().await.unwrap_or_default();
    (status, if status == 303 { location } else { body })
}

async fn rules_are_edited_on_the_page_only_when_they_run(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    let server = env.serve().await;
    let bureau = server.login("kejiju", PASSWORD).await;
    let rules = |eligibility: &'static str, amount: &'static str| {
        [
            ("name", "国家高新技术企业认定奖补"),
            ("basis", "韶府〔2017〕1号"),
            ("eligibility", eligibility),
            ("amount", amount),
            ("priority", ""),
            ("notice_days", "10"),
            ("description", ""),
        ]
    };
    let (s, page) = form_post(
        &bureau,
        "/programmes/hte-certified/rules",
        &rules("certificate.frist", "wan(20)"),
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("frist"), "{page:.300}");
    let (s, _) = form_post(
        &bureau,
        "/programmes/hte-certified/rules",
        &rules(
            "in_region && certificate.issued_year == year && certificate.first",
            "wan(20)",
        ),
    )
    .await;
    assert_eq!(s, 303);
    let preview = server
        .get_json("/api/v1/programmes/hte-certified/preview?year=2018")
        .await;
    let lines = preview["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), first_certified_in(2018).len());
    assert!(lines.iter().all(|l| l["amount_fen"] == 20_000_000));
    // The same through the API: refused with a code and an English reason, then saved.
    let put = |body: serde_json::Value| {
        server
            .client
            .put(server.url("/api/v1/programmes/hte-certified/rules"))
            .bearer_auth(&server.token)
            .header("accept-language", "en")
            .json(&body)
            .send()
    };
    let res = put(serde_json::json!({
        "name": "国家高新技术企业认定奖补", "eligibility": "nosuch > 1",
        "amount": "wan(25)", "notice_days": 10,
    }))
    .await
    .expect("put rules");
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rule_unknown_variable");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("'nosuch'") && m.is_ascii()),
        "{body}"
    );
    let res = put(serde_json::json!({
        "name": "国家高新技术企业认定奖补", "basis": "韶府〔2017〕1号",
        "eligibility": "in_region && certificate.issued_year == year && certificate.first",
        "amount": "wan(25)", "notice_days": 10,
    }))
    .await
    .expect("put rules");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["amount"], "wan(25)");
    let preview = server
        .get_json("/api/v1/programmes/hte-certified/preview?year=2018")
        .await;
    assert!(preview["lines"]
        .as_array()
        .is_some_and(|l| l.iter().all(|l| l["amount_fen"] == 25_000_000)));
    let (_, audit) = server.get("/audit?entity=programme").await;
    assert!(audit.contains("wan(20)"), "the change is audited");
    // Spending against budgets, as a spreadsheet.
    let res = server
        .client
        .get(server.url("/programmes/export/budgets.xlsx"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("export");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"));
}

async fn app_step(who: &Session, id: i64, action: &str, comment: &str) -> (u16, String) {
    form_post(
        who,
        &format!("/applications/{id}/steps"),
        &[("action", action), ("comment", comment)],
    )
    .await
}

async fn a_return_voids_earlier_approvals(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    let applicant = csv_rows("enterprises-sample.csv")[2..]
        .iter()
        .find(|r| r[2] == "武江区")
        .map(|r| r[0].clone())
        .expect("an applicant");
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("qiye", "enterprise", &["--uscc", &applicant]);
    for e in ["e1", "e2", "e3"] {
        env.add_user(&format!("expert-{e}"), "expert", &[]);
    }
    let server = env.serve().await;
    let bureau = server.login("kejiju", PASSWORD).await;
    let county = server.login("wujiang", PASSWORD).await;
    let firm = server.login("qiye", PASSWORD).await;
    for e in ["e1", "e2", "e3"] {
        let name = format!("expert-{e}");
        let (s, _) = form_post(
            &bureau,
            "/experts",
            &[
                ("username", &name),
                ("name", &name),
                ("fields", "新材料"),
                ("affiliation", e),
            ],
        )
        .await;
        assert_eq!(s, 303);
    }
    let today = chrono::Utc::now().date_naive();
    let (s, _) = form_post(
        &bureau,
        "/calls",
        &[
            ("programme", "key-projects"),
            ("year", "2026"),
            ("title", "市级科技计划项目"),
            ("opens_on", &(today - chrono::Days::new(1)).to_string()),
            ("closes_on", &(today + chrono::Days::new(20)).to_string()),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (s, location) = form_post(&firm, "/calls/1/apply", &[]).await;
    assert_eq!(s, 303);
    let id: i64 = location
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("id");
    let answers = [
        ("title", "铝箔中试"),
        ("summary", "中试线"),
        ("requested", "40万元"),
        ("total_budget", "100万元"),
        ("ends_on", "2027-06-30"),
    ];
    // A wrong file type is refused with the accepted types; the submission waits.
    let mut with_submit = answers.to_vec();
    with_submit.push(("action", "submit"));
    let (s, page) = post_application(
        &firm,
        id,
        &with_submit,
        Some(("proposal", "申报书.exe", b"MZ")),
    )
    .await;
    assert_eq!(s, 422, "{page:.300}");
    assert!(page.contains("pdf"));
    let (s, _) = post_application(
        &firm,
        id,
        &with_submit,
        Some(("proposal", "申报书.pdf", b"%PDF-1.4")),
    )
    .await;
    assert_eq!(s, 303);
    assert_eq!(app_step(&county, id, "county_pass", "").await.0, 303);
    assert_eq!(app_step(&bureau, id, "bureau_pass", "").await.0, 303);
    assert_eq!(app_step(&bureau, id, "assign", "").await.0, 303);
    let e1 = env.token("expert-e1");
    assert_eq!(
        server
            .get_as(Some(&e1), &format!("/applications/{id}"))
            .await
            .0,
        200
    );

    // Returning needs a reason; it voids the assignments, and a resubmission starts at the
    // county again.
    let (s, _) = app_step(&bureau, id, "return", "").await;
    assert_eq!(s, 422);
    assert_eq!(
        app_step(&bureau, id, "return", "请补充经费预算表").await.0,
        303
    );
    assert_eq!(
        server
            .get_as(Some(&e1), &format!("/applications/{id}"))
            .await
            .0,
        404,
        "the expert's assignment is void"
    );
    let (s, _) = post_application(&firm, id, &with_submit, None).await;
    assert_eq!(s, 303);
    let (s, page) = app_step(&bureau, id, "bureau_pass", "").await;
    assert_eq!(s, 409, "the county reviews again first: {page:.200}");
    assert_eq!(app_step(&county, id, "county_pass", "").await.0, 303);
    // The enterprise cannot review itself.
    assert_eq!(app_step(&firm, id, "bureau_pass", "").await.0, 403);
    let (_, page) = server.get(&format!("/applications/{id}")).await;
    assert!(page.contains("待市局复审"), "{page:.300}");
    assert!(page.contains("请补充经费预算表"));
}

/// Applying forgives: the guide is there to read, "我要申报" twice opens the same draft, a
/// draft can be deleted, a file is kept when a date beside it is wrong, and a submission can
/// be taken back until the county acts.
async fn an_application_forgives(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    let applicant = csv_rows("enterprises-sample.csv")[2..]
        .iter()
        .find(|r| r[2] == "武江区")
        .map(|r| r[0].clone())
        .expect("an applicant");
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("qiye", "enterprise", &["--uscc", &applicant]);
    let server = env.serve().await;
    let bureau = server.login("kejiju", PASSWORD).await;
    let county = server.login("wujiang", PASSWORD).await;
    let firm = server.login("qiye", PASSWORD).await;
    let today = chrono::Utc::now().date_naive();
    let (s, _) = form_post(
        &bureau,
        "/calls",
        &[
            ("programme", "key-projects"),
            ("year", "2026"),
            ("title", "市级科技计划项目"),
            ("opens_on", &(today - chrono::Days::new(1)).to_string()),
            ("closes_on", &(today + chrono::Days::new(20)).to_string()),
        ],
    )
    .await;
    assert_eq!(s, 303);

    // The guide: text and a file the enterprise reads and downloads; a program is refused.
    let guide = "一、申报条件\n在本市注册的企业。\n二、申报材料\n项目申报书。";
    let (s, _) = form_post(&bureau, "/calls/1/guide", &[("guide", guide)]).await;
    assert_eq!(s, 303);
    let bureau_token = env.token("kejiju");
    let upload = |name: &str, body: &'static [u8]| {
        server
            .client
            .put(server.url(&format!(
                "/api/v1/calls/1/files?file_name={}",
                urlencode(name)
            )))
            .bearer_auth(&bureau_token)
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    let res = upload("申报指南.pdf", b"%PDF-1.4 guide")
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 201);
    let res = upload("setup.exe", b"MZ").await.expect("upload");
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "guide_file_type");
    let (s, page) = server.get_as(Some(&env.token("qiye")), "/calls/1").await;
    assert_eq!(s, 200, "an enterprise reads the call");
    assert!(page.contains("在本市注册的企业。") && page.contains("申报指南.pdf"));
    let detail = server.get_json("/api/v1/calls/1").await;
    let file = detail["files"][0]["id"].as_i64().expect("file id");
    let res = firm
        .request(Method::GET, &format!("/calls/1/files/{file}"))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(&res.bytes().await.expect("bytes")[..], b"%PDF-1.4 guide");

    // One draft per enterprise and call.
    let (s, first) = form_post(&firm, "/calls/1/apply", &[]).await;
    assert_eq!(s, 303);
    let (_, again) = form_post(&firm, "/calls/1/apply", &[]).await;
    assert_eq!(first, again, "the same draft opens again");
    let id: i64 = first
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("id");

    // A mistyped date does not cost the file sent with it; a date written 2028/06/30 is a date.
    let mut answers = vec![
        ("title", "铝箔中试"),
        ("summary", "中试线"),
        ("requested", "40万元"),
        ("total_budget", "100万元"),
        ("ends_on", "明年六月"),
        ("action", "submit"),
    ];
    let (s, page) = post_application(
        &firm,
        id,
        &answers,
        Some(("proposal", "申报书.pdf", b"%PDF-1.4 proposal")),
    )
    .await;
    assert_eq!(s, 422, "{page:.300}");
    let page = firm
        .request(Method::GET, &format!("/applications/{id}"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("申报书.pdf"), "the file is kept");
    // A date stored before is not erased by a mistyped one sent later.
    let dated = [
        ("title", "铝箔中试"),
        ("ends_on", "2028-06-30"),
        ("action", "save"),
    ];
    assert_eq!(post_application(&firm, id, &dated, None).await.0, 303);
    let typo = [
        ("title", "铝箔中试线"),
        ("ends_on", "明年"),
        ("action", "save"),
    ];
    assert_eq!(post_application(&firm, id, &typo, None).await.0, 422);
    let (_, a) = server
        .get_as(
            Some(&env.token("qiye")),
            &format!("/api/v1/applications/{id}"),
        )
        .await;
    assert!(
        a.contains(r#""ends_on":"2028-06-30""#) && a.contains("铝箔中试线"),
        "the stored date stays, the new title is kept: {a}"
    );
    answers[4] = ("ends_on", "2028/06/30");
    let (s, _) = post_application(&firm, id, &answers, None).await;
    assert_eq!(s, 303, "submitted with the file kept before");

    // Taken back before the county acts, and deleted as a draft.
    assert_eq!(app_step(&firm, id, "recall", "").await.0, 303);
    let qiye = env.token("qiye");
    let (s, a) = server
        .get_as(Some(&qiye), &format!("/api/v1/applications/{id}"))
        .await;
    assert_eq!(s, 200);
    assert!(a.contains(r#""status":"draft""#), "{a}");
    let (s, location) = form_post(&firm, &format!("/applications/{id}/delete"), &[]).await;
    assert_eq!((s, location.as_str()), (303, "/calls/1"));
    assert_eq!(
        server
            .get_as(Some(&qiye), &format!("/api/v1/applications/{id}"))
            .await
            .0,
        404
    );
    // A submission the county has passed can no longer be taken back.
    let (_, second) = form_post(&firm, "/calls/1/apply", &[]).await;
    let id2: i64 = second
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("id");
    assert_ne!(id2, id);
    let (s, _) = post_application(
        &firm,
        id2,
        &answers,
        Some(("proposal", "申报书.pdf", b"%PDF-1.4")),
    )
    .await;
    assert_eq!(s, 303);
    assert_eq!(app_step(&county, id2, "county_pass", "").await.0, 303);
    assert_eq!(app_step(&firm, id2, "recall", "").await.0, 409);
    let res = bureau
        .request(Method::GET, "/calls/1/export/applications.csv")
        .send()
        .await
        .expect("export");
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.expect("csv");
    assert!(
        csv.contains("铝箔中试") && csv.contains(&applicant),
        "{csv}"
    );
    let res = firm
        .with_csrf(Method::POST, &format!("/applications/{id2}/delete"))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status().as_u16(), 409, "only a draft is deleted");
}

async fn a_voucher_is_redeemed_once_and_only_before_expiry(backend: Backend) {
    let env = TestEnv::new(backend).await;
    import_registry_samples(&env);
    let smes: Vec<String> = csv_rows("enterprises-sample.csv")[2..5]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let file = env.write(
        "tech-sme.csv",
        &format!(
            "证书编号,统一社会信用代码,发证日期\n2019440200001,{},2019-05-10\n2019440200002,{},2019-05-10\n2018440200003,{},2018-05-10\n",
            smes[0], smes[1], smes[2]
        ),
    );
    env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "tech_sme",
        file.to_str().expect("path"),
    ]);
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("qiye", "enterprise", &["--uscc", &smes[0]]);
    let server = env.serve().await;
    let bureau = server.login("kejiju", PASSWORD).await;
    let expires = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    for _ in 0..2 {
        let (s, page) = form_post(
            &bureau,
            "/vouchers/issue",
            &[("year", "2019"), ("expires_on", &expires)],
        )
        .await;
        assert_eq!(s, 303, "{page:.300}");
    }
    let (s, _) = form_post(
        &bureau,
        "/vouchers/providers",
        &[
            ("name", "韶关市检测技术服务中心"),
            ("uscc", "9144030071526726XG"),
            ("services", "检验检测"),
        ],
    )
    .await;
    assert_eq!(s, 303);

    let store = env.store().await;
    let vouchers = store.vouchers(None).await.expect("vouchers");
    assert_eq!(vouchers.len(), 2, "the 2019 registrations, once each");
    let own = vouchers
        .iter()
        .find(|v| v.uscc == smes[0])
        .expect("own voucher");
    let other = vouchers
        .iter()
        .find(|v| v.uscc == smes[1])
        .expect("other voucher");
    assert_eq!(own.face, kechuang_domain::money::Fen(5_000_000));
    let provider = store.providers().await.expect("providers")[0].id;

    // The enterprise redeems its own voucher once, for the smaller of face and invoice.
    let firm = server.login("qiye", PASSWORD).await;
    let redeem = |id: i64| {
        let path = format!("/vouchers/{id}/redeem");
        let provider = provider.to_string();
        let firm = &firm;
        async move {
            form_post(
                firm,
                &path,
                &[
                    ("provider", provider.as_str()),
                    ("contract_no", "HT-2019-08"),
                    ("invoice_no", "No.00012345"),
                    ("invoice_amount", "3万元"),
                ],
            )
            .await
        }
    };
    assert_eq!(redeem(own.id).await.0, 303);
    let (s, page) = redeem(own.id).await;
    assert_eq!(s, 409);
    assert!(page.contains("已兑付"), "{page:.300}");
    assert_eq!(redeem(other.id).await.0, 404, "not its voucher");
    let awards = store
        .batches(Some("innovation-voucher"))
        .await
        .expect("batches");
    assert_eq!(awards.len(), 1);
    assert_eq!(awards[0].total, kechuang_domain::money::Fen(3_000_000));

    // After expiry, and twice at the same moment: refused, and once only.
    let r = kechuang_store::NewRedemption {
        provider_id: provider,
        contract_no: "HT-1".into(),
        invoice_no: "FP-1".into(),
        invoice_amount: kechuang_domain::money::Fen(1_000_000),
        service_request: None,
    };
    let actor = kechuang_store::Actor::new("test", "test");
    let late = d(&expires) + chrono::Days::new(1);
    let err = store
        .redeem(other.id, &r, late, &actor)
        .await
        .expect_err("expired");
    assert!(err.to_string().contains("过期"), "{err}");
    let now = chrono::Utc::now().date_naive();
    let (a, b) = tokio::join!(
        store.redeem(other.id, &r, now, &actor),
        store.redeem(other.id, &r, now, &actor)
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count(),
        1,
        "{a:?} {b:?}"
    );
}

on_both_backends!(
    batch_rewards_pay_each_first_certificate_once,
    a_budget_holds_against_simultaneous_approvals,
    notice_objections_and_payment_follow_their_order,
    payments_feed_the_project_funds_target,
    a_return_voids_earlier_approvals,
    an_application_forgives,
    a_voucher_is_redeemed_once_and_only_before_expiry,
    rules_are_edited_on_the_page_only_when_they_run,
);
