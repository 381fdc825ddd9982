//! Tech finance end to end: the pool's members and the banks' loans imported from files as
//! offices write them, targets 3.18a/3.18b recounted by hand for the city and a county at two
//! dates (and opened onto exactly their records), a bank's view of its own records only, and a
//! bad loan compensated once under its agreement, paid from the reserve and partly recovered.

use crate::common::{self, csv_rows, Backend, TestEnv};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const BANK_A: (&str, &str) = ("韶关农商银行", "91440200MA4UJ0XJ0D");
const BANK_B: (&str, &str) = ("中国银行韶关分行", "91440200MA4UJ0XK9A");

/// A pool member as the test wrote it: (enterprise, admitted, left).
type Member = (usize, &'static str, Option<&'static str>);
/// A loan as the test wrote it: (contract, enterprise, bank, issued, amount 万元).
type Loan = (
    &'static str,
    usize,
    (&'static str, &'static str),
    &'static str,
    u32,
);

/// Six enterprises of the sample registry, with their county codes as the registry holds them.
async fn enterprises(server: &common::Server) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for r in csv_rows("enterprises-sample.csv")[2..8].iter() {
        let e = server
            .get_json(&format!("/api/v1/enterprises/{}", r[0]))
            .await;
        out.push((
            r[0].clone(),
            r[1].clone(),
            e["enterprise"]["region_code"]
                .as_str()
                .expect("region")
                .to_owned(),
        ));
    }
    out
}

const MEMBERS: [Member; 6] = [
    (0, "2016-05-03", None),
    (1, "2017年8月1日", Some("2019-01-01")),
    (2, "2018/3/5", None),
    (3, "2019-03-01", None),
    // Left and admitted again: one enterprise, counted once.
    (1, "2019.6.1", None),
    (4, "2020-01-10", None),
];

const LOANS: [Loan; 7] = [
    ("NS-2016-01", 0, BANK_A, "2016-06-01", 100),
    // Before its admission: not a pool loan.
    ("NS-2016-02", 0, BANK_A, "2016-01-01", 50),
    ("ZH-2017-01", 1, BANK_B, "2017-09-01", 200),
    // Between leaving and coming back: not a pool loan.
    ("ZH-2019-01", 1, BANK_B, "2019-03-01", 80),
    ("NS-2018-01", 2, BANK_A, "2018-04-01", 300),
    ("NS-2019-01", 3, BANK_A, "2019-04-01", 120),
    ("ZH-2019-02", 1, BANK_B, "2019-07-01", 60),
];

fn iso(written: &str) -> String {
    kechuang_domain::text::written_date(written)
        .expect("a date")
        .to_string()
}

/// The members file as a bureau keeps it: a title row, full-width headers, dates written
/// several ways.
fn members_csv(ents: &[(String, String, String)]) -> String {
    let mut s = String::from("广东省韶关市科技信贷风险准备金入池企业名单\n统一社会信用代码,企业名称,入池日期,退出日期,合作银行\n");
    for (i, admitted, left) in MEMBERS {
        s.push_str(&format!(
            "{},{},{admitted},{},{}\n",
            ents[i].0,
            ents[i].1,
            left.unwrap_or(""),
            if i == 0 { BANK_A.0 } else { "" }
        ));
    }
    s
}

/// A month's loan file: `classified` sets a contract's classification and balance.
fn loans_csv(ents: &[(String, String, String)], classified: &[(&str, &str, u32)]) -> String {
    let mut s = String::from("贷款合同编号,统一社会信用代码,企业名称,合作银行,放款日期,到期日期,贷款金额（万元）,贷款余额（万元）,五级分类,担保方式\n");
    for (no, i, bank, issued, amount) in LOANS {
        let (class, balance) = classified
            .iter()
            .find(|(c, ..)| *c == no)
            .map_or(("正常", amount), |(_, c, b)| (*c, *b));
        let due = iso(issued).replacen(
            &issued[..4],
            &(issued[..4].parse::<i32>().unwrap_or(0) + 1).to_string(),
            1,
        );
        // The bank is named by its credit code in one row, by its name in the others.
        let bank = if no == "NS-2019-01" { bank.1 } else { bank.0 };
        s.push_str(&format!(
            "{no},{},{},{bank},{issued},{due},{amount},{balance},{class},{}\n",
            ents[i].0,
            ents[i].1,
            if no == "NS-2018-01" {
                "信用"
            } else {
                "抵押"
            }
        ));
    }
    s
}

/// The figures recounted from the test's own rows: distinct enterprises admitted by `at`,
/// and the loans (万元) issued by `at` to an enterprise while it was a member.
fn recount(
    ents: &[(String, String, String)],
    at: &str,
    county: Option<&str>,
) -> (BTreeSet<String>, BTreeSet<String>, u32) {
    let inside = |i: usize| county.is_none_or(|c| ents[i].2 == c);
    let members: BTreeSet<String> = MEMBERS
        .iter()
        .filter(|(i, admitted, _)| inside(*i) && iso(admitted).as_str() <= at)
        .map(|(i, ..)| ents[*i].0.clone())
        .collect();
    let mut loans = BTreeSet::new();
    let mut total = 0;
    for (no, i, _, issued, amount) in LOANS {
        let member_then = MEMBERS.iter().any(|(m, admitted, left)| {
            *m == i && iso(admitted).as_str() <= issued && left.is_none_or(|l| issued < l)
        });
        if inside(i) && member_then && issued <= at {
            loans.insert(no.to_owned());
            total += amount;
        }
    }
    (members, loans, total)
}

/// The registry, two banks (A: 30%, 35% for a first or unsecured loan, at most 80 万元 a loan;
/// B: 50%), the reserve's first contribution, and the two files imported by the command line.
async fn pool_with_loans(env: &TestEnv) -> (common::Server, Vec<(String, String, String)>) {
    common::import_registry_samples(env);
    env.cli_ok(&[
        "finance",
        "bank",
        "add",
        "--name",
        BANK_A.0,
        "--uscc",
        BANK_A.1,
        "--share",
        "30",
        "--bonus-share",
        "35",
        "--cap",
        "80",
        "--from",
        "2015-01-01",
        "--to",
        "2022-12-31",
    ]);
    env.cli_ok(&[
        "finance",
        "bank",
        "add",
        "--name",
        BANK_B.0,
        "--uscc",
        BANK_B.1,
        "--share",
        "50",
        "--from",
        "2015-01-01",
        "--to",
        "2022-12-31",
    ]);
    env.cli_ok(&[
        "finance",
        "reserve",
        "add",
        "--source",
        "city",
        "--amount",
        "2880",
        "--on",
        "2016-01-01",
    ]);
    let server = env.serve().await;
    let ents = enterprises(&server).await;
    let members = env.write("广东省韶关市入池企业名单.csv", &members_csv(&ents));
    let out = env.cli_ok(&["import", "pool-members", &members.display().to_string()]);
    assert!(out.contains("新增 6"), "{out}");
    let loans = env.write("loans-2020-12.csv", &loans_csv(&ents, &[]));
    let out = env.cli_ok(&["import", "loans", &loans.display().to_string()]);
    assert!(out.contains("新增 7"), "{out}");
    (server, ents)
}

async fn pool_and_loan_files_make_3_18_as_a_recount_by_hand(b: Backend) {
    let env = TestEnv::new(b).await;
    let (server, ents) = pool_with_loans(&env).await;
    let county = ents[0].2.clone();
    for at in ["2017-12-31", "2019-06-30"] {
        for region in [None, Some(county.as_str())] {
            let q = format!(
                "as_of={at}{}",
                region.map(|r| format!("&region={r}")).unwrap_or_default()
            );
            let (members, loans, total) = recount(&ents, at, region);
            assert!(
                !members.is_empty() && total > 0,
                "a meaningful recount at {q}"
            );
            let targets = server
                .get_json(&format!("/api/v1/plans/1/targets?{q}"))
                .await;
            assert_eq!(
                common::target(&targets, "3.18a")["current"]["value"],
                members.len() as f64,
                "3.18a {q}"
            );
            // 亿元: the loans' 万元 ÷ 10,000.
            let shown = common::target(&targets, "3.18b")["current"]["value"]
                .as_f64()
                .expect("3.18b");
            assert!(
                (shown - f64::from(total) / 10_000.0).abs() < 1e-9,
                "3.18b {q}: {shown} vs {total} 万元"
            );
            // Each figure opens onto exactly the records it counts.
            let recs = server
                .get_json(&format!("/api/v1/plans/1/targets/3.18a/records?{q}"))
                .await;
            let listed: BTreeSet<String> = recs["records"]
                .as_array()
                .expect("records")
                .iter()
                .filter_map(|r| r["uscc"].as_str().map(str::to_owned))
                .collect();
            assert_eq!(listed, members, "3.18a records {q}");
            assert_eq!(recs["count"], members.len());
            let recs = server
                .get_json(&format!("/api/v1/plans/1/targets/3.18b/records?{q}"))
                .await;
            let listed: BTreeSet<String> = recs["records"]
                .as_array()
                .expect("records")
                .iter()
                .filter_map(|r| r["document_no"].as_str().map(str::to_owned))
                .collect();
            assert_eq!(listed, loans, "3.18b records {q}");
        }
    }
    // 3.19 is the reserve's contributions; another contribution shows at once.
    let at = |targets: &Value| common::target(targets, "3.19")["current"]["value"].clone();
    let before = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-12-31")
        .await;
    assert_eq!(at(&before), 2880.0);
    env.cli_ok(&[
        "finance",
        "reserve",
        "add",
        "--source",
        "province",
        "--amount",
        "1000万元",
        "--on",
        "2019.6.30",
    ]);
    let after = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-12-31")
        .await;
    assert_eq!(at(&after), 3880.0);
    // A re-sent file with nothing changed changes nothing.
    let loans = env.write("loans-again.csv", &loans_csv(&ents, &[]));
    let out = env.cli_ok(&["import", "loans", &loans.display().to_string()]);
    assert!(out.contains("未变 7"), "{out}");
}

async fn a_bank_sees_its_own_and_a_bad_loan_is_compensated_once(b: Backend) {
    let env = TestEnv::new(b).await;
    let (server, ents) = pool_with_loans(&env).await;
    env.add_user("nongshang", "bank", &["--org", BANK_A.1]);
    env.add_user("zhonghang", "bank", &["--org", BANK_B.0]);
    let (bank_a, bank_b) = (env.token("nongshang"), env.token("zhonghang"));
    let (officer, approver) = (env.bureau_token(), env.approver_token());
    let call = |token: &str, method: reqwest::Method, path: &str, body: Value| {
        let mut req = server
            .client
            .request(method, server.url(path))
            .bearer_auth(token.to_owned());
        if !body.is_null() {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    let post_again = || reqwest::Method::POST;

    // Each bank sees exactly its own loans; another bank's answers 404.
    let (s, list) = call(&bank_a, get.clone(), "/api/v1/finance/loans", Value::Null).await;
    assert_eq!(s, 200);
    let mine: BTreeSet<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|l| l["contract_no"].as_str())
        .collect();
    let expected: BTreeSet<&str> = LOANS
        .iter()
        .filter(|l| l.2 == BANK_A)
        .map(|l| l.0)
        .collect();
    assert_eq!(mine, expected);
    assert_eq!(list["total"], expected.len());
    let (s, _) = call(
        &bank_a,
        get.clone(),
        "/api/v1/finance/loans/ZH-2017-01",
        Value::Null,
    )
    .await;
    assert_eq!(s, 404, "another bank's loan");
    let (s, list) = call(
        &bank_a,
        get.clone(),
        "/api/v1/finance/loans?bank=2&classification=normal",
        Value::Null,
    )
    .await;
    assert_eq!(
        (s, list["total"].clone()),
        (200, json!(0)),
        "asking for another bank's"
    );
    let (s, list) = call(
        &officer,
        get.clone(),
        "/api/v1/finance/loans?classification=substandard",
        Value::Null,
    )
    .await;
    assert_eq!((s, list["total"].clone()), (200, json!(0)));

    // A bank's upload of another bank's loan is refused on its row, and nothing is written.
    let session = server.login("nongshang", common::PASSWORD).await;
    let file = loans_csv(
        &ents,
        &[("ZH-2017-01", "损失", 200), ("NS-2018-01", "次级", 250)],
    );
    let form = reqwest::multipart::Form::new()
        .text("csrf", session.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.into_bytes()).file_name("农商行贷款台账.csv"),
        );
    let res = session
        .request(post.clone(), "/finance/loans")
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let page = res.text().await.expect("page");
    assert!(
        page.contains("只能上传本行"),
        "refused on the other bank's rows"
    );
    let (_, loan) = call(
        &bank_a,
        get.clone(),
        "/api/v1/finance/loans/NS-2018-01",
        Value::Null,
    )
    .await;
    assert_eq!(loan["loan"]["classification"], "normal", "nothing written");

    // A bank's export is a loan file it can send again: every row passes, nothing changes.
    let export = server
        .client
        .get(server.url("/finance/loans/export/loans.csv"))
        .bearer_auth(&bank_a)
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes");
    let res = server
        .client
        .post(server.url("/api/v1/finance/loans/files?file_name=loans.csv&dry_run=false"))
        .bearer_auth(&bank_a)
        .body(export.to_vec())
        .send()
        .await
        .expect("re-import");
    assert_eq!(res.status().as_u16(), 200);
    let report: Value = res.json().await.expect("json");
    assert_eq!(report["summary"]["unchanged"], expected.len(), "{report}");

    // The same through the API: bank B's file holding bank A's loans is refused, row by row.
    let res = server
        .client
        .post(server.url("/api/v1/finance/loans/files?file_name=zh.csv&dry_run=false"))
        .bearer_auth(&bank_b)
        .body(loans_csv(&ents, &[]))
        .send()
        .await
        .expect("api upload");
    assert_eq!(res.status().as_u16(), 422);
    let report: Value = res.json().await.expect("json");
    let refused: BTreeSet<usize> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["row"].as_u64().map(|r| r as usize))
        .collect();
    let bank_a_rows: BTreeSet<usize> = LOANS
        .iter()
        .enumerate()
        .filter(|(_, l)| l.2 == BANK_A)
        .map(|(i, _)| i + 2)
        .collect();
    assert_eq!(refused, bank_a_rows, "exactly bank A's rows");
    assert!(report["summary"].is_null(), "nothing written");

    // A performing loan cannot be claimed.
    let (s, body) = call(
        &bank_a,
        post.clone(),
        "/api/v1/finance/loans/NS-2018-01/claims",
        Value::Null,
    )
    .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (409, Some("loan_performing"))
    );

    // The month's file moves it to 次级 with 250 万元 outstanding; the history keeps both.
    let month = env.write(
        "loans-2021-01.csv",
        &loans_csv(&ents, &[("NS-2018-01", "次级", 250)]),
    );
    let out = env.cli_ok(&["import", "loans", &month.display().to_string()]);
    assert!(out.contains("更新 1") && out.contains("未变 6"), "{out}");
    let (_, loan) = call(
        &bank_a,
        get.clone(),
        "/api/v1/finance/loans/NS-2018-01",
        Value::Null,
    )
    .await;
    assert_eq!(loan["loan"]["classification"], "substandard");
    assert_eq!(loan["history"].as_array().map(Vec::len), Some(2));
    // First loan of the enterprise and a credit loan: 35% of 250 = 87.5, cut to the 80 cap.
    assert_eq!(loan["quote"]["amount"], 80 * 1_000_000);
    assert_eq!(loan["quote"]["share_bp"], 3500);

    let (s, claim) = call(
        &bank_a,
        post.clone(),
        "/api/v1/finance/loans/NS-2018-01/claims",
        Value::Null,
    )
    .await;
    assert_eq!(s, 201, "{claim}");
    assert_eq!(claim["amount"], 80 * 1_000_000);
    assert_eq!(claim["principal"], 250 * 1_000_000);
    let rule = claim["rule"].as_str().expect("rule");
    assert!(
        rule.contains("35%") && rule.contains("首贷") && rule.contains("单笔贷款补偿上限"),
        "{rule}"
    );
    let id = claim["id"].as_i64().expect("id");
    let (s, _) = call(
        &bank_a,
        post.clone(),
        "/api/v1/finance/loans/NS-2018-01/claims",
        Value::Null,
    )
    .await;
    assert_eq!(s, 409, "a loan is claimed once");
    let (_, theirs) = call(&bank_b, get.clone(), "/api/v1/finance/claims", Value::Null).await;
    assert_eq!(
        theirs["items"].as_array().map(Vec::len),
        Some(0),
        "another bank's claim"
    );
    let (s, _) = call(
        &bank_b,
        get.clone(),
        "/api/v1/finance/loans/NS-2018-01",
        Value::Null,
    )
    .await;
    assert_eq!(s, 404);

    // Reviewed, approved by a second officer, paid once from the reserve.
    let step = |token: &str, action: &str| {
        call(
            token,
            reqwest::Method::POST,
            &format!("/api/v1/finance/claims/{id}/steps"),
            json!({ "action": action }),
        )
    };
    assert_eq!(step(&officer, "review").await.0, 200);
    let (s, body) = step(&officer, "approve").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (409, Some("same_officer"))
    );
    assert_eq!(step(&approver, "approve").await.0, 200);
    let (s, paid) = step(&officer, "pay").await;
    assert_eq!((s, paid["status"].as_str()), (200, Some("paid")));
    assert_eq!(step(&officer, "pay").await.0, 409, "paid once");
    let (_, reserve) = call(
        &officer,
        get.clone(),
        "/api/v1/finance/reserve",
        Value::Null,
    )
    .await;
    assert_eq!(reserve["compensation"], 80 * 1_000_000);
    assert_eq!(reserve["balance"], (2880 - 80) * 1_000_000_i64);

    // The bank recovers 100 万元: the reserve's share, 80/250 of it, returns.
    let (s, back) = call(
        &bank_a,
        post.clone(),
        &format!("/api/v1/finance/claims/{id}/recoveries"),
        json!({ "amount": "100", "occurred_on": "2021-03-31" }),
    )
    .await;
    assert_eq!(s, 201, "{back}");
    assert_eq!(back["returned"], 32 * 1_000_000);
    let (_, reserve) = call(
        &officer,
        get.clone(),
        "/api/v1/finance/reserve",
        Value::Null,
    )
    .await;
    assert_eq!(reserve["balance"], (2880 - 80 + 32) * 1_000_000_i64);
    let (s, _) = call(
        &bank_a,
        post,
        &format!("/api/v1/finance/claims/{id}/recoveries"),
        json!({ "amount": "151", "occurred_on": "2021-04-30" }),
    )
    .await;
    assert_eq!(s, 422, "more than the principal left");

    // A membership ends once; the enterprise stays counted among those ever admitted.
    let (_, pool) = call(&officer, get.clone(), "/api/v1/finance/pool", Value::Null).await;
    let member = pool["members"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["uscc"] == ents[3].0.as_str()))
        .and_then(|m| m["id"].as_i64())
        .expect("a member");
    let end = format!("/api/v1/finance/pool/members/{member}/end");
    let (s, _) = call(
        &officer,
        post_again(),
        &end,
        json!({ "left_on": "2021-06-30" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(
        &officer,
        post_again(),
        &end,
        json!({ "left_on": "2021-07-31" }),
    )
    .await;
    assert_eq!(s, 409, "ended once");
    let (s, _) = call(
        &bank_a,
        post_again(),
        &end,
        json!({ "left_on": "2021-07-31" }),
    )
    .await;
    assert_eq!(s, 403, "the bureau ends memberships");

    // The report: bank A's pool loans, its NPL and what it was paid.
    let (_, report) = call(&officer, get, "/api/v1/finance/report", Value::Null).await;
    let a = report["by_bank"]
        .as_array()
        .and_then(|l| l.iter().find(|r| r["name"] == BANK_A.0))
        .expect("bank A in the report");
    assert_eq!(a["npl_balance"], 250 * 1_000_000);
    assert_eq!(a["compensation_paid"], 80 * 1_000_000);
    // Every step is in the audit trail.
    let audit = server
        .get_json("/api/v1/audit?entity=compensation_claim")
        .await;
    let actions: BTreeSet<&str> = audit["items"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "claim.create",
        "claim.reviewed",
        "claim.approved",
        "claim.paid",
        "claim.recovery",
    ] {
        assert!(actions.contains(a), "{a} in {actions:?}");
    }
}

/// The seed fund (3.20): its committed size is the target's figure; an investment's stage is
/// checked from the enterprise's founding date; leverage is private over public capital; an
/// exit is recorded once.
async fn the_seed_fund_invests_in_young_firms_only(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let server = env.serve().await;
    let officer = env.bureau_token();
    let send = |path: &str, body: Value| {
        let req = server
            .client
            .post(server.url(path))
            .bearer_auth(officer.clone())
            .json(&body);
        async move {
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, fund) = send(
        "/api/v1/finance/seed/funds",
        json!({ "name": "韶关市科技创新创业种子基金", "committed": "3000", "paid_in": "１８００",
                "established_on": "2018年3月1日", "max_age_years": "5" }),
    )
    .await;
    assert_eq!(s, 201, "{fund}");
    let fund = fund["id"].as_i64().expect("fund");
    let (s, body) = send(
        "/api/v1/finance/seed/funds",
        json!({ "name": "另一基金", "committed": "100", "paid_in": "200", "established_on": "2018-03-01" }),
    )
    .await;
    assert_eq!(
        (s, body["error"]["details"]["field"].as_str()),
        (422, Some("paid_in"))
    );
    let targets = server
        .get_json("/api/v1/plans/1/targets?as_of=2018-12-31")
        .await;
    assert_eq!(common::target(&targets, "3.20")["current"]["value"], 3000.0);
    let before = server
        .get_json("/api/v1/plans/1/targets?as_of=2017-12-31")
        .await;
    assert_ne!(
        common::target(&before, "3.20")["current"]["value"],
        3000.0,
        "not yet set up"
    );

    let rows = csv_rows("enterprises-sample.csv");
    let founded = |r: &Vec<String>| kechuang_domain::text::written_date(&r[5]);
    let young = rows[2..]
        .iter()
        .find(|r| founded(r).is_some_and(|d| d.to_string().as_str() >= "2016-01-01"))
        .expect("a young enterprise");
    let old = rows[2..]
        .iter()
        .find(|r| founded(r).is_some_and(|d| d.to_string().as_str() < "2005-01-01"))
        .expect("an old enterprise");
    let invest = |uscc: &str| {
        json!({ "fund_id": fund, "uscc": uscc, "amount": "200", "invested_on": "2019-06-30",
                "co_investors": "粤北创投:400；深圳某创投:200" })
    };
    let (s, body) = send("/api/v1/finance/seed/investments", invest(&old[0])).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (422, Some("not_seed_stage")),
        "{body}"
    );
    let (s, inv) = send("/api/v1/finance/seed/investments", invest(&young[0])).await;
    assert_eq!(s, 201, "{inv}");
    let seed = server.get_json("/api/v1/finance/seed").await;
    assert_eq!(seed["private"], 600 * 1_000_000);
    assert_eq!(seed["leverage"], 3.0);
    let exit = format!("/api/v1/finance/seed/investments/{}/exit", inv["id"]);
    let (s, _) = send(
        &exit,
        json!({ "exited_on": "2021-12-31", "proceeds": "350" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = send(&exit, json!({ "exited_on": "2022-12-31", "proceeds": "1" })).await;
    assert_eq!(s, 409, "one exit");
    let seed = server.get_json("/api/v1/finance/seed").await;
    assert_eq!(seed["returns"], 350 * 1_000_000);
}

on_both_backends!(
    pool_and_loan_files_make_3_18_as_a_recount_by_hand,
    a_bank_sees_its_own_and_a_bad_loan_is_compensated_once,
    the_seed_fund_invests_in_young_firms_only
);
