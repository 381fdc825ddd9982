//! Successive plans: a copy of the 2017–2020 plan begun over the API, edited as a draft with
//! its problems named by line, published as a new plan with revisions kept; its targets
//! continue the earlier plan's, whose chart shows one series across both.

use crate::common::{self, Backend, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

use common::send_json as send;

async fn a_copied_plan_is_edited_published_and_continues_the_earlier_one(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let bureau = env.bureau_token();
    let server = env.serve().await;
    let name = "韶关市科技创新发展行动计划（2021—2025年）示例（非正式文件）";
    let copy =
        json!({"code": "shaoguan-2021-2025", "name": name, "start_year": 2021, "end_year": "2025"});
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/plans/1/drafts",
        copy.clone(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let draft = body["id"].as_i64().expect("draft id");
    let path = format!("/api/v1/plan-drafts/{draft}");
    let (status, d) = send(&server, Method::GET, &bureau, &path, Value::Null).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["problems"], json!([]), "{}", d["problems"]);
    let src = d["source"].as_str().expect("source").to_owned();
    assert!(src.contains("continues = \"shaoguan-2017-2020/2.3\""));
    // The same code again, or a malformed one, is refused before anything is written.
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/plans/1/drafts",
        json!({"code": "shaoguan-2017-2020", "name": "x", "start_year": 2021, "end_year": 2025}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("plan_code_taken")),
        "{body}"
    );
    let (status, _) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/plans/1/drafts",
        json!({"code": "Bad Code", "name": "x", "start_year": 2021, "end_year": 2025}),
    )
    .await;
    assert_eq!(status, 422);

    // A mistake is kept in the draft and named by its line; publishing is refused.
    let broken = src.replacen("target = 100", "target = \"很多\"", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("很多"))
        .expect("edited line")
        + 1;
    let (status, d) = send(
        &server,
        Method::PUT,
        &bureau,
        &path,
        json!({"source": broken}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert!(
        d["problems"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["line"] == line)),
        "{d}"
    );
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("{path}/publish"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_fields")),
        "{body}"
    );
    assert_eq!(
        server
            .get_json("/api/v1/plans")
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Corrected (a new target for 2.3, below its stretch of 130), it publishes as a second plan with its first revision.
    let fixed = src.replacen("target = 100", "target = 120", 1);
    let (_, d) = send(
        &server,
        Method::PUT,
        &bureau,
        &path,
        json!({"source": fixed}),
    )
    .await;
    assert_eq!(d["problems"], json!([]), "{d}");
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("{path}/publish"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let plan = body["plan"].as_i64().expect("plan id");
    let plans = server.get_json("/api/v1/plans").await;
    assert_eq!(plans.as_array().map(Vec::len), Some(2), "{plans}");
    let revisions = server
        .get_json(&format!("/api/v1/plans/{plan}/revisions"))
        .await;
    assert_eq!(revisions.as_array().map(Vec::len), Some(1), "{revisions}");
    assert_eq!(revisions[0]["published_by"], "tester");
    let targets = server
        .get_json(&format!("/api/v1/plans/{plan}/targets"))
        .await;
    let t23 = common::target(&targets, "2.3");
    assert_eq!(t23["target"], 120.0, "{t23}");
    // Its tasks came along, moved on four years.
    let (status, board) = send(
        &server,
        Method::GET,
        &bureau,
        &format!("/api/v1/plans/{plan}/tasks?as_of=2022-01-01"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let cover = board["tasks"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["code"] == "3.10-1"))
        .expect("3.10-1");
    assert_eq!(cover["deadline"], "2022-12-31");

    // A change to the published plan is a second revision, kept with the first.
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("/api/v1/plans/{plan}/drafts"),
        json!({}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let edit = format!("/api/v1/plan-drafts/{}", body["id"]);
    let (_, d) = send(&server, Method::GET, &bureau, &edit, Value::Null).await;
    let renamed = d["source"]
        .as_str()
        .expect("source")
        .replacen("target = 120", "target = 125", 1);
    send(
        &server,
        Method::PUT,
        &bureau,
        &edit,
        json!({"source": renamed}),
    )
    .await;
    let (status, _) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("{edit}/publish"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let revisions = server
        .get_json(&format!("/api/v1/plans/{plan}/revisions"))
        .await;
    assert_eq!(revisions.as_array().map(Vec::len), Some(2), "{revisions}");
    let first = server
        .get_as(
            Some(&bureau),
            &format!("/api/v1/plans/{plan}/source?revision=1"),
        )
        .await
        .1;
    assert!(first.contains("target = 120") && !first.contains("target = 125"));
    assert_eq!(
        server
            .get_json("/api/v1/plans")
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // 2.3 continues the earlier plan's 2.3: one series from 2017 on, the earlier target drawn.
    let (status, html) = server.get(&format!("/plans/{plan}/targets/2.3")).await;
    assert_eq!(status, 200);
    let desc = html
        .split("<desc>")
        .nth(1)
        .and_then(|d| d.split("</desc>").next())
        .expect("chart desc");
    assert!(desc.contains("2018: ") && desc.contains("2023: "), "{desc}");
    assert!(desc.contains("原计划目标"), "{desc}");
    // The selector offers both plans; the dashboard opens on the most recent.
    let (_, dash) = server.get("/").await;
    assert!(dash.contains("id=\"plan-select\""));
    assert!(
        dash.contains(&format!("<option value=\"{plan}\" selected>")),
        "the newest plan is open"
    );

    // A plan file continuing a target that does not exist is refused by line.
    let bad = fixed
        .replace("shaoguan-2021-2025", "shaoguan-2026-2030")
        .replacen("shaoguan-2017-2020/2.3", "shaoguan-2017-2020/9.9", 1);
    let file = env.write("bad.toml", &bad);
    let out = env.cli(&["plan", "load", file.to_str().expect("path")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("9.9"));
}

on_both_backends!(a_copied_plan_is_edited_published_and_continues_the_earlier_one);
