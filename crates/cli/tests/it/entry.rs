//! A county's figures from entry to the bureau's approval through the API alone: checked by
//! field, submitted, approved, and then part of the county's observations and the plan's
//! progress.

use crate::common::{Backend, TestEnv};
use serde_json::{json, Value};

async fn county_figures_are_approved_through_the_api(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("gaoke", "bureau", &["--region", "440200"]);
    let (county, bureau) = (env.token("wujiang"), env.token("gaoke"));
    let server = env.serve().await;
    let send = |token: &str, method: reqwest::Method, path: &str, body: Value| {
        server
            .client
            .request(method, server.url(path))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };
    let path = "/api/v1/entry/440203/2018";

    let form = server.get_json(path).await;
    assert_eq!(form["region_name"], "武江区");
    assert!(form["status"].is_null(), "nothing saved yet");
    assert!(form["lines"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x["indicator"] == "gdp")));

    // A negative figure is refused by its indicator, and nothing is saved.
    let res = send(
        &county,
        reqwest::Method::PUT,
        path,
        json!({ "values": { "gdp": -5, "rd_expenditure": 64300 }, "submit": true }),
    )
    .await
    .expect("save");
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_fields");
    assert!(body["error"]["details"]["gdp"].is_string(), "{body}");
    assert!(server.get_json(path).await["status"].is_null());

    let res = send(
        &county,
        reqwest::Method::PUT,
        path,
        json!({ "values": { "gdp": 321.5, "rd_expenditure": 64300 }, "submit": true }),
    )
    .await
    .expect("submit");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "submitted");

    // Only the bureau reviews; a return needs a comment.
    let review = format!("{path}/review");
    let res = send(
        &county,
        reqwest::Method::POST,
        &review,
        json!({ "action": "approve" }),
    )
    .await
    .expect("county review");
    assert_eq!(res.status().as_u16(), 403);
    let res = send(
        &bureau,
        reqwest::Method::POST,
        &review,
        json!({ "action": "return" }),
    )
    .await
    .expect("return without comment");
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "reason_required");
    let res = send(
        &bureau,
        reqwest::Method::POST,
        &review,
        json!({ "action": "approve" }),
    )
    .await
    .expect("approve");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "approved");

    // The approved figures are the county's: R&D intensity 64300 / (321.5 × 10000) × 100 = 2 %.
    let series = server
        .get_json("/api/v1/indicators/gdp/observations?region=440203")
        .await;
    assert_eq!(series["observations"][0]["value"], 321.5);
    let targets = server
        .get_json("/api/v1/plans/1/targets?region=440203&as_of=2018-12-31")
        .await;
    let rd = crate::common::target(&targets, "2.1");
    assert!(
        (rd["current"]["value"].as_f64().expect("value") - 2.0).abs() < 1e-9,
        "{rd}"
    );

    // Every step is in the audit trail, whose chain holds; a county may not read it.
    let trail = server
        .get_json("/api/v1/audit?actor=gaoke&per_page=10")
        .await;
    assert!(trail["total"].as_i64().is_some_and(|n| n >= 1), "{trail}");
    assert!(trail["items"]
        .as_array()
        .is_some_and(|items| items.iter().all(|e| e["actor"] == "gaoke")));
    let check = server.get_json("/api/v1/audit/verify").await;
    assert_eq!(check["intact"], true, "{check}");
    let (status, _) = server.get_as(Some(&county), "/api/v1/audit").await;
    assert_eq!(status, 403);
}

on_both_backends!(county_figures_are_approved_through_the_api);
