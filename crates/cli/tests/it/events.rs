//! Events over the API and their pages: the bureau announces a forum with organising units; an
//! enterprise and two people register for two seats, the third waits and moves up when a seat
//! is given back; check-in only while the event runs; the outcome counts in the yearly record;
//! the enterprise's page shows its attendance; personal details stay with the bureau.

use crate::common::{self, Backend, TestEnv};
use reqwest::Method;
use serde_json::{json, Value};

use common::send_json as send;

async fn post_anonymous(server: &common::Server, path: &str, body: Value) -> (u16, Value) {
    let res = server
        .client
        .post(server.url(path))
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn a_forum_fills_its_seats_and_records_who_came(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let rows = common::csv_rows("enterprises-sample.csv");
    let uscc = rows[2][0].clone();
    env.add_user("qiye", "enterprise", &["--uscc", &uscc]);
    let (bureau, company) = (env.bureau_token(), env.token("qiye"));
    let server = env.serve().await;
    // The bureau's day is China's (UTC+8), whatever the test machine's zone.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let year = chrono::Datelike::year(&today);

    // Problems by field, nothing saved.
    let (s, refused) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/events",
        json!({
            "kind": "party", "title": "", "starts_on": "2019-11-09", "ends_on": "2019-11-08",
            "capacity": "many", "organisers": ["市不存在局"],
        }),
    )
    .await;
    assert_eq!(s, 422, "{refused}");
    let text = refused.to_string();
    for field in ["kind", "title", "starts_on", "capacity", "organisers"] {
        assert!(text.contains(field), "{field} missing from {text}");
    }
    assert_eq!(server.get_json("/api/v1/events").await["items"], json!([]));

    // A forum today and tomorrow, registration until today (so check-in works in the test).
    let (s, forum) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/events",
        json!({
            "kind": "forum", "title": "韶关科技创新高层论坛", "place": "韶关市科技馆",
            "starts_on": (today + chrono::Days::new(1)).to_string(),
            "ends_on": (today + chrono::Days::new(2)).to_string(),
            "registration_closes": today.to_string(),
            "capacity": "2", "organisers": ["市科技局", "团市委"],
            "agenda": "# 上午\n\n主旨演讲", "speakers": "张教授（中山大学）",
        }),
    )
    .await;
    assert_eq!(s, 201, "{forum}");
    let id = forum["id"].as_i64().expect("id");
    assert_eq!(forum["organisers"].as_array().map(Vec::len), Some(2));

    // The enterprise registers once; two people take the second seat and the waiting list.
    let path = format!("/api/v1/events/{id}/registrations");
    let (s, mine) = send(
        &server,
        Method::POST,
        &company,
        &path,
        json!({"attendee": "王经理", "phone": "0751-8888888"}),
    )
    .await;
    assert_eq!(
        (s, mine["seat"].as_str()),
        (201, Some("registered")),
        "{mine}"
    );
    let (s, twice) = send(
        &server,
        Method::POST,
        &company,
        &path,
        json!({"attendee": "李工", "phone": "13800000000"}),
    )
    .await;
    assert_eq!(s, 409, "{twice}");
    assert_eq!(twice["error"]["code"], "event_already_registered");
    let (s, bad) = post_anonymous(
        &server,
        &path,
        json!({"attendee": "赵", "organisation": "韶关学院", "phone": "call me"}),
    )
    .await;
    assert_eq!(s, 422, "{bad}");
    let (s, second) = post_anonymous(
        &server,
        &path,
        json!({"attendee": "陈老师", "organisation": "韶关学院", "phone": "13900000001"}),
    )
    .await;
    assert_eq!(
        (s, second["seat"].as_str()),
        (201, Some("registered")),
        "{second}"
    );
    let (s, third) = post_anonymous(
        &server,
        &path,
        json!({"attendee": "刘女士", "organisation": "个人", "phone": "13900000002"}),
    )
    .await;
    assert_eq!(
        (s, third["seat"].as_str()),
        (201, Some("waitlisted")),
        "{third}"
    );
    let third_id = third["id"].as_i64().expect("id");

    // The public sees counts, never names or phones.
    let (_, page) = server.get_as(None, &format!("/events/{id}")).await;
    assert!(page.contains("韶关科技创新高层论坛") && page.contains("韶关市科技馆"));
    assert!(
        !page.contains("13900000001") && !page.contains("陈老师"),
        "personal data on a public page"
    );
    let public = server.get_json(&format!("/api/v1/events/{id}")).await;
    assert_eq!(
        (public["registered"].as_i64(), public["waitlisted"].as_i64()),
        (Some(2), Some(1))
    );
    assert!(!public.to_string().contains("13900000001"));
    let (s, _) = server.get_as(None, &path).await;
    assert_eq!(s, 401);

    // The enterprise gives its seat back: the first waiting moves up.
    let regs = server.get_as(Some(&bureau), &path).await.1;
    let regs: Value = serde_json::from_str(&regs).expect("json");
    let own = regs
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["uscc"] == uscc.as_str())
        .expect("own")["id"]
        .as_i64()
        .expect("id");
    let (s, moved) = send(
        &server,
        Method::POST,
        &company,
        &format!("/api/v1/event-registrations/{own}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["moved_up"], json!([third_id]));
    // Another enterprise's registration is not this one's to cancel.
    let (s, _) = send(
        &server,
        Method::POST,
        &company,
        &format!("/api/v1/event-registrations/{third_id}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(s, 404);

    // Check-in waits for the event's days; recording it held waits too.
    let (s, early) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("/api/v1/event-registrations/{third_id}/check-in"),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "{early}");
    assert_eq!(early["error"]["code"], "event_check_in_day");
    let (s, _) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("/api/v1/events/{id}/outcome"),
        json!({"held": true}),
    )
    .await;
    assert_eq!(s, 409);

    // A matchmaking session today: registered, checked in, held with its outcome.
    let (_, fair) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/events",
        json!({
            "kind": "matchmaking", "title": "科技成果对接会", "starts_on": today.to_string(),
            "registration_closes": today.to_string(), "organisers": ["市科技局"],
        }),
    )
    .await;
    let fair_id = fair["id"].as_i64().expect("id");
    let (_, seat) = send(
        &server,
        Method::POST,
        &company,
        &format!("/api/v1/events/{fair_id}/registrations"),
        json!({"attendee": "王经理", "phone": "0751-8888888"}),
    )
    .await;
    let seat_id = seat["id"].as_i64().expect("id");
    let (s, present) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("/api/v1/event-registrations/{seat_id}/check-in"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{present}");
    assert!(present["checked_in_at"].is_string());
    let (s, held) = send(
        &server,
        Method::POST,
        &bureau,
        &format!("/api/v1/events/{fair_id}/outcome"),
        json!({
            "held": true, "projects_matched": "12", "agreements_signed": "3", "outcome": "签约3项",
        }),
    )
    .await;
    assert_eq!(s, 200, "{held}");
    assert_eq!(
        (
            held["status"].as_str(),
            held["agreements_signed"].as_i64(),
            held["checked_in"].as_i64()
        ),
        (Some("held"), Some(3), Some(1))
    );
    let list = server.get_json("/api/v1/events").await;
    assert!(
        list["held"]
            .as_array()
            .expect("held")
            .iter()
            .any(|h| h["kind"] == "matchmaking" && h["year"] == year && h["held"] == 1),
        "{list}"
    );
    let (_, events_page) = server.get_as(None, "/events").await;
    assert!(events_page.contains("科技成果对接会") && events_page.contains("韶关科技创新高层论坛"));

    // Its page shows the attendance; the portal lists the forum coming up.
    let (_, ent) = server
        .get_as(Some(&company), &format!("/enterprises/{uscc}"))
        .await;
    assert!(
        ent.contains("科技成果对接会"),
        "attendance missing from the enterprise's page"
    );
    let (_, portal) = server.get_as(None, "/portal").await;
    assert!(portal.contains(&format!("/events/{id}")));

    // Every step is audited, without the phone numbers.
    let (_, audit) = send(
        &server,
        Method::GET,
        &bureau,
        "/api/v1/audit?entity=event",
        Value::Null,
    )
    .await;
    let trail = audit.to_string();
    for a in [
        "event.put",
        "event.register",
        "event.cancel_registration",
        "event.check_in",
        "event.held",
    ] {
        assert!(trail.contains(a), "audit lacks {a}");
    }
    assert!(!trail.contains("13900000001"));
}

/// Many people register for the last seats at the same moment: each seat goes to one of them
/// and the rest wait, on both backends (PostgreSQL does not serialise writes by itself).
async fn seats_are_not_given_twice_under_a_crowd(b: Backend) {
    let env = TestEnv::new(b).await;
    let bureau = env.bureau_token();
    let server = env.serve().await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let (s, event) = send(
        &server,
        Method::POST,
        &bureau,
        "/api/v1/events",
        json!({
            "kind": "training", "title": "高企申报培训", "place": "韶关市科技馆",
            "starts_on": (today + chrono::Days::new(3)).to_string(),
            "capacity": "3", "organisers": ["市科技局"],
        }),
    )
    .await;
    assert_eq!(s, 201, "{event}");
    let url = server.url(&format!(
        "/api/v1/events/{}/registrations",
        event["id"].as_i64().expect("id")
    ));
    let crowd: Vec<_> = (0..12)
        .map(|i| {
            let (client, url) = (server.client.clone(), url.clone());
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .json(&json!({
                        "attendee": format!("学员{i}"), "organisation": "韶关学院",
                        "phone": format!("139000000{i:02}"),
                    }))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 201);
                let v: Value = res.json().await.expect("json");
                v["seat"].as_str().map(str::to_owned).expect("seat")
            })
        })
        .collect();
    let mut seats = Vec::new();
    for r in crowd {
        seats.push(r.await.expect("registration"));
    }
    let registered = seats.iter().filter(|s| *s == "registered").count();
    assert_eq!(registered, 3, "{seats:?}");
    assert_eq!(seats.iter().filter(|s| *s == "waitlisted").count(), 9);
    let public = server
        .get_json(&format!("/api/v1/events/{}", event["id"]))
        .await;
    assert_eq!(public["registered"].as_i64(), Some(3), "{public}");
}

on_both_backends!(
    a_forum_fills_its_seats_and_records_who_came,
    seats_are_not_given_twice_under_a_crowd,
);
