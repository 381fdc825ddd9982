//! Off-site applicants (异地申报): an enterprise registered in Dongguan with a plant in 翁源县
//! registers the site with evidence, applies to a call open to off-site applicants, and its
//! county review goes to 翁源县's officer — not to the county the enterprise is not in, and not
//! through a call kept for the city's own enterprises. Counts leave it out unless a rule takes
//! it in.

use crate::common::{self, Backend, Server, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

async fn call(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    server.call(token, method, path, body).await
}

async fn upload(server: &Server, token: &str, path: &str, name: &str, body: &str) -> (u16, Value) {
    let res = server
        .client
        .request(
            Method::POST,
            server.url(&format!("{path}?file_name={}", common::urlencode(name))),
        )
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body.to_owned())
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn a_dongguan_enterprise_applies_through_its_wengyuan_plant(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let dongguan = kechuang_domain::uscc::Uscc::complete("91441900", "MA4UJ6Q2")
        .expect("uscc")
        .to_string();
    let local = common::csv_rows("enterprises-sample.csv")[2][0].clone();
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("wengyuan", "county", &["--region", "440229"]);
    env.add_user("wujiang", "county", &["--region", "440203"]);
    env.add_user("dgqiye", "enterprise", &["--uscc", &dongguan]);
    env.add_user("bendi", "enterprise", &["--uscc", &local]);
    // A code whose check characters do not fit says nothing reliable about where it was issued.
    let forged = format!("{}00", &dongguan[..16]);
    env.add_user("weizao", "enterprise", &["--uscc", &forged]);
    let [bureau, wengyuan, wujiang, dg, bendi, forger] =
        ["kejiju", "wengyuan", "wujiang", "dgqiye", "bendi", "weizao"].map(|u| env.token(u));
    let server = env.serve().await;

    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let year = chrono::Datelike::year(&today);
    let new_call = |title: &str, offsite: bool| {
        json!({
            "programme": "key-projects", "year": year, "title": title,
            "opens_on": (today - chrono::Days::new(1)).to_string(),
            "closes_on": (today + chrono::Days::new(30)).to_string(),
            "offsite_open": offsite,
        })
    };
    let (status, open) = call(
        &server,
        &bureau,
        Method::POST,
        "/api/v1/calls",
        Some(new_call("产业共建项目（接受异地申报）", true)),
    )
    .await;
    assert_eq!(status, 201, "{open}");
    assert_eq!(open["offsite_open"], true);
    let (_, closed) = call(
        &server,
        &bureau,
        Method::POST,
        "/api/v1/calls",
        Some(new_call("市级科技计划项目", false)),
    )
    .await;
    assert_eq!(closed["offsite_open"], false);
    let apply = |c: &Value| format!("/api/v1/calls/{}/applications", c["id"]);

    // Before its site is registered the city does not know the enterprise.
    let (status, body) = call(&server, &dg, Method::POST, &apply(&open), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("offsite_no_site")),
        "{body}"
    );
    let (status, body) = call(&server, &dg, Method::POST, &apply(&closed), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("call_not_offsite")),
        "a call for the city's enterprises says so: {body}"
    );

    // The site: every missing field named; a county that is not one is refused.
    let (status, body) = call(
        &server,
        &dg,
        Method::POST,
        "/api/v1/sites",
        Some(json!({ "region": "东莞市" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for field in ["name", "address", "activity", "region"] {
        assert!(
            body["error"]["details"][field].is_string(),
            "{field}: {body}"
        );
    }
    let site_body = json!({
        "name": "东莞市松湖新材料科技有限公司", "registered_on": "2012年3月8日",
        "industry": "新材料", "region": "翁源县",
        "address": "韶关市翁源县官渡镇华南先进装备产业园 8 号", "activity": "电子铝箔生产基地",
    });
    let (status, site) = call(&server, &dg, Method::POST, "/api/v1/sites", Some(site_body)).await;
    assert_eq!(status, 201, "{site}");
    assert_eq!(site["region"], "440229");
    assert_eq!(site["registered_in"], "广东省东莞市（441900）");
    let site_id = site["id"].as_i64().expect("site id");

    // An enterprise of the city's own registry has no off-site site to register.
    let (status, body) = call(
        &server, &bendi, Method::POST, "/api/v1/sites",
        Some(json!({ "name": "本地企业", "region": "440229", "address": "翁源县", "activity": "生产" })),
    ).await;
    assert!(matches!(status, 409 | 422), "{status} {body}");
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        code == "site_registered_in_city" || body["error"]["details"]["region"].is_string(),
        "{body}"
    );

    let (status, body) = call(
        &server,
        &forger,
        Method::POST,
        "/api/v1/sites",
        Some(json!({ "name": "某公司", "region": "440229", "address": "翁源县", "activity": "生产" })),
    )
    .await;
    assert_eq!(
        status, 422,
        "an invalid credit code registers no site: {body}"
    );

    // Applying needs evidence of the site; a program file is not evidence.
    let (status, body) = call(&server, &dg, Method::POST, &apply(&open), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("site_evidence_required")),
        "{body}"
    );
    let files = format!("/api/v1/sites/{site_id}/files");
    let (status, body) = upload(&server, &dg, &files, "setup.exe", "MZ").await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = upload(&server, &dg, &files, "厂房租赁合同.pdf", "%PDF-1.4 lease").await;
    assert_eq!(status, 204);

    // The officers: 翁源县 sees the site and its evidence, 武江区 does not.
    let (_, listed) = call(&server, &wengyuan, Method::GET, "/api/v1/sites", None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let (_, listed) = call(&server, &wujiang, Method::GET, "/api/v1/sites", None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
    let (status, _) = call(
        &server,
        &wujiang,
        Method::GET,
        &format!("/api/v1/sites/{site_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, detail) = call(
        &server,
        &wengyuan,
        Method::GET,
        &format!("/api/v1/sites/{site_id}"),
        None,
    )
    .await;
    let file_id = detail["evidence"][0]["id"].as_i64().expect("file id");
    let evidence = server
        .client
        .get(server.url(&format!("/api/v1/site-files/{file_id}")))
        .bearer_auth(&wengyuan)
        .send()
        .await
        .expect("file");
    assert_eq!(evidence.status().as_u16(), 200);
    assert_eq!(evidence.text().await.expect("bytes"), "%PDF-1.4 lease");

    // A call kept for the city's enterprises refuses it; the open one takes it in 翁源县.
    let (status, body) = call(&server, &dg, Method::POST, &apply(&closed), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("call_not_offsite")),
        "{body}"
    );
    let (status, created) = call(&server, &dg, Method::POST, &apply(&open), None).await;
    assert_eq!(status, 201, "{created}");
    let app = created["id"].as_i64().expect("application");
    let app_path = format!("/api/v1/applications/{app}");
    let answers = json!({
        "title": "高性能电子铝箔产业化", "requested": "80", "total_budget": "600",
        "ends_on": "2028-12-31", "summary": "在翁源基地建设电子铝箔生产线。",
    });
    let (status, body) = call(
        &server,
        &dg,
        Method::PUT,
        &format!("{app_path}/answers"),
        Some(answers),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["site_id"], site_id);
    let res = server
        .client
        .put(server.url(&format!(
            "{app_path}/files/proposal?file_name={}",
            common::urlencode("申报书.pdf")
        )))
        .bearer_auth(&dg)
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 proposal")
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 204);
    let steps = format!("{app_path}/steps");
    let (status, body) = call(
        &server,
        &dg,
        Method::POST,
        &steps,
        Some(json!({ "action": "submit" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The county review is 翁源县's: 武江区 does not even see it.
    let (status, _) = call(&server, &wujiang, Method::GET, &app_path, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &server,
        &wujiang,
        Method::POST,
        &steps,
        Some(json!({ "action": "county_pass" })),
    )
    .await;
    assert_eq!(status, 404);
    let (_, seen) = call(
        &server,
        &wengyuan,
        Method::GET,
        &format!("/api/v1/calls/{}", open["id"]),
        None,
    )
    .await;
    let listed: Vec<i64> = seen["applications"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(listed, vec![app], "{seen}");
    let (status, body) = call(
        &server,
        &wengyuan,
        Method::POST,
        &steps,
        Some(json!({ "action": "county_pass" })),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("county_passed")),
        "{body}"
    );
    // The officer's page shows the site and its evidence with the application.
    let page = server
        .client
        .get(server.url(&format!("/applications/{app}")))
        .bearer_auth(&wengyuan)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("application-site") && page.contains("厂房租赁合同.pdf"),
        "the site is shown"
    );
    assert!(page.contains("广东省东莞市"));

    // Every step is in the audit trail.
    let (_, audit) = call(
        &server,
        &bureau,
        Method::GET,
        "/api/v1/audit?entity=operating_site",
        None,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        actions.contains(&"site.register") && actions.contains(&"site.file"),
        "{audit}"
    );

    // Counts: the enterprise is kept under 翁源县 but counted only where a rule takes it in,
    // and the index agrees with SQL either way.
    let store = env.store().await;
    let (_, _, index) = store.count_index(true).await.expect("index");
    let wy = kechuang_domain::RegionCode::parse("440229").expect("code");
    for offsite in [false, true] {
        let spec = kechuang_domain::indicator::CountSpec {
            registry: kechuang_domain::indicator::Registry::Enterprises,
            kinds: Vec::new(),
            level: None,
            valid_at_as_of: true,
            recognised_from: None,
            distinct_counties: false,
            offsite,
        };
        let sql: std::collections::HashMap<_, _> = store
            .registry_counts(&spec, today)
            .await
            .expect("sql")
            .into_iter()
            .filter(|(_, n)| *n > 0.0)
            .collect();
        let counted = index.counts(&spec, today);
        assert_eq!(counted, sql, "offsite = {offsite}");
        let records = store
            .counted_records(&spec, today, std::slice::from_ref(&wy))
            .await
            .expect("records");
        let has = records
            .iter()
            .any(|r| r.uscc.as_deref() == Some(dongguan.as_str()));
        assert_eq!(
            has, offsite,
            "the off-site enterprise is counted only when the rule says so"
        );
    }
    store.close().await;
}

on_both_backends!(a_dongguan_enterprise_applies_through_its_wengyuan_plant);
