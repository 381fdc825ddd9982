//! Read replicas: a server given `--replica-url` sends public read-only work to a PostgreSQL
//! streaming standby while it is current, and to the primary when the standby lags or stops.
//! The standby is made here with the system's `pg_basebackup`, from a primary of the test's
//! own, each on its own port and directory, removed afterwards.

use crate::common::setup::OwnCluster;
use crate::common::{target, TestEnv};
use sqlx::{AnyConnection, Connection, Executor};

async fn connect(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.expect("connect")
}

async fn scalar(url: &str, sql: &str) -> i64 {
    let mut conn = connect(url).await;
    let v: i64 = sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .expect("query");
    let _ = conn.close().await;
    v
}

const GENERATION: &str = "SELECT generation FROM data_state WHERE id = 1";

#[tokio::test(flavor = "multi_thread")]
async fn public_reads_go_to_a_current_standby_and_never_show_less() {
    let primary = OwnCluster::primary();
    let env = TestEnv::on_own_cluster(&primary).await;
    // Migrated, seeded with the shipped plan, and a county's pool members on record.
    let file = env.write(
        "pool.csv",
        "indicator,region,period,value\nrisk_pool_enterprises,440203,2018,50\n",
    );
    env.cli_ok(&["import", "observations", file.to_str().expect("path")]);
    let standby = OwnCluster::standby_of(&primary);
    let server = env
        .serve_with(&["--replica-url", &standby.url("kechuang")])
        .await;
    let on_standby =
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = 'kechuang' AND backend_type = 'client backend'";
    assert_eq!(scalar(&standby.url("postgres"), on_standby).await, 0);

    // A visitor's dashboard and the public targets API are read from the standby.
    let path = "/api/v1/plans/1/targets?as_of=2019-06-30";
    let value = |v: &serde_json::Value| target(v, "3.18a")["current"]["value"].as_f64();
    let (status, _) = server.get_anon("/?as_of=2019-06-30").await;
    assert_eq!(status, 200);
    assert_eq!(value(&server.get_json(path).await), Some(50.0));
    assert!(
        scalar(&standby.url("postgres"), on_standby).await > 0,
        "the server reads through the standby"
    );

    // The standby stops replaying: a write on the primary is not on it, yet the answer has it,
    // read from the primary.
    connect(&standby.url("postgres"))
        .await
        .execute("SELECT pg_wal_replay_pause()")
        .await
        .expect("pause replay");
    let more = env.write(
        "more.csv",
        "indicator,region,period,value\nrisk_pool_enterprises,440204,2018,7\n",
    );
    env.cli_ok(&["import", "observations", more.to_str().expect("path")]);
    let (on_primary, lagging) = (
        scalar(&primary.url("kechuang"), GENERATION).await,
        scalar(&standby.url("kechuang"), GENERATION).await,
    );
    assert!(
        lagging < on_primary,
        "the standby lags: {lagging} < {on_primary}"
    );
    assert_eq!(value(&server.get_json(path).await), Some(57.0));
    let (_, html) = server
        .get_anon("/plans/1/targets/3.18a?as_of=2019-06-30")
        .await;
    assert!(html.contains("57"), "the target page has the new figure");

    // Replaying again, the standby catches up and serves the same figure.
    connect(&standby.url("postgres"))
        .await
        .execute("SELECT pg_wal_replay_resume()")
        .await
        .expect("resume replay");
    for _ in 0..100 {
        if scalar(&standby.url("kechuang"), GENERATION).await == on_primary {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        scalar(&standby.url("kechuang"), GENERATION).await,
        on_primary
    );
    assert_eq!(value(&server.get_json(path).await), Some(57.0));

    // The standby goes down: every public page still answers, from the primary.
    standby.stop();
    for _ in 0..3 {
        assert_eq!(value(&server.get_json(path).await), Some(57.0));
        let (status, _) = server.get_anon("/?as_of=2019-06-30").await;
        assert_eq!(status, 200);
        let (status, _) = server.get_anon("/portal").await;
        assert_eq!(status, 200);
    }
    drop(server);
}
