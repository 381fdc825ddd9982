//! Opening databases: mistakes are refused clearly and never create an empty database; both
//! backends' migrations build the same schema.

mod common;

use common::{bin, Backend, TestEnv};
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
    let a = sqlite.schema_outline().await.expect("sqlite schema");
    let b = pg.schema_outline().await.expect("postgres schema");
    assert!(a.len() > 50, "schema read: {a:?}");
    assert_eq!(a, b);
    pg.close().await;
    sqlite.close().await;
}
