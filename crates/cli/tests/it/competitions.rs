//! The innovation competition over the API, as the bureau, enterprises, a county and experts
//! would drive it: set-up with its problems by field; entries by track (the track rule on the
//! registration date), a team entered by the bureau; files; screening; a preliminary scored by
//! experts without conflicts; ranking, ties and advancement per track; the final; the results
//! published through the portal's review; the prizes as a batch through notice, approval and
//! payment; the audit trail.

use crate::common::{self, Backend, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Criterion scores adding up to `total` (out of 100), in the rubric's proportions.
fn sheet(total: f64) -> Value {
    let f = total / 100.0;
    json!({
        "technology": format!("{}", 30.0 * f), "business": format!("{}", 20.0 * f),
        "market": format!("{}", 20.0 * f), "team": format!("{}", 20.0 * f),
        "finance": format!("{}", 10.0 * f),
    })
}

async fn upload(server: &common::Server, token: &str, entry: i64, slot: &str, name: &str) -> u16 {
    server
        .client
        .post(server.url(&format!(
            "/api/v1/competition-entries/{entry}/files?slot={slot}&file_name={name}"
        )))
        .bearer_auth(token)
        .body(format!("%PDF-1.4 {name}").into_bytes())
        .send()
        .await
        .expect("upload")
        .status()
        .as_u16()
}

async fn a_competition_runs_from_entry_to_paid_prizes(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = common::csv_rows("enterprises-sample.csv");
    // Registered in 2016: the start-up track of the 2019 competition; before 2016: growth.
    let young: Vec<&Vec<String>> = rows[2..]
        .iter()
        .filter(|r| r[5].starts_with("2016"))
        .take(2)
        .collect();
    let old: Vec<&Vec<String>> = rows[2..]
        .iter()
        .filter(|r| r[5].starts_with("2012") || r[5].starts_with("2010"))
        .take(3)
        .collect();
    assert_eq!((young.len(), old.len()), (2, 3), "the sample has both");
    let entrants: Vec<(&str, &Vec<String>)> = vec![
        ("qiye_a", young[0]),
        ("qiye_b", young[1]),
        ("qiye_c", old[0]),
        ("qiye_d", old[1]),
        ("qiye_e", old[2]),
    ];
    for (user, r) in &entrants {
        env.add_user(user, "enterprise", &["--uscc", &r[0]]);
    }
    env.add_user("kejiju", "bureau", &["--region", "440200"]);
    env.add_user("shenpi", "bureau", &["--region", "440200"]);
    env.add_user("shenhe", "bureau", &["--region", "440200"]);
    for e in ["zj1", "zj2", "zj3", "zj4"] {
        env.add_user(e, "expert", &[]);
    }
    let bureau = env.token("kejiju");
    let token: HashMap<&str, String> = entrants
        .iter()
        .map(|(u, _)| (*u, env.token(u)))
        .chain(
            ["zj1", "zj2", "zj3", "zj4", "shenpi", "shenhe"]
                .into_iter()
                .map(|u| (u, env.token(u))),
        )
        .collect();
    let server = env.serve().await;
    let call = |t: &str, m: Method, p: &str, body: Value| {
        let (t, p) = (t.to_owned(), p.to_owned());
        let server = &server;
        async move { server.call(&t, m, &p, Some(body)).await }
    };
    // The pool: zj4 works for entrant A and must never score it.
    for (e, org) in [
        ("zj1", "韶关学院"),
        ("zj2", "广东工业大学"),
        ("zj3", "华南理工大学"),
        ("zj4", entrants[0].1[1].as_str()),
    ] {
        let (s, v) = call(
            &bureau,
            Method::PUT,
            "/api/v1/experts",
            json!({ "username": e, "name": e, "fields": ["新材料"], "affiliation": org,
                    "affiliation_uscc": null, "conflicts": [] }),
        )
        .await;
        assert!(s < 300, "{v}");
    }
    let (s, v) = call(
        &bureau,
        Method::PUT,
        "/api/v1/programmes/innovation-competition/budgets/2019",
        json!({ "amount": "100万元" }),
    )
    .await;
    assert!(s < 300, "{v}");

    // Set-up: every problem by field, nothing saved.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let (s, refused) = call(
        &bureau,
        Method::POST,
        "/api/v1/competitions",
        json!({ "year": "二〇一九", "title": "", "programme": "key-projects",
                "registration_opens": "2019-13-01", "registration_closes": "明天",
                "prizes": "一等奖 一名" }),
    )
    .await;
    assert_eq!(s, 422, "{refused}");
    let text = refused.to_string();
    for field in [
        "year",
        "title",
        "programme",
        "registration_opens",
        "registration_closes",
        "prizes",
    ] {
        assert!(text.contains(field), "{field} missing from {text}");
    }
    assert_eq!(server.get_json("/api/v1/competitions").await, json!([]));
    let (s, comp) = call(
        &bureau,
        Method::POST,
        "/api/v1/competitions",
        json!({ "year": "2019", "title": "2019年中国创新创业大赛（韶关分赛区）",
                "programme": "innovation-competition",
                "registration_opens": (today - chrono::Days::new(1)).format("%Y年%-m月%-d日").to_string(),
                "registration_closes": (today + chrono::Days::new(10)).to_string(),
                "prizes": "一等奖 1 20万元\n二等奖，1，10万" }),
    )
    .await;
    assert_eq!(s, 201, "{comp}");
    let id = comp["id"].as_i64().expect("id");
    assert_eq!(comp["prizes"][1]["amount"], 10_000_000);
    let entries_path = format!("/api/v1/competitions/{id}/entries");

    // An enterprise of 2012 is not a start-up: told which track, nothing saved.
    let (s, wrong) = call(
        &token["qiye_c"],
        Method::POST,
        &entries_path,
        json!({ "track": "初创组", "industry": "新材料", "title": "高纯铝箔",
                "answers": { "summary": "铝箔", "team_intro": "团队" } }),
    )
    .await;
    assert_eq!(s, 422, "{wrong}");
    let why = wrong["error"]["details"]["track"]
        .as_str()
        .unwrap_or_default();
    assert!(
        why.contains("成长组") && why.contains("2016-01-01"),
        "{wrong}"
    );
    let mut ids = HashMap::new();
    for (user, track, title) in [
        ("qiye_a", "初创组", "智能分拣机器人"),
        ("qiye_b", "startup", "稀土发光材料"),
        ("qiye_c", "成长组", "高纯铝箔"),
        ("qiye_d", "成长", "特钢棒材在线检测"),
        ("qiye_e", "growth", "竹纤维复合板"),
    ] {
        let (s, e) = call(
            &token[user],
            Method::POST,
            &entries_path,
            json!({ "track": track, "industry": "新 材料", "title": title,
                    "answers": { "summary": format!("{title}的产品与市场"), "team_intro": "博士团队",
                                 "revenue": "1,200" } }),
        )
        .await;
        assert_eq!(s, 201, "{user}: {e}");
        assert_eq!(e["industry"], "新材料");
        ids.insert(user, e["id"].as_i64().expect("entry"));
    }
    let (s, twice) = call(
        &token["qiye_a"],
        Method::POST,
        &entries_path,
        json!({ "track": "初创组", "industry": "新材料", "title": "又一个",
                "answers": { "summary": "x", "team_intro": "y" } }),
    )
    .await;
    assert_eq!(s, 409, "{twice}");
    assert_eq!(twice["error"]["code"], "competition_already_entered");
    // A team without an enterprise: the bureau enters it, in the start-up track only.
    let team = json!({ "track": "成长组", "industry": "电子信息", "title": "边缘计算网关",
        "team": "韶关学院创客团队", "leader": "林同学", "region": "武江区",
        "answers": { "summary": "网关", "team_intro": "学生团队" } });
    let (s, refused) = call(&bureau, Method::POST, &entries_path, team.clone()).await;
    assert_eq!(s, 422, "{refused}");
    let why = refused["error"]["details"]["track"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("初创组"), "{refused}");
    let mut team = team;
    team["track"] = json!("初创组");
    let (s, t) = call(&bureau, Method::POST, &entries_path, team).await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(
        (t["uscc"].clone(), t["region_code"].clone()),
        (Value::Null, json!("440203"))
    );
    ids.insert("team", t["id"].as_i64().expect("team"));

    // Each sees what is theirs.
    let (_, mine) = call(&token["qiye_a"], Method::GET, &entries_path, Value::Null).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    let (s, _) = call(
        &token["qiye_a"],
        Method::GET,
        &format!("/api/v1/competition-entries/{}", ids["qiye_b"]),
        Value::Null,
    )
    .await;
    assert_eq!(s, 404, "another's entry does not exist for it");

    // Screening waits for the business plan; a file of the wrong kind is refused.
    let screen = |entry: i64| format!("/api/v1/competition-entries/{entry}/screening");
    let (s, v) = call(
        &bureau,
        Method::POST,
        &screen(ids["qiye_a"]),
        json!({ "eligible": true }),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"]["code"], "competition_files_missing");
    assert_eq!(
        upload(
            &server,
            &token["qiye_a"],
            ids["qiye_a"],
            "business_plan",
            "计划.exe"
        )
        .await,
        422
    );
    for (user, e) in &ids {
        let t = if *user == "team" {
            &bureau
        } else {
            &token[user]
        };
        assert_eq!(
            upload(&server, t, *e, "business_plan", "商业计划书.pdf").await,
            204
        );
    }
    let (s, v) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/rounds"),
        json!({ "stage": "preliminary", "experts": "3" }),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (409, json!("competition_unscreened")),
        "{v}"
    );
    let (s, v) = call(
        &bureau,
        Method::POST,
        &screen(ids["qiye_e"]),
        json!({ "eligible": false }),
    )
    .await;
    assert_eq!(s, 422, "a refusal needs its reason: {v}");
    let (s, _) = call(
        &bureau,
        Method::POST,
        &screen(ids["qiye_e"]),
        json!({ "eligible": false, "note": "主营业务收入超过2亿元" }),
    )
    .await;
    assert_eq!(s, 200);
    for user in ["qiye_a", "qiye_b", "qiye_c", "qiye_d", "team"] {
        let (s, v) = call(
            &bureau,
            Method::POST,
            &screen(ids[user]),
            json!({ "eligible": true }),
        )
        .await;
        assert_eq!((s, v["status"].clone()), (200, json!("eligible")), "{v}");
    }

    // The preliminary: three experts an entry, none with a conflict.
    let (s, round) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/rounds"),
        json!({ "stage": "初赛", "experts": "3" }),
    )
    .await;
    assert_eq!(s, 201, "{round}");
    let (s, late) = call(
        &token["qiye_e"],
        Method::POST,
        &entries_path,
        json!({ "track": "成长组", "industry": "新材料", "title": "迟到", "answers": {} }),
    )
    .await;
    assert_eq!(s, 409, "{late}");
    assert_eq!(late["error"]["code"], "competition_registration_closed");
    // The scores each entry earns, by entry (the same from every expert).
    let totals: HashMap<i64, f64> = [
        (ids["qiye_a"], 90.0),
        (ids["team"], 80.0),
        (ids["qiye_b"], 70.0),
        (ids["qiye_c"], 85.0),
        (ids["qiye_d"], 60.0),
    ]
    .into_iter()
    .collect();
    let score_round = |round: i64| {
        let (server, bureau, token, totals) = (&server, &bureau, &token, &totals);
        async move {
            let (_, entries) = server
                .call(
                    bureau,
                    Method::GET,
                    &format!("/api/v1/competition-rounds/{round}"),
                    None,
                )
                .await;
            let entries = entries.as_array().cloned().expect("round entries");
            for e in &entries {
                let entry = e["entry_id"].as_i64().expect("entry");
                let experts: Vec<String> = e["scores"]
                    .as_array()
                    .expect("scores")
                    .iter()
                    .map(|s| s["expert"].as_str().expect("expert").to_owned())
                    .collect();
                assert_eq!(experts.len(), 3);
                for x in experts {
                    let (s, v) = server
                        .call(
                            &token[x.as_str()],
                            Method::POST,
                            &format!("/api/v1/competition-entries/{entry}/scores"),
                            Some(json!({ "scores": sheet(totals[&entry]), "comment": "良好" })),
                        )
                        .await;
                    assert_eq!(s, 204, "{x} on {entry}: {v}");
                }
            }
            entries.len()
        }
    };
    let round_id = round["id"].as_i64().expect("round");
    let (_, pre) = call(
        &bureau,
        Method::GET,
        &format!("/api/v1/competition-rounds/{round_id}"),
        Value::Null,
    )
    .await;
    let a_experts = pre
        .as_array()
        .and_then(|v| v.iter().find(|e| e["entry_id"] == ids["qiye_a"]))
        .map(|e| e["scores"].to_string())
        .expect("entrant A in the round");
    assert!(
        !a_experts.contains("zj4"),
        "a conflicted expert is assigned: {a_experts}"
    );
    let (s, _) = call(
        &token["zj4"],
        Method::GET,
        &format!("/api/v1/competition-entries/{}", ids["qiye_a"]),
        Value::Null,
    )
    .await;
    assert_eq!(s, 404, "the conflicted expert does not see the entry");
    let (s, v) = call(
        &token["zj4"],
        Method::POST,
        &format!("/api/v1/competition-entries/{}/scores", ids["qiye_a"]),
        json!({ "scores": sheet(10.0) }),
    )
    .await;
    assert_eq!(s, 404, "{v}");
    // A score above a criterion's maximum: the criterion is named, nothing saved.
    let some_expert = pre[0]["scores"][0]["expert"]
        .as_str()
        .expect("expert")
        .to_owned();
    let entry0 = pre[0]["entry_id"].as_i64().expect("entry");
    let (s, v) = call(&token[some_expert.as_str()], Method::POST,
        &format!("/api/v1/competition-entries/{entry0}/scores"),
        json!({ "scores": { "technology": "31", "business": "1", "market": "1", "team": "1", "finance": "1" } })).await;
    assert_eq!(s, 422, "{v}");
    assert!(v.to_string().contains("technology"), "{v}");
    let (s, v) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/close-round"),
        json!({ "advance": "2" }),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (409, json!("competition_scores_missing")),
        "{v}"
    );
    assert_eq!(
        score_round(round_id).await,
        5,
        "the five eligible entries take part"
    );
    let (s, closed) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/close-round"),
        json!({ "advance": "2" }),
    )
    .await;
    assert_eq!(s, 200, "{closed}");
    let mut up: Vec<i64> = closed["advanced"]
        .as_array()
        .expect("advanced")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    up.sort_unstable();
    let mut expected = vec![ids["qiye_a"], ids["team"], ids["qiye_c"], ids["qiye_d"]];
    expected.sort_unstable();
    assert_eq!(up, expected, "the best two of each track advance");
    let (_, standing) = call(
        &token["qiye_b"],
        Method::GET,
        &format!("/api/v1/competition-entries/{}", ids["qiye_b"]),
        Value::Null,
    )
    .await;
    assert_eq!(standing["rounds"][0]["place"], 3, "{standing}");
    assert_eq!(standing["rounds"][0]["advanced"], false);

    // Straight to the final; the prizes go down each track.
    let (s, fin) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/rounds"),
        json!({ "stage": "final", "experts": "3" }),
    )
    .await;
    assert_eq!(s, 201, "{fin}");
    assert_eq!(score_round(fin["id"].as_i64().expect("final")).await, 4);
    let (s, won) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/close-round"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{won}");
    let prizes: HashMap<i64, (String, i64)> = won["prizes"]
        .as_array()
        .expect("prizes")
        .iter()
        .map(|p| {
            (
                p[0].as_i64().expect("entry"),
                (
                    p[1].as_str().expect("prize").to_owned(),
                    p[2].as_i64().expect("amount"),
                ),
            )
        })
        .collect();
    assert_eq!(prizes[&ids["qiye_a"]], ("一等奖".to_owned(), 20_000_000));
    assert_eq!(prizes[&ids["team"]], ("二等奖".to_owned(), 10_000_000));
    assert_eq!(prizes[&ids["qiye_c"]], ("一等奖".to_owned(), 20_000_000));
    assert_eq!(prizes[&ids["qiye_d"]], ("二等奖".to_owned(), 10_000_000));

    // The results: an article sent for review; public once another officer publishes it.
    let (s, published) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/publish"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 201, "{published}");
    let public = server.get_json(&format!("/api/v1/competitions/{id}")).await;
    assert_eq!(
        (public["results_public"].clone(), public["winners"].clone()),
        (json!(false), json!([]))
    );
    let article = published["article"].as_i64().expect("article");
    let (s, v) = call(
        &token["shenhe"],
        Method::POST,
        &format!("/api/v1/articles/{article}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let public = server.get_json(&format!("/api/v1/competitions/{id}")).await;
    assert_eq!(public["results_public"], true);
    let winners = public["winners"].to_string();
    assert!(
        winners.contains("智能分拣机器人") && winners.contains("韶关学院创客团队"),
        "{winners}"
    );
    assert!(!winners.contains("稀土发光材料"), "{winners}");
    let (_, page) = server
        .get_as(None, &format!("/portal/articles/{article}"))
        .await;
    assert!(page.contains("获奖结果") && page.contains("智能分拣机器人"));

    // The prizes as a batch: the team is paid once it registers, so three awards.
    let (s, batch) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/prizes"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 201, "{batch}");
    let (s, again) = call(
        &bureau,
        Method::POST,
        &format!("/api/v1/competitions/{id}/prizes"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (s, again["error"]["code"].clone()),
        (409, json!("competition_prizes_awarded"))
    );
    let steps = format!("/api/v1/batches/{}/steps", batch["batch"]);
    for (who, body) in [
        (&bureau, json!({ "action": "review" })),
        (
            &bureau,
            json!({ "action": "publish", "notice_start": (today - chrono::Days::new(20)).to_string() }),
        ),
        (&token["shenpi"], json!({ "action": "approve" })),
        (&bureau, json!({ "action": "pay" })),
    ] {
        let (s, v) = call(who, Method::POST, &steps, body).await;
        assert_eq!(s, 200, "{v}");
    }
    let (_, b) = call(
        &bureau,
        Method::GET,
        &format!("/api/v1/batches/{}", batch["batch"]),
        Value::Null,
    )
    .await;
    assert_eq!(b["batch"]["status"], "paid", "{b}");
    let awards = b["awards"].as_array().expect("awards");
    assert_eq!(awards.len(), 3, "{b}");
    let total: i64 = awards.iter().filter_map(|a| a["amount"].as_i64()).sum();
    assert_eq!(total, 50_000_000);

    // The enterprise's page lists its entry and prize.
    let (_, page) = server
        .get_as(
            Some(&token["qiye_a"]),
            &format!("/enterprises/{}", entrants[0].1[0]),
        )
        .await;
    assert!(
        page.contains("competition-entries")
            && page.contains("智能分拣机器人")
            && page.contains("一等奖"),
        "the enterprise's page lacks its entry"
    );

    let (_, audit) = call(
        &bureau,
        Method::GET,
        "/api/v1/audit?entity=competition&per_page=500",
        Value::Null,
    )
    .await;
    let trail = audit.to_string();
    for a in [
        "competition.create",
        "competition.enter",
        "competition.file",
        "competition.screen",
        "competition.round_open",
        "competition.score",
        "competition.round_close",
        "competition.publish",
    ] {
        assert!(trail.contains(a), "audit lacks {a}");
    }
}

on_both_backends!(a_competition_runs_from_entry_to_paid_prizes);
