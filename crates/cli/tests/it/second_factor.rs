//! The second factor at login, as an administrator and a bureau officer meet it: enrolment
//! forced by role, codes from an authenticator app (computed here as an app computes them,
//! from the secret the server hands out), replays, recovery codes, lockout, the policy and a
//! reset — through the API and through the pages.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

/// The authenticator app: the code of the step `offset` steps from now.
pub(crate) fn app_code(secret: &str, offset: i64) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32 secret");
    let app = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).expect("totp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    app.generate((now + offset * 30) as u64)
}

/// Enrols `session`'s account in the second factor through the API, confirming with the
/// app's code `offset` steps from now, and returns the secret.
pub(crate) async fn enrol(session: &Session, offset: i64) -> String {
    let secret = session
        .with_csrf(Method::POST, "/api/v1/me/second-factor")
        .send()
        .await
        .expect("begin enrolment")
        .json::<Value>()
        .await
        .expect("enrolment json")["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let res = session
        .with_csrf(Method::PUT, "/api/v1/me/second-factor")
        .json(&json!({ "code": app_code(&secret, offset) }))
        .send()
        .await
        .expect("confirm enrolment");
    assert_eq!(res.status().as_u16(), 200, "enrolment confirmed");
    secret
}

/// Waits for the next 30-second step when this one is about to end. Each code is computed
/// when it is sent and the server takes a step either way, so a test may cross into the next
/// step (under load they often did); what must not happen is the step changing between the
/// first codes being computed and checked. Waiting only in a step's last five seconds keeps
/// that away and costs the suite little idle time at its end, where these tests run.
async fn at_start_of_step() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock");
    let into = now.as_secs() % 30;
    if into >= 25 {
        tokio::time::sleep(std::time::Duration::from_secs(31 - into)).await;
    }
}

async fn api_login(
    server: &Server,
    client: &reqwest::Client,
    user: &str,
    code: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({ "username": user, "password": PASSWORD });
    if let Some(c) = code {
        body["code"] = json!(c);
    }
    let res = client
        .post(server.url("/api/v1/session"))
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .expect("login");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn the_second_factor_from_enrolment_to_recovery(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("adm1", "admin", &[]);
    env.add_user("kj1", "bureau", &["--region", "440200"]);
    let server = env.serve().await;

    // An administrator without a second factor logs in, and may only enrol.
    let admin = server.login("adm1", PASSWORD).await;
    let me: Value = admin
        .request(Method::GET, "/api/v1/me")
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["second_factor_due"], true, "{me}");
    let res = admin
        .request(Method::GET, "/api/v1/audit")
        .send()
        .await
        .expect("audit");
    assert_eq!(res.status().as_u16(), 403);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "second_factor_enrolment_required");
    let res = admin
        .request(Method::GET, "/audit")
        .send()
        .await
        .expect("audit page");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/account/second-factor");
    // Nor can it mint a token to go round the enrolment.
    let res = admin
        .with_csrf(Method::POST, "/api/v1/tokens")
        .json(&json!({ "name": "round" }))
        .send()
        .await
        .expect("token");
    assert_eq!(res.status().as_u16(), 403);

    // Enrolment: the same secret until confirmed; a wrong code is refused.
    let start = || async {
        let res = admin
            .with_csrf(Method::POST, "/api/v1/me/second-factor")
            .send()
            .await
            .expect("begin");
        assert_eq!(res.status().as_u16(), 200);
        res.json::<Value>().await.expect("json")
    };
    let first = start().await;
    let secret = first["secret"].as_str().expect("secret").to_owned();
    assert_eq!(start().await["secret"], secret.as_str());
    assert!(first["otpauth_uri"]
        .as_str()
        .expect("uri")
        .contains(&format!("secret={secret}")));
    let page = admin
        .request(Method::GET, "/account/second-factor")
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("<svg"), "the page shows the QR code");
    assert!(page.contains(&secret[..4]), "and the key as text");

    at_start_of_step().await;
    let confirm = |code: String| {
        admin
            .with_csrf(Method::PUT, "/api/v1/me/second-factor")
            .header("accept-language", "en")
            .json(&json!({ "code": code }))
            .send()
    };
    let wrong = if app_code(&secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let res = confirm(wrong.to_owned()).await.expect("confirm");
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(
        res.json::<Value>().await.expect("json")["error"]["code"],
        "wrong_code"
    );
    // The app's code of the step before: clocks drift by a step either way.
    let res = confirm(app_code(&secret, -1)).await.expect("confirm");
    assert_eq!(res.status().as_u16(), 200);
    let codes: Vec<String> = res.json::<Value>().await.expect("json")["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    // The open session goes on at once.
    let res = admin
        .request(Method::GET, "/api/v1/audit")
        .send()
        .await
        .expect("audit");
    assert_eq!(res.status().as_u16(), 200);

    // Logging in now takes a code, each accepted once.
    let web = &server.client;
    let (status, body) = api_login(&server, web, "adm1", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("second_factor_required"))
    );
    let now = app_code(&secret, 0);
    let (status, body) = api_login(&server, web, "adm1", Some(&now)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["second_factor"], true);
    let (status, body) = api_login(&server, web, "adm1", Some(&now)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("wrong_code")),
        "a replay"
    );
    // A recovery code, typed as people copy it (upper case, full-width dash), works once.
    let typed = codes[0].to_uppercase().replace('-', "－");
    let (status, _) = api_login(&server, web, "adm1", Some(&typed)).await;
    assert_eq!(status, 200);
    let (status, _) = api_login(&server, web, "adm1", Some(&codes[0])).await;
    assert_eq!(status, 401, "a recovery code works once");

    // Wrong codes lock this address out for this account, as wrong passwords do, and not
    // another address.
    let elsewhere = client_from([127, 0, 0, 2]);
    let mut locked = 0;
    for _ in 0..6 {
        let (status, _) = api_login(&server, &elsewhere, "adm1", Some(wrong)).await;
        locked += u32::from(status == 429);
    }
    assert!(locked >= 1, "wrong codes lock the pair");
    let (status, body) = api_login(&server, web, "adm1", Some(&app_code(&secret, 1))).await;
    assert_eq!(status, 200, "another address is not locked out: {body}");

    // The policy: bureau accounts must now use it too; an open bureau session may only enrol.
    let officer = server.login("kj1", PASSWORD).await;
    let admin = server.login_with_code("adm1", PASSWORD, &codes[1]).await;
    let set = |roles: Value| {
        admin
            .with_csrf(Method::PUT, "/api/v1/second-factor/roles")
            .json(&json!({ "roles": roles }))
            .send()
    };
    let res = set(json!(["bureau"])).await.expect("policy");
    assert_eq!(res.status().as_u16(), 422, "administrators always must");
    let res = set(json!(["admin", "bureau"])).await.expect("policy");
    assert_eq!(res.status().as_u16(), 200);
    let res = officer
        .request(Method::GET, "/api/v1/programmes")
        .send()
        .await
        .expect("programmes");
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(
        env.cli_ok(&["user", "second-factor-roles"]).trim(),
        "admin,bureau"
    );

    // A reset (lost phone, lost codes): the next login asks for enrolment again.
    env.cli_ok(&["user", "reset-second-factor", "adm1"]);
    let (status, body) = api_login(&server, web, "adm1", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["second_factor_due"], true);

    let trail = env.cli_ok(&["audit", "list", "--limit", "200"]);
    for action in [
        "user.second_factor_enrol",
        "user.recovery_code_used",
        "second_factor.roles",
        "user.second_factor_reset",
    ] {
        assert!(trail.contains(action), "{action} audited");
    }
    assert!(!trail.contains(&secret), "the secret is never audited");
    env.cli_ok(&["audit", "verify"]);
}

/// The login page's code step: password, then the code, with the challenge in a cookie.
async fn the_login_page_asks_for_the_code(b: Backend) {
    let env = TestEnv::new(b).await;
    env.add_user("adm2", "admin", &[]);
    let server = env.serve().await;
    let admin = server.login("adm2", PASSWORD).await;
    at_start_of_step().await;
    let secret = enrol(&admin, -1).await;

    let c = &server.client;
    let res = c
        .get(server.url("/login"))
        .send()
        .await
        .expect("login page");
    let pre = cookie_set(&res, "kc_pre").expect("pre-login cookie");
    let csrf = pre.trim_start_matches("kc_pre=").to_owned();
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let res = c
        .post(server.url("/login"))
        .header("cookie", &pre)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("username", "adm2"),
            ("password", PASSWORD),
            ("csrf", &csrf),
            ("next", "/audit"),
        ]))
        .send()
        .await
        .expect("password");
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        cookie_set(&res, "kc_session").is_none(),
        "no session before the code"
    );
    let challenge = cookie_set(&res, "kc_challenge").expect("challenge cookie");
    assert!(res
        .text()
        .await
        .expect("html")
        .contains("action=\"/login/code\""));
    let cookies = format!("{pre}; {challenge}");
    let send_code = |code: String| {
        c.post(server.url("/login/code"))
            .header("cookie", &cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("code", &code),
                ("csrf", &csrf),
                ("next", "/audit"),
            ]))
            .send()
    };
    let wrong = if app_code(&secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let res = send_code(wrong.to_owned()).await.expect("wrong code");
    assert_eq!(res.status().as_u16(), 401);
    let res = send_code(app_code(&secret, 0)).await.expect("code");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/audit");
    let session = cookie_set(&res, "kc_session").expect("session");
    let res = c
        .get(server.url("/audit"))
        .header("cookie", &session)
        .send()
        .await
        .expect("audit");
    assert_eq!(res.status().as_u16(), 200);
    // The challenge is spent: the same cookie cannot log in again.
    let res = send_code(app_code(&secret, 1)).await.expect("again");
    assert_eq!(res.status().as_u16(), 401);
    assert!(cookie_set(&res, "kc_session").is_none());
}

on_both_backends!(
    the_second_factor_from_enrolment_to_recovery,
    the_login_page_asks_for_the_code,
);
