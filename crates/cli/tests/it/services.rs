//! The SME service platform through the API: a provider's catalogue, an enterprise's request
//! answered and completed by the provider, rated, and paid with an innovation voucher that
//! enters the programme's batch; a shared instrument booked, approved, its hours recorded and
//! counted for the enterprise's county. Each step only by its party.

use crate::common::{self, csv_rows, Backend, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

async fn a_catalogue_service_is_paid_with_a_voucher_and_instrument_hours_are_counted(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = csv_rows("enterprises-sample.csv");
    let (sme, sme_county) = (rows[2][0].clone(), rows[2][2].clone());
    let other = rows[3][0].clone();
    let provider_uscc = kechuang_domain::uscc::Uscc::complete("12440200", "71526726")
        .expect("uscc")
        .to_string();
    let owner_uscc = kechuang_domain::uscc::Uscc::complete("12440200", "45638622")
        .expect("uscc")
        .to_string();
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("qiye", "enterprise", &["--uscc", &sme]);
    env.add_user("bieren", "enterprise", &["--uscc", &other]);
    env.add_user("zhichan", "enterprise", &["--uscc", &provider_uscc]);
    env.add_user("jiance", "enterprise", &["--uscc", &owner_uscc]);
    let [bureau, firm, stranger, provider, owner] =
        ["kejiju", "qiye", "bieren", "zhichan", "jiance"].map(|u| env.token(u));
    let server = env.serve().await;
    // The dashboard before anything was delivered: what the server keeps of it must not
    // outlive the deliveries below.
    let (status, before) = server.get_anon("/").await;
    assert_eq!(status, 200);
    assert!(!before.contains("service-counts"), "nothing delivered yet");
    let call = |token: &str, method: Method, path: &str, body: Option<Value>| {
        let (token, path) = (token.to_owned(), path.to_owned());
        let server = &server;
        async move { server.call(&token, method, &path, body).await }
    };

    // A voucher for the enterprise, from its tech SME registration.
    let csv = format!("证书编号,统一社会信用代码,发证日期\n2019440200001,{sme},2019-05-10\n");
    let res = server
        .client
        .post(server.url(
            "/api/v1/imports/certificates?file_name=tech-sme.csv&cert_kind=tech_sme&dry_run=false",
        ))
        .bearer_auth(&bureau)
        .body(csv)
        .send()
        .await
        .expect("import");
    assert_eq!(res.status().as_u16(), 200);
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let expires = (today + chrono::Days::new(60)).to_string();
    let (status, body) = call(
        &bureau,
        Method::POST,
        "/api/v1/vouchers/issue",
        Some(json!({ "year": 2019, "expires_on": expires })),
    )
    .await;
    assert_eq!((status, body["issued"].as_i64()), (200, Some(1)), "{body}");

    // The provider, by kind; a kind that is none is refused.
    let (status, body) = call(&bureau, Method::POST, "/api/v1/providers", Some(json!({ "name": "韶关市知识产权服务中心", "uscc": provider_uscc, "services": "专利", "kind": "占卜" }))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("provider_kind")),
        "{body}"
    );
    let (status, p) = call(&bureau, Method::POST, "/api/v1/providers", Some(json!({ "name": "韶关市知识产权服务中心", "uscc": provider_uscc, "services": "专利", "kind": "知识产权" }))).await;
    assert_eq!(status, 201, "{p}");
    let (_, list) = call(&bureau, Method::GET, "/api/v1/providers", None).await;
    assert_eq!(list["items"][0]["kind"], "ip");

    // The catalogue: the bureau adds for the provider, the provider for itself; a price that is
    // not one is refused by field.
    let (status, body) = call(
        &provider,
        Method::POST,
        "/api/v1/services",
        Some(json!({ "title": "专利检索", "price": "三千" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"]["price"].is_string(), "{body}");
    let (status, search) = call(&provider, Method::POST, "/api/v1/services", Some(json!({ "title": "专利检索与分析", "price": "3000元", "price_unit": "项", "conditions": "科技型中小企业", "voucher": true }))).await;
    assert_eq!(status, 201, "{search}");
    assert_eq!(search["provider"], "韶关市知识产权服务中心");
    let (status, _) = call(
        &stranger,
        Method::POST,
        "/api/v1/services",
        Some(json!({ "title": "x", "price": "1" })),
    )
    .await;
    assert_eq!(
        status, 422,
        "an enterprise that is no provider adds nothing"
    );
    let (status, catalogue) = server
        .client
        .get(server.url("/api/v1/services"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .expect("catalogue");
    assert_eq!(status, 200, "the catalogue is public");
    let catalogue: Value = catalogue.json().await.expect("json");
    assert_eq!(catalogue.as_array().map(Vec::len), Some(1));
    let public = server.get_anon("/services").await;
    assert!(
        public.1.contains("专利检索与分析") && public.1.contains("3,000.00 元/项"),
        "the public page lists it"
    );

    // The request: answered and completed by the provider only.
    let offering = search["id"].as_i64().expect("id");
    let (status, r) = call(
        &firm,
        Method::POST,
        &format!("/api/v1/services/{offering}/requests"),
        Some(json!({ "note": "高性能铝箔相关专利检索" })),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["status"], "requested");
    let req = r["id"].as_i64().expect("request");
    let step = |a: &str| format!("/api/v1/service-requests/{req}/{a}");
    let (status, _) = call(&stranger, Method::POST, &step("accept"), Some(json!({}))).await;
    assert_eq!(status, 404, "a stranger does not see it");
    let (status, body) = call(&firm, Method::POST, &step("accept"), Some(json!({}))).await;
    assert!(
        matches!(status, 403 | 409 | 422),
        "the client does not accept: {status} {body}"
    );
    let (status, body) = call(
        &firm,
        Method::POST,
        &step("redeem"),
        Some(json!({ "voucher": 1, "invoice_no": "X" })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("voucher_not_for_service")),
        "{body}"
    );
    let (_, body) = call(
        &provider,
        Method::POST,
        &step("accept"),
        Some(json!({ "response": "三个工作日内出具报告" })),
    )
    .await;
    assert_eq!(body["status"], "accepted", "{body}");
    let (_, body) = call(
        &provider,
        Method::POST,
        &step("complete"),
        Some(json!({ "amount": "2800" })),
    )
    .await;
    assert_eq!(
        (body["status"].as_str(), body["amount"].as_i64()),
        (Some("completed"), Some(280_000)),
        "{body}"
    );
    let (status, _) = call(
        &firm,
        Method::POST,
        &step("rate"),
        Some(json!({ "rating": "6" })),
    )
    .await;
    assert_eq!(status, 422);
    let (_, body) = call(
        &firm,
        Method::POST,
        &step("rate"),
        Some(json!({ "rating": "5", "note": "报告详实" })),
    )
    .await;
    assert_eq!(body["rating"], 5);
    let (status, _) = call(
        &firm,
        Method::POST,
        &step("rate"),
        Some(json!({ "rating": "4" })),
    )
    .await;
    assert!(matches!(status, 409 | 422), "rated once");

    // Paid with the voucher: the subsidy is the invoice (smaller than the face value), the
    // voucher is redeemed against this service and an award waits in the programme's batch.
    let (_, vouchers) = call(&firm, Method::GET, "/api/v1/vouchers", None).await;
    let voucher = vouchers["items"][0]["id"].as_i64().expect("voucher");
    let (_, body) = call(
        &firm,
        Method::POST,
        &step("redeem"),
        Some(json!({ "voucher": voucher, "invoice_no": "44190001" })),
    )
    .await;
    assert_eq!(body["voucher_id"], voucher, "{body}");
    let (_, vouchers) = call(&firm, Method::GET, "/api/v1/vouchers", None).await;
    assert_eq!(vouchers["items"][0]["status"], "redeemed");
    assert_eq!(vouchers["items"][0]["subsidy"], 280_000);
    assert_eq!(
        vouchers["items"][0]["contract_no"],
        format!("服务申请 {req}")
    );
    let (status, body) = call(
        &firm,
        Method::POST,
        &step("redeem"),
        Some(json!({ "voucher": voucher, "invoice_no": "44190001" })),
    )
    .await;
    assert_eq!(status, 409, "paid once: {body}");
    let (_, catalogue) = call(&firm, Method::GET, "/api/v1/services", None).await;
    assert_eq!(
        (
            catalogue[0]["completed"].as_i64(),
            catalogue[0]["rating"].as_f64()
        ),
        (Some(1), Some(5.0))
    );

    // A shared instrument, booked by the hour; the owner approves, a colliding booking is
    // refused, the hours used are recorded and counted for the enterprise's county.
    // The county the request was counted under: the enterprise's.
    let county_code = r["region"].as_str().expect("region").to_owned();
    let (status, body) = call(&bureau, Method::POST, "/api/v1/instruments", Some(json!({ "name": "场发射扫描电子显微镜", "owner": "韶关市产品质量计量检测所", "owner_uscc": "123", "location": "武江区", "region": "440203", "fee": "400元" }))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"]["owner_uscc"].is_string(), "{body}");
    let (status, sem) = call(&bureau, Method::POST, "/api/v1/instruments", Some(json!({ "name": "场发射扫描电子显微镜", "model": "SU8010", "owner": "韶关市产品质量计量检测所", "owner_uscc": owner_uscc, "location": "韶关市武江区工业西路 88 号", "region": "440203", "fee": "400元" }))).await;
    assert_eq!(status, 201, "{sem}");
    let instrument = sem["id"].as_i64().expect("id");
    let day = (today + chrono::Days::new(3)).to_string();
    let book = format!("/api/v1/instruments/{instrument}/bookings");
    let (status, body) = call(
        &firm,
        Method::POST,
        &book,
        Some(
            json!({ "day": "2019-01-01", "start_hour": "9", "hours": "2", "purpose": "断口形貌" }),
        ),
    )
    .await;
    assert_eq!(status, 422, "a day gone by: {body}");
    let (status, body) = call(
        &firm,
        Method::POST,
        &book,
        Some(json!({ "day": day, "start_hour": "23", "hours": "2", "purpose": "断口形貌" })),
    )
    .await;
    assert_eq!(status, 422, "past midnight: {body}");
    let (status, first) = call(
        &firm,
        Method::POST,
        &book,
        Some(json!({ "day": day, "start_hour": "9", "hours": "3", "purpose": "铝箔断口形貌观察" })),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let (_, second) = call(
        &stranger,
        Method::POST,
        &book,
        Some(json!({ "day": day, "start_hour": "11", "hours": "2", "purpose": "涂层厚度" })),
    )
    .await;
    let (first, second) = (
        first["id"].as_i64().expect("id"),
        second["id"].as_i64().expect("id"),
    );
    let bstep = |id: i64, a: &str| format!("/api/v1/instrument-bookings/{id}/{a}");
    let (status, _) = call(
        &firm,
        Method::POST,
        &bstep(first, "approve"),
        Some(json!({})),
    )
    .await;
    assert!(
        matches!(status, 403 | 409 | 422),
        "the client does not approve"
    );
    let (_, body) = call(
        &owner,
        Method::POST,
        &bstep(first, "approve"),
        Some(json!({ "response": "请提前 15 分钟到场" })),
    )
    .await;
    assert_eq!(body["status"], "approved", "{body}");
    let (status, body) = call(
        &owner,
        Method::POST,
        &bstep(second, "approve"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("booking_collides")),
        "{body}"
    );
    let (status, _) = call(
        &owner,
        Method::POST,
        &bstep(first, "record_use"),
        Some(json!({ "hours": "5" })),
    )
    .await;
    assert_eq!(status, 422, "more hours than booked");
    // The dashboard just before the hours are recorded: what the server keeps of it must not
    // outlive that write.
    let hours_shown = |page: &str| {
        page.split_once("id=\"service-counts\"")
            .and_then(|(_, rest)| rest.split_once("</section>"))
            .is_some_and(|(panel, _)| panel.contains(">2.5</td>"))
    };
    let (_, before_use) = server.get_anon("/").await;
    assert!(!hours_shown(&before_use), "no hours used yet");
    let (_, body) = call(
        &owner,
        Method::POST,
        &bstep(first, "record_use"),
        Some(json!({ "hours": "2.5" })),
    )
    .await;
    assert_eq!(
        (body["status"].as_str(), body["used_hours"].as_f64()),
        (Some("used"), Some(2.5)),
        "{body}"
    );

    // The counts by county, on the API and the dashboard.
    let (_, counts) = call(&bureau, Method::GET, "/api/v1/service-counts", None).await;
    let mine = counts
        .as_array()
        .and_then(|a| a.iter().find(|c| c["region"] == county_code.as_str()))
        .cloned()
        .expect("the county counts");
    assert_eq!(
        (mine["services"].as_i64(), mine["hours"].as_f64()),
        (Some(1), Some(2.5)),
        "{counts}"
    );
    let (_, instruments) = call(&bureau, Method::GET, "/api/v1/instruments", None).await;
    assert_eq!(instruments[0]["hours_used"], 2.5);
    let dashboard = server.get_anon("/").await.1;
    assert!(
        dashboard.contains("service-counts")
            && dashboard.contains(sme_county.as_str())
            && hours_shown(&dashboard),
        "the dashboard shows the counts and the hours"
    );

    // Every step is in the audit trail.
    let (_, audit) = call(
        &bureau,
        Method::GET,
        "/api/v1/audit?entity=service_request",
        None,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["action"].as_str()).collect())
        .unwrap_or_default();
    for a in [
        "service.request",
        "service.accepted",
        "service.completed",
        "service.rate",
    ] {
        assert!(actions.contains(&a), "{a}: {audit}");
    }
}

on_both_backends!(a_catalogue_service_is_paid_with_a_voucher_and_instrument_hours_are_counted);
