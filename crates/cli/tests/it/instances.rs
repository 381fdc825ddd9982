//! Several `kechuang serve` processes on one database, as a province runs them behind a proxy:
//! they behave as one system, because everything a request relies on lives in the database.

use crate::common::{client_from, target, Backend, TestEnv, PASSWORD};
use serde_json::Value;

async fn login(
    client: &reqwest::Client,
    server: &crate::common::Server,
    password: &str,
) -> (u16, Option<String>, Value) {
    let res = client
        .post(server.url("/api/v1/session"))
        .json(&serde_json::json!({ "username": "kejiju", "password": password }))
        .send()
        .await
        .expect("login");
    let status = res.status().as_u16();
    let cookie = crate::common::cookie_set(&res, "kc_session");
    (status, cookie, res.json().await.unwrap_or(Value::Null))
}

async fn two_servers_on_one_database_act_as_one(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    // Both start on a new database at once: one takes the migrations, the other waits for them.
    let (one, two) = tokio::join!(env.serve(), env.serve());

    // A write through one is read through the other at once, though both keep progress in
    // memory: the other's next request finds the records moved on.
    let path = "/api/v1/plans/1/targets?as_of=2019-06-30";
    let before = two.get_json(path).await;
    let before = target(&before, "3.18a")["current"]["value"].clone();
    let res = one
        .client
        .post(one.url("/api/v1/imports/observations?file_name=pool.csv&dry_run=false"))
        .bearer_auth(&one.token)
        .body("indicator,region,period,value\nrisk_pool_enterprises,440203,2018,57\n")
        .send()
        .await
        .expect("import");
    assert_eq!(res.status().as_u16(), 200);
    let after = two.get_json(path).await;
    let after = &target(&after, "3.18a")["current"]["value"];
    assert_eq!(
        after.as_f64(),
        Some(57.0),
        "the city's pool: the one county's 57"
    );
    assert_ne!(&before, after);

    // A session opened on one is valid on the other; logging out on the other ends it on both.
    let client = client_from([127, 0, 0, 21]);
    let (status, cookie, body) = login(&client, &one, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.expect("session cookie");
    let csrf = body["csrf_token"].as_str().expect("csrf").to_owned();
    let me = |server: &crate::common::Server| {
        client
            .get(server.url("/api/v1/me"))
            .header("cookie", &cookie)
            .send()
    };
    assert_eq!(me(&two).await.expect("me").status().as_u16(), 200);
    let out = client
        .delete(two.url("/api/v1/session"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("logout");
    assert!(out.status().is_success(), "{}", out.status());
    assert_eq!(me(&one).await.expect("me").status().as_u16(), 401);

    // Wrong passwords count together wherever they arrive: three on one and two on the other
    // lock the account from that address on both.
    let attacker = client_from([127, 0, 0, 22]);
    for i in 0..5 {
        let server = if i % 2 == 0 { &one } else { &two };
        let (status, _, _) = login(&attacker, server, "Wrong-pass-1").await;
        assert_eq!(status, 401);
    }
    for server in [&one, &two] {
        let (status, _, body) = login(&attacker, server, PASSWORD).await;
        assert_eq!(status, 429, "locked on both: {body}");
    }
    // From elsewhere the officer still gets in, on either.
    let (status, _, _) = login(&client, &two, PASSWORD).await;
    assert_eq!(status, 200);
}

on_both_backends!(two_servers_on_one_database_act_as_one);
