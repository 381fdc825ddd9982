//! End to end in headless Chromium (Debian's `chromium` and `chromium-driver`): what an
//! officer sees and does on the dashboard.

use crate::common;
use crate::common::{Backend, TestEnv};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn browser() -> (Driver, Client, tempfile::TempDir) {
    common::setup::packages();
    let port = free_port();
    let chromedriver = common::setup::chromedriver();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{chromedriver} is needed for browser tests (apt-get install chromium-driver): {e}"
            )
        });
    let driver = Driver { child, port };
    let profile = tempfile::tempdir().expect("profile dir");
    let chromium = common::setup::chromium();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            // The machine has no network: background services would only fail noisily.
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1366,900",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(c) => return (driver, c, profile),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot start a Chromium session: {last:?}");
}

async fn wait_for_url(c: &Client, fragment: &str) {
    // Ten seconds: CI runs several browsers on two cores.
    for _ in 0..200 {
        if c.current_url()
            .await
            .expect("url")
            .as_str()
            .contains(fragment)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never reached a URL with {fragment}");
}

/// Waits until an element shows `expected` (after a form posts, the page it replaces may
/// still be there for a moment).
async fn wait_text(c: &Client, css: &str, expected: &str) {
    let mut last = String::new();
    // Ten seconds: CI runs several browsers on two cores.
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if t == expected {
                    return;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never showed {expected:?}; last {last:?}");
}

/// Waits until an element's text contains `expected`.
async fn wait_contains(c: &Client, css: &str, expected: &str) {
    let mut last = String::new();
    // Ten seconds: CI runs several browsers on two cores.
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if t.contains(expected) {
                    return;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never showed {expected:?}; last {last:?}");
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// Logs in through the login form, as a person does.
async fn log_in(c: &Client, server: &common::Server, username: &str, password: &str) {
    c.goto(&server.url("/login")).await.expect("open login");
    fill(c, &[("username", username), ("password", password)]).await;
    click(c, "form.stacked button").await;
    c.wait()
        .for_element(Locator::Css(".userbox .who"))
        .await
        .expect("logged in");
}

/// Types into a form's inputs, found by name.
async fn fill(c: &Client, fields: &[(&str, &str)]) {
    for (field, value) in fields {
        c.find(Locator::Css(&format!("input[name='{field}']")))
            .await
            .unwrap_or_else(|e| panic!("field {field}: {e}"))
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into {field}: {e}"));
    }
}

/// From the workbench a login lands on, the first thing that waits: its link is followed and
/// must lead to `expected` (a path fragment).
async fn open_first_todo(c: &Client, expected: &str) {
    wait_for_url(c, "/workbench").await;
    let link = c
        .find(Locator::Css("table.todos tbody tr:first-child a"))
        .await
        .expect("a to-do on the workbench");
    let href = link.attr("href").await.expect("href").unwrap_or_default();
    assert!(
        href.contains(expected),
        "the first to-do leads to {href}, not {expected}"
    );
    link.click().await.expect("follow the to-do");
    wait_for_url(c, expected).await;
}

async fn log_out(c: &Client) {
    click(c, ".userbox button.linkish").await;
    c.wait()
        .for_element(Locator::Css(".userbox .login-link"))
        .await
        .expect("logged out");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn officer_reads_the_dashboard_and_drills_down(b: Backend) {
    let env = TestEnv::new(b).await;
    let sample = common::repo_file("docs/examples/shaoguan-sample.csv");
    env.cli_ok(&["import", "observations", sample.to_str().expect("path")]);
    common::import_registry_samples(&env);
    let hte = common::hte_holders(common::d("2019-12-31"), None);
    assert!(hte >= 100, "the sample meets the floor of 100");
    let server = env.serve().await;
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    let (_driver, c, _profile) = browser().await;
    // The figures are public; the records behind them are for staff, so the officer logs in.
    log_in(&c, &server, "gaoke", common::PASSWORD).await;

    c.goto(&server.url("/?as_of=2019-12-31"))
        .await
        .expect("open dashboard");
    assert!(text(&c, "h1").await.contains("韶关市科技创新发展行动计划"));
    let rows = c
        .find_all(Locator::Css("tr.target-row"))
        .await
        .expect("rows");
    assert_eq!(
        rows.len(),
        26,
        "every target of the plan is on the dashboard"
    );
    // High-tech enterprises counted from the certificates against a floor of 100: achieved,
    // shown in words and colour.
    let row = c
        .find(Locator::Css("tr[data-code='2.3']"))
        .await
        .expect("row 2.3");
    assert_eq!(
        row.attr("data-status").await.expect("attr").as_deref(),
        Some("achieved")
    );
    let row_text = row.text().await.expect("text");
    assert!(row_text.contains("已完成"), "{row_text}");
    assert!(row_text.contains(&format!("{hte} 家")), "{row_text}");
    // The summary cards add up to the 26 targets.
    let mut total = 0;
    for n in c
        .find_all(Locator::Css(".summary .n"))
        .await
        .expect("cards")
    {
        total += n.text().await.expect("n").parse::<usize>().expect("count");
    }
    assert_eq!(total, 26);

    // A county officer picks their county.
    c.find(Locator::Css("select#region"))
        .await
        .expect("select")
        .select_by_value("440203")
        .await
        .expect("choose");
    c.find(Locator::Css(".filters button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    wait_for_url(&c, "region=440203").await;
    assert!(text(&c, ".page-head .sub").await.contains("武江区"));
    let rd = text(&c, "tr[data-code='2.1'] td.current").await;
    assert!(rd.contains('%'), "武江区 R&D intensity shown: {rd}");

    // Drill down into a figure: chart, formula, and the records behind it.
    c.find(Locator::Css("tr[data-code='2.1'] a"))
        .await
        .expect("link")
        .click()
        .await
        .expect("open target");
    c.wait()
        .for_element(Locator::Css("svg.chart"))
        .await
        .expect("chart");
    assert!(text(&c, "h1").await.contains("2.1"));
    assert!(text(&c, "code.formula")
        .await
        .contains("rd_expenditure / (gdp * 10000) * 100"));
    let records = c
        .find_all(Locator::Css("#records tbody tr"))
        .await
        .expect("records");
    assert_eq!(
        records.len(),
        8,
        "gdp and R&D expenditure of 武江区 for 2016–2019"
    );
    assert!(text(&c, "#records").await.contains("shaoguan-sample.csv"));

    // And reads it in English.
    c.find(Locator::LinkText("English"))
        .await
        .expect("switch")
        .click()
        .await
        .expect("click");
    c.wait()
        .for_element(Locator::Css("html[lang='en']"))
        .await
        .expect("english page");
    assert!(text(&c, "h1")
        .await
        .contains("R&D expenditure as a share of GDP"));
    c.close().await.expect("close browser");
}

/// Issue #4's story: a county officer enters and submits their county's figures, a bureau
/// officer approves them, the dashboard follows, the period is locked, and the bureau can
/// unlock it again.
async fn county_figures_go_from_entry_to_approval_and_lock(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let (_driver, c, _profile) = browser().await;
    // The county officer's first login: the initial password must be changed.
    let out = env.cli_stdin(
        &[
            "user",
            "add",
            "wujiang",
            "--role",
            "county",
            "--region",
            "440203",
            "--password-stdin",
        ],
        &format!("{}\n", common::PASSWORD),
    );
    assert!(out.status.success());
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    c.goto(&server.url("/login")).await.expect("login page");
    fill(
        &c,
        &[("username", "wujiang"), ("password", common::PASSWORD)],
    )
    .await;
    click(&c, "form.stacked button").await;
    wait_for_url(&c, "/account/password").await;
    fill(
        &c,
        &[
            ("current", common::PASSWORD),
            ("new", "Shaoguan-County-1"),
            ("confirm", "Shaoguan-County-1"),
        ],
    )
    .await;
    click(&c, "form.stacked button").await;
    // The new password chosen, the officer lands on the workbench.
    c.wait()
        .for_element(Locator::Css("ul.shortcuts"))
        .await
        .expect("workbench after the change");
    assert!(c.current_url().await.expect("url").path() == "/workbench");

    // The data-entry overview shows 武江区 only; open 2018.
    c.goto(&server.url("/entry")).await.expect("entry");
    let counties = c
        .find_all(Locator::Css("table.entry-grid tbody tr"))
        .await
        .expect("rows");
    assert_eq!(counties.len(), 1, "a county officer sees their county only");
    c.goto(&server.url("/entry/440203/2018"))
        .await
        .expect("form");
    // A negative figure is refused beside its field, and nothing is saved.
    let gdp = c
        .find(Locator::Css("input[name='v_gdp']"))
        .await
        .expect("gdp");
    gdp.send_keys("-5").await.expect("type");
    click(&c, "#submit-return").await;
    c.wait()
        .for_element(Locator::Css("tr.has-problem"))
        .await
        .expect("problem shown");
    assert!(text(&c, "tr.has-problem").await.contains("不能为负数"));
    let gdp = c
        .find(Locator::Css("input[name='v_gdp']"))
        .await
        .expect("gdp");
    gdp.clear().await.expect("clear");
    gdp.send_keys("321.5").await.expect("type");
    let rd = c
        .find(Locator::Css("input[name='v_rd_expenditure']"))
        .await
        .expect("rd");
    rd.send_keys("64300").await.expect("type");
    click(&c, "#submit-return").await;
    // The old page also has a status: wait for the new page's, not just any.
    wait_text(&c, "#entry-status", "待审核").await;
    assert!(
        c.find(Locator::Css("input[name='v_gdp']")).await.is_err(),
        "a submitted return is read-only"
    );
    // Not yet on the dashboard: only approved figures count.
    let before = server
        .get_json("/api/v1/indicators/gdp/observations?region=440203")
        .await;
    assert_eq!(before["observations"].as_array().map(Vec::len), Some(0));
    log_out(&c).await;

    // The bureau officer approves.
    log_in(&c, &server, "gaoke", common::PASSWORD).await;
    open_first_todo(&c, "/entry/440203/2018").await;
    c.goto(&server.url("/entry")).await.expect("entry");
    assert!(text(&c, ".notice").await.contains('1'), "one return awaits");
    c.goto(&server.url("/entry/440203/2018"))
        .await
        .expect("form");
    click(&c, "#approve-return").await;
    c.wait()
        .for_element(Locator::Css("#unlock-return"))
        .await
        .expect("approved and locked");
    assert_eq!(text(&c, "#entry-status").await, "已审核（锁定）");

    // The dashboard follows at once: 武江区's R&D intensity is 64300 / (321.5 × 10000) × 100.
    c.goto(&server.url("/?region=440203&as_of=2018-12-31"))
        .await
        .expect("dashboard");
    let rd = text(&c, "tr[data-code='2.1'] td.current").await;
    assert_eq!(
        rd.lines().next(),
        Some("2%"),
        "R&D intensity from the approved figures: {rd}"
    );

    // Locked: an import into that county and year is refused.
    let file = env.write(
        "late.csv",
        "指标代码,区划代码,期间,数值\ngdp,440203,2018,400\n",
    );
    let out = env.cli(&["import", "observations", file.to_str().expect("path")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("锁定"));

    // The bureau, still logged in, unlocks (audited); the county may edit again.
    c.goto(&server.url("/entry/440203/2018"))
        .await
        .expect("form");
    c.find(Locator::Css("textarea[name='comment']"))
        .await
        .expect("comment")
        .send_keys("县里申请更正")
        .await
        .expect("type");
    click(&c, "#unlock-return").await;
    wait_text(&c, "#entry-status", "填报中").await;
    let audit = env.cli_ok(&["audit", "list", "--entity", "entry_return"]);
    for action in ["entry.submit", "entry.approve", "entry.unlock"] {
        assert!(audit.contains(action), "{action} audited:\n{audit}");
    }
    env.cli_ok(&["audit", "verify"]);
    c.close().await.expect("close browser");
}

/// A bureau officer sends the province's list through the upload page: a dry run first, then
/// the import, and a file with mistakes comes back with its report.
async fn officer_uploads_a_list(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    let (_driver, c, _profile) = browser().await;
    log_in(&c, &server, "gaoke", common::PASSWORD).await;
    // The file chooser takes canonical paths only.
    let sample = common::repo_file("docs/examples/enterprises-sample.csv")
        .canonicalize()
        .expect("sample path");
    let rows = common::csv_rows("enterprises-sample.csv").len() - 2;
    let send = |path: std::path::PathBuf, dry_run: bool| {
        let c = c.clone();
        let url = server.url("/import");
        async move {
            c.goto(&url).await.expect("import page");
            c.find(Locator::Css("select[name='kind']"))
                .await
                .expect("kind")
                .select_by_value("enterprises")
                .await
                .expect("choose");
            c.find(Locator::Css("input[type='file']"))
                .await
                .expect("file input")
                .send_keys(path.to_str().expect("path"))
                .await
                .expect("attach");
            if !dry_run {
                click(&c, "input[name='dry_run']").await;
            }
            click(&c, "form.upload button").await;
            c.wait()
                .for_element(Locator::Css("#import-result"))
                .await
                .expect("result");
        }
    };
    send(sample.clone(), true).await;
    let valid = text(&c, "#import-valid").await;
    assert!(
        valid.contains(&rows.to_string()) && valid.contains("未写入"),
        "{valid}"
    );
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(page["total"], 0, "the dry run wrote nothing");
    // The checked file is imported from its report, with the choices it was checked with,
    // without choosing it again.
    let confirm = text(&c, "#confirm-import").await;
    assert!(
        confirm.contains("enterprises-sample.csv") && confirm.contains("企业名录"),
        "{confirm}"
    );
    click(&c, "#confirm-import button").await;
    wait_contains(&c, "#import-written", &format!("新增 {rows}")).await;
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(page["total"], rows);

    let bad = env.write(
        "bad.csv",
        "统一社会信用代码,企业名称,所属县区\n914402037152672600,韶关乙公司,火星\n",
    );
    send(bad, false).await;
    let problems = c
        .find_all(Locator::Css("table.problems tbody tr"))
        .await
        .expect("problems");
    assert_eq!(problems.len(), 2, "the code and the county");
    assert!(text(&c, "table.problems").await.contains("火星"));
    let href = c
        .find(Locator::LinkText("下载校验报告 (XLSX)"))
        .await
        .expect("report link")
        .attr("href")
        .await
        .expect("href")
        .expect("has href");
    assert!(href.starts_with("/import/reports/"));

    // Sent again and committed at once, the same file changes nothing.
    send(sample, false).await;
    let written = text(&c, "#import-written").await;
    assert!(written.contains(&format!("未变 {rows}")), "{written}");
    c.close().await.expect("close browser");
}

/// Replaces an input's value, as a person selecting it and typing does; date inputs take
/// their value directly, since typing into them follows the browser's locale.
async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1];",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap_or_else(|e| panic!("set {css}: {e}"));
}

async fn bureau_takes_a_reward_batch_from_preview_to_payment(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    env.add_user("jiangli", "bureau", &["--region", "440200"]);
    env.add_user("shenpi", "bureau", &["--region", "440200"]);
    let server = env.serve().await;
    let (_driver, c, _profile) = browser().await;
    log_in(&c, &server, "jiangli", common::PASSWORD).await;
    let due = common::first_certified_in(2018).len();

    // The preview applies the rules before any budget exists, but no batch can be made yet.
    c.goto(&server.url("/programmes/hte-certified?year=2018"))
        .await
        .expect("programme");
    wait_text(&c, "#due-count", &due.to_string()).await;
    assert!(c.find(Locator::Css("#commit-batch")).await.is_err());
    assert!(text(&c, "#preview").await.contains("尚未设置该年度预算"));

    set(&c, "#budget-form input[name='year']", "2018").await;
    set(&c, "#budget-form input[name='amount']", "1亿元").await;
    click(&c, "#budget-form button").await;
    c.wait()
        .for_element(Locator::XPath(
            "//section[@id='budgets']//td[contains(., '100,000,000.00')]",
        ))
        .await
        .expect("the budget is listed");

    c.goto(&server.url("/programmes/hte-certified?year=2018"))
        .await
        .expect("preview");
    // The rules read as a sentence beside their code.
    assert!(text(&c, "#rule-sentence").await.contains("每家30万元"));
    // Generating asks for a confirmation that says what the budget keeps; nothing is written
    // until it is given.
    click(&c, "#commit-batch").await;
    c.wait()
        .for_element(Locator::Css("#confirm-batch"))
        .await
        .expect("the confirmation");
    let confirm = text(&c, "#confirm-batch").await;
    assert!(confirm.contains("100,000,000.00 →"), "{confirm}");
    assert!(c.find(Locator::Css("#batches tbody tr")).await.is_err());
    click(&c, "#confirm-commit").await;
    wait_for_url(&c, "/batches/").await;
    wait_text(&c, "#batch-status", "待审核").await;
    assert_eq!(
        c.find_all(Locator::Css("#awards tbody tr"))
            .await
            .expect("awards")
            .len(),
        due
    );
    click(&c, "#step-review").await;
    wait_text(&c, "#batch-status", "已审核").await;
    set(&c, "input[name='notice_start']", "2018-12-01").await;
    click(&c, "#step-publish").await;
    // A notice from 2018 has run its course: the batch waits for approval, as /notices says.
    wait_text(&c, "#batch-status", "公示期满待审批").await;
    // Separation of duties: the officer who generated the batch is not offered its approval.
    c.find(Locator::Css("#duties-note"))
        .await
        .expect("the page says another officer approves");
    assert!(c.find(Locator::Css("#step-approve")).await.is_err());
    let batch_url = c.current_url().await.expect("url").to_string();
    log_out(&c).await;
    log_in(&c, &server, "shenpi", common::PASSWORD).await;
    c.goto(&batch_url).await.expect("batch");
    click(&c, "#step-approve").await;
    wait_text(&c, "#batch-status", "已批准").await;
    set(&c, "input[name='paid_on']", "2018-12-20").await;
    set(&c, "input[name='payment_ref']", "韶科拨〔2018〕12号").await;
    click(&c, "#step-pay").await;
    wait_text(&c, "#batch-status", "已拨付").await;
    let total = kechuang_domain::money::Fen(due as i64 * 30_000_000).yuan_text();
    assert_eq!(text(&c, "#batch-total").await, total);

    // The public sees the notice; the dashboard's project funds come from the payment.
    let (status, page) = server.get_anon("/notices").await;
    assert_eq!(status, 200);
    assert!(page.contains("2018年度国家高新技术企业认定奖补名单"));
    let targets = server
        .get_json("/api/v1/plans/1/targets?as_of=2018-12-31")
        .await;
    assert_eq!(
        common::target(&targets, "4.2.1")["current"]["value"].as_f64(),
        Some(due as f64 * 30.0)
    );
    c.close().await.expect("close browser");
}

/// Clicks a button and waits for the status badge to show the step's result.
async fn step_to(c: &Client, button: &str, badge: &str, expected: &str) {
    click(c, button).await;
    wait_text(c, badge, expected).await;
}

async fn an_application_goes_from_submission_to_acceptance(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = common::csv_rows("enterprises-sample.csv");
    let applicant = rows[2..]
        .iter()
        .find(|r| r[2] == "武江区")
        .expect("an enterprise in 武江区");
    let (uscc, name) = (applicant[0].clone(), applicant[1].clone());
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("shenpi", "bureau", &["--region", "440200"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("nanxiong", "county", &["--region", "440282"]);
    env.add_user("qiye", "enterprise", &["--uscc", &uscc]);
    for e in ["zhuanjia1", "zhuanjia2", "zhuanjia3", "zhuanjia4"] {
        env.add_user(e, "expert", &[]);
    }
    let server = env.serve().await;
    let bureau = server.login("kejiju", common::PASSWORD).await;
    // The expert pool: one expert works for the applicant and must not score it.
    for (e, org) in [
        ("zhuanjia1", "韶关学院"),
        ("zhuanjia2", "广东工业大学"),
        ("zhuanjia3", "华南理工大学"),
        ("zhuanjia4", name.as_str()),
    ] {
        let res = bureau
            .with_csrf(reqwest::Method::POST, "/experts")
            .form(&[
                ("username", e),
                ("name", e),
                ("fields", "新材料,先进制造与自动化"),
                ("affiliation", org),
            ])
            .send()
            .await
            .expect("expert");
        assert_eq!(res.status().as_u16(), 303, "{e}");
    }
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let res = server
        .client
        .put(server.url(&format!("/api/v1/programmes/key-projects/budgets/{year}")))
        .bearer_auth(&server.token)
        .json(&serde_json::json!({ "amount": "3000万元" }))
        .send()
        .await
        .expect("budget");
    assert_eq!(res.status().as_u16(), 200);

    let (_driver, c, _profile) = browser().await;
    // The bureau publishes a call that is open now.
    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    c.goto(&server.url("/calls")).await.expect("calls");
    let today = chrono::Utc::now().date_naive();
    set(
        &c,
        "#call-form input[name='title']",
        "2026年度市级科技计划项目申报指南",
    )
    .await;
    set(
        &c,
        "#call-form input[name='opens_on']",
        &(today - chrono::Days::new(1)).to_string(),
    )
    .await;
    set(
        &c,
        "#call-form input[name='closes_on']",
        &(today + chrono::Days::new(30)).to_string(),
    )
    .await;
    click(&c, "#call-form button").await;
    wait_for_url(&c, "/calls/").await;
    c.wait()
        .for_element(Locator::Css("#applications"))
        .await
        .expect("the call's page");
    log_out(&c).await;

    // The enterprise applies: a form with a required attachment of given types.
    log_in(&c, &server, "qiye", common::PASSWORD).await;
    c.goto(&server.url("/calls")).await.expect("calls");
    click(&c, "button.apply").await;
    wait_for_url(&c, "/applications/").await;
    c.wait()
        .for_element(Locator::Css("#application-form"))
        .await
        .expect("the application form");
    let app_url = c.current_url().await.expect("url").to_string();
    let id: i64 = app_url
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("id");
    fill(
        &c,
        &[
            ("title", "高性能铝箔材料中试线"),
            ("requested", "50万元"),
            ("total_budget", "120万元"),
            ("ends_on", "2027-12-31"),
        ],
    )
    .await;
    c.find(Locator::Css("textarea[name='summary']"))
        .await
        .expect("summary")
        .send_keys("研发高性能电子铝箔材料，建设中试线。")
        .await
        .expect("type");
    // Submitting without the proposal is refused, with what is missing, and nothing is lost.
    click(&c, "#submit-application").await;
    c.wait()
        .for_element(Locator::Css("#application-error"))
        .await
        .expect("refusal");
    assert!(text(&c, "#application-error").await.contains("项目申报书"));
    let proposal = env.write("申报书.pdf", "%PDF-1.4 proposal");
    c.find(Locator::Css("input[name='file_proposal']"))
        .await
        .expect("file input")
        .send_keys(
            proposal
                .canonicalize()
                .expect("path")
                .to_str()
                .expect("path"),
        )
        .await
        .expect("attach");
    step_to(
        &c,
        "#submit-application",
        "#application-status",
        "待县区初审",
    )
    .await;
    log_out(&c).await;

    // Only the applicant's county reviews first; the bureau cannot jump the step.
    let res = bureau
        .with_csrf(reqwest::Method::POST, &format!("/applications/{id}/steps"))
        .form(&[("action", "county_pass")])
        .send()
        .await
        .expect("step");
    assert_eq!(
        res.status().as_u16(),
        403,
        "the bureau may not do the county's review"
    );
    let other = server.login("nanxiong", common::PASSWORD).await;
    let (status, _) = (
        other
            .request(reqwest::Method::GET, &format!("/applications/{id}"))
            .send()
            .await
            .expect("get")
            .status()
            .as_u16(),
        (),
    );
    assert_eq!(status, 404, "another county does not see it");
    // Each officer finds the application as the first thing on the workbench.
    let app_path = format!("/applications/{id}");
    log_in(&c, &server, "wujiang", common::PASSWORD).await;
    open_first_todo(&c, &app_path).await;
    step_to(&c, "#step-county_pass", "#application-status", "待市局复审").await;
    log_out(&c).await;

    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    open_first_todo(&c, &app_path).await;
    step_to(&c, "#step-bureau_pass", "#application-status", "待分配专家").await;
    step_to(&c, "#step-assign", "#application-status", "专家评审中").await;
    log_out(&c).await;

    // Three experts score; the one from the applicant's own organisation was not assigned.
    let (s, _) = server
        .get_as(
            Some(&env.token("zhuanjia4")),
            &format!("/applications/{id}"),
        )
        .await;
    assert_eq!(s, 404, "a conflicted expert is not assigned");
    for (e, scores) in [
        ("zhuanjia1", ["25", "25", "15", "15"]),
        ("zhuanjia2", ["28", "26", "18", "17"]),
        ("zhuanjia3", ["10", "10", "5", "5"]),
    ] {
        log_in(&c, &server, e, common::PASSWORD).await;
        open_first_todo(&c, &app_path).await;
        fill(
            &c,
            &[
                ("innovation", scores[0]),
                ("feasibility", scores[1]),
                ("team", scores[2]),
                ("benefit", scores[3]),
            ],
        )
        .await;
        click(&c, "#submit-score").await;
        // The expert's own line shows the total once the new page is there.
        let total: u32 = scores
            .iter()
            .map(|x| x.parse::<u32>().expect("score"))
            .sum();
        wait_contains(&c, "#scores", &format!("{total}.0")).await;
        log_out(&c).await;
    }

    // The bureau ranks, proposes, puts the list on notice, approves and pays the first 70%.
    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    c.goto(&app_url).await.expect("application");
    wait_text(&c, "#application-status", "评审完成").await;
    // Highest (89) and lowest (30) dropped: the middle expert's 80 remains.
    assert_eq!(text(&c, "#application-score").await, "80.0 / 100");
    c.goto(&server.url("/calls")).await.expect("calls");
    c.find(Locator::Css("#calls tbody a"))
        .await
        .expect("call link")
        .click()
        .await
        .expect("open call");
    wait_for_url(&c, "/calls/").await;
    c.wait()
        .for_element(Locator::Css("input[name='app']"))
        .await
        .expect("the scored application");
    click(&c, "input[name='app']").await;
    click(&c, "#propose").await;
    wait_for_url(&c, "/batches/").await;
    wait_text(&c, "#batch-status", "待审核").await;
    click(&c, "#step-review").await;
    wait_text(&c, "#batch-status", "已审核").await;
    let start = (today - chrono::Days::new(20)).to_string();
    set(&c, "input[name='notice_start']", &start).await;
    step_to(&c, "#step-publish", "#batch-status", "公示期满待审批").await;
    // Another officer approves the batch kejiju generated.
    let batch_url = c.current_url().await.expect("url").to_string();
    log_out(&c).await;
    log_in(&c, &server, "shenpi", common::PASSWORD).await;
    c.goto(&batch_url).await.expect("batch");
    step_to(&c, "#step-approve", "#batch-status", "已批准").await;
    step_to(&c, "#step-pay", "#batch-status", "已拨付").await;
    c.goto(&app_url).await.expect("application");
    wait_text(&c, "#application-status", "已立项").await;
    assert!(text(&c, "#payments").await.contains("350,000.00"));
    log_out(&c).await;

    // The enterprise asks for acceptance with its report; the bureau accepts and pays the rest.
    log_in(&c, &server, "qiye", common::PASSWORD).await;
    // Funded: the acceptance report is what waits for the enterprise.
    open_first_todo(&c, &app_path).await;
    let report = env.write("验收报告.pdf", "%PDF-1.4 report");
    c.find(Locator::Css("input[name='file_acceptance_report']"))
        .await
        .expect("report input")
        .send_keys(report.canonicalize().expect("path").to_str().expect("path"))
        .await
        .expect("attach");
    step_to(&c, "#submit-report", "#application-status", "待验收").await;
    log_out(&c).await;
    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    c.goto(&app_url).await.expect("application");
    step_to(&c, "#step-accept", "#application-status", "已验收").await;
    let payments = text(&c, "#payments").await;
    assert!(
        payments.contains("350,000.00") && payments.contains("150,000.00"),
        "{payments}"
    );
    c.close().await.expect("close browser");
}

/// axe-core, vendored (see `vendor/README.md`).
const AXE: &str = include_str!("vendor/axe-4.10.3.min.js");

/// Runs axe-core on the page the browser shows; the serious and critical violations of the
/// WCAG 2.1 A and AA rules, each with up to three of the elements it found.
async fn accessibility_violations(c: &Client) -> Vec<String> {
    c.execute(AXE, vec![]).await.expect("load axe-core");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    serde_json::from_value(found).expect("a list of violations")
}

/// Opens each page and collects what the audit finds there: a page answered with an error
/// instead of itself, and the accessibility violations.
async fn audit_pages(
    c: &Client,
    server: &common::Server,
    role: &str,
    pages: &[String],
) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        c.goto(&server.url(page)).await.expect("open page");
        c.wait()
            .for_element(Locator::Css("main"))
            .await
            .unwrap_or_else(|e| panic!("{role} {page}: {e}"));
        // The error page's heading is its status and title (`404 · …`).
        let heading = text(c, "h1").await;
        let status = heading
            .get(..3)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()));
        if let Some(status) = status.filter(|_| heading[3..].starts_with(" · ")) {
            found.push(format!("{role} {page}: answered {status}: {heading}"));
            continue;
        }
        for v in accessibility_violations(c).await {
            found.push(format!("{role} {page}: {v}"));
        }
    }
    found
}

/// WCAG 2.1 AA on every page of every role, in both languages for the public: contrast, text
/// alternatives, labels, links told apart by more than colour, names for what scrolls.
///
/// On both backends every page opens for its role and is itself, not an error. On SQLite the
/// pages are opened in Chromium and axe-core's rules run on each. On PostgreSQL the same pages
/// are fetched over HTTP as each role's session and must answer 200: the rules read the markup
/// and styles the templates make of the same records, which the backend does not change. In
/// Chromium the PostgreSQL run cost 25 CPU-seconds and showed nothing more; over HTTP, 4.
async fn every_page_passes_the_accessibility_audit(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    env.cli_ok(&[
        "import",
        "patents",
        &common::repo_file("docs/examples/patents-sample.csv")
            .display()
            .to_string(),
    ]);
    common::fund_hte_2018(&env, true);
    // The batch in its public notice, so that `/notices/1` is the notice.
    env.cli_ok(&["programme", "step", "1", "review"]);
    env.cli_ok(&["programme", "step", "1", "publish"]);
    let rows = common::csv_rows("enterprises-sample.csv");
    let own = rows[2..]
        .iter()
        .find(|r| r[2] == "武江区")
        .map(|r| r[0].clone())
        .expect("an enterprise in 武江区");
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("qiye", "enterprise", &["--uscc", &own]);
    env.add_user("zhuanjia", "expert", &[]);
    env.add_user("guanli", "admin", &[]);
    env.add_user("nongshang", "bank", &["--org", "韶关农商银行"]);
    env.add_user("caizheng", "unit", &["--org", "czj"]);
    env.cli_ok(&[
        "finance",
        "bank",
        "add",
        "--name",
        "韶关农商银行",
        "--uscc",
        "91440200MA4UJ0XJ0D",
        "--share",
        "30",
        "--bonus-share",
        "35",
        "--cap",
        "80",
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
    let bureau = env.token("kejiju");
    let today = chrono::Utc::now().date_naive();
    let call = json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        "/api/v1/calls",
        serde_json::json!({
            "programme": "key-projects", "year": 2026, "title": "市级科技计划项目申报指南",
            "opens_on": (today - chrono::Days::new(1)).to_string(),
            "closes_on": (today + chrono::Days::new(30)).to_string(),
        }),
    )
    .await;
    let call = call["id"].as_i64().expect("call");
    json_call(
        &server,
        &bureau,
        reqwest::Method::PUT,
        &format!("/api/v1/calls/{call}/guide"),
        serde_json::json!({ "guide": "一、申报条件\n在本市注册的企业。" }),
    )
    .await;
    let app = json_call(
        &server,
        &env.token("qiye"),
        reqwest::Method::POST,
        &format!("/api/v1/calls/{call}/applications"),
        serde_json::Value::Null,
    )
    .await;
    let app = app["id"].as_i64().expect("application");
    let draft = json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        "/api/v1/plans/1/drafts",
        serde_json::json!({}),
    )
    .await;
    let draft = draft["id"].as_i64().expect("draft");
    env.add_user("shenhe", "bureau", &["--region", "440200"]);
    let article = json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        "/api/v1/articles",
        serde_json::json!({
            "category": "guides", "title": "市级科技计划项目申报指南",
            "body": "# 申报条件\n\n| 项目 | 资助 |\n|---|---|\n| 重点项目 | 50万元 |",
            "tags": ["申报指南"], "links": [format!("call:{call}")],
        }),
    )
    .await;
    let article = article["id"].as_i64().expect("article");
    let event = json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        "/api/v1/events",
        serde_json::json!({
            "kind": "forum", "title": "韶关科技创新高层论坛", "place": "韶关市科技馆",
            "starts_on": (today + chrono::Days::new(10)).to_string(), "capacity": "1",
            "organisers": ["市科技局"], "agenda": "# 上午\n\n主旨报告", "speakers": "张教授",
        }),
    )
    .await;
    let event = event["id"].as_i64().expect("event");
    let competition = json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        "/api/v1/competitions",
        serde_json::json!({
            "year": "2026", "title": "2026年中国创新创业大赛（韶关分赛区）",
            "programme": "innovation-competition",
            "registration_opens": (today - chrono::Days::new(1)).to_string(),
            "registration_closes": (today + chrono::Days::new(10)).to_string(),
            "prizes": "一等奖 1 20万元\n二等奖 2 10万元",
        }),
    )
    .await;
    let competition = competition["id"].as_i64().expect("competition");
    let team = json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        &format!("/api/v1/competitions/{competition}/entries"),
        serde_json::json!({
            "track": "初创组", "industry": "电子信息", "title": "边缘计算网关",
            "team": "韶关学院创客团队", "leader": "林同学", "region": "武江区",
            "answers": { "summary": "网关", "team_intro": "学生团队" },
        }),
    )
    .await;
    let team = team["id"].as_i64().expect("team entry");
    for who in ["甲", "乙"] {
        json_call(
            &server,
            &bureau,
            reqwest::Method::POST,
            &format!("/api/v1/events/{event}/registrations"),
            serde_json::json!({ "attendee": who, "organisation": "韶关学院", "phone": "13900000000" }),
        )
        .await;
    }
    json_call(
        &server,
        &bureau,
        reqwest::Method::POST,
        &format!("/api/v1/articles/{article}/submit"),
        serde_json::json!({}),
    )
    .await;
    json_call(
        &server,
        &env.token("shenhe"),
        reqwest::Method::POST,
        &format!("/api/v1/articles/{article}/publish"),
        serde_json::json!({}),
    )
    .await;

    let pages = |list: &[&str]| list.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let public = pages(&[
        "/",
        "/plans/1",
        "/plans/1/targets/2.3",
        "/notices",
        "/notices/1",
        "/api",
        "/login",
        "/portal",
        "/portal/c/guides",
        &format!("/portal/articles/{article}"),
        &format!("/portal/articles/{article}?print=1"),
        "/portal/search?q=申报指南",
        "/portal/tags/申报指南",
        "/data",
        "/events",
        &format!("/events/{event}"),
        "/services",
        "/instruments",
        "/competitions",
        &format!("/competitions/{competition}"),
    ]);
    let public_en = pages(&[
        "/",
        "/plans/1/targets/2.3",
        "/notices",
        "/portal",
        &format!("/portal/articles/{article}"),
        "/data",
    ]);
    let roles = vec![
        (
            "kejiju",
            vec![
                "/workbench".to_owned(),
                "/enterprises".into(),
                format!("/enterprises/{own}"),
                "/platforms".into(),
                "/import".into(),
                "/programmes".into(),
                "/programmes/hte-certified?year=2018&confirm=1".into(),
                "/batches/1".into(),
                "/calls".into(),
                format!("/calls/{call}"),
                "/vouchers".into(),
                "/experts".into(),
                "/entry".into(),
                "/audit".into(),
                "/finance".into(),
                "/finance/pool".into(),
                "/finance/loans".into(),
                "/finance/claims".into(),
                "/finance/seed".into(),
                "/rd?year=2019".into(),
                "/patents".into(),
                "/programmes/patent-invention".into(),
                "/plans/1".into(),
                "/supervision/1".into(),
                "/supervision/1/tasks/3.10-1".into(),
                "/plans/1/report?year=2019".into(),
                format!("/plans/drafts/{draft}"),
                "/portal/manage".into(),
                "/portal/manage/new".into(),
                format!("/portal/manage/{article}"),
                "/events/new".into(),
                format!("/events/{event}"),
                format!("/events/{event}/edit"),
                "/competitions".into(),
                format!("/competitions/{competition}"),
                format!("/competitions/entries/{team}"),
                "/account/password".into(),
                "/account/second-factor".into(),
            ],
        ),
        (
            "wujiang",
            vec![
                "/workbench".to_owned(),
                "/entry".into(),
                "/enterprises".into(),
                "/calls".into(),
                "/finance/pool".into(),
                "/rd?year=2019".into(),
                "/patents?linked=no".into(),
                "/sites".into(),
            ],
        ),
        (
            "nongshang",
            vec![
                "/workbench".to_owned(),
                "/finance".into(),
                "/finance/loans".into(),
                "/finance/claims".into(),
            ],
        ),
        (
            "qiye",
            vec![
                "/workbench".to_owned(),
                format!("/enterprises/{own}"),
                "/sites".into(),
                "/services".into(),
                "/instruments".into(),
                "/calls".into(),
                format!("/calls/{call}"),
                format!("/applications/{app}"),
                "/vouchers".into(),
                "/finance/pool".into(),
                "/rd/survey?year=2019".into(),
                "/portal/subscriptions".into(),
                format!("/events/{event}"),
                format!("/competitions/{competition}"),
            ],
        ),
        ("zhuanjia", vec!["/workbench".to_owned(), "/calls".into()]),
        (
            "caizheng",
            vec![
                "/workbench".to_owned(),
                "/supervision/1".into(),
                "/supervision/1/tasks/3.19-1".into(),
            ],
        ),
    ];
    let found = if b == Backend::Sqlite {
        audit_in_browser(&server, &public, &public_en, &roles).await
    } else {
        pages_open_over_http(&server, &public, &public_en, &roles).await
    };
    assert!(found.is_empty(), "the audit found:\n{}", found.join("\n"));
}

/// The audit in Chromium: every page of every role opened and run through axe-core, then the
/// administrator's enrolment of a second factor and the pages it opens.
async fn audit_in_browser(
    server: &common::Server,
    public: &[String],
    public_en: &[String],
    roles: &[(&str, Vec<String>)],
) -> Vec<String> {
    let (_driver, c, _profile) = browser().await;
    let mut found = audit_pages(&c, server, "public", public).await;
    c.goto(&server.url("/lang/en?next=/"))
        .await
        .expect("English");
    found.extend(audit_pages(&c, server, "public (en)", public_en).await);
    c.goto(&server.url("/lang/zh?next=/"))
        .await
        .expect("Chinese");
    for (user, list) in roles {
        log_in(&c, server, user, common::PASSWORD).await;
        found.extend(audit_pages(&c, server, user, list).await);
        log_out(&c).await;
    }
    // The administrator meets the enrolment of a second factor first, then the account pages.
    c.goto(&server.url("/login")).await.expect("open login");
    fill(
        &c,
        &[("username", "guanli"), ("password", common::PASSWORD)],
    )
    .await;
    click(&c, "form.stacked button").await;
    wait_for_url(&c, "/account/second-factor").await;
    found.extend(audit_pages(&c, server, "guanli", &["/account/second-factor".to_owned()]).await);
    let secret = text(&c, "code.secret").await;
    fill(
        &c,
        &[(
            "code",
            &crate::second_factor::app_code(&secret.split_whitespace().collect::<String>(), 0),
        )],
    )
    .await;
    click(&c, "form[action='/account/second-factor'] button").await;
    c.wait()
        .for_element(Locator::Css(".recovery-codes, ol.codes, main"))
        .await
        .expect("enrolled");
    found.extend(
        audit_pages(
            &c,
            server,
            "guanli",
            &["/admin/users".to_owned(), "/audit".to_owned()],
        )
        .await,
    );
    c.close().await.expect("close browser");
    found
}

/// The same pages fetched over HTTP, as each role's session: each must answer 200 with itself.
/// No redirect is followed, so a page that sends its role away is found too.
async fn pages_open_over_http(
    server: &common::Server,
    public: &[String],
    public_en: &[String],
    roles: &[(&str, Vec<String>)],
) -> Vec<String> {
    let mut found = pages_open(server, "", "public", public).await;
    found.extend(pages_open(server, "lang=en", "public (en)", public_en).await);
    for (user, list) in roles {
        let session = server.login(user, common::PASSWORD).await;
        found.extend(pages_open(server, &session.cookie, user, list).await);
    }
    // The administrator meets the enrolment of a second factor first, then the account pages.
    let admin = server.login("guanli", common::PASSWORD).await;
    let enrolment = ["/account/second-factor".to_owned()];
    found.extend(pages_open(server, &admin.cookie, "guanli", &enrolment).await);
    crate::second_factor::enrol(&admin, 0).await;
    let admin_pages = ["/admin/users".to_owned(), "/audit".to_owned()];
    found.extend(pages_open(server, &admin.cookie, "guanli", &admin_pages).await);
    found
}

/// Fetches each page with `cookie` and notes any not answered 200 with a page.
async fn pages_open(
    server: &common::Server,
    cookie: &str,
    role: &str,
    pages: &[String],
) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        let res = server
            .client
            .get(server.url(page))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{role} {page}: {e}"));
        let status = res.status().as_u16();
        let body = res.text().await.expect("page body");
        if status != 200 || !body.contains("<main") {
            let heading = body
                .split_once("<h1")
                .and_then(|(_, rest)| rest.split_once('>'))
                .and_then(|(_, rest)| rest.split_once("</h1>"))
                .map_or("", |(h, _)| h);
            found.push(format!("{role} {page}: answered {status}: {heading}"));
        }
    }
    found
}

/// 督查督办 in a browser: a unit finds its overdue report on its workbench, sends two quarters
/// with evidence; the bureau accepts one, returns the other with its reason, and issues a 督办
/// notice for a quarter nobody reported, which prints; the unit sees the reason and the notice.
async fn a_unit_reports_and_the_bureau_reviews_in_the_browser(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("caizheng", "unit", &["--org", "市财政局"]);
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    let server = env.serve().await;
    let evidence = env
        .write("拨款通知.pdf", "%PDF-1.4 拨款通知")
        .canonicalize()
        .expect("evidence path");
    let (_driver, c, _profile) = browser().await;
    log_in(&c, &server, "caizheng", common::PASSWORD).await;
    // The oldest overdue report comes first: 3.19-1's first quarter.
    open_first_todo(&c, "/supervision/1/tasks/3.19-1").await;
    for (quarter, percent) in [("2017Q1", "10"), ("2017Q2", "20")] {
        let chosen = c
            .find(Locator::Css("#f-period option:checked"))
            .await
            .expect("period")
            .text()
            .await
            .expect("text");
        assert_eq!(chosen, quarter, "the next period to report is offered");
        c.find(Locator::Css("#f-progress"))
            .await
            .expect("progress")
            .send_keys(&format!("{quarter}：市财政已安排风险准备金配套资金。"))
            .await
            .expect("type");
        c.find(Locator::Css("#f-percent"))
            .await
            .expect("percent")
            .send_keys(percent)
            .await
            .expect("type");
        c.find(Locator::Css("#f-file"))
            .await
            .expect("file input")
            .send_keys(evidence.to_str().expect("path"))
            .await
            .expect("attach");
        click(&c, "#report button[value='submit']").await;
        // The page before already says 已报送 after the first quarter: wait for this quarter's.
        wait_for_url(&c, &format!("period={quarter}&done=submitted")).await;
        wait_contains(&c, "#task-done", "已报送").await;
    }
    log_out(&c).await;

    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    c.goto(&server.url("/supervision/1/tasks/3.19-1"))
        .await
        .expect("task page");
    click(
        &c,
        "tr[data-period='2017Q1'] .review-form button[value='accept']",
    )
    .await;
    wait_contains(&c, "tr[data-period='2017Q1'] .badge", "已采纳").await;
    c.find(Locator::Css(
        "tr[data-period='2017Q2'] .review-form input[name='comment']",
    ))
    .await
    .expect("comment")
    .send_keys("请附资金拨付文件")
    .await
    .expect("type");
    click(
        &c,
        "tr[data-period='2017Q2'] .review-form button[value='return']",
    )
    .await;
    wait_contains(&c, "tr[data-period='2017Q2']", "请附资金拨付文件").await;
    // Returned and past its due day, the quarter is overdue again.
    wait_contains(&c, "tr[data-period='2017Q2'] .badge", "逾期未报").await;
    assert!(text(&c, "tr[data-period='2017Q1']")
        .await
        .contains("拨款通知.pdf"));
    // Nobody reported 2017Q3: a 督办 notice, recorded and printable.
    click(&c, "tr[data-period='2017Q3'] details.remind summary").await;
    click(&c, "tr[data-period='2017Q3'] .remind-form button").await;
    wait_for_url(&c, "/supervision/reminders/").await;
    let notice = text(&c, "#reminder").await;
    assert!(
        notice.contains("督办通知") && notice.contains("市财政局") && notice.contains("2017Q3"),
        "{notice}"
    );
    log_out(&c).await;

    log_in(&c, &server, "caizheng", common::PASSWORD).await;
    c.goto(&server.url("/supervision/1/tasks/3.19-1"))
        .await
        .expect("task page");
    wait_contains(&c, "#returned-because", "请附资金拨付文件").await;
    assert!(text(&c, "#reminders").await.contains("韶科督〔"));
    c.close().await.expect("close browser");
}

/// 三.17 in a browser: an enterprise applies to the credit risk pool from a form filled in from
/// the registries, its county recommends it from the workbench, the bureau admits it, the chosen
/// bank is told, and the pool page shows how long admission took.
async fn an_enterprise_enters_the_pool_through_county_and_bureau(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    env.cli_ok(&[
        "finance",
        "bank",
        "add",
        "--name",
        "韶关农商银行",
        "--uscc",
        "91440200MA4UJ0XJ0D",
        "--share",
        "30",
    ]);
    let rows = common::csv_rows("enterprises-sample.csv");
    let (own, name) = rows[2..]
        .iter()
        .find(|r| r[2] == "武江区" && !r[8].is_empty())
        .map(|r| (r[0].clone(), r[1].clone()))
        .expect("a technology enterprise in 武江区");
    env.add_user("qiye", "enterprise", &["--uscc", &own]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("nongshang", "bank", &["--org", "91440200MA4UJ0XJ0D"]);
    let server = env.serve().await;
    let (_driver, c, _profile) = browser().await;

    log_in(&c, &server, "qiye", common::PASSWORD).await;
    c.goto(&server.url("/finance/pool"))
        .await
        .expect("pool page");
    // What the registries hold is shown, not typed again.
    wait_contains(&c, "#apply dl.facts", &name).await;
    fill(
        &c,
        &[("requested", "300"), ("contact", "张三 0751-8888888")],
    )
    .await;
    click(&c, "#pool-form input[name='bank']").await;
    click(&c, "#pool-form button[type='submit']").await;
    wait_for_url(&c, "done=applied").await;
    wait_contains(&c, "#pool-applications tbody", "待县区推荐").await;
    log_out(&c).await;

    log_in(&c, &server, "wujiang", common::PASSWORD).await;
    open_first_todo(&c, "/finance/pool").await;
    fill(&c, &[("comment", "材料齐全，同意推荐")]).await;
    click(&c, "form.pool-step button[value='recommend']").await;
    wait_for_url(&c, "done=recommended").await;
    log_out(&c).await;

    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    open_first_todo(&c, "/finance/pool").await;
    click(&c, "form.pool-step button[value='admit']").await;
    wait_for_url(&c, "done=admitted").await;
    wait_contains(&c, "#pool-members tbody tr:first-child", &name).await;
    wait_contains(&c, "#pool-members tbody tr:first-child", "在线申请").await;
    // Applied, recommended and admitted today: 0 days at each stage, and one admitted.
    wait_text(&c, "#total-median", "0").await;
    wait_contains(&c, "#pool-times tbody", "武江区").await;
    log_out(&c).await;

    // The chosen bank finds the new member on its workbench.
    log_in(&c, &server, "nongshang", common::PASSWORD).await;
    wait_for_url(&c, "/workbench").await;
    wait_contains(&c, "table.todos", &name).await;
    c.close().await.expect("close browser");
}

/// An API request with a token; the JSON answer (null when empty), which must be a success.
async fn json_call(
    server: &common::Server,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let mut req = server
        .client
        .request(method, server.url(path))
        .bearer_auth(token);
    if !body.is_null() {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.expect("body");
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// The portal in a browser: an officer writes a policy with an attachment and sends it for
/// review; a colleague finds it on the workbench and publishes it; the public finds it on the
/// portal, in its category's Atom feed and by search, and reads it at a phone's width with a
/// share card's meta tags and nothing wider than the screen.
async fn a_policy_goes_from_draft_to_the_portal_in_the_browser(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("shenhe", "bureau", &["--region", "440200"]);
    let server = env.serve().await;
    let attachment = env
        .write("奖补办法.pdf", "%PDF-1.4 奖补办法")
        .canonicalize()
        .expect("attachment path");
    let (_driver, c, _profile) = browser().await;
    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    c.goto(&server.url("/portal/manage/new"))
        .await
        .expect("editor");
    c.find(Locator::Css("#a-category"))
        .await
        .expect("category")
        .select_by_value("policies")
        .await
        .expect("choose policies");
    for (css, value) in [
        ("#a-doc", "韶科〔2018〕12号"),
        ("#a-title", "韶关市高新技术企业认定奖补办法"),
        ("#a-summary", "首次认定的高新技术企业给予一次性奖补。"),
        (
            "#a-body",
            "# 一、奖补标准\n\n首次通过认定的给予**10万元**奖补。",
        ),
        ("#a-tags", "高新技术企业，奖补"),
    ] {
        c.find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(value)
            .await
            .expect("type");
    }
    click(&c, "#article-form button[type='submit']").await;
    wait_contains(&c, "#done", "已保存").await;
    let editor = c.current_url().await.expect("url").to_string();
    c.find(Locator::Css("#a-file"))
        .await
        .expect("file input")
        .send_keys(attachment.to_str().expect("path"))
        .await
        .expect("attach");
    click(&c, "#files-form button").await;
    wait_contains(&c, "#files-form", "奖补办法.pdf").await;
    click(&c, "#submit-form button").await;
    wait_contains(&c, "#article-status", "待审核").await;
    // The sender is told a colleague publishes it.
    wait_contains(&c, "#own-submission", "其他同事").await;
    log_out(&c).await;

    log_in(&c, &server, "shenhe", common::PASSWORD).await;
    open_first_todo(&c, "/portal/manage/").await;
    click(&c, "#publish").await;
    wait_contains(&c, "#article-status", "已发布").await;
    let id: i64 = editor
        .rsplit('/')
        .next()
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .expect("article id");
    log_out(&c).await;

    // The public: the portal, the category's feed, search.
    c.goto(&server.url("/portal")).await.expect("portal");
    wait_contains(
        &c,
        "#h-policies + a, section[aria-labelledby='h-policies']",
        "韶关市高新技术企业认定奖补办法",
    )
    .await;
    let (status, feed) = server.get("/portal/c/policies/feed.atom").await;
    assert_eq!(status, 200);
    assert!(
        feed.contains("<title>韶关市高新技术企业认定奖补办法</title>"),
        "{feed}"
    );
    c.find(Locator::Css("#portal-q"))
        .await
        .expect("search box")
        .send_keys("奖补 办法")
        .await
        .expect("type");
    click(&c, ".portal-search button").await;
    wait_for_url(&c, "/portal/search").await;
    click(&c, "ol.article-list li:first-child h2 a").await;
    wait_for_url(&c, &format!("/portal/articles/{id}")).await;

    // At a phone's width: nothing wider than the screen, the share card's tags in place.
    c.set_window_size(390, 844).await.expect("phone width");
    c.goto(&server.url(&format!("/portal/articles/{id}")))
        .await
        .expect("article");
    wait_contains(&c, "article h1", "韶关市高新技术企业认定奖补办法").await;
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            vec![],
        )
        .await
        .expect("measure");
    assert_eq!(
        fits,
        serde_json::Value::Bool(true),
        "the page scrolls sideways on a phone"
    );
    for (prop, expected) in [
        ("og:title", "韶关市高新技术企业认定奖补办法".to_owned()),
        (
            "og:description",
            "首次认定的高新技术企业给予一次性奖补。".to_owned(),
        ),
        ("og:url", server.url(&format!("/portal/articles/{id}"))),
    ] {
        let content = c
            .find(Locator::Css(&format!("meta[property='{prop}']")))
            .await
            .unwrap_or_else(|e| panic!("{prop}: {e}"))
            .attr("content")
            .await
            .expect("content")
            .unwrap_or_default();
        assert_eq!(content, expected, "{prop}");
    }
    assert!(c
        .find(Locator::Css("meta[property='og:image']"))
        .await
        .is_ok());
    assert!(text(&c, ".article-body").await.contains("10万元"));
    assert!(text(&c, "#h-files + ul").await.contains("奖补办法.pdf"));
    let shot = c.screenshot().await.expect("screenshot");
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal-article-390.png");
    std::fs::write(&out, &shot).expect("keep the screenshot");
    let qr = c
        .find(Locator::Css(".share img"))
        .await
        .expect("QR code")
        .attr("alt")
        .await
        .expect("alt")
        .unwrap_or_default();
    assert!(!qr.is_empty(), "the QR code has a text alternative");
    c.close().await.expect("close browser");
}

/// The competition in a browser (issue 18's done-when): an enterprise enters with its business
/// plan; the bureau screens it and begins the preliminary; an expert without a conflict finds
/// the entry on the workbench and scores it (the conflicted one never sees it); the bureau
/// closes the round and the best of each track advance; after the final the results go to the
/// portal through its review and the prize batch through notice, approval and payment.
async fn a_competition_is_entered_scored_and_paid_in_the_browser(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = common::csv_rows("enterprises-sample.csv");
    let young: Vec<&Vec<String>> = rows[2..]
        .iter()
        .filter(|r| r[5].starts_with("2016"))
        .take(2)
        .collect();
    let old = rows[2..]
        .iter()
        .find(|r| r[5].starts_with("2010"))
        .expect("an enterprise of 2010");
    env.add_user("qiye", "enterprise", &["--uscc", &young[0][0]]);
    env.add_user("qiye_b", "enterprise", &["--uscc", &young[1][0]]);
    env.add_user("qiye_c", "enterprise", &["--uscc", &old[0]]);
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("shenpi", "bureau", &["--region", "440200"]);
    env.add_user("shenhe", "bureau", &["--region", "440200"]);
    for e in ["zj1", "zj2", "zj3", "zj4"] {
        env.add_user(e, "expert", &[]);
    }
    let server = env.serve().await;
    let bureau = env.token("kejiju");
    let post = |token: String, path: String, body: serde_json::Value| {
        let server = &server;
        async move { json_call(server, &token, reqwest::Method::POST, &path, body).await }
    };
    // zj4 works for the enterprise entering in the browser.
    for (e, org) in [
        ("zj1", "韶关学院"),
        ("zj2", "广东工业大学"),
        ("zj3", "华南理工大学"),
        ("zj4", young[0][1].as_str()),
    ] {
        json_call(
            &server,
            &bureau,
            reqwest::Method::PUT,
            "/api/v1/experts",
            serde_json::json!({ "username": e, "name": format!("专家{e}"), "fields": ["新材料"],
                "affiliation": org, "affiliation_uscc": null, "conflicts": [] }),
        )
        .await;
    }
    json_call(
        &server,
        &bureau,
        reqwest::Method::PUT,
        "/api/v1/programmes/innovation-competition/budgets/2019",
        serde_json::json!({ "amount": "100万元" }),
    )
    .await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let comp = post(
        bureau.clone(),
        "/api/v1/competitions".into(),
        serde_json::json!({ "year": "2019", "title": "2019年中国创新创业大赛（韶关分赛区）",
            "programme": "innovation-competition",
            "registration_opens": (today - chrono::Days::new(3)).to_string(),
            "registration_closes": (today + chrono::Days::new(10)).to_string(),
            "prizes": "一等奖 1 20万元\n二等奖 1 10万元" }),
    )
    .await;
    let id = comp["id"].as_i64().expect("competition");
    // Two rivals enter over the API, with their plans.
    let mut rivals = Vec::new();
    for (user, track, title) in [
        ("qiye_b", "startup", "稀土发光材料"),
        ("qiye_c", "growth", "高纯铝箔"),
    ] {
        let e = post(
            env.token(user),
            format!("/api/v1/competitions/{id}/entries"),
            serde_json::json!({ "track": track, "industry": "新材料", "title": title,
                "answers": { "summary": title, "team_intro": "团队" } }),
        )
        .await;
        let entry = e["id"].as_i64().expect("entry");
        let res = server
            .client
            .post(server.url(&format!(
                "/api/v1/competition-entries/{entry}/files?slot=business_plan&file_name=plan.pdf"
            )))
            .bearer_auth(env.token(user))
            .body("%PDF-1.4 plan")
            .send()
            .await
            .expect("upload");
        assert_eq!(res.status().as_u16(), 204);
        post(
            bureau.clone(),
            format!("/api/v1/competition-entries/{entry}/screening"),
            serde_json::json!({ "eligible": true }),
        )
        .await;
        rivals.push(entry);
    }

    let plan = env
        .write("商业计划书.pdf", "%PDF-1.4 智能分拣机器人 商业计划书")
        .canonicalize()
        .expect("plan path");
    let (_driver, c, _profile) = browser().await;
    log_in(&c, &server, "qiye", common::PASSWORD).await;
    c.goto(&server.url(&format!("/competitions/{id}")))
        .await
        .expect("competition");
    c.find(Locator::Css("#f-track"))
        .await
        .expect("track")
        .select_by_value("startup")
        .await
        .expect("choose the track");
    c.find(Locator::Css("#f-industry"))
        .await
        .expect("industry")
        .select_by_value("先进制造")
        .await
        .expect("choose the industry");
    for (css, value) in [
        ("#f-title", "智能分拣机器人"),
        (
            "#a-summary",
            "基于视觉的快递分拣机器人，已在韶关物流园试用。",
        ),
        ("#a-team_intro", "博士 2 人，工程师 6 人。"),
        ("#a-revenue", "320"),
    ] {
        c.find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(value)
            .await
            .expect("type");
    }
    c.find(Locator::Css("#file-business_plan"))
        .await
        .expect("file input")
        .send_keys(plan.to_str().expect("path"))
        .await
        .expect("attach");
    click(&c, "#enter-submit").await;
    wait_contains(&c, "#done", "报名已提交").await;
    wait_contains(&c, "#mine", "智能分拣机器人").await;
    assert!(text(&c, "#my-status").await.contains("待资格审查"));
    log_out(&c).await;

    // The bureau screens the entry from its workbench and begins the preliminary.
    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    open_first_todo(&c, &format!("/competitions/{id}")).await;
    c.find(Locator::LinkText("智能分拣机器人"))
        .await
        .expect("the entry")
        .click()
        .await
        .expect("open the entry");
    wait_contains(&c, "#files", "商业计划书.pdf").await;
    click(&c, "#eligible").await;
    wait_contains(&c, "#done", "资格审查").await;
    c.find(Locator::Css("#stage"))
        .await
        .expect("stage")
        .select_by_value("preliminary")
        .await
        .expect("the preliminary");
    click(&c, "#round-form button").await;
    wait_contains(&c, "#done", "专家已分配").await;
    let entry: i64 = json_call(
        &server,
        &env.token("qiye"),
        reqwest::Method::GET,
        &format!("/api/v1/competitions/{id}/entries"),
        serde_json::Value::Null,
    )
    .await[0]["id"]
        .as_i64()
        .expect("the enterprise's entry");
    log_out(&c).await;

    // The conflicted expert is not given the entry; the others score it.
    let round = json_call(
        &server,
        &bureau,
        reqwest::Method::GET,
        &format!("/api/v1/competitions/{id}"),
        serde_json::Value::Null,
    )
    .await["rounds"][0]["id"]
        .as_i64()
        .expect("round");
    let assigned = json_call(
        &server,
        &bureau,
        reqwest::Method::GET,
        &format!("/api/v1/competition-rounds/{round}"),
        serde_json::Value::Null,
    )
    .await;
    let experts_of = |e: i64| -> Vec<String> {
        assigned
            .as_array()
            .and_then(|v| v.iter().find(|x| x["entry_id"] == e))
            .and_then(|x| x["scores"].as_array())
            .map(|s| {
                s.iter()
                    .filter_map(|x| x["expert"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let ours = experts_of(entry);
    assert_eq!(ours.len(), 3);
    assert!(
        !ours.contains(&"zj4".to_owned()),
        "a conflicted expert: {ours:?}"
    );
    // One expert in the browser, from the workbench.
    let first = ours[0].clone();
    log_in(&c, &server, &first, common::PASSWORD).await;
    c.goto(&server.url(&format!("/competitions/entries/{entry}")))
        .await
        .expect("entry page");
    for (k, v) in [
        ("technology", "28"),
        ("business", "18"),
        ("market", "18"),
        ("team", "18"),
        ("finance", "9"),
    ] {
        c.find(Locator::Css(&format!("#k-{k}")))
            .await
            .unwrap_or_else(|e| panic!("{k}: {e}"))
            .send_keys(v)
            .await
            .expect("type");
    }
    click(&c, "#submit-score").await;
    wait_contains(&c, "#done", "评分已提交").await;
    wait_contains(&c, "#scores", "91.0").await;
    log_out(&c).await;
    let sheet = |t: f64| {
        serde_json::json!({ "scores": { "technology": format!("{}", 0.3 * t), "business": format!("{}", 0.2 * t),
            "market": format!("{}", 0.2 * t), "team": format!("{}", 0.2 * t), "finance": format!("{}", 0.1 * t) } })
    };
    let score_all = |round_entries: serde_json::Value, skip: Option<(i64, String)>| {
        let (server, env) = (&server, &env);
        async move {
            for e in round_entries.as_array().cloned().unwrap_or_default() {
                let entry_id = e["entry_id"].as_i64().expect("entry");
                let total = if entry_id == entry { 91.0 } else { 70.0 };
                for x in e["scores"].as_array().cloned().unwrap_or_default() {
                    let expert = x["expert"].as_str().expect("expert").to_owned();
                    if skip.as_ref() == Some(&(entry_id, expert.clone())) {
                        continue;
                    }
                    json_call(
                        server,
                        &env.token(&expert),
                        reqwest::Method::POST,
                        &format!("/api/v1/competition-entries/{entry_id}/scores"),
                        sheet(total),
                    )
                    .await;
                }
            }
        }
    };
    score_all(assigned.clone(), Some((entry, first.clone()))).await;

    // The bureau closes the preliminary: one place a track advances.
    log_in(&c, &server, "kejiju", common::PASSWORD).await;
    c.goto(&server.url(&format!("/competitions/{id}#rounds")))
        .await
        .expect("competition");
    let advance = c.find(Locator::Css("#advance")).await.expect("advance");
    advance.clear().await.expect("clear");
    advance.send_keys("1").await.expect("type");
    click(&c, "#close-form button").await;
    wait_contains(&c, "#done", "晋级").await;
    wait_contains(
        &c,
        &format!("#round-{round} tr[data-entry='{entry}']"),
        "晋级",
    )
    .await;
    assert!(!text(
        &c,
        &format!("#round-{round} tr[data-entry='{}']", rivals[0])
    )
    .await
    .contains("晋级"));

    // The final over the API, then the results and the prizes from the page.
    let fin = post(
        bureau.clone(),
        format!("/api/v1/competitions/{id}/rounds"),
        serde_json::json!({ "stage": "final", "experts": "3" }),
    )
    .await;
    let fin_entries = json_call(
        &server,
        &bureau,
        reqwest::Method::GET,
        &format!("/api/v1/competition-rounds/{}", fin["id"]),
        serde_json::Value::Null,
    )
    .await;
    score_all(fin_entries, None).await;
    post(
        bureau.clone(),
        format!("/api/v1/competitions/{id}/close-round"),
        serde_json::json!({}),
    )
    .await;
    c.goto(&server.url(&format!("/competitions/{id}")))
        .await
        .expect("competition");
    click(&c, "#publish").await;
    wait_contains(&c, "#done", "结果公告已生成").await;
    let article = json_call(
        &server,
        &bureau,
        reqwest::Method::GET,
        &format!("/api/v1/competitions/{id}"),
        serde_json::Value::Null,
    )
    .await["results_article"]
        .as_i64()
        .expect("article");
    post(
        env.token("shenhe"),
        format!("/api/v1/articles/{article}/publish"),
        serde_json::json!({}),
    )
    .await;
    c.goto(&server.url(&format!("/competitions/{id}")))
        .await
        .expect("competition");
    click(&c, "#award").await;
    wait_for_url(&c, "/batches/").await;
    let batch: i64 = c
        .current_url()
        .await
        .expect("url")
        .path()
        .trim_start_matches("/batches/")
        .parse()
        .expect("batch id");
    let steps = format!("/api/v1/batches/{batch}/steps");
    post(
        bureau.clone(),
        steps.clone(),
        serde_json::json!({ "action": "review" }),
    )
    .await;
    post(
        bureau.clone(),
        steps.clone(),
        serde_json::json!({ "action": "publish",
            "notice_start": (today - chrono::Days::new(20)).to_string() }),
    )
    .await;
    post(
        env.token("shenpi"),
        steps.clone(),
        serde_json::json!({ "action": "approve" }),
    )
    .await;
    post(
        bureau.clone(),
        steps,
        serde_json::json!({ "action": "pay" }),
    )
    .await;
    c.goto(&server.url(&format!("/batches/{batch}")))
        .await
        .expect("batch");
    let page = text(&c, "main").await;
    assert!(
        page.contains("智能分拣机器人") && page.contains("已拨付"),
        "{page}"
    );
    log_out(&c).await;

    // Anyone reads the winners on the competition's page.
    c.goto(&server.url(&format!("/competitions/{id}")))
        .await
        .expect("public page");
    let results = text(&c, "#results").await;
    assert!(
        results.contains("一等奖") && results.contains("智能分拣机器人"),
        "{results}"
    );
    c.close().await.expect("close browser");
}

on_both_backends!(
    a_policy_goes_from_draft_to_the_portal_in_the_browser,
    every_page_passes_the_accessibility_audit,
    a_unit_reports_and_the_bureau_reviews_in_the_browser,
    an_enterprise_enters_the_pool_through_county_and_bureau,
    an_application_goes_from_submission_to_acceptance,
    officer_reads_the_dashboard_and_drills_down,
    county_figures_go_from_entry_to_approval_and_lock,
    officer_uploads_a_list,
    bureau_takes_a_reward_batch_from_preview_to_payment,
    a_competition_is_entered_scored_and_paid_in_the_browser,
);
