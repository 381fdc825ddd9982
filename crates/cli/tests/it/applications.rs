//! An application from submission to acceptance through the API alone, as a script of the
//! bureau, a county, an enterprise and three experts would drive it: each step by the role it
//! belongs to, refusals with their stable codes, and the money paid in its two instalments.

use crate::common::{self, Backend, Server, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

/// A request with a role's token, answering the status and the JSON body (null when empty).
async fn call(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    server.call(token, method, path, body).await
}

async fn ok(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let (status, body) = call(server, token, method.clone(), path, body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {body}"
    );
    body
}

async fn put_file(server: &Server, token: &str, app: i64, slot: &str, name: &str) -> u16 {
    server
        .client
        .put(server.url(&format!(
            "/api/v1/applications/{app}/files/{slot}?file_name={}",
            common::urlencode(name)
        )))
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(format!("%PDF-1.4 {slot}"))
        .send()
        .await
        .expect("upload")
        .status()
        .as_u16()
}

async fn an_application_goes_from_submission_to_acceptance_through_the_api(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = common::csv_rows("enterprises-sample.csv");
    let applicant = rows[2..]
        .iter()
        .find(|r| r[2] == "武江区")
        .expect("an enterprise in 武江区");
    let (uscc, name) = (applicant[0].clone(), applicant[1].clone());
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("qiye", "enterprise", &["--uscc", &uscc]);
    for e in ["zhuanjia1", "zhuanjia2", "zhuanjia3", "zhuanjia4"] {
        env.add_user(e, "expert", &[]);
    }
    env.add_user("shenpi", "bureau", &["--region", "440200"]);
    let [bureau, county, enterprise, approver] =
        ["kejiju", "wujiang", "qiye", "shenpi"].map(|u| env.token(u));
    let server = env.serve().await;

    // The expert pool; the fourth works for the applicant and must not be assigned.
    for (e, org) in [
        ("zhuanjia1", "韶关学院"),
        ("zhuanjia2", "广东工业大学"),
        ("zhuanjia3", "华南理工大学"),
        ("zhuanjia4", name.as_str()),
    ] {
        let expert = json!({ "username": e, "name": e, "fields": ["新材料"],
                             "affiliation": org, "affiliation_uscc": null, "conflicts": [] });
        ok(
            &server,
            &bureau,
            Method::PUT,
            "/api/v1/experts",
            Some(expert),
        )
        .await;
    }
    let pool = ok(&server, &bureau, Method::GET, "/api/v1/experts", None).await;
    assert_eq!(pool["items"].as_array().map(Vec::len), Some(4));
    let sheet = server
        .client
        .get(server.url("/experts/export/experts.csv"))
        .bearer_auth(&bureau)
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("csv");
    assert_eq!(
        sheet.lines().count(),
        5,
        "the pool downloads whole: {sheet}"
    );
    assert!(sheet.contains("广东工业大学"));

    let today = chrono::Utc::now().date_naive();
    let year = chrono::Datelike::year(&today);
    ok(
        &server,
        &bureau,
        Method::PUT,
        &format!("/api/v1/programmes/key-projects/budgets/{year}"),
        Some(json!({ "amount": "3000万元" })),
    )
    .await;
    let call_body = json!({
        "programme": "key-projects", "year": year, "title": "市级科技计划项目申报指南",
        "opens_on": (today - chrono::Days::new(1)).to_string(),
        "closes_on": (today + chrono::Days::new(30)).to_string(),
    });
    let c = ok(
        &server,
        &bureau,
        Method::POST,
        "/api/v1/calls",
        Some(call_body),
    )
    .await;
    let call_id = c["id"].as_i64().expect("call id");

    // Only an enterprise applies.
    let path = format!("/api/v1/calls/{call_id}/applications");
    let (status, _) = call(&server, &county, Method::POST, &path, None).await;
    assert_eq!(status, 403);
    let created = ok(&server, &enterprise, Method::POST, &path, None).await;
    let app = created["id"].as_i64().expect("application id");
    let app_path = format!("/api/v1/applications/{app}");

    // A wrong answer is refused by field; the valid ones are kept in the draft.
    let (status, body) = call(
        &server,
        &enterprise,
        Method::PUT,
        &format!("{app_path}/answers"),
        Some(json!({ "title": "高性能铝箔材料中试线", "ends_on": "明年" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_fields");
    assert!(body["error"]["details"]["ends_on"].is_string(), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("其余内容已保存")),
        "{body}"
    );
    let kept = ok(&server, &enterprise, Method::GET, &app_path, None).await;
    assert_eq!(kept["answers"]["title"], "高性能铝箔材料中试线", "{kept}");
    assert!(kept["answers"].get("ends_on").is_none());
    // A bare number is in the unit the field's label shows: 申请市财政资助（万元）.
    let answers = json!({
        "title": "高性能铝箔材料中试线", "requested": "50", "total_budget": "120",
        "ends_on": "2027年12月31日", "summary": "研发高性能电子铝箔材料，建设中试线。",
    });
    let saved = ok(
        &server,
        &enterprise,
        Method::PUT,
        &format!("{app_path}/answers"),
        Some(answers),
    )
    .await;
    assert_eq!(saved["status"], "draft");
    assert_eq!(
        saved["requested"], 50_000_000,
        "50 in a 万元 field is 500,000 元"
    );

    // Submitting without the required proposal is refused with what is missing.
    let step = |action: &str| json!({ "action": action });
    let steps = format!("{app_path}/steps");
    let (status, body) = call(
        &server,
        &enterprise,
        Method::POST,
        &steps,
        Some(step("submit")),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "attachments_missing");
    assert_eq!(
        put_file(&server, &enterprise, app, "proposal", "申报书.pdf").await,
        204
    );
    let a = ok(
        &server,
        &enterprise,
        Method::POST,
        &steps,
        Some(step("submit")),
    )
    .await;
    assert_eq!(a["status"], "submitted");
    assert_eq!(a["files"][0]["slot"], "proposal");

    // The county reviews first: the bureau may not take the county's step.
    let (status, body) = call(
        &server,
        &bureau,
        Method::POST,
        &steps,
        Some(step("county_pass")),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "step_for_another_role");
    let a = ok(
        &server,
        &county,
        Method::POST,
        &steps,
        Some(step("county_pass")),
    )
    .await;
    assert_eq!(a["status"], "county_passed");
    ok(
        &server,
        &bureau,
        Method::POST,
        &steps,
        Some(step("bureau_pass")),
    )
    .await;
    let a = ok(&server, &bureau, Method::POST, &steps, Some(step("assign"))).await;
    assert_eq!(a["status"], "expert_review");
    assert_eq!(a["experts_assigned"], 3);

    // Three experts score; the conflicted one does not even see the application.
    let (status, _) = call(
        &server,
        &env.token("zhuanjia4"),
        Method::GET,
        &app_path,
        None,
    )
    .await;
    assert_eq!(status, 404);
    for (e, s) in [
        ("zhuanjia1", [25, 25, 15, 15]),
        ("zhuanjia2", [28, 26, 18, 17]),
        ("zhuanjia3", [10, 10, 5, 5]),
    ] {
        let scores = json!({ "innovation": s[0], "feasibility": s[1], "team": s[2],
                             "benefit": s[3], "comment": "同意" });
        let seen = ok(
            &server,
            &env.token(e),
            Method::PUT,
            &format!("{app_path}/scores"),
            Some(scores),
        )
        .await;
        assert_eq!(
            seen["scores"].as_array().map(Vec::len),
            Some(1),
            "only their own line"
        );
    }
    let a = ok(&server, &bureau, Method::GET, &app_path, None).await;
    assert_eq!(a["status"], "scored");
    // Highest (89) and lowest (30) dropped: the middle expert's 80 remains.
    assert_eq!(a["score"], 80.0);
    let mine = ok(&server, &enterprise, Method::GET, &app_path, None).await;
    assert_eq!(mine["experts_assigned"], 3);
    assert_eq!(
        mine["scores"],
        json!([]),
        "the applicant does not see who scored"
    );

    // Proposed, on notice, approved and paid: the first 70 % reaches the enterprise.
    let proposal = json!({ "applications": [app] });
    let p = ok(
        &server,
        &bureau,
        Method::POST,
        &format!("/api/v1/calls/{call_id}/proposal"),
        Some(proposal),
    )
    .await;
    let batch = format!("/api/v1/batches/{}/steps", p["batch"]);
    ok(&server, &bureau, Method::POST, &batch, Some(step("review"))).await;
    let publish = json!({ "action": "publish",
                          "notice_start": (today - chrono::Days::new(20)).to_string() });
    ok(&server, &bureau, Method::POST, &batch, Some(publish)).await;
    // Separation of duties: the officer who proposed the batch does not approve it.
    let (status, body) = call(
        &server,
        &bureau,
        Method::POST,
        &batch,
        Some(step("approve")),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "same_officer");
    ok(
        &server,
        &approver,
        Method::POST,
        &batch,
        Some(step("approve")),
    )
    .await;
    ok(&server, &bureau, Method::POST, &batch, Some(step("pay"))).await;
    let a = ok(&server, &enterprise, Method::GET, &app_path, None).await;
    assert_eq!(a["status"], "funded");
    assert_eq!(a["payments"][0]["amount"], 35_000_000);

    // The acceptance report, then acceptance pays the remaining 30 %.
    assert_eq!(
        put_file(
            &server,
            &enterprise,
            app,
            "acceptance_report",
            "验收报告.pdf"
        )
        .await,
        204
    );
    let a = ok(
        &server,
        &enterprise,
        Method::POST,
        &steps,
        Some(step("report")),
    )
    .await;
    assert_eq!(a["status"], "reporting");
    let a = ok(&server, &bureau, Method::POST, &steps, Some(step("accept"))).await;
    assert_eq!(a["status"], "accepted");
    let paid: Vec<i64> = a["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter_map(|p| p["amount"].as_i64())
        .collect();
    assert_eq!(paid, vec![35_000_000, 15_000_000]);
    let file = server
        .client
        .get(server.url(&format!("{app_path}/files/proposal")))
        .bearer_auth(&bureau)
        .send()
        .await
        .expect("download");
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(
        file.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
}

on_both_backends!(an_application_goes_from_submission_to_acceptance_through_the_api);
