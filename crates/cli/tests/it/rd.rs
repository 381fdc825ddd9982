//! R&D statistics: the survey file held to the statistics office's checks, and 应统尽统 — the
//! enterprises that should report R&D and did not — recounted by hand from the same files.

use crate::common::{self, csv_rows, d, Backend, TestEnv};
use common::send_json as send;
use serde_json::Value;
use std::collections::BTreeSet;

const PARTS: &str = "人员人工费用（万元）,直接投入费用（万元）,折旧费用与长期待摊费用（万元）,无形资产摊销费用（万元）,设计费用（万元）,装备调试费用与试验费用（万元）,委托外部研究开发费用（万元）,其他费用（万元）";

fn survey_file(rows: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "韶关市企业研究开发活动情况表（2019年）\n统一社会信用代码,企业名称,研究开发人员合计,研究开发费用合计（万元）,{PARTS}\n"
    );
    for (uscc, total, labour) in rows {
        // The parts: staff costs, then the rest of the total as direct inputs.
        let rest = total.parse::<f64>().unwrap_or(0.0) - labour.parse::<f64>().unwrap_or(0.0);
        s.push_str(&format!(
            "{uscc},企业,8,{total},{labour},{rest},0,0,0,0,0,0\n"
        ));
    }
    s
}

async fn coverage_lists_exactly_who_should_report_and_did_not(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let server = env.serve().await;
    let usccs: Vec<String> = csv_rows("enterprises-sample.csv")[2..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let holders = common::hte_holder_set(d("2019-12-31"), None);
    let counties = common::sample_counties();
    // The tax list names three enterprises, one of them also a certificate holder.
    let holder = holders.iter().next().expect("a holder").clone();
    let listed: Vec<String> = usccs
        .iter()
        .filter(|u| !holders.contains(*u))
        .take(2)
        .cloned()
        .chain(std::iter::once(holder.clone()))
        .collect();
    let mut tax = String::from("统一社会信用代码,纳税人名称,加计扣除金额（万元）\n");
    for u in &listed {
        tax.push_str(&format!("{u},企业,120\n"));
    }
    let tax = env.write("2019年度研发费用加计扣除名单.csv", &tax);
    let out = env.cli_ok(&[
        "import",
        "super-deduction",
        "--year",
        "2019",
        &tax.display().to_string(),
    ]);
    assert!(out.contains("新增 3"), "{out}");

    // A survey whose parts do not add up is refused with the row and the difference, and
    // nothing of the file is written.
    let bad = env.write(
        "survey-bad.csv",
        &(survey_file(&[(&listed[0], "100", "60")])
            + &format!("{holder},企业,8,130,60,20,0,0,0,0,0,0\n")),
    );
    let res = env.cli(&[
        "import",
        "rd-survey",
        "--year",
        "2019",
        &bad.display().to_string(),
    ]);
    assert!(!res.status.success());
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(
        err.contains("4\t研究开发费用合计（万元）\t130") && err.contains("相差 50 万元"),
        "{err}"
    );
    let c: Value = server.get_json("/api/v1/rd/coverage?year=2019").await;
    assert_eq!(c["reported"], 0, "nothing written");

    // Two enterprises report R&D: one on the tax list, the certificate holder.
    let good = env.write(
        "survey.csv",
        &survey_file(&[(&listed[0], "100", "60"), (&holder, "80.5", "50")]),
    );
    env.cli_ok(&[
        "import",
        "rd-survey",
        "--year",
        "2019",
        &good.display().to_string(),
    ]);
    let reported: BTreeSet<String> = [listed[0].clone(), holder.clone()].into();
    let should: BTreeSet<String> = listed
        .iter()
        .cloned()
        .chain(holders.iter().cloned())
        .collect();
    let county = counties[&listed[1]].clone();
    for region in [None, Some(county.as_str())] {
        let inside = |u: &String| region.is_none_or(|r| counties[u] == r);
        let expected_missing: BTreeSet<String> = should
            .iter()
            .filter(|u| inside(u) && !reported.contains(*u))
            .cloned()
            .collect();
        let q = region.map(|r| format!("&region={r}")).unwrap_or_default();
        let c: Value = server
            .get_json(&format!("/api/v1/rd/coverage?year=2019{q}"))
            .await;
        let missing: BTreeSet<String> = c["missing"]
            .as_array()
            .expect("missing")
            .iter()
            .filter_map(|m| m["uscc"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(missing, expected_missing, "{q}");
        let n_should = should.iter().filter(|u| inside(u)).count();
        assert_eq!(c["should"], n_should, "{q}");
        assert_eq!(
            c["reported"],
            reported.iter().filter(|u| inside(u)).count(),
            "{q}"
        );
        // Each missing enterprise says why it should report.
        for m in c["missing"].as_array().expect("missing") {
            let u = m["uscc"].as_str().unwrap_or_default().to_owned();
            let reasons: BTreeSet<&str> = m["reasons"]
                .as_array()
                .expect("reasons")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let mut want = BTreeSet::new();
            if listed.contains(&u) {
                want.insert("super_deduction");
            }
            if holders.contains(&u) {
                want.insert("hte");
            }
            assert_eq!(reasons, want, "{u}");
        }
    }
    // The surveys add up by county into enterprise_rd_expenditure (万元), beside the official
    // figure on /rd.
    let totals = [(listed[0].clone(), 100.0), (holder.clone(), 80.5)];
    for region in [
        None,
        Some(counties[&listed[0]].clone()),
        Some(counties[&holder].clone()),
    ] {
        let expected: f64 = totals
            .iter()
            .filter(|(u, _)| region.as_ref().is_none_or(|r| counties[u] == *r))
            .map(|(_, t)| t)
            .sum();
        let q = region
            .as_ref()
            .map(|r| format!("?region={r}"))
            .unwrap_or_default();
        let s: Value = server
            .get_json(&format!(
                "/api/v1/indicators/enterprise_rd_expenditure/observations{q}"
            ))
            .await;
        let v = s["series"]
            .as_array()
            .expect("series")
            .iter()
            .find(|p| p["period"] == "2019")
            .and_then(|p| p["value"].as_f64());
        assert_eq!(v, Some(expected), "{q}: {s}");
    }
    let (status, page) = server.get("/rd?year=2019").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("180.5"),
        "the city's surveyed total on the page"
    );

    // A training sign-in sheet names one of the missing by its registered name: the coverage
    // says it attended, and the others not; the session is listed with its attendance.
    let names: std::collections::HashMap<String, String> = csv_rows("enterprises-sample.csv")[2..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let missing_now: Vec<String> = should
        .iter()
        .filter(|u| !reported.contains(*u))
        .cloned()
        .collect();
    let attended = missing_now[0].clone();
    let sheet = env.write(
        "2019年研发统计培训签到表.csv",
        &format!(
            "2019年研发统计培训班签到表\n序号,培训日期,举办县区,企业名称,参训人员,联系电话\n1,2019年11月5日,{},{},张三,13800000000\n",
            counties[&attended], names[&attended]
        ),
    );
    for expected in ["新增 1", "未变 1"] {
        let out = env.cli_ok(&["import", "rd-training", &sheet.display().to_string()]);
        assert!(out.contains(expected), "{out}");
    }
    let c: Value = server.get_json("/api/v1/rd/coverage?year=2019").await;
    for m in c["missing"].as_array().expect("missing") {
        assert_eq!(
            m["trained"].as_bool(),
            Some(m["uscc"] == attended.as_str()),
            "{m}"
        );
    }
    let sessions: Value = server.get_json("/api/v1/rd/trainings?year=2019").await;
    assert_eq!(sessions.as_array().map(Vec::len), Some(1), "{sessions}");
    assert_eq!(sessions[0]["attendees"], 1);
    assert_eq!(sessions[0]["held_on"], "2019-11-05");
    // The 2020 survey's sessions are another window.
    let later: Value = server.get_json("/api/v1/rd/trainings?year=2021").await;
    assert_eq!(later.as_array().map(Vec::len), Some(0));

    // Staff see the coverage by county on the dashboard; the public does not.
    let (_, dash) = server.get("/?as_of=2019-12-31").await;
    assert!(dash.contains("id=\"rd-coverage\""), "staff see the panel");
    assert!(dash.contains(&format!("/rd?year=2019&amp;region={county}")));
    let (_, public) = server.get_anon("/?as_of=2019-12-31").await;
    assert!(!public.contains("rd-coverage"));

    // The county officer's list to follow up, as a spreadsheet.
    let (status, _) = server
        .get(&format!("/rd/export/missing.csv?year=2019&region={county}"))
        .await;
    assert_eq!(status, 200);
}

async fn an_enterprise_survey_goes_through_its_county_to_the_bureau(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let counties = common::sample_counties();
    let (own, county) = counties
        .iter()
        .find(|(_, c)| c.as_str() == "440203")
        .map(|(u, c)| (u.clone(), c.clone()))
        .expect("an enterprise in 武江区");
    env.add_user("qiye", "enterprise", &["--uscc", &own]);
    env.add_user("wujiang", "county", &["--region", &county]);
    env.add_user("zhenjiang", "county", &["--region", "440204"]);
    let (ent, cty, other) = (
        env.token("qiye"),
        env.token("wujiang"),
        env.token("zhenjiang"),
    );
    let bureau = env.bureau_token();
    let server = env.serve().await;
    use reqwest::Method;
    let survey = |total: &str, labour: &str, materials: &str, submit: bool| {
        serde_json::json!({
            "year": 2019, "rd_staff": 6, "rd_total_wan": total,
            "parts": {"labour": labour, "materials": materials}, "submit": submit,
        })
    };
    // Parts that do not add up are refused on the total's field, with the difference.
    let (status, body) = send(
        &server,
        Method::PUT,
        &ent,
        "/api/v1/rd/survey",
        survey("100", "60", "30", false),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let why = body["error"]["details"]["rd_total_wan"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("相差 10 万元"), "{body}");
    // Government funds above the total are refused on their field; a count must be whole.
    let mut more = survey("100", "60", "40", false);
    more["gov_funds_wan"] = serde_json::json!(150);
    more["patent_applications"] = serde_json::json!("3件");
    let (status, body) = send(&server, Method::PUT, &ent, "/api/v1/rd/survey", more).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["details"]["patent_applications"].is_string(),
        "{body}"
    );
    let mut more = survey("100", "60", "40", false);
    more["gov_funds_wan"] = serde_json::json!(150);
    let (status, body) = send(&server, Method::PUT, &ent, "/api/v1/rd/survey", more).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["details"]["gov_funds_wan"].is_string(),
        "{body}"
    );
    let mut draft = survey("100", "60", "40", false);
    draft["gov_funds_wan"] = serde_json::json!("20");
    draft["institutions"] = serde_json::json!(1);
    let (status, body) = send(&server, Method::PUT, &ent, "/api/v1/rd/survey", draft).await;
    assert_eq!(
        (
            body["gov_funds_wan"].as_str(),
            body["institutions"].as_i64()
        ),
        (Some("20"), Some(1)),
        "{body}"
    );
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("draft")),
        "{body}"
    );
    // A draft counts nowhere yet.
    let reported = |c: &Value| c["reported"].as_u64().unwrap_or(0);
    let before = reported(&server.get_json("/api/v1/rd/coverage?year=2019").await);
    let (status, body) = send(
        &server,
        Method::PUT,
        &ent,
        "/api/v1/rd/survey",
        survey("100", "60", "40", true),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("submitted")),
        "{body}"
    );
    // Submitted, it is the county's to check: the enterprise cannot change it any more.
    let (status, _) = send(
        &server,
        Method::PUT,
        &ent,
        "/api/v1/rd/survey",
        survey("120", "60", "60", false),
    )
    .await;
    assert_eq!(status, 409);
    let path = format!("/api/v1/rd/surveys/{own}/2019");
    // It waits on the county officer's workbench.
    let (_, wb) = server.get_as(Some(&cty), "/api/v1/workbench").await;
    assert!(
        wb.contains("check_rd_survey") && wb.contains(&path.replace("/api/v1", "")),
        "{wb}"
    );
    // Another county does not see it; the bureau cannot skip the county.
    let (status, _) = send(
        &server,
        Method::POST,
        &other,
        &format!("{path}/check"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("{path}/accept"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 409);
    // Returned without a reason is refused; with one, the enterprise reads it and resubmits.
    let (status, _) = send(
        &server,
        Method::POST,
        &cty,
        &format!("{path}/return"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 409);
    let (status, body) = send(
        &server,
        Method::POST,
        &cty,
        &format!("{path}/return"),
        serde_json::json!({"comment": "请补充直接投入明细"}),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("returned")),
        "{body}"
    );
    let (_, page) = server.get_as(Some(&ent), "/rd/survey?year=2019").await;
    assert!(
        page.contains("请补充直接投入明细"),
        "the enterprise reads why"
    );
    let (status, _) = send(
        &server,
        Method::PUT,
        &ent,
        "/api/v1/rd/survey",
        survey("100", "60", "40", true),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(
        &server,
        Method::POST,
        &cty,
        &format!("{path}/check"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("checked")),
        "{body}"
    );
    let (_, rd_page) = server.get("/rd?year=2019").await;
    assert!(
        rd_page.contains(&format!("/rd/surveys/{own}/2019")),
        "waiting for the bureau"
    );
    assert_eq!(
        reported(&server.get_json("/api/v1/rd/coverage?year=2019").await),
        before
    );
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("{path}/accept"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("accepted")),
        "{body}"
    );
    // Accepted, it counts: in the roll-up of its county.
    let s: Value = server
        .get_json(&format!(
            "/api/v1/indicators/enterprise_rd_expenditure/observations?region={county}"
        ))
        .await;
    let v = s["series"]
        .as_array()
        .expect("series")
        .iter()
        .find(|p| p["period"] == "2019")
        .and_then(|p| p["value"].as_f64());
    assert_eq!(v, Some(100.0), "{s}");
}

on_both_backends!(
    coverage_lists_exactly_who_should_report_and_did_not,
    an_enterprise_survey_goes_through_its_county_to_the_bureau,
);
