//! The JSON API and the CLI together, on SQLite and on PostgreSQL: what a bureau officer and
//! a machine client rely on.

use crate::common;
use crate::common::{target, Backend, TestEnv};
use serde_json::Value;

const EXPECTED_CODES: [&str; 26] = [
    "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8a", "2.8b", "2.9a", "2.9b", "2.10",
    "2.11", "2.12", "2.13", "3.2", "3.3", "3.5a", "3.5b", "3.10", "3.18a", "3.18b", "3.19", "3.20",
    "3.21", "4.2.1",
];

/// 序时进度 at 2019-06-30 of the 2017–2020 plan: 910 of 1,460 days.
const ELAPSED_2019_06_30: f64 = 910.0 / 1460.0;

fn approx(v: &Value, expected: f64) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"));
    assert!(
        (got - expected).abs() < 1e-9,
        "expected {expected}, got {got}"
    );
}

async fn first_start_serves_the_whole_plan(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    assert_eq!(
        server.get_json("/healthz").await,
        serde_json::json!({"status": "ok"})
    );

    let plans = server.get_json("/api/v1/plans").await;
    assert_eq!(plans.as_array().map(Vec::len), Some(1));
    assert_eq!(plans[0]["region_code"], "440200");
    assert_eq!(plans[0]["start_year"], 2017);
    assert_eq!(plans[0]["end_year"], 2020);
    let id = plans[0]["id"].as_i64().expect("id");

    let targets = server
        .get_json(&format!("/api/v1/plans/{id}/targets?as_of=2019-06-30"))
        .await;
    let codes: Vec<&str> = targets
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, EXPECTED_CODES);
    for t in targets.as_array().expect("list") {
        assert_eq!(t["status"], "no_data", "{}", t["code"]);
        assert_eq!(t["cagr_status"], "insufficient_data");
        assert!(t["current"].is_null());
        assert!(t["comparator"] == ">=" || t["comparator"] == "<=");
    }
    let erc = target(&targets, "2.9a");
    assert_eq!(
        erc["baseline"],
        serde_json::json!({"value": 24.0, "date": "2016-12-31"})
    );
    assert_eq!(erc["indicator"], "erc_provincial");
    assert_eq!(erc["unit"], "个");
    approx(&erc["target"], 50.0);
    approx(&erc["time_elapsed"], ELAPSED_2019_06_30);
    assert_eq!(target(&targets, "2.3")["stretch"], 130.0);
    assert_eq!(target(&targets, "2.1")["unit"], "%");
    approx(&target(&targets, "2.1")["target"], 2.0);
    assert_eq!(target(&targets, "3.5b")["deadline"], "2018-12-31");
    // 3.5b's deadline has passed by mid-2019.
    approx(&target(&targets, "3.5b")["time_elapsed"], 1.0);

    let regions = server.get_json("/api/v1/regions").await;
    let wujiang = regions
        .as_array()
        .and_then(|r| r.iter().find(|r| r["code"] == "440203"))
        .expect("武江区");
    assert_eq!(wujiang["name"], "武江区");
    assert_eq!(wujiang["parent"], "440200");
    assert_eq!(wujiang["kind"], "county");
    let counties = regions
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["parent"] == "440200")
        .count();
    assert_eq!(counties, 10);

    let indicators = server.get_json("/api/v1/indicators").await;
    for code in ["rd_expenditure", "gdp", "population"] {
        assert!(
            indicators
                .as_array()
                .expect("list")
                .iter()
                .any(|i| i["code"] == code && i["kind"] == "manual"),
            "{code}"
        );
    }
    // Target 2.2's numerator follows the patent registry.
    assert!(indicators
        .as_array()
        .expect("list")
        .iter()
        .any(|i| i["code"] == "invention_patents" && i["kind"] == "registry_count"));
}

const COUNTY_DATA: &str = "\u{feff}指标代码,区划代码,期间,数值,来源\n\
rd_expenditure,440203,2017,50000,县统计局\n\
gdp,440203,2017,380,县统计局\n\
rd_expenditure,440204,2017,15000,县统计局\n\
gdp,440204,2017,95,县统计局\n\
rd_expenditure,440203,2018,60000,县统计局\n\
gdp,440203,2018,400,县统计局\n\
rd_expenditure,440204,2018,20000,县统计局\n\
gdp,440204,2018,100,县统计局\n\
risk_pool_enterprises,440203,2018,50,合作银行报表\n\
risk_pool_enterprises,440204,2018,40,合作银行报表\n";

async fn imports_change_progress_at_once_for_city_and_county(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let file = env.write("county-data.csv", COUNTY_DATA);
    // Imported while the server runs on the same database.
    let out = env.cli_ok(&["import", "observations", file.to_str().expect("path")]);
    assert!(out.contains("新增 10"), "{out}");

    let city = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-06-30")
        .await;
    // The city's R&D intensity is recomputed from summed parts, not averaged.
    let rd = target(&city, "2.1");
    let city_2018 = (60_000.0 + 20_000.0) / ((400.0 + 100.0) * 10_000.0) * 100.0;
    let city_2017 = (50_000.0 + 15_000.0) / ((380.0 + 95.0) * 10_000.0) * 100.0;
    approx(&rd["current"]["value"], city_2018);
    assert_eq!(rd["current"]["period"], "2018");
    // No baseline in the plan: the first observation serves as one.
    approx(
        &rd["completion"],
        (city_2018 - city_2017) / (2.0 - city_2017),
    );
    approx(&rd["time_elapsed"], ELAPSED_2019_06_30);
    assert_eq!(rd["status"], "behind");
    assert_eq!(rd["cagr_status"], "substantial");
    assert!(rd["projection"].as_f64().is_some_and(|p| p > city_2018));

    // Enterprises admitted to the credit risk pool: 50 + 40 = 90, from 33 in 2016 towards 200.
    let pool = target(&city, "3.18a");
    approx(&pool["current"]["value"], 90.0);
    approx(&pool["completion"], (90.0 - 33.0) / (200.0 - 33.0));
    assert_eq!(pool["status"], "behind");

    // The county sees its own figures against the uniform 2 % target…
    let wj = server
        .get_json("/api/v1/plans/1/targets?region=440203&as_of=2019-06-30")
        .await;
    let rd_wj = target(&wj, "2.1");
    approx(&rd_wj["current"]["value"], 1.5);
    approx(&rd_wj["target"], 2.0);
    assert_eq!(rd_wj["status"], "behind");
    // …and its share of a city-wide total, which the plan does not split by county.
    let pool_wj = target(&wj, "3.18a");
    approx(&pool_wj["current"]["value"], 50.0);
    assert!(pool_wj["target"].is_null());
    assert_eq!(pool_wj["status"], "no_target");

    // The pages made from these figures are kept between requests (the dashboard's rows and
    // a target's facts); they too follow the next write at once.
    let page = "/plans/1/targets/3.18a?as_of=2019-06-30";
    let dashboard = "/?plan=1&as_of=2019-06-30";
    for _ in 0..2 {
        let (_, html) = server.get_anon(page).await;
        assert!(current_fact(&html).starts_with("90"), "{html}");
        let (_, html) = server.get_anon(dashboard).await;
        assert!(
            dashboard_current(&html, "3.18a").starts_with("90"),
            "{html}"
        );
    }

    // A third county's figure puts the city on track at once: 160 is 76 % of the way.
    let more = env.write(
        "more.csv",
        "indicator,region,period,value,source\nrisk_pool_enterprises,440205,2018,70,合作银行报表\n",
    );
    env.cli_ok(&["import", "observations", more.to_str().expect("path")]);
    let city = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-06-30")
        .await;
    let pool = target(&city, "3.18a");
    approx(&pool["current"]["value"], 160.0);
    assert_eq!(pool["status"], "on_track");
    let (_, html) = server.get_anon(page).await;
    assert!(current_fact(&html).starts_with("160"), "{html}");
    let (_, html) = server.get_anon(dashboard).await;
    assert!(
        dashboard_current(&html, "3.18a").starts_with("160"),
        "{html}"
    );
    // Reaching the target makes it achieved, at the as-of date it is reached.
    let done = env.write(
        "done.csv",
        "indicator,region,period,value\nrisk_pool_enterprises,440200,2019-09-30,210\n",
    );
    env.cli_ok(&["import", "observations", done.to_str().expect("path")]);
    let before = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-06-30")
        .await;
    assert_eq!(target(&before, "3.18a")["status"], "on_track");
    let after = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-10-01")
        .await;
    assert_eq!(target(&after, "3.18a")["status"], "achieved");
    assert_eq!(target(&after, "3.18a")["cagr_status"], "achieved");
}

/// The first fact on a target's page: its current value.
fn current_fact(html: &str) -> &str {
    let facts = &html[html.find("<dl class=\"facts\">").expect("facts")..];
    let dd = &facts[facts.find("<dd>").expect("dd") + 4..];
    &dd[..dd.find("</dd>").expect("end")]
}

/// A target's current value in the dashboard's table.
fn dashboard_current<'a>(html: &'a str, code: &str) -> &'a str {
    let row = &html[html
        .find(&format!("/targets/{code}?"))
        .expect("the target's row")..];
    let cell = &row[row.find("<td class=\"num current\">").expect("current") + 24..];
    &cell[..cell.find('<').expect("end")]
}

async fn reimport_changes_nothing_and_revisions_keep_history(b: Backend) {
    let env = TestEnv::new(b).await;
    let file = env.write("county-data.csv", COUNTY_DATA);
    let path = file.to_str().expect("path");
    env.cli_ok(&["import", "observations", path]);
    let first = env.cli_ok(&["export", "observations"]);
    let again = env.cli_ok(&["import", "observations", path]);
    assert!(
        again.contains("新增 0") && again.contains("更新 0") && again.contains("未变 10"),
        "{again}"
    );
    assert_eq!(env.cli_ok(&["export", "observations"]), first);

    let revised = env.write(
        "revised.csv",
        "指标代码,区划代码,期间,数值,来源\ngdp,440203,2018,410,统计年鉴2019\n",
    );
    let out = env.cli_ok(&["import", "observations", revised.to_str().expect("path")]);
    assert!(out.contains("更新 1"), "{out}");
    let server = env.serve().await;
    let series = server
        .get_json("/api/v1/indicators/gdp/observations?region=440203")
        .await;
    let obs = series["observations"].as_array().expect("list");
    let rec = obs
        .iter()
        .find(|o| o["period"] == "2018")
        .expect("2018 record");
    assert_eq!(rec["value"], 410.0);
    assert_eq!(rec["revision"], 2);
    assert_eq!(rec["source"], "统计年鉴2019");
    assert_eq!(rec["file_name"], "revised.csv");
    assert!(rec["entered_by"]
        .as_str()
        .is_some_and(|s| s.starts_with("cli:") && s != "cli:unknown"));
    // The earlier value is kept and shown on the target page's history.
    let (status, html) = server.get("/plans/1/targets/2.1?region=440203").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("county-data.csv") && html.contains("revised.csv"),
        "history shows both files"
    );
}

async fn bad_import_is_refused_whole(b: Backend) {
    let env = TestEnv::new(b).await;
    let file = env.write(
        "bad.csv",
        "指标代码,区划代码,期间,数值,来源\ngdp,440203,2018,400,ok\ngdp,440203,2019,四百,typo\nrd_intensity,440203,2018,1.5,derived\nnosuch,440203,2018,1,x\ngdp,449999,2018,1,x\n",
    );
    let out = env.cli(&["import", "observations", file.to_str().expect("path")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "3\t数值\t四百",
        "4\t指标代码\trd_intensity",
        "5\t指标代码\tnosuch",
        "6\t区划代码\t449999",
        "未写入",
    ] {
        assert!(err.contains(needle), "report lacks {needle:?}:\n{err}");
    }
    // The good row was not written either.
    assert_eq!(
        env.cli_ok(&["export", "observations"]).lines().count(),
        1,
        "only the header"
    );
    // A dry run of a good file validates and writes nothing.
    let good = env.write("good.csv", COUNTY_DATA);
    let out = env.cli_ok(&[
        "import",
        "observations",
        good.to_str().expect("path"),
        "--dry-run",
    ]);
    assert!(out.contains("10"), "{out}");
    assert_eq!(env.cli_ok(&["export", "observations"]).lines().count(), 1);
}

async fn bad_plan_file_is_refused_with_its_line(b: Backend) {
    let env = TestEnv::new(b).await;
    let shipped =
        std::fs::read_to_string(common::repo_file("plans/shaoguan-2017-2020.toml")).expect("plan");
    let broken = shipped
        .replace("code = \"shaoguan-2017-2020\"", "code = \"broken\"")
        .replace(
            "indicator = \"erc_national\"",
            "indicator = \"erc_nationl\"",
        );
    let line = broken
        .lines()
        .position(|l| l.contains("erc_nationl"))
        .expect("line")
        + 1;
    let file = env.write("broken.toml", &broken);
    let out = env.cli(&["plan", "load", file.to_str().expect("path")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("broken.toml:{line}:")),
        "names line {line}:\n{err}"
    );
    assert!(err.contains("erc_nationl"));
    assert_eq!(
        env.cli_ok(&["plan", "list"]).lines().count(),
        1,
        "nothing written"
    );

    // A valid plan of another period loads beside the default one.
    let other = shipped
        .replace(
            "code = \"shaoguan-2017-2020\"",
            "code = \"shaoguan-2021-2025\"",
        )
        .replace("start_year = 2017", "start_year = 2021")
        .replace("end_year = 2020", "end_year = 2025")
        .replace("deadline = 2020-12-31", "deadline = 2025-12-31")
        .replace("deadline = 2018-12-31", "deadline = 2023-12-31")
        .replace("deadline = 2017-12-31", "deadline = 2021-12-31");
    // Dated steps move with the plan, four years on.
    let other = (2017..=2020).fold(other, |src, y| {
        src.replace(
            &format!("date = {y}-12-31"),
            &format!("date = {}-12-31", y + 4),
        )
    });
    let file = env.write("next.toml", &other);
    let out = env.cli_ok(&["plan", "load", file.to_str().expect("path")]);
    assert!(out.contains("26"), "{out}");
    let list = env.cli_ok(&["plan", "list"]);
    assert!(list.contains("shaoguan-2021-2025"), "{list}");
}

async fn export_round_trips(b: Backend) {
    let env = TestEnv::new(b).await;
    let file = env.write("county-data.csv", COUNTY_DATA);
    env.cli_ok(&["import", "observations", file.to_str().expect("path")]);
    let csv = env.dir.path().join("export.csv");
    let xlsx = env.dir.path().join("export.xlsx");
    env.cli_ok(&[
        "export",
        "observations",
        "--out",
        csv.to_str().expect("path"),
    ]);
    env.cli_ok(&[
        "export",
        "observations",
        "--out",
        xlsx.to_str().expect("path"),
    ]);
    let original = env.cli_ok(&["export", "observations"]);
    for exported in [csv, xlsx] {
        let fresh = TestEnv::new(b).await;
        let out = fresh.cli_ok(&["import", "observations", exported.to_str().expect("path")]);
        assert!(out.contains("新增 10"), "{out}");
        assert_eq!(
            fresh.cli_ok(&["export", "observations"]),
            original,
            "{}",
            exported.display()
        );
    }
}

async fn errors_are_clear(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let (status, body) = server.get("/api/v1/plans/999/targets").await;
    assert_eq!(status, 404);
    let body: Value = serde_json::from_str(&body).expect("json error");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = server.get("/api/v1/plans/1/targets?as_of=2019-13-01").await;
    assert_eq!(status, 422);
    let body: Value = serde_json::from_str(&body).expect("json error");
    assert_eq!(body["error"]["code"], "invalid_date");
    assert_eq!(body["error"]["details"]["raw"], "2019-13-01");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("无效") && m.contains("2019年3月31日")));
    // The message follows Accept-Language; the code and details do not.
    let res = server
        .client
        .get(server.url("/api/v1/plans/1/targets?as_of=2019-13-01"))
        .bearer_auth(&server.token)
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.expect("json error");
    assert_eq!(body["error"]["code"], "invalid_date");
    assert_eq!(body["error"]["details"]["raw"], "2019-13-01");
    assert_eq!(
        body["error"]["message"],
        "date '2019-13-01' is not a date such as 2019-03-31"
    );
    // Refusals by the guard too: no credential, in English.
    let res = server
        .client
        .get(server.url("/api/v1/me"))
        .header("accept-language", "en")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 401);
    let body: Value = res.json().await.expect("json error");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("log in")));
    // A page in English shows the English message and not the Chinese one.
    let res = server
        .client
        .get(server.url("/?as_of=2019-13-01"))
        .header("cookie", "lang=en")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.expect("page");
    assert!(
        html.contains("date &#39;2019-13-01&#39; is not a date such as 2019-03-31"),
        "{html}"
    );
    assert!(!html.contains("无效，应为"), "{html}");
    // A date is read as officers write it, and shown in the page's one format.
    for written in [
        "2020/12/31",
        "2020.12.31",
        "2020年12月31日",
        "２０２０－１２－３１",
    ] {
        let (status, html) = server
            .get(&format!("/?as_of={}", common::urlencode(written)))
            .await;
        assert_eq!(status, 200, "{written}");
        assert!(html.contains(r#"value="2020年12月31日""#), "{written}");
    }
    // What the framework refuses before a handler runs is answered the same way.
    for (path, status, code) in [
        ("/api/v1/plans/abc", 400, "invalid_request"),
        ("/api/v1/no/such/endpoint", 404, "not_found"),
    ] {
        let (got, body) = server.get(path).await;
        assert_eq!(got, status, "{path}");
        assert!(
            !body.contains("<html"),
            "no page inside an API error: {body}"
        );
        let body: Value = serde_json::from_str(&body).expect("json error");
        assert_eq!(body["error"]["code"], code, "{path}");
    }
    let res = server
        .client
        .put(server.url("/api/v1/programmes/hte-certified/budgets/2018"))
        .bearer_auth(&server.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().await.expect("json error");
    assert_eq!(body["error"]["code"], "invalid_request");
    // A value past what the document allows is refused with its rule, never quietly clamped,
    // read as a default or left to overflow (a year of 2³¹−1 once dropped the connection).
    for (path, code) in [
        ("/api/v1/articles?per_page=101", "out_of_range"),
        ("/api/v1/articles?page=0", "out_of_range"),
        ("/api/v1/rd/trainings?year=2147483647", "invalid_year"),
        ("/api/v1/rd/trainings?year=1900", "invalid_year"),
        ("/api/v1/finance/reserve?on=", "invalid_date"),
    ] {
        let (got, body) = server.get(path).await;
        assert_eq!(got, 422, "{path}: {body}");
        let body: Value = serde_json::from_str(&body).expect("json error");
        assert_eq!(body["error"]["code"], code, "{path}");
    }
    for path in [
        "/api/v1/articles?per_page=100",
        "/api/v1/rd/trainings?year=2019",
        "/api/v1/finance/reserve?on=2019-12-31",
    ] {
        assert_eq!(server.get(path).await.0, 200, "{path}");
    }
    // A bank's terms hold to the lengths the document states, and a date sent blank is not
    // read as "today"; nothing is registered by either.
    let bank = |terms: Value| serde_json::json!({ "name": "韶关农商银行", "uscc": "91440200MA4UJ0XJ0D", "terms": terms });
    let post = reqwest::Method::POST;
    for (terms, code, field) in [
        (
            serde_json::json!({ "share": "0".repeat(21) }),
            "too_long",
            "share",
        ),
        (
            serde_json::json!({ "share": "30", "starts_on": "" }),
            "invalid_date",
            "starts_on",
        ),
    ] {
        let (got, body) = server
            .call(
                &server.token,
                post.clone(),
                "/api/v1/finance/banks",
                Some(bank(terms)),
            )
            .await;
        assert_eq!(got, 422, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
    }
    let (_, banks) = server
        .call(
            &server.token,
            reqwest::Method::GET,
            "/api/v1/finance/banks",
            None,
        )
        .await;
    assert!(!banks.to_string().contains("韶关农商银行"), "{banks}");
    let (status, _) = server.get("/api/v1/plans/1/targets?region=440300").await;
    assert_eq!(status, 404, "Shenzhen is outside the Shaoguan plan");
    let (status, _) = server.get("/api/v1/indicators/nosuch/observations").await;
    assert_eq!(status, 404);
    let (status, html) = server.get("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("页面不存在"));
}

async fn openapi_describes_every_endpoint(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let (status, served) = server.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&served).expect("the document is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/plans/{id}/targets/{code}/records",
        "/api/v1/plans/{id}/targets",
        "/api/v1/indicators/{code}/observations",
        "/api/v1/regions",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    // Every API route of the router is in the document, and the document holds nothing else.
    let api_route = |p: &str| p.starts_with("/api/") || p == "/healthz";
    let table = kechuang_web::route_table();
    let missing: Vec<String> = table
        .iter()
        .filter(|(_, p, _)| api_route(p))
        .filter(|(m, p, _)| {
            let method = m.as_str().to_ascii_lowercase();
            paths.get(*p).and_then(|item| item.get(&method)).is_none()
        })
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without documentation: {missing:?}"
    );
    let mut extra = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let routed = table
                .iter()
                .any(|(m, p, _)| m.as_str().eq_ignore_ascii_case(method) && p == path);
            if item.get(method).is_some() && !routed {
                extra.push(format!("{method} {path}"));
            }
        }
    }
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
    // A parameter said to be in the path is one of the path's own `{name}`s: a query
    // parameter documented as a path one cannot be sent at all, and the contract test then
    // finds its limits unenforced.
    let mut misplaced = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap_or_default();
                if param["in"] == "path" && !path.contains(&format!("{{{name}}}")) {
                    misplaced.push(format!("{method} {path} {name}"));
                }
            }
        }
    }
    assert!(
        misplaced.is_empty(),
        "path parameters not in the path: {misplaced:?}"
    );
    // A protected operation says how to authenticate and that it can refuse; a public one
    // neither; a workflow step lists every answer it can give.
    let me = &paths["/api/v1/me"]["get"];
    assert_eq!(me["security"].as_array().map(Vec::len), Some(2), "{me}");
    assert!(me["responses"].get("401").is_some());
    let regions = &paths["/api/v1/regions"]["get"];
    assert!(regions.get("security").is_none(), "{regions}");
    assert!(regions["responses"].get("401").is_none());
    let step = &paths["/api/v1/batches/{id}/steps"]["post"];
    for status in ["400", "401", "403", "404", "409", "500"] {
        assert!(step["responses"].get(status).is_some(), "{status}");
    }
    // The served document is the committed one, so a change to the API shows in review. To
    // accept a change: `KECHUANG_UPDATE_OPENAPI=1 cargo test -p kechuang --test it openapi`,
    // then review the diff.
    let served = format!("{served}\n");
    let committed = common::repo_file("crates/web/openapi.json");
    if std::env::var_os("KECHUANG_UPDATE_OPENAPI").is_some() {
        std::fs::write(&committed, &served).expect("write openapi.json");
    } else {
        assert!(
            std::fs::read_to_string(&committed).unwrap_or_default() == served,
            "crates/web/openapi.json differs from the served document; run \
             KECHUANG_UPDATE_OPENAPI=1 cargo test -p kechuang --test it openapi and review the diff"
        );
    }
    // Every documented path answers: with data, or with a JSON 404 for a record not there.
    for (p, ops) in paths {
        if ops.get("get").is_none() {
            continue;
        }
        let concrete = p
            .replace("{id}", "1")
            .replace("/targets/{code}", "/targets/2.9a")
            .replace(
                "/programmes/{code}/preview",
                "/programmes/hte-certified/preview?year=2018",
            )
            .replace("/tasks/{code}", "/tasks/3.19-1")
            .replace("{code}", "gdp")
            .replace("{uscc}", "9144030071526726XG")
            .replace("{slot}", "proposal")
            .replace("{file}", "1")
            .replace("{region}", "440203")
            .replace("{period}", "2018")
            .replace("{contract_no}", "HT-0001")
            .replace("/rd/coverage", "/rd/coverage?year=2019")
            .replace("/rd/trainings", "/rd/trainings?year=2019")
            .replace("{set}", "targets")
            .replace("{year}", "2019");
        let (status, body) = server.get(&concrete).await;
        // No enterprise, batch, call, application or loan exists in a new database.
        let missing = p.contains("{uscc}")
            || p.contains("{contract_no}")
            || p.starts_with("/api/v1/batches/")
            || p.starts_with("/api/v1/calls/")
            || p.starts_with("/api/v1/applications/")
            || p.starts_with("/api/v1/reminders/")
            || p.starts_with("/api/v1/plan-drafts/")
            || p.starts_with("/api/v1/task-files/")
            || p.starts_with("/api/v1/articles/")
            || p.starts_with("/api/v1/events/")
            || p.starts_with("/api/v1/competitions/")
            || p.starts_with("/api/v1/competition-rounds/")
            || p.starts_with("/api/v1/competition-entries/")
            || p.starts_with("/api/v1/sites/")
            || p.starts_with("/api/v1/site-files/");
        // The bureau's token may not read the administrator's settings, nor fill in an
        // enterprise's own survey.
        let admin_only = p.starts_with("/api/v1/second-factor/")
            || p == "/api/v1/rd/survey"
            || p == "/api/v1/subscriptions";
        let expected = if missing {
            404
        } else if admin_only {
            403
        } else {
            200
        };
        assert_eq!(status, expected, "{concrete}");
        // The plan file is the one answer that is not JSON: it is the plan, as TOML.
        if p.ends_with("/source") {
            assert!(body.contains("[plan]"), "{concrete}");
            continue;
        }
        let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{concrete}: {e}"));
        assert!(json.is_object() || json.is_array(), "{concrete}");
    }
}

async fn pages_render_in_both_languages(b: Backend) {
    let env = TestEnv::new(b).await;
    let file = env.write("county-data.csv", COUNTY_DATA);
    env.cli_ok(&["import", "observations", file.to_str().expect("path")]);
    let server = env.serve().await;
    for path in [
        "/",
        "/plans/1",
        "/plans/1/targets/2.1",
        "/plans/1/targets/2.6?region=440203",
        "/indicators",
        "/api",
    ] {
        let res = server
            .client
            .get(server.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200, "{path}");
        let csp = res
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let html = res.text().await.expect("body");
        assert!(html.contains("<html lang=\"zh-CN\">"), "{path}");
        assert!(!html.contains("<script"), "{path} needs no script");
    }
    let (_, plan) = server.get("/plans/1").await;
    // Sections and measures in the plan's own order, with targets attached.
    let a = plan.find("一、总体目标").expect("section 1");
    let b2 = plan.find("二、到2020年的主要任务").expect("section 2");
    let c = plan.find("实施高新技术企业倍增计划").expect("measure 3.1");
    let d = plan.find("四、保障措施").expect("section 4");
    assert!(a < b2 && b2 < c && c < d);
    assert!(plan.contains("/plans/1/targets/2.9a"));

    let res = server
        .client
        .get(server.url("/lang/en?next=/plans/1"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("lang=en"));
    let html = server
        .client
        .get(server.url("/"))
        .header("cookie", "lang=en")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(html.contains("Shaoguan Science and Technology Innovation Action Plan"));
    assert!(html.contains("Dashboard"));
    // Only local redirects.
    let res = server
        .client
        .get(server.url("/lang/en?next=//evil.example/"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/")
    );
}

/// A clean dry run keeps the file: its sender imports that very file once, within the hour,
/// without sending it again; nobody else can.
async fn a_checked_file_is_imported_as_checked(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let other = {
        env.add_user("lichu", "bureau", &["--region", "440200"]);
        env.token("lichu")
    };
    let sample =
        std::fs::read(common::repo_file("docs/examples/enterprises-sample.csv")).expect("sample");
    let rows = common::csv_rows("enterprises-sample.csv").len() - 2;
    let res = server
        .client
        .post(
            server.url("/api/v1/imports/enterprises?file_name=enterprises-sample.csv&dry_run=true"),
        )
        .bearer_auth(&server.token)
        .body(sample)
        .send()
        .await
        .expect("dry run");
    assert_eq!(res.status().as_u16(), 200);
    let checked: Value = res.json().await.expect("json");
    let held = checked["held"]
        .as_str()
        .expect("the file is kept")
        .to_owned();
    let commit = |token: String| {
        let req = server
            .client
            .post(server.url(&format!("/api/v1/imports/held/{held}")))
            .bearer_auth(token);
        async move {
            let res = req.send().await.expect("commit");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = commit(other.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("held_upload_gone")),
        "another officer's"
    );
    let (status, body) = commit(server.token.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["summary"]["inserted"], rows);
    assert_eq!(body["kind"], "enterprises");
    let (status, _) = commit(server.token.clone()).await;
    assert_eq!(status, 404, "imported once");
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(page["total"], rows);
    // The officer's history lists the dry run and the import.
    let res = server
        .client
        .get(server.url("/import"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("import page");
    let page = res.text().await.expect("html");
    let history = &page[page.find("import-history").expect("a history")..];
    assert_eq!(
        history.matches("enterprises-sample.csv").count(),
        2,
        "{history}"
    );
    assert!(history.contains("试运行通过") && history.contains("已写入"));

    // Each kind has a template: its headers are the importer's, and its example row cannot be
    // imported by mistake.
    for kind in [
        "enterprises",
        "certificates",
        "platforms",
        "facts",
        "patents",
        "observations",
    ] {
        let res = server
            .client
            .get(server.url(&format!("/import/templates/{kind}.xlsx")))
            .bearer_auth(&server.token)
            .send()
            .await
            .expect("template");
        assert_eq!(res.status().as_u16(), 200, "{kind}");
        let template = res.bytes().await.expect("bytes").to_vec();
        let res = server
            .client
            .post(server.url(&format!(
                "/api/v1/imports/{kind}?file_name=template.xlsx&dry_run=true"
            )))
            .bearer_auth(&server.token)
            .body(template)
            .send()
            .await
            .expect("send the template back");
        assert_eq!(res.status().as_u16(), 422, "{kind}: the example is refused");
        let body: Value = res.json().await.expect("json");
        let problems = body["problems"].as_array().expect("problems");
        assert!(
            problems.iter().all(|p| p["row"] == 2),
            "{kind}: only the example row is refused, the headers are read: {body}"
        );
    }

    // A path is never taken from the id.
    let (status, _) = commit(server.token.clone()).await;
    assert_eq!(status, 404);
    let res = server
        .client
        .post(server.url("/api/v1/imports/held/..%2F..%2Fkechuang.db"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("traversal");
    assert_eq!(res.status().as_u16(), 404);
}

/// A large file sent on the upload page is imported in the background: the officer is taken
/// to a page that shows its progress and reloads itself until the report is there; no one
/// else can see it.
async fn a_large_upload_shows_its_progress(b: Backend) {
    let env = TestEnv::new(b).await;
    let dir = env.write("placeholder", "").with_file_name("demo-files");
    env.cli_ok(&["demo", "--out", dir.to_str().expect("path")]);
    let file = std::fs::read(dir.join("enterprises.csv")).expect("demo enterprises");
    assert!(
        file.len() > 256 * 1024,
        "a file the page imports in the background"
    );
    let rows = file
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count()
        - 1;
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    env.add_user("lichu", "bureau", &["--region", "440200"]);
    let server = env.serve().await;
    let officer = server.login("gaoke", common::PASSWORD).await;
    let form = reqwest::multipart::Form::new()
        .text("kind", "enterprises")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("enterprises.csv"),
        );
    let res = officer
        .request(reqwest::Method::POST, "/import")
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 303);
    let job = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("the progress page")
        .to_owned();
    assert!(job.starts_with("/import/jobs/"), "{job}");
    let other = server.login("lichu", common::PASSWORD).await;
    let res = other
        .request(reqwest::Method::GET, &job)
        .send()
        .await
        .expect("page");
    assert_eq!(
        res.status().as_u16(),
        404,
        "another officer does not see it"
    );
    let mut report = String::new();
    for _ in 0..600 {
        let page = officer
            .request(reqwest::Method::GET, &job)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("text");
        if page.contains("id=\"import-result\"") {
            report = page;
            break;
        }
        assert!(
            page.contains(r#"<meta http-equiv="refresh" content="1">"#),
            "{page:.400}"
        );
        assert!(page.contains("<progress"));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(report.contains(&format!("新增 {rows}")), "{report:.600}");
    let total = server.get_json("/api/v1/enterprises?per_page=1").await["total"].clone();
    assert_eq!(total, rows);
    // Shown once: the outcome then lives in the import history.
    let res = officer
        .request(reqwest::Method::GET, &job)
        .send()
        .await
        .expect("page");
    assert_eq!(res.status().as_u16(), 404);
}

on_both_backends!(
    a_large_upload_shows_its_progress,
    a_checked_file_is_imported_as_checked,
    first_start_serves_the_whole_plan,
    imports_change_progress_at_once_for_city_and_county,
    reimport_changes_nothing_and_revisions_keep_history,
    bad_import_is_refused_whole,
    bad_plan_file_is_refused_with_its_line,
    export_round_trips,
    errors_are_clear,
    openapi_describes_every_endpoint,
    pages_render_in_both_languages,
);
