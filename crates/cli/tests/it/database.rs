//! Opening databases: mistakes are refused clearly and never create an empty database; both
//! backends' migrations build the same schema.

use crate::common;
use crate::common::{bin, Backend, TestEnv};
use kechuang_store::{DatabaseTarget, Store};
use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(bin())
        .args(args)
        .env_remove("KECHUANG_DATABASE_URL")
        .env_remove("KECHUANG_DATA_DIR")
        .output()
        .expect("run kechuang");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_mistyped_sqlite_path_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("kechuang-dat").join("kechuang.db");
    let url = format!("sqlite://{}", missing.display());
    let (ok, err) = run(&["migrate", "--database-url", &url]);
    assert!(!ok);
    assert!(
        err.contains("不存在") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!missing.exists());
    assert!(!missing.parent().expect("parent").exists());
    // Asking for creation explicitly works.
    let (ok, err) = run(&[
        "migrate",
        "--database-url",
        &format!("sqlite://{}?mode=rwc", dir.path().join("new.db").display()),
    ]);
    assert!(ok, "{err}");
    assert!(dir.path().join("new.db").is_file());
}

#[test]
fn unsupported_and_unreachable_databases_are_refused() {
    let (ok, err) = run(&["migrate", "--database-url", "mysql://root@localhost/kc"]);
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
    let (ok, err) = run(&[
        "migrate",
        "--database-url",
        "postgres://kechuang:secret@127.0.0.1:1/kc",
    ]);
    assert!(!ok);
    assert!(err.contains("cannot connect"), "{err}");
    assert!(
        !err.contains("secret"),
        "password must not be printed: {err}"
    );
}

#[test]
fn the_environment_variable_is_honoured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(bin())
        .args(["plan", "list"])
        .env("KECHUANG_DATA_DIR", dir.path().join("d"))
        .env_remove("KECHUANG_DATABASE_URL")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("shaoguan-2017-2020"));
    assert!(dir.path().join("d").join("kechuang.db").is_file());
}

#[tokio::test]
async fn both_backends_have_the_same_schema() {
    let sqlite_env = TestEnv::new(Backend::Sqlite).await;
    let pg_env = TestEnv::new(Backend::Postgres).await;
    let sqlite = Store::open(&DatabaseTarget::in_data_dir(
        &sqlite_env.dir.path().join("data"),
    ))
    .await
    .expect("sqlite");
    let pg = Store::open(&DatabaseTarget::from_url(&pg_env.database_url()).expect("url"))
        .await
        .expect("postgres");
    // The count change log alone differs by design: read by position on SQLite, whose
    // writers commit in order, and by transaction on PostgreSQL, whose writers do not.
    let outline = |store: &Store| {
        let store = store.clone();
        async move {
            let mut cols = store.schema_outline().await.expect("schema");
            cols.retain(|c| c != "count_changes.seq NOT NULL" && c != "count_changes.xid NOT NULL");
            cols
        }
    };
    let (a, b) = (outline(&sqlite).await, outline(&pg).await);
    assert!(a.len() > 50, "schema read: {a:?}");
    assert_eq!(a, b);
    pg.close().await;
    sqlite.close().await;
}

#[tokio::test]
async fn zones_can_be_added_under_a_city_but_not_twice() {
    for b in [Backend::Sqlite, Backend::Postgres] {
        let env = TestEnv::new(b).await;
        let out = env.cli_ok(&[
            "region",
            "add-zone",
            "--code",
            "440290",
            "--name",
            "韶关高新区",
            "--parent",
            "440200",
        ]);
        assert!(out.contains("440290"), "{out}");
        let list = env.cli_ok(&["region", "list"]);
        assert!(
            list.lines()
                .any(|l| l == "440290\t韶关高新区\t440200\tzone"),
            "{list}"
        );
        let again = env.cli(&[
            "region", "add-zone", "--code", "440203", "--name", "x", "--parent", "440200",
        ]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("武江区"));
        let bad_parent = env.cli(&[
            "region", "add-zone", "--code", "440291", "--name", "x", "--parent", "440203",
        ]);
        assert!(
            !bad_parent.status.success(),
            "a zone sits under a city, not a county"
        );
        // A zone's figures are its own: they never add to the city total.
        let f = env.write("z.csv", "indicator,region,period,value\nrisk_pool_enterprises,440290,2018,5\nrisk_pool_enterprises,440203,2018,7\n");
        env.cli_ok(&["import", "observations", f.to_str().expect("path")]);
        let server = env.serve().await;
        let t = server
            .get_json("/api/v1/plans/1/targets?as_of=2019-01-01")
            .await;
        assert_eq!(common::target(&t, "3.18a")["current"]["value"], 7.0);
        let z = server
            .get_json("/api/v1/plans/1/targets?region=440290&as_of=2019-01-01")
            .await;
        assert_eq!(common::target(&z, "3.18a")["current"]["value"], 5.0);
    }
}
