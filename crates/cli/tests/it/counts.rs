//! The count index follows registry writes by their changes alone: after any sequence of
//! inserts, updates and deletes — written here straight in SQL, as any future write path
//! might, so only the database's own triggers can have logged them — the index held and
//! moved on by the change log gives exactly the figures of a recount by SQL, on both backends.

use crate::common::setup::OwnCluster;
use crate::common::{Backend, TestEnv};
use chrono::NaiveDate;
use kechuang_domain::count_index::CountIndex;
use kechuang_domain::indicator::{CountSpec, IndicatorKind, Registry};
use kechuang_store::{CountCursor, Store};
use std::collections::HashMap;

/// A small deterministic generator: each case is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn day(&mut self) -> String {
        let d = NaiveDate::from_ymd_opt(2014, 1, 1).unwrap_or_default()
            + chrono::Duration::days(self.below(11 * 365) as i64);
        d.format("%Y-%m-%d").to_string()
    }
    fn maybe_day(&mut self) -> Option<String> {
        (self.below(3) > 0).then(|| self.day())
    }
}

const COUNTIES: [&str; 6] = ["440203", "440204", "440205", "440222", "440281", "440282"];

async fn ids(pool: &sqlx::AnyPool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql)
}

/// One random write of any registry; a few are refused by the schema (a duplicate, a row
/// still referred to) and are simply not made.
async fn random_write(
    rng: &mut Rng,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    pool: &sqlx::AnyPool,
    serial: &mut u32,
) {
    *serial += 1;
    let n = *serial;
    let ents = ids(pool, "SELECT uscc FROM enterprises ORDER BY uscc").await;
    let certs = ids(
        pool,
        "SELECT CAST(id AS TEXT) FROM certificates ORDER BY id",
    )
    .await;
    let pats = ids(pool, "SELECT CAST(id AS TEXT) FROM patents ORDER BY id").await;
    let plats = ids(pool, "SELECT CAST(id AS TEXT) FROM platforms ORDER BY id").await;
    let kinds = ids(pool, "SELECT code FROM platform_kinds ORDER BY code").await;
    let any = |rng: &mut Rng, xs: &[String]| xs.get(rng.below(xs.len())).cloned();
    let op = rng.below(16);
    let q = match op {
        0 | 1 => sqlx::query(
            "INSERT INTO certificates (kind, number, uscc, issued_on, expires_on, revoked_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rng.pick(&["hte", "hte_pool", "tech_sme", "hitech_product"]).to_owned())
        .bind(format!("T{n}"))
        .bind(any(rng, &ents))
        .bind(rng.day())
        .bind(rng.maybe_day())
        .bind((rng.below(4) == 0).then(|| rng.day())),
        2 => sqlx::query(
            "UPDATE certificates SET expires_on = $1, revoked_on = $2 WHERE id = CAST($3 AS BIGINT)",
        )
        .bind(rng.maybe_day())
        .bind((rng.below(3) == 0).then(|| rng.day()))
        .bind(any(rng, &certs)),
        3 => sqlx::query("DELETE FROM certificates WHERE id = CAST($1 AS BIGINT)")
            .bind(any(rng, &certs)),
        4 => sqlx::query("UPDATE enterprises SET region_code = $1, offsite = $2 WHERE uscc = $3")
            .bind(rng.pick(&COUNTIES).to_owned())
            .bind(i64::from(rng.below(4) == 0))
            .bind(any(rng, &ents)),
        5 => sqlx::query(
            "INSERT INTO enterprises (uscc, name, region_code, registered_on, above_scale, \
             updated_at) VALUES ($1, $2, $3, $4, $5, '2020-01-01T00:00:00Z')",
        )
        .bind(format!("TEST{n:014}"))
        .bind(format!("测试企业{n}"))
        .bind(rng.pick(&COUNTIES).to_owned())
        .bind(rng.maybe_day())
        .bind(i64::from(rng.below(2) == 0)),
        6 => sqlx::query(
            "UPDATE enterprises SET registered_on = $1, above_scale = $2 WHERE uscc = $3",
        )
        .bind(rng.maybe_day())
        .bind(i64::from(rng.below(2) == 0))
        .bind(any(rng, &ents)),
        7 => sqlx::query(
            "INSERT INTO patents (application_no, title, kind, filed_on, granted_on, holder, \
             region_code, lapsed_on) VALUES ($1, '测试专利', $2, '2013-01-01', $3, '某大学', $4, $5)",
        )
        .bind(format!("CN{n:012}"))
        .bind(rng.pick(&["invention", "utility_model", "design"]).to_owned())
        .bind(rng.maybe_day())
        .bind(rng.pick(&COUNTIES).to_owned())
        .bind((rng.below(3) == 0).then(|| rng.day())),
        8 => sqlx::query(
            "UPDATE patents SET granted_on = $1, lapsed_on = $2, region_code = $3 \
             WHERE id = CAST($4 AS BIGINT)",
        )
        .bind(rng.maybe_day())
        .bind((rng.below(3) == 0).then(|| rng.day()))
        .bind(rng.pick(&COUNTIES).to_owned())
        .bind(any(rng, &pats)),
        9 => sqlx::query("DELETE FROM patents WHERE id = CAST($1 AS BIGINT)").bind(any(rng, &pats)),
        10 => sqlx::query(
            "INSERT INTO platforms (kind, level, name, region_code, recognised_on, revoked_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(any(rng, &kinds))
        .bind(rng.pick(&["city", "provincial", "national"]).to_owned())
        .bind(format!("测试平台{n}"))
        .bind(rng.pick(&COUNTIES).to_owned())
        .bind(rng.day())
        .bind((rng.below(4) == 0).then(|| rng.day())),
        11 => sqlx::query(
            "UPDATE platforms SET level = $1, revoked_on = $2 WHERE id = CAST($3 AS BIGINT)",
        )
        .bind(rng.pick(&["city", "provincial", "national"]).to_owned())
        .bind((rng.below(2) == 0).then(|| rng.day()))
        .bind(any(rng, &plats)),
        12 => sqlx::query("DELETE FROM platforms WHERE id = CAST($1 AS BIGINT)")
            .bind(any(rng, &plats)),
        // Statements of many rows: PostgreSQL's statement triggers log them grouped by what
        // counts read, several records in one entry.
        13 => sqlx::query("UPDATE patents SET lapsed_on = $1 WHERE region_code = $2")
            .bind((rng.below(2) == 0).then(|| rng.day()))
            .bind(rng.pick(&COUNTIES).to_owned()),
        14 => sqlx::query("UPDATE platforms SET revoked_on = $1, level = $2 WHERE region_code = $3")
            .bind((rng.below(2) == 0).then(|| rng.day()))
            .bind(rng.pick(&["city", "provincial"]).to_owned())
            .bind(rng.pick(&COUNTIES).to_owned()),
        _ => sqlx::query("DELETE FROM patents WHERE region_code = $1 AND kind = $2")
            .bind(rng.pick(&COUNTIES).to_owned())
            .bind(rng.pick(&["invention", "utility_model", "design"]).to_owned()),
    };
    // A refused statement must not end the transaction (PostgreSQL would abort it whole).
    sqlx::query("SAVEPOINT w")
        .execute(&mut **tx)
        .await
        .expect("savepoint");
    let undo = match q.execute(&mut **tx).await {
        Ok(_) => "RELEASE SAVEPOINT w",
        Err(_) => "ROLLBACK TO SAVEPOINT w",
    };
    sqlx::query(undo).execute(&mut **tx).await.expect(undo);
}

/// Every count the plan's indicators make, and some they do not (every kind, any date,
/// off-site enterprises in).
async fn specs(store: &Store) -> Vec<CountSpec> {
    let mut specs: Vec<CountSpec> = store
        .indicators()
        .await
        .expect("indicators")
        .into_iter()
        .filter_map(|i| match i.kind {
            IndicatorKind::RegistryCount(s) => Some(s),
            _ => None,
        })
        .collect();
    for registry in Registry::ALL {
        for (valid, offsite) in [(true, false), (false, true)] {
            specs.push(CountSpec {
                registry,
                kinds: Vec::new(),
                level: None,
                valid_at_as_of: valid,
                recognised_from: None,
                distinct_counties: false,
                offsite,
            });
        }
    }
    specs
}

async fn agree(store: &Store, index: &CountIndex, specs: &[CountSpec], when: &str) {
    for spec in specs {
        for at in ["2016-06-30", "2019-12-31", "2023-01-01"] {
            let at = NaiveDate::parse_from_str(at, "%Y-%m-%d").expect("date");
            let sql: HashMap<_, _> = store
                .registry_counts(spec, at)
                .await
                .expect("sql counts")
                .into_iter()
                .filter(|(_, n)| *n > 0.0)
                .collect();
            assert_eq!(index.counts(spec, at), sql, "{when}: {spec:?} at {at}");
        }
    }
}

async fn follow(
    store: &Store,
    index: &CountIndex,
    cursor: &CountCursor,
) -> (CountIndex, CountCursor) {
    let (_, cursor, changes) = store
        .count_changes(cursor, true)
        .await
        .expect("changes")
        .expect("the log reaches back");
    let index = index.with_changes(changes.iter().map(|c| (c.registry, c.record(), c.n)));
    (index, cursor)
}

async fn the_count_index_follows_any_writes(b: Backend) {
    // On PostgreSQL a cluster of the test's own: transaction ids and snapshot horizons are the
    // whole cluster's, so another test's open transaction in the shared one would hold back the
    // horizon a reader's position is judged by, and the log would (rightly, conservatively)
    // send the reader to read whole where this test expects it to follow on.
    let cluster = (b == Backend::Postgres).then(OwnCluster::primary);
    let env = match &cluster {
        Some(cluster) => TestEnv::on_own_cluster(cluster).await,
        None => TestEnv::new(b).await,
    };
    crate::common::import_registry_samples(&env);
    let store =
        Store::open(&kechuang_store::DatabaseTarget::from_url(&env.database_url()).expect("url"))
            .await
            .expect("open");
    let pool = sqlx::AnyPool::connect(&env.database_url())
        .await
        .expect("pool");
    let specs = specs(&store).await;
    let (_, cursor, index) = store.count_index(true).await.expect("index");
    agree(&store, &index, &specs, "as read").await;
    // An import through the ordinary path, whose entries are merged before it commits.
    env.cli_ok(&[
        "import",
        "patents",
        &crate::common::repo_file("docs/examples/patents-sample.csv")
            .display()
            .to_string(),
    ]);
    let (mut index, mut cursor) = follow(&store, &index, &cursor).await;
    agree(&store, &index, &specs, "after a patent import").await;
    // Lists sent again with rows both new and changed: on SQLite the import logs the rows it
    // inserts itself, grouped, and the update triggers log the changed ones.
    let mut patents = crate::common::csv_rows("patents-sample.csv");
    patents[2][8] = "失效".into();
    patents[2][9] = "2019-06-30".into();
    patents[3][7] = "南雄市".into();
    for i in 0..3 {
        let digits = format!("20191000900{i}");
        let mut row = patents[4].clone();
        row[0] = format!("{digits}.{}", kechuang_domain::patent::check_char(&digits));
        row[4] = format!("2019-0{}-15", i + 1);
        patents.push(row);
    }
    let mut platforms = crate::common::csv_rows("platforms-sample.csv");
    platforms[1][3] = "乐昌市".into();
    for i in 0..2 {
        let mut row = platforms[2].clone();
        row[0] = format!("韶关市新设工程技术研究中心（{i}）");
        platforms.push(row);
    }
    for (kind, rows) in [("patents", &patents), ("platforms", &platforms)] {
        let file = crate::common::write_csv(&env, &format!("revised-{kind}.csv"), rows);
        let out = env.cli_ok(&["import", kind, &file]);
        assert!(out.contains("更新"), "{kind}: {out}");
        (index, cursor) = follow(&store, &index, &cursor).await;
        agree(
            &store,
            &index,
            &specs,
            &format!("after a revised {kind} list"),
        )
        .await;
    }
    // The enterprise list again, one enterprise holding certificates moved to another county
    // (its certificates move with it) and one new; then certificates: a new one of the moved
    // enterprise, one whose row registers its enterprise in the same part, one re-dated. On
    // SQLite an import inserts with its connection's triggers off and logs what it inserted
    // by statement; its updates are logged by their triggers.
    let mut enterprises = crate::common::csv_rows("enterprises-sample.csv");
    assert_eq!(enterprises[2][0], "9144020456043005XQ");
    enterprises[2][2] = "乐昌市".into();
    let uscc = |body: &str| {
        kechuang_domain::uscc::Uscc::complete("91440203", body)
            .expect("uscc")
            .as_str()
            .to_owned()
    };
    let mut row = enterprises[3].clone();
    row[0] = uscc("77000001");
    row[1] = "韶关市新登记测试有限公司".into();
    enterprises.push(row);
    let file = crate::common::write_csv(&env, "revised-enterprises.csv", &enterprises);
    let out = env.cli_ok(&["import", "enterprises", &file]);
    assert!(out.contains("更新"), "enterprises: {out}");
    (index, cursor) = follow(&store, &index, &cursor).await;
    agree(&store, &index, &specs, "after a revised enterprise list").await;
    let file = env.write(
        "more-certificates.csv",
        &format!(
            "证书编号,统一社会信用代码,企业名称,所属县区,发证日期,批次\n\
             GR201444001000,9144020456043005XQ,韶关市华粤新材料科技有限公司,乐昌市,2014-12-09,\n\
             GR202044009001,9144020456043005XQ,韶关市华粤新材料科技有限公司,乐昌市,2020-01-15,\n\
             GR202044009002,{},韶关市证书登记测试有限公司,翁源县,2020-02-20,\n",
            uscc("77000002")
        ),
    );
    let out = env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        &file.display().to_string(),
    ]);
    assert!(out.contains("更新"), "certificates: {out}");
    (index, cursor) = follow(&store, &index, &cursor).await;
    agree(&store, &index, &specs, "after new and changed certificates").await;

    let mut serial = 0;
    for seed in [1u64, 7, 42] {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
        for step in 0..12 {
            let mut tx = pool.begin().await.expect("begin");
            for _ in 0..=rng.below(4) {
                random_write(&mut rng, &mut tx, &pool, &mut serial).await;
            }
            // Some writes are abandoned: what they logged goes with them.
            if rng.below(6) == 0 {
                tx.rollback().await.expect("rollback");
            } else {
                tx.commit().await.expect("commit");
            }
            (index, cursor) = follow(&store, &index, &cursor).await;
            agree(
                &store,
                &index,
                &specs,
                &format!("seed {seed}, write {step}"),
            )
            .await;
        }
    }
    let (_, _, fresh) = store.count_index(true).await.expect("index");
    assert_eq!(index.len(), fresh.len(), "as many records as a fresh read");

    // Two writers at once (PostgreSQL): the one that commits first is read first, and the
    // other, begun earlier, is not lost when it commits after that read.
    if b == Backend::Postgres {
        let mut early = pool.begin().await.expect("begin");
        let uscc: String = sqlx::query_scalar("SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("uscc");
        sqlx::query(
            "INSERT INTO certificates (kind, number, uscc, issued_on) VALUES ('hte', 'EARLY', $1, '2015-01-01')",
        )
        .bind(&uscc)
        .execute(&mut *early)
        .await
        .expect("early write");
        sqlx::query(
            "INSERT INTO platforms (kind, level, name, region_code, recognised_on) \
             SELECT code, 'national', '后写先交', '440203', '2015-01-01' FROM platform_kinds LIMIT 1",
        )
        .execute(&pool)
        .await
        .expect("late write");
        (index, cursor) = follow(&store, &index, &cursor).await;
        agree(&store, &index, &specs, "with a writer still open").await;
        early.commit().await.expect("commit");
        (index, cursor) = follow(&store, &index, &cursor).await;
        agree(&store, &index, &specs, "after the early writer committed").await;
    }

    // Pruned past a reader's position, the log says so, and the reader reads whole.
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("UPDATE certificates SET revoked_on = '2018-01-01' WHERE revoked_on IS NULL")
        .execute(&mut *tx)
        .await
        .expect("revoke");
    tx.commit().await.expect("commit");
    store.prune_count_log(-60).await.expect("prune");
    assert!(
        store
            .count_changes(&cursor, true)
            .await
            .expect("changes")
            .is_none(),
        "a pruned log is not taken for a complete one"
    );
    let (_, cursor, index) = store.count_index(true).await.expect("index");
    agree(&store, &index, &specs, "read whole after pruning").await;
    let (index, cursor) = follow(&store, &index, &cursor).await;
    agree(&store, &index, &specs, "nothing since").await;

    // An import prunes entries older than the log keeps (here made an hour old); a reader
    // that had taken them in follows on.
    sqlx::query("UPDATE certificates SET revoked_on = NULL WHERE revoked_on = '2018-01-01'")
        .execute(&pool)
        .await
        .expect("restore");
    let (index, cursor) = follow(&store, &index, &cursor).await;
    agree(&store, &index, &specs, "certificates restored").await;
    sqlx::query("UPDATE count_changes SET logged_at = logged_at - 3600")
        .execute(&pool)
        .await
        .expect("age the log");
    let prunes = || async {
        sqlx::query_scalar::<_, i64>("SELECT prunes FROM count_log WHERE id = 1")
            .fetch_one(&pool)
            .await
            .expect("prunes")
    };
    let (before, old) = (
        prunes().await,
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM count_changes")
            .fetch_one(&pool)
            .await
            .expect("entries"),
    );
    assert!(old > 1, "the writes above left entries to prune");
    let uscc: String = sqlx::query_scalar("SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1")
        .fetch_one(&pool)
        .await
        .expect("uscc");
    let file = env.write(
        "one-certificate.csv",
        &format!("证书类型,证书编号,统一社会信用代码,发证日期\n高新技术企业证书,GR202244000777,{uscc},2022-12-01\n"),
    );
    env.cli_ok(&["import", "certificates", &file.display().to_string()]);
    assert_eq!(prunes().await, before + 1, "the import pruned the log");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM count_changes WHERE logged_at < $1")
        .bind(chrono::Utc::now().timestamp() - 1800)
        .fetch_one(&pool)
        .await
        .expect("old entries");
    // SQLite keeps the last entry, whose position later readers start from.
    assert!(
        left <= 1,
        "{left} of {old} hour-old entries left after the import"
    );
    // The reader had taken in everything pruned, so it follows on from the log.
    let (index, _) = follow(&store, &index, &cursor).await;
    agree(&store, &index, &specs, "after an import pruned the log").await;
    pool.close().await;
    store.close().await;
}

on_both_backends!(the_count_index_follows_any_writes);
