//! Task supervision over the API: a unit's tasks, its quarterly report with evidence, the
//! bureau's review, lights that turn overdue on their day, and 督办 reminders — on the shipped
//! plan's tasks.

use crate::common::{self, Backend, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

use common::send_json as send;

async fn get(server: &common::Server, token: &str, path: &str) -> (u16, Value) {
    let (status, body) = server.get_as(Some(token), path).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn upload(server: &common::Server, token: &str, path: &str, bytes: &[u8]) -> (u16, Value) {
    let res = server
        .client
        .post(server.url(path))
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(bytes.to_vec())
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A unit's state for one period of a task on the board's day.
fn state<'a>(board: &'a Value, task: &str, unit: &str, period: &str) -> &'a str {
    board["tasks"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["code"] == task))
        .and_then(|t| t["units"].as_array())
        .and_then(|us| us.iter().find(|u| u["unit"] == unit))
        .and_then(|u| u["periods"].as_array())
        .and_then(|ps| ps.iter().find(|p| p["period"] == period))
        .and_then(|p| p["state"].as_str())
        .unwrap_or("absent")
}

async fn a_unit_reports_and_the_bureau_reviews_and_chases_the_late(b: Backend) {
    let env = TestEnv::new(b).await;
    // A unit account names its unit by name or by code.
    env.add_user("caizheng", "unit", &["--org", "市财政局"]);
    env.add_user("wujiang-gov", "unit", &["--org", "wj"]);
    let refused = env.cli_stdin(
        &[
            "user",
            "add",
            "nobody",
            "--role",
            "unit",
            "--org",
            "市不存在局",
            "--password-stdin",
        ],
        &format!("{}\n", common::PASSWORD),
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("市不存在局"));
    let (cz, wj, bureau) = (
        env.token("caizheng"),
        env.token("wujiang-gov"),
        env.bureau_token(),
    );
    let server = env.serve().await;
    let plan = server.get_json("/api/v1/plans").await[0]["id"]
        .as_i64()
        .expect("plan id");
    let base = format!("/api/v1/plans/{plan}/tasks");

    // The unit sees exactly the tasks it leads or supports; 3.19 (the reserve's growth) is its own.
    let (status, mine) = get(&server, &cz, &base).await;
    assert_eq!(status, 200, "{mine}");
    let tasks = mine["tasks"].as_array().expect("tasks");
    assert!(!tasks.is_empty());
    for t in tasks {
        let all: Vec<&Value> = t["lead"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(t["support"].as_array().into_iter().flatten())
            .collect();
        assert!(all.iter().any(|u| *u == "czj"), "{t}");
    }
    let task = "3.19-1";
    assert!(
        tasks
            .iter()
            .any(|t| t["code"] == task && t["lead"] == json!(["czj"])),
        "{mine}"
    );
    let (_, all) = get(&server, &bureau, &base).await;
    assert!(all["tasks"].as_array().map_or(0, Vec::len) > tasks.len());

    // Unreported, 2019Q1 is due until 10 April and overdue from the 11th.
    let (_, before) = get(&server, &bureau, &format!("{base}?as_of=2019-04-10")).await;
    let (_, after) = get(&server, &bureau, &format!("{base}?as_of=2019-04-11")).await;
    assert_eq!(state(&before, task, "czj", "2019Q1"), "open");
    assert_eq!(state(&after, task, "czj", "2019Q1"), "overdue");

    // Bad input is refused on its field, nothing saved.
    let report = format!("{base}/{task}/reports/2019Q1");
    let (status, body) = send(
        &server,
        Method::PUT,
        &cz,
        &report,
        json!({"progress": "", "percent": "120"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"]["percent"].is_string(), "{body}");
    assert!(body["error"]["details"]["progress"].is_string(), "{body}");
    let (status, body) = send(
        &server,
        Method::PUT,
        &cz,
        &format!("{base}/{task}/reports/2019Q5"),
        json!({"progress": "x", "percent": 1}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_period")),
        "{body}"
    );
    // Only a lead unit reports: another unit's task is not found, a supported one forbidden.
    let (status, _) = send(
        &server,
        Method::PUT,
        &wj,
        &report,
        json!({"progress": "x", "percent": 1}),
    )
    .await;
    assert_eq!(status, 404);
    let supported = tasks
        .iter()
        .find(|t| {
            t["support"]
                .as_array()
                .is_some_and(|s| s.iter().any(|u| u == "czj"))
        })
        .expect("a task czj supports");
    let (status, body) = send(
        &server,
        Method::PUT,
        &cz,
        &format!(
            "{base}/{}/reports/2019Q1",
            supported["code"].as_str().unwrap_or_default()
        ),
        json!({"progress": "x", "percent": 1}),
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // A draft, its evidence (a page is refused), then sent.
    let (status, body) = send(&server, Method::PUT, &cz, &report, json!({"progress": "市财政已安排风险准备金配套资金 500 万元", "percent": "30%", "problems": "省级资金尚未下达"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = upload(
        &server,
        &cz,
        &format!("{report}/files?file_name=evil.html"),
        b"<script>",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("evidence_file_type")),
        "{body}"
    );
    let pdf = b"%PDF-1.4 fund transfer notice";
    let (status, body) = upload(
        &server,
        &cz,
        &format!("{report}/files?file_name=%E6%8B%A8%E6%AC%BE%E9%80%9A%E7%9F%A5.pdf"),
        pdf,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let file = body["id"].as_i64().expect("file id");
    let (status, body) = send(&server, Method::PUT, &cz, &report, json!({"progress": "市财政已安排风险准备金配套资金 500 万元", "percent": 30, "submit": true})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &server,
        Method::PUT,
        &cz,
        &report,
        json!({"progress": "改", "percent": 31}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("task_report_locked")),
        "{body}"
    );
    // The bureau reads the evidence; a unit of another task cannot.
    let (status, got) = server
        .get_as(Some(&bureau), &format!("/api/v1/task-files/{file}"))
        .await;
    assert_eq!((status, got.as_bytes()), (200, &pdf[..]));
    assert_eq!(
        server
            .get_as(Some(&wj), &format!("/api/v1/task-files/{file}"))
            .await
            .0,
        404
    );

    // Returned needs a reason; the unit corrects and resends; the bureau accepts.
    let review = format!("{base}/{task}/units/czj/reports/2019Q1/review");
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        &review,
        json!({"decision": "return"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("task_return_comment_required")),
        "{body}"
    );
    let (status, _) = send(
        &server,
        Method::POST,
        &bureau,
        &review,
        json!({"decision": "return", "comment": "请附拨款文件"}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, t) = get(&server, &cz, &format!("{base}/{task}?as_of=2019-04-05")).await;
    let period = t["units"][0]["periods"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["period"] == "2019Q1"))
        .unwrap_or_else(|| panic!("{t}"));
    assert_eq!(
        (
            period["state"].as_str(),
            period["report"]["comment"].as_str()
        ),
        (Some("returned"), Some("请附拨款文件")),
        "{t}"
    );
    assert_eq!(
        period["report"]["files"].as_array().map(Vec::len),
        Some(1),
        "{t}"
    );
    let (status, _) = send(
        &server,
        Method::PUT,
        &cz,
        &report,
        json!({"progress": "已附拨款文件", "percent": 35, "submit": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(
        &server,
        Method::POST,
        &cz,
        &review,
        json!({"decision": "accept"}),
    )
    .await;
    assert_eq!(status, 403, "a unit does not review");
    let (status, _) = send(
        &server,
        Method::POST,
        &bureau,
        &review,
        json!({"decision": "accept"}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, t) = get(&server, &bureau, &format!("{base}/{task}")).await;
    assert_eq!(t["units"][0]["accepted_percent"], 35, "{t}");

    // 督办: only for an overdue report, numbered in the year, shown to its unit only.
    let remind = |p: &str| format!("{base}/{task}/units/czj/reports/{p}/reminders");
    let ask = json!({"text": "请于一周内报送", "respond_by": "2099-01-31"});
    let (status, body) = send(
        &server,
        Method::POST,
        &bureau,
        &remind("2019Q1"),
        ask.clone(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("task_not_overdue")),
        "{body}"
    );
    let (status, r) = send(
        &server,
        Method::POST,
        &bureau,
        &remind("2019Q2"),
        ask.clone(),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    assert!(
        r["number"].as_str().is_some_and(|n| n.ends_with("〕1号")),
        "{r}"
    );
    let (status, r2) = send(&server, Method::POST, &bureau, &remind("2019Q3"), ask).await;
    assert_eq!(status, 201);
    assert!(
        r2["number"].as_str().is_some_and(|n| n.ends_with("〕2号")),
        "{r2}"
    );
    let id = r["id"].as_i64().expect("reminder id");
    assert_eq!(
        get(&server, &cz, &format!("/api/v1/reminders/{id}"))
            .await
            .0,
        200
    );
    assert_eq!(
        get(&server, &wj, &format!("/api/v1/reminders/{id}"))
            .await
            .0,
        404
    );
    let (_, t) = get(&server, &cz, &format!("{base}/{task}")).await;
    assert_eq!(t["reminders"].as_array().map(Vec::len), Some(2), "{t}");

    // The unit's workbench lists its next report, overdue.
    let (_, w) = get(&server, &cz, "/api/v1/workbench").await;
    let item = w["items"]
        .as_array()
        .and_then(|i| {
            i.iter().find(|i| {
                i["kind"] == "report_task"
                    && i["subject"].as_str().is_some_and(|s| s.starts_with(task))
            })
        })
        .unwrap_or_else(|| panic!("{w}"));
    assert_eq!(item["overdue"], true, "{item}");

    // Every step is in the audit trail.
    let (_, audit) = get(
        &server,
        &bureau,
        "/api/v1/audit?entity=task_report&per_page=100",
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "task_report.save",
        "task_report.submit",
        "task_report.file",
        "task_report.review",
    ] {
        assert!(actions.contains(&a), "{a}: {audit}");
    }
}

on_both_backends!(a_unit_reports_and_the_bureau_reviews_and_chases_the_late);
