//! Innovation vouchers through the API alone: the registrations imported, the year's vouchers
//! issued, a provider registered, and a voucher redeemed once by the enterprise that holds it.

use crate::common::{self, csv_rows, Backend, TestEnv};
use serde_json::{json, Value};

async fn a_voucher_is_issued_and_redeemed_through_the_api(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let smes: Vec<String> = csv_rows("enterprises-sample.csv")[2..4]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("qiye", "enterprise", &["--uscc", &smes[0]]);
    let (bureau, firm) = (env.token("kejiju"), env.token("qiye"));
    let server = env.serve().await;
    let send = |token: &str, method: reqwest::Method, path: &str, body: Value| {
        server
            .client
            .request(method, server.url(path))
            .bearer_auth(token.to_owned())
            .json(&body)
    };

    // The tech SME registrations of 2019, imported through the API.
    let csv = format!(
        "证书编号,统一社会信用代码,发证日期\n2019440200001,{},2019-05-10\n2019440200002,{},2019-05-10\n",
        smes[0], smes[1]
    );
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

    let expires = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    let issue = json!({ "year": 2019, "expires_on": expires });
    let res = send(
        &bureau,
        reqwest::Method::POST,
        "/api/v1/vouchers/issue",
        issue.clone(),
    )
    .send()
    .await
    .expect("issue");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["issued"], 2);
    let again: Value = send(
        &bureau,
        reqwest::Method::POST,
        "/api/v1/vouchers/issue",
        issue,
    )
    .send()
    .await
    .expect("issue again")
    .json()
    .await
    .expect("json");
    assert_eq!(again["issued"], 0, "a registration gets one voucher");
    let res = send(
        &bureau,
        reqwest::Method::POST,
        "/api/v1/providers",
        json!({ "name": "韶关市检测技术服务中心", "uscc": "9144030071526726XG", "services": "检验检测" }),
    )
    .send()
    .await
    .expect("provider");
    assert_eq!(res.status().as_u16(), 201);
    let provider: Value = res.json().await.expect("json");

    // The enterprise sees its own voucher only, and redeems it once.
    let mine: Value = server
        .client
        .get(server.url("/api/v1/vouchers"))
        .bearer_auth(&firm)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let items = mine["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["face"], 5_000_000);
    let id = items[0]["id"].as_i64().expect("id");
    let all: Value = server.get_json("/api/v1/vouchers").await;
    // The list downloads as the officer sees it, one line per voucher.
    let res = server
        .client
        .get(server.url("/vouchers/export/vouchers.csv"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("export");
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.expect("csv");
    assert_eq!(
        csv.lines().count(),
        all["items"].as_array().map_or(0, Vec::len) + 1,
        "{csv}"
    );
    assert!(csv.contains(smes[1].as_str()));
    let other = all["items"]
        .as_array()
        .and_then(|v| v.iter().find(|x| x["uscc"] == smes[1]))
        .and_then(|x| x["id"].as_i64())
        .expect("the other enterprise's voucher");
    let redemption = json!({ "provider_id": provider["id"], "contract_no": "HT-2019-08",
                             "invoice_no": "No.00012345", "invoice_amount": "3万元" });
    let path = format!("/api/v1/vouchers/{id}/redemption");
    let res = send(&firm, reqwest::Method::POST, &path, redemption.clone())
        .send()
        .await
        .expect("redeem");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        body["subsidy"], 3_000_000,
        "the invoice is below the face value"
    );
    assert_eq!(body["voucher"]["status"], "redeemed");
    let res = send(&firm, reqwest::Method::POST, &path, redemption.clone())
        .send()
        .await
        .expect("redeem again");
    assert_eq!(res.status().as_u16(), 409);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "voucher_redeemed");
    let res = send(
        &firm,
        reqwest::Method::POST,
        &format!("/api/v1/vouchers/{other}/redemption"),
        redemption,
    )
    .send()
    .await
    .expect("redeem another's");
    assert_eq!(res.status().as_u16(), 404, "not its voucher");
}

on_both_backends!(a_voucher_is_issued_and_redeemed_through_the_api);
