//! The public portal over the API and its public pages: an officer writes a policy with an
//! attachment, a colleague (never the sender) publishes it, and it shows in its category, its
//! Atom feed and search; scheduled and expired articles stay hidden; raw HTML never passes; an
//! enterprise's subscription brings new articles to its workbench; a call shows its guide and
//! the guide links back; every open data set's CSV equals its JSON and the API.

use crate::common::{self, Backend, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

use common::send_json as send;

async fn get(server: &common::Server, token: Option<&str>, path: &str) -> (u16, String) {
    server.get_as(token, path).await
}

/// An article's step (submit, publish, return without a reason, withdraw) by the token's holder.
async fn act(server: &common::Server, token: &str, id: i64, action: &str) -> (u16, Value) {
    send(
        server,
        Method::POST,
        token,
        &format!("/api/v1/articles/{id}/{action}"),
        json!({}),
    )
    .await
}

fn policy(title: &str) -> Value {
    json!({
        "category": "policies",
        "title": title,
        "summary": "首次认定的高新技术企业给予一次性奖补。",
        "body": "# 一、奖补标准\n\n首次认定给予**10万元**奖补。\n\n<script>alert('x')</script>\n\n[办理](javascript:alert(1))",
        "source": "韶关市科学技术局",
        "doc_number": "韶科〔2018〕12号",
        "tags": ["高新技术企业", "奖补"],
    })
}

async fn an_officer_writes_a_policy_and_a_colleague_publishes_it(b: Backend) {
    let env = TestEnv::new(b).await;
    let (writer, reviewer) = (env.bureau_token(), env.approver_token());
    env.add_user("qiye", "enterprise", &["--uscc", "91440200MA4UJQ2X1Y"]);
    let company = env.token("qiye");
    let server = env.serve().await;

    // An enterprise follows policies before anything is published.
    let (status, subs) = send(
        &server,
        Method::PUT,
        &company,
        "/api/v1/subscriptions",
        json!({"categories": ["policies", "nonsense"]}),
    )
    .await;
    assert_eq!(status, 422, "{subs}");
    assert_eq!(subs["error"]["code"], "article_category");
    let (status, subs) = send(
        &server,
        Method::PUT,
        &company,
        "/api/v1/subscriptions",
        json!({"categories": ["policies"]}),
    )
    .await;
    assert_eq!(status, 200, "{subs}");
    assert_eq!(subs[0]["category"], "policies");

    // A policy needs its 文号; problems come back by field with nothing saved.
    let mut missing = policy("无文号的政策");
    missing["doc_number"] = json!("");
    missing["publish_at"] = json!("下周一");
    let (status, refused) = send(&server, Method::POST, &writer, "/api/v1/articles", missing).await;
    assert_eq!(status, 422, "{refused}");
    let text = refused.to_string();
    assert!(
        text.contains("doc_number") && text.contains("publish_at"),
        "{text}"
    );
    let (_, desk) = send(
        &server,
        Method::GET,
        &writer,
        "/api/v1/article-desk",
        Value::Null,
    )
    .await;
    assert_eq!(desk.as_array().map(Vec::len), Some(0), "{desk}");

    let (status, created) = send(
        &server,
        Method::POST,
        &writer,
        "/api/v1/articles",
        policy("高新技术企业认定奖补办法"),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("id");
    let res = server
        .client
        .post(server.url(&format!(
            "/api/v1/articles/{id}/files?file_name=奖补办法.pdf"
        )))
        .bearer_auth(&writer)
        .body(b"%PDF-1.4 policy".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 201);
    let file = res.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("file id");
    // A page of this site cannot be smuggled in as an attachment.
    let res = server
        .client
        .post(server.url(&format!("/api/v1/articles/{id}/files?file_name=x.html")))
        .bearer_auth(&writer)
        .body(b"<script></script>".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 422);

    // Not public while a draft: neither the page, the API nor the attachment.
    assert_eq!(
        get(&server, None, &format!("/portal/articles/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&server, None, &format!("/api/v1/articles/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&server, None, &format!("/portal/files/{file}")).await.0,
        404
    );

    // Sent for review, it is locked; the sender cannot publish it, a colleague can.
    let (status, sent) = act(&server, &writer, id, "submit").await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["status"], "review");
    let (status, locked) = send(
        &server,
        Method::PUT,
        &writer,
        &format!("/api/v1/articles/{id}"),
        policy("改"),
    )
    .await;
    assert_eq!(status, 409, "{locked}");
    let (status, own) = act(&server, &writer, id, "publish").await;
    assert_eq!(status, 403, "{own}");
    assert_eq!(own["error"]["code"], "article_own_review");
    let (status, published) = act(&server, &reviewer, id, "publish").await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["status"], "published");
    assert!(published["publish_at"].is_string());

    // Public now: raw HTML shown as text, the script link defused, the attachment served.
    let (status, page) = get(&server, None, &format!("/portal/articles/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("高新技术企业认定奖补办法") && page.contains("韶科〔2018〕12号"));
    assert!(!page.contains("<script>alert"), "raw HTML passed");
    assert!(page.contains("&lt;script&gt;"));
    assert!(!page.contains("javascript:"));
    assert!(page.contains("property=\"og:title\" content=\"高新技术企业认定奖补办法\""));
    assert!(page.contains(&format!("/portal/articles/{id}/qr.svg")));
    let (status, pdf) = get(&server, None, &format!("/portal/files/{file}")).await;
    assert_eq!((status, pdf.as_str()), (200, "%PDF-1.4 policy"));
    let (status, qr) = get(&server, None, &format!("/portal/articles/{id}/qr.svg")).await;
    assert_eq!(status, 200);
    assert!(qr.contains("<svg"), "{qr}");

    // In its category, its feed, its tag and search (title hits first).
    let (_, list) = get(&server, None, "/portal/c/policies").await;
    assert!(list.contains(&format!("/portal/articles/{id}")));
    let (status, feed) = get(&server, None, "/portal/c/policies/feed.atom").await;
    assert_eq!(status, 200);
    assert!(
        feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
        "{feed}"
    );
    assert!(
        feed.contains("<title>高新技术企业认定奖补办法</title>"),
        "{feed}"
    );
    assert!(!feed.contains("<script>"), "{feed}");
    let (_, tagged) = get(
        &server,
        None,
        &format!("/portal/tags/{}", common::urlencode("奖补")),
    )
    .await;
    assert!(tagged.contains(&format!("/portal/articles/{id}")));

    // A news item mentioning the same words only in its body ranks after the policy.
    let (_, news) = send(
        &server,
        Method::POST,
        &writer,
        "/api/v1/articles",
        json!({
            "category": "news", "title": "市科技局召开企业座谈会",
            "body": "会上介绍了高新技术企业认定奖补的申报要求。",
        }),
    )
    .await;
    let news_id = news["id"].as_i64().expect("news id");
    act(&server, &writer, news_id, "submit").await;
    act(&server, &reviewer, news_id, "publish").await;
    let found = server
        .get_json(&format!(
            "/api/v1/articles?q={}",
            common::urlencode("奖补 高新 的")
        ))
        .await;
    let ids: Vec<i64> = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![id, news_id], "{found}");
    assert_eq!(found["ignored"], json!(["的"]));
    let (status, short) = get(
        &server,
        None,
        &format!("/api/v1/articles?q={}", common::urlencode("的")),
    )
    .await;
    assert_eq!(status, 422, "{short}");
    let (_, page) = get(
        &server,
        None,
        &format!("/portal/search?q={}", common::urlencode("奖补办法")),
    )
    .await;
    assert!(page.contains(&format!("/portal/articles/{id}")));
    assert!(!page.contains(&format!("/portal/articles/{news_id}\"")));

    // The subscriber's workbench shows the new policy but not the news it does not follow.
    let (_, wb) = get(&server, Some(&company), "/workbench").await;
    assert!(
        wb.contains("高新技术企业认定奖补办法"),
        "workbench lacks the policy"
    );
    assert!(!wb.contains("市科技局召开企业座谈会"));

    // A scheduled article stays hidden until its time; an expired one is gone.
    let mut later = policy("明年施行的办法");
    later["publish_at"] = json!("2099-01-01 09:00");
    let (_, later) = send(&server, Method::POST, &writer, "/api/v1/articles", later).await;
    let later_id = later["id"].as_i64().expect("id");
    let mut gone = policy("已过期的办法");
    gone["publish_at"] = json!("2018-01-01");
    gone["expires_on"] = json!("2018-12-31");
    let (_, gone) = send(&server, Method::POST, &writer, "/api/v1/articles", gone).await;
    let gone_id = gone["id"].as_i64().expect("id");
    for a in [later_id, gone_id] {
        act(&server, &writer, a, "submit").await;
        let (s, p) = act(&server, &reviewer, a, "publish").await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(
            get(&server, None, &format!("/portal/articles/{a}")).await.0,
            404
        );
    }
    let all = server.get_json("/api/v1/articles?category=policies").await;
    assert_eq!(all["total"], 1, "{all}");

    // Withdrawn, it leaves the portal; edited, it is a draft again with a new revision.
    let (s, _) = act(&server, &reviewer, id, "withdraw").await;
    assert_eq!(s, 200);
    assert_eq!(
        get(&server, None, &format!("/portal/articles/{id}"))
            .await
            .0,
        404
    );
    let (s, edited) = send(
        &server,
        Method::PUT,
        &writer,
        &format!("/api/v1/articles/{id}"),
        policy("高新技术企业认定奖补办法（修订）"),
    )
    .await;
    assert_eq!(s, 200, "{edited}");
    assert_eq!(edited["status"], "draft");
    let (_, revs) = send(
        &server,
        Method::GET,
        &writer,
        &format!("/api/v1/articles/{id}/revisions"),
        Value::Null,
    )
    .await;
    assert_eq!(revs.as_array().map(Vec::len), Some(2), "{revs}");
    // A return needs a reason, and the writer sees it.
    act(&server, &writer, id, "submit").await;
    let (s, _) = act(&server, &reviewer, id, "return").await;
    assert_eq!(s, 422);
    let (s, back) = send(
        &server,
        Method::POST,
        &reviewer,
        &format!("/api/v1/articles/{id}/return"),
        json!({"reason": "请核对文号"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        (back["status"].as_str(), back["return_reason"].as_str()),
        (Some("draft"), Some("请核对文号"))
    );

    // The audit trail holds each step.
    let (_, audit) = send(
        &server,
        Method::GET,
        &writer,
        "/api/v1/audit?entity=article",
        Value::Null,
    )
    .await;
    let actions = audit.to_string();
    for a in [
        "article.create",
        "article.file",
        "article.submit",
        "article.publish",
        "article.withdraw",
        "article.return",
    ] {
        assert!(actions.contains(a), "audit lacks {a}: {actions}");
    }
    // Others cannot write.
    let (s, _) = send(
        &server,
        Method::POST,
        &company,
        "/api/v1/articles",
        policy("x"),
    )
    .await;
    assert_eq!(s, 403);
}

async fn a_call_shows_its_guide_and_the_guide_links_back(b: Backend) {
    let env = TestEnv::new(b).await;
    let (writer, reviewer) = (env.bureau_token(), env.approver_token());
    let server = env.serve().await;
    let today = chrono::Utc::now().date_naive();
    let year = chrono::Datelike::year(&today);
    let (s, budget) = send(
        &server,
        Method::PUT,
        &writer,
        &format!("/api/v1/programmes/key-projects/budgets/{year}"),
        json!({"amount": "3000万元"}),
    )
    .await;
    assert_eq!(s, 200, "{budget}");
    let (s, call) = send(
        &server,
        Method::POST,
        &writer,
        "/api/v1/calls",
        json!({
            "programme": "key-projects", "year": year, "title": "2026年高新技术企业奖补申报",
            "opens_on": (today - chrono::Days::new(1)).to_string(),
            "closes_on": (today + chrono::Days::new(30)).to_string(),
        }),
    )
    .await;
    assert!(s == 201 || s == 200, "{call}");
    let call_id = call["id"].as_i64().expect("call id");
    let (s, bad) = send(
        &server,
        Method::POST,
        &writer,
        "/api/v1/articles",
        json!({
            "category": "guides", "title": "指南", "body": "正文", "links": ["call:999999"],
        }),
    )
    .await;
    assert_eq!(s, 422, "{bad}");
    let (_, guide) = send(&server, Method::POST, &writer, "/api/v1/articles", json!({
        "category": "guides", "title": "2026年高新技术企业奖补申报指南",
        "body": "# 申报条件\n\n在本市注册的高新技术企业。", "links": [format!("call:{call_id}")],
    })).await;
    let gid = guide["id"].as_i64().expect("guide id");
    act(&server, &writer, gid, "submit").await;
    act(&server, &reviewer, gid, "publish").await;

    let (s, page) = get(&server, Some(&writer), &format!("/calls/{call_id}")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains(&format!("/portal/articles/{gid}")),
        "the call page lacks its guide"
    );
    let (_, article) = get(&server, None, &format!("/portal/articles/{gid}")).await;
    assert!(
        article.contains(&format!("href=\"/calls/{call_id}\"")),
        "the guide lacks its call"
    );
    // The portal's open calls lead to the guide.
    let (_, home) = get(&server, None, "/portal").await;
    assert!(
        home.contains("2026年高新技术企业奖补申报")
            && home.contains(&format!("/portal/articles/{gid}"))
    );
}

/// Parses a CSV download (after its BOM) into its header and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = r
        .records()
        .map(|x| x.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

async fn every_open_data_set_is_the_same_in_csv_json_and_the_api(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    // A certificate issued this year, valid today; the samples' older ones have expired.
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let current = env.write(
        "hte-current.csv",
        &format!(
            "证书编号,统一社会信用代码,企业名称,发证日期,批次\n\
             GR{year}44009999,9144020456043005XQ,韶关市华粤新材料科技有限公司,{year}-01-05,\n"
        ),
    );
    env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        &current.display().to_string(),
    ]);
    let server = env.serve().await;
    let catalogue = server.get_json("/api/v1/open-data").await;
    let ids: Vec<String> = catalogue
        .as_array()
        .expect("sets")
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        ids,
        [
            "targets",
            "high-tech-enterprises",
            "platforms",
            "grants",
            "articles"
        ]
    );
    let (_, page) = get(&server, None, "/data").await;
    let dcat = server.get_json("/data/catalog.json").await;
    for id in &ids {
        assert!(
            page.contains(&format!("/data/{id}.csv")) && page.contains(&format!("/data/{id}.json"))
        );
        assert!(
            dcat["dcat:dataset"]
                .as_array()
                .expect("datasets")
                .iter()
                .any(|d| d["dct:identifier"] == *id),
            "{id} missing from catalog.json"
        );
        let json = server.get_json(&format!("/data/{id}.json")).await;
        let api = server.get_json(&format!("/api/v1/open-data/{id}")).await;
        assert_eq!(json, api, "{id}: the download differs from the API");
        let (s, text) = get(&server, None, &format!("/data/{id}.csv")).await;
        assert_eq!(s, 200);
        let (headers, rows) = csv_rows(&text);
        let keys: Vec<String> = json["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| cell(&c["key"]))
            .collect();
        assert_eq!(headers, keys, "{id}");
        let records = json["records"].as_array().expect("records");
        assert_eq!(rows.len(), records.len(), "{id}");
        for (row, rec) in rows.iter().zip(records) {
            let want: Vec<String> = keys.iter().map(|k| cell(&rec[k])).collect();
            assert_eq!(row, &want, "{id}");
        }
    }
    // The high-tech list holds valid certificates of the registry, nobody's personal data.
    let hte = server.get_json("/data/high-tech-enterprises.json").await;
    let records = hte["records"].as_array().expect("records");
    assert!(!records.is_empty());
    let bureau = env.bureau_token();
    for r in records.iter().take(5) {
        let uscc = r["uscc"].as_str().expect("uscc");
        let (s, e) = send(
            &server,
            Method::GET,
            &bureau,
            &format!("/api/v1/enterprises/{uscc}"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(e["enterprise"]["name"], r["name"]);
        assert!(e
            .to_string()
            .contains(r["certificate"].as_str().expect("number")));
    }
    let targets = server.get_json("/data/targets.json").await;
    assert!(targets["records"].as_array().is_some_and(|r| !r.is_empty()));
    let (s, _) = get(&server, None, "/data/nothing.csv").await;
    assert_eq!(s, 404);
}

on_both_backends!(
    an_officer_writes_a_policy_and_a_colleague_publishes_it,
    a_call_shows_its_guide_and_the_guide_links_back,
    every_open_data_set_is_the_same_in_csv_json_and_the_api
);
