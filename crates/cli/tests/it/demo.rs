//! Demo data: deterministic files, loaded through the ordinary import path.

use crate::common::{bin, target, Backend, TestEnv};
use std::process::Command;

#[test]
fn demo_files_are_deterministic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str| {
        let out = dir.path().join(name);
        let status = Command::new(bin())
            .args([
                "demo",
                "--scale",
                "city",
                "--out",
                out.to_str().expect("path"),
            ])
            .env_remove("KECHUANG_DATABASE_URL")
            .env("KECHUANG_DATA_DIR", dir.path().join("data"))
            .status()
            .expect("run");
        assert!(status.success());
        out
    };
    let (a, b) = (write("a"), write("b"));
    for f in [
        "observations.csv",
        "enterprises.csv",
        "certificates.csv",
        "platforms.csv",
        "facts.csv",
        "pool-members.csv",
        "loans.csv",
        "rd-survey.csv",
        "super-deduction.csv",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).expect("a"),
            std::fs::read(b.join(f)).expect("b"),
        );
        assert_eq!(x, y, "{f} differs between runs");
    }
    let ents = std::fs::read_to_string(a.join("enterprises.csv")).expect("read");
    assert_eq!(
        ents.lines().count(),
        5_001,
        "about 5,000 enterprises and a header"
    );
}

/// The province demo (smaller here than its million) covers every city, and imports cleanly
/// into a deployment holding Guangdong's regions, ten years of figures per enterprise.
async fn the_province_demo_covers_every_city(b: Backend) {
    let env = TestEnv::new(b).await;
    let out = env.dir.path().join("province");
    env.cli_ok(&[
        "demo",
        "--scale",
        "province",
        "--enterprises",
        "1240",
        "--out",
        out.to_str().expect("path"),
    ]);
    env.cli_ok(&["region", "load-guangdong"]);
    for f in ["enterprises", "certificates", "platforms", "facts"] {
        let path = out.join(format!("{f}.csv"));
        let said = env.cli_ok(&["import", f, path.to_str().expect("path")]);
        assert!(said.contains("新增"), "{f}: {said}");
    }
    env.add_user("provincial", "bureau", &["--region", "440000"]);
    let token = env.token("provincial");
    let server = env.serve().await;
    let regions = server.get_json("/api/v1/regions").await;
    let cities: Vec<String> = regions
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| r["kind"] == "city")
        .filter_map(|r| r["code"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(cities.len(), 21);
    for city in &cities {
        let (status, body) = server
            .get_as(
                Some(&token),
                &format!("/api/v1/enterprises?region={city}&per_page=1"),
            )
            .await;
        assert_eq!(status, 200);
        let page: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert!(page["total"].as_i64() > Some(0), "{city} has enterprises");
    }
    let facts = std::fs::read_to_string(out.join("facts.csv")).expect("facts");
    assert_eq!(facts.lines().count(), 1240 * 10 + 1, "ten years each");
}

async fn serve_demo_shows_a_living_dashboard(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve_with(&["--demo"]).await;
    let t = server
        .get_json("/api/v1/plans/1/targets?as_of=2020-12-31")
        .await;
    let with_data = t
        .as_array()
        .expect("list")
        .iter()
        .filter(|t| t["status"] != "no_data")
        .count();
    assert!(with_data >= 20, "most targets have figures: {with_data}");
    let hte = target(&t, "2.3")["current"]["value"].as_f64().expect("hte");
    let recs = server
        .get_json("/api/v1/plans/1/targets/2.3/records?as_of=2020-12-31")
        .await;
    let holders: std::collections::HashSet<&str> = recs["records"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["uscc"].as_str())
        .collect();
    assert_eq!(holders.len() as f64, hte);
    // The county map: ten counties, each a link to its own figures, its values in text, the
    // largest in the darkest blue.
    for page in [
        "/plans/1/targets/2.3?as_of=2020-12-31",
        "/?as_of=2020-12-31&map=2.3",
    ] {
        let (status, html) = server.get_anon(page).await;
        assert_eq!(status, 200);
        let map = &html[html.find("county-map\" viewBox").expect(page)..];
        let map = &map[..map.find("</svg>").expect("svg end")];
        assert_eq!(map.matches("<path").count(), 10, "{page}");
        assert_eq!(
            map.matches("<a href=\"/plans/1/targets/2.3?region=")
                .count(),
            10
        );
        assert!(
            map.contains("<desc") && map.contains("武江区："),
            "a text alternative"
        );
        assert!(map.contains("#08519c"), "the largest county is darkest");
    }
    let ents = server.get_json("/api/v1/enterprises").await;
    assert_eq!(ents["total"], 5_000);
    drop(server);
    // A second start finds the data and leaves it alone.
    let out = Command::new(bin())
        .args(["serve", "--demo", "--addr", "256.0.0.1:0"])
        .args(env.db_args())
        .env_remove("KECHUANG_DATABASE_URL")
        .env_remove("KECHUANG_DATA_DIR")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("未载入演示数据"));
}

on_both_backends!(
    serve_demo_shows_a_living_dashboard,
    the_province_demo_covers_every_city
);
