//! R&D statistics: the survey file held to the statistics office's checks, and 应统尽统 — the
//! enterprises that should report R&D and did not — recounted by hand from the same files.

use crate::common::{self, csv_rows, d, Backend, TestEnv};
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

on_both_backends!(coverage_lists_exactly_who_should_report_and_did_not);
