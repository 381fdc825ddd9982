//! The workbench: each role's home lists what waits for it — and only that — with the page
//! where it is done, and a login lands there.

use crate::common::{self, fund_hte_2018, Backend, TestEnv, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

async fn each_role_finds_what_waits_for_it(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    // A batch of awards, committed and waiting for the bureau's review.
    fund_hte_2018(&env, true);
    let rows = common::csv_rows("enterprises-sample.csv");
    let uscc = rows[2..]
        .iter()
        .find(|r| r[2] == "武江区")
        .map(|r| r[0].clone())
        .expect("an enterprise in 武江区");
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("qiye", "enterprise", &["--uscc", &uscc]);
    let [bureau, county, enterprise] = ["kejiju", "wujiang", "qiye"].map(|u| env.token(u));
    let server = env.serve().await;
    let send = |token: &str, method: Method, path: &str, body: Option<Value>| {
        let mut req = server
            .client
            .request(method, server.url(path))
            .bearer_auth(token.to_owned());
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert!((200..300).contains(&status), "{status} {body}");
            body
        }
    };
    let todos = |token: &str| {
        let req = server
            .client
            .get(server.url("/api/v1/workbench"))
            .bearer_auth(token.to_owned());
        async move {
            let body: Value = req
                .send()
                .await
                .expect("workbench")
                .json()
                .await
                .expect("json");
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| {
                    (
                        t["kind"].as_str().unwrap_or_default().to_owned(),
                        t["link"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let has = |list: &[(String, String)], kind: &str, link: &str| {
        list.iter().any(|(k, l)| k == kind && l == link)
    };

    assert!(has(&todos(&bureau).await, "review_batch", "/batches/1"));
    assert!(
        todos(&county).await.is_empty(),
        "the batch is not the county's"
    );
    assert!(todos(&enterprise).await.is_empty());

    // The county starts its return: its to-do until it is sent, then the bureau's.
    let entry = "/api/v1/entry/440203/2018";
    send(
        &county,
        Method::PUT,
        entry,
        Some(json!({ "values": { "gdp": 321.5 }, "submit": false })),
    )
    .await;
    assert!(has(
        &todos(&county).await,
        "send_return",
        "/entry/440203/2018"
    ));
    assert!(!todos(&bureau)
        .await
        .iter()
        .any(|(k, _)| k == "review_return"));
    send(
        &county,
        Method::PUT,
        entry,
        Some(json!({ "values": { "gdp": 321.5 }, "submit": true })),
    )
    .await;
    assert!(!todos(&county).await.iter().any(|(k, _)| k == "send_return"));
    assert!(has(
        &todos(&bureau).await,
        "review_return",
        "/entry/440203/2018"
    ));

    // An enterprise's draft application waits on it until the call closes.
    let today = chrono::Utc::now().date_naive();
    let year = chrono::Datelike::year(&today);
    let closes = (today + chrono::Days::new(30)).to_string();
    let call = send(
        &bureau,
        Method::POST,
        "/api/v1/calls",
        Some(json!({
            "programme": "key-projects", "year": year, "title": "市级科技计划项目申报指南",
            "opens_on": (today - chrono::Days::new(1)).to_string(), "closes_on": closes,
        })),
    )
    .await;
    let created = send(
        &enterprise,
        Method::POST,
        &format!("/api/v1/calls/{}/applications", call["id"]),
        None,
    )
    .await;
    let link = format!("/applications/{}", created["id"]);
    let mine: Value = server
        .client
        .get(server.url("/api/v1/workbench"))
        .bearer_auth(&enterprise)
        .header("accept-language", "en")
        .send()
        .await
        .expect("workbench")
        .json()
        .await
        .expect("json");
    let item = &mine["items"][0];
    assert_eq!(item["kind"], "submit_application", "{mine}");
    assert_eq!(item["link"], link.as_str());
    assert_eq!(item["due"], closes.as_str());
    assert_eq!(item["action"], "Complete and submit the application");
    assert!(
        !todos(&county)
            .await
            .iter()
            .any(|(k, _)| k == "county_review"),
        "a draft is not the county's yet"
    );

    // Logging in on the page lands on the workbench, which links each to-do.
    let c = &server.client;
    let res = c
        .get(server.url("/login"))
        .send()
        .await
        .expect("login page");
    let pre = common::cookie_set(&res, "kc_pre").expect("pre-login cookie");
    let form = format!(
        "username=kejiju&password={}&csrf={}",
        common::urlencode(PASSWORD),
        pre.trim_start_matches("kc_pre=")
    );
    let res = c
        .post(server.url("/login"))
        .header("cookie", &pre)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/workbench");
    let session = common::cookie_set(&res, "kc_session").expect("session");
    let page = c
        .get(server.url("/workbench"))
        .header("cookie", &session)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("href=\"/batches/1\""),
        "the batch to review is linked"
    );
    assert!(
        page.contains("审核县区填报"),
        "the county's return to review is listed"
    );
    // The menu on every page counts what waits, as the workbench lists it.
    let other = c
        .get(server.url("/enterprises"))
        .header("cookie", &session)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let count = other
        .split("id=\"todo-count\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.trim().parse::<usize>().ok())
        .expect("a count beside 工作台");
    assert_eq!(count, todos(&bureau).await.len());
}

on_both_backends!(each_role_finds_what_waits_for_it);
