//! Registries and the targets that count them: imports as the bureau receives them, counts
//! for the city and each county at any date, and every figure opening onto its records.

use crate::common;
use crate::common::{csv_rows, d, hte_holders, repo_file, target, Backend, TestEnv};
use std::collections::HashSet;

fn sample(name: &str) -> String {
    repo_file(&format!("docs/examples/{name}"))
        .display()
        .to_string()
}

fn import_samples(env: &TestEnv) {
    common::import_registry_samples(env);
}

async fn counts_follow_the_registries_for_city_and_county(b: Backend) {
    let env = TestEnv::new(b).await;
    import_samples(&env);
    let server = env.serve().await;
    for (as_of, region) in [
        ("2019-12-31", None),
        ("2018-06-30", None),
        ("2019-12-31", Some("440203")),
        ("2017-03-01", Some("440204")),
    ] {
        let q = format!(
            "as_of={as_of}{}",
            region.map(|r| format!("&region={r}")).unwrap_or_default()
        );
        let targets = server
            .get_json(&format!("/api/v1/plans/1/targets?{q}"))
            .await;
        let expected = hte_holders(d(as_of), region);
        assert!(expected > 0);
        assert_eq!(
            target(&targets, "2.3")["current"]["value"],
            expected as f64,
            "{q}"
        );
        // Each counted figure opens onto exactly the records it counts.
        for code in ["2.3", "2.9a", "2.8a", "2.12", "3.5a", "3.10"] {
            let t = target(&targets, code);
            let recs = server
                .get_json(&format!("/api/v1/plans/1/targets/{code}/records?{q}"))
                .await;
            let n = recs["count"].as_u64().expect("count") as f64;
            match code {
                // Coverage counts counties, the records are the incubators in them.
                "3.10" => {
                    let counties: HashSet<&str> = recs["records"]
                        .as_array()
                        .expect("list")
                        .iter()
                        .filter_map(|r| r["region_code"].as_str())
                        .collect();
                    assert_eq!(
                        t["current"]["value"].as_f64().unwrap_or(0.0),
                        counties.len() as f64,
                        "{code} {q}"
                    );
                }
                // 2.3 counts enterprises; a renewal leaves two certificates of one enterprise.
                "2.3" => {
                    let ents: HashSet<&str> = recs["records"]
                        .as_array()
                        .expect("list")
                        .iter()
                        .filter_map(|r| r["uscc"].as_str())
                        .collect();
                    assert_eq!(ents.len(), expected, "{q}");
                }
                _ => assert_eq!(
                    t["current"]["value"].as_f64().unwrap_or(0.0),
                    n,
                    "{code} {q}"
                ),
            }
        }
    }
    // Certificates lapse: a date long after the plan counts only certificates still valid.
    let late = server
        .get_json("/api/v1/plans/1/targets?as_of=2023-06-30")
        .await;
    assert_eq!(
        target(&late, "2.3")["current"]["value"],
        hte_holders(d("2023-06-30"), None) as f64
    );
    // New platforms only since 2017, counted for 2.12 and 2.13.
    let t = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-12-31")
        .await;
    let recs = server
        .get_json("/api/v1/plans/1/targets/2.12/records?as_of=2019-12-31")
        .await;
    assert!(recs["records"]
        .as_array()
        .expect("list")
        .iter()
        .all(|r| r["from"].as_str().is_some_and(|f| f >= "2017-01-01")));
    assert_eq!(
        target(&t, "2.12")["current"]["value"].as_f64(),
        Some(recs["count"].as_u64().expect("n") as f64)
    );
    // The page shows the records behind the figure.
    let (status, html) = server
        .get("/plans/1/targets/2.9a?as_of=2019-12-31&region=440203")
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("工程技术研究中心") && html.contains("粤科函"),
        "records listed"
    );
}

async fn reimport_is_a_no_op_and_changes_are_revisions(b: Backend) {
    let env = TestEnv::new(b).await;
    import_samples(&env);
    for (what, file) in [
        ("enterprises", "enterprises-sample.csv"),
        ("platforms", "platforms-sample.csv"),
    ] {
        let out = env.cli_ok(&["import", what, &sample(file)]);
        assert!(
            out.contains("新增 0") && out.contains("更新 0"),
            "{what}: {out}"
        );
    }
    let out = env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        &sample("hte-certificates-sample.csv"),
    ]);
    assert!(out.contains("新增 0") && out.contains("更新 0"), "{out}");
    // A platform revoked in a later list stops counting from that date.
    let rows = csv_rows("platforms-sample.csv");
    let first = &rows[1];
    let revoked = env.write(
        "revoked.csv",
        &format!("平台名称,平台类型,级别,所属县区,认定时间,批准文号,依托单位,撤销日期\n{},{},{},{},{},{},{},2019年6月30日\n", first[0], first[1], first[2], first[3], first[4], first[5], first[6]),
    );
    let out = env.cli_ok(&["import", "platforms", revoked.to_str().expect("path")]);
    assert!(out.contains("更新 1"), "{out}");
    let server = env.serve().await;
    let before = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-06-29")
        .await;
    let after = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-06-30")
        .await;
    let v = |t: &serde_json::Value| {
        target(t, "2.9a")["current"]["value"]
            .as_f64()
            .expect("value")
    };
    assert_eq!(v(&before) - v(&after), 1.0);
}

async fn bad_rows_are_reported_and_nothing_is_written(b: Backend) {
    let env = TestEnv::new(b).await;
    let file = env.write(
        "ents.csv",
        "统一社会信用代码,企业名称,所属县区,成立日期\n\
         9144020371526726X0,韶关甲公司,武江区,2015-03-01\n\
         914402037152672600,韶关乙公司,武江区,2015-03-01\n\
         9144020371526726XG,韶关丙公司,深圳市,2015-03-01\n\
         9144020371526726XG,,浈江区,2015-13-01\n",
    );
    let report = env.dir.path().join("校验报告.xlsx");
    let out = env.cli(&[
        "import",
        "enterprises",
        "--dry-run",
        "--report",
        report.to_str().expect("path"),
        file.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    // The downloadable report holds the same problems as the screen, one per row.
    let rows = kechuang_ingest::table::read_table(&report).expect("report reads");
    let cells: Vec<(String, String)> = rows
        .iter()
        .skip(1)
        .map(|r| (r.cells[0].clone(), r.cells[1].clone()))
        .collect();
    for (row, column) in [
        ("2", "统一社会信用代码"),
        ("4", "所属县区"),
        ("5", "企业名称"),
        ("5", "成立日期"),
    ] {
        assert!(
            cells.contains(&(row.into(), column.into())),
            "report lacks row {row} {column}: {cells:?}"
        );
    }
    let out = env.cli(&["import", "enterprises", file.to_str().expect("path")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "2\t统一社会信用代码",
        "应为 '",
        "3\t统一社会信用代码",
        "4\t所属县区\t深圳市",
        "5\t企业名称",
        "5\t成立日期\t2015-13-01",
    ] {
        assert!(err.contains(needle), "report lacks {needle:?}:\n{err}");
    }
    let certs = env.write(
        "certs.csv",
        "证书编号,统一社会信用代码,发证日期\nGR201843000001,9144020371526726XG,2018-11-28\n",
    );
    let out = env.cli(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        certs.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("44") && err.contains("证书编号"), "{err}");
    let plats = env.write("p.csv", "平台名称,平台类型,级别,所属县区,认定时间\n某中心,火星基地,省级,武江区,2018-01-01\n某站,院士工作站,县级,武江区,2018-01-01\n");
    let out = env.cli(&["import", "platforms", plats.to_str().expect("path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("火星基地") && err.contains("县级"), "{err}");
    let server = env.serve().await;
    let t = server.get_json("/api/v1/plans/1/targets").await;
    assert_eq!(
        target(&t, "2.3")["status"],
        "no_data",
        "nothing was written"
    );
}

async fn a_legacy_code_is_taken_only_on_confirmation(b: Backend) {
    let env = TestEnv::new(b).await;
    let file = env.write(
        "legacy.csv",
        "统一社会信用代码,企业名称,所属县区\n9144020371526726XH,韶关老字号公司,440203\n",
    );
    let out = env.cli(&["import", "enterprises", file.to_str().expect("path")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--accept-legacy-uscc"));
    let out = env.cli_ok(&[
        "import",
        "enterprises",
        "--accept-legacy-uscc",
        file.to_str().expect("path"),
    ]);
    assert!(out.contains("新增 1"), "{out}");
}

async fn spreadsheets_as_they_arrive(b: Backend) {
    let env = TestEnv::new(b).await;
    env.cli_ok(&["import", "enterprises", &sample("enterprises-sample.csv")]);
    let ents = csv_rows("enterprises-sample.csv");
    // An XLSX with a merged title row, dates as Excel dates and as 2018年11月28日 text.
    let path = env.dir.path().join("省高企名单.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.merge_range(
        0,
        0,
        0,
        3,
        "2018年广东省高新技术企业名单（韶关市）",
        &rust_xlsxwriter::Format::new(),
    )
    .expect("merge");
    for (c, h) in ["证书编号", "企业名称", "统一社会信用代码", "发证日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).expect("header");
    }
    let excel_date = rust_xlsxwriter::ExcelDateTime::from_ymd(2018, 11, 28).expect("date");
    ws.write_string(2, 0, "GR201844009001").expect("cell");
    ws.write_string(2, 1, &ents[2][1]).expect("cell");
    ws.write_string(2, 2, &ents[2][0]).expect("cell");
    ws.write_datetime_with_format(2, 3, &excel_date, &date_fmt)
        .expect("cell");
    ws.write_string(3, 0, "GR201844009002").expect("cell");
    ws.write_string(3, 1, &ents[3][1]).expect("cell");
    ws.write_string(3, 2, format!(" {} ", ents[3][0].to_lowercase()))
        .expect("cell");
    ws.write_string(3, 3, "2018年11月28日").expect("cell");
    wb.save(&path).expect("save xlsx");
    let out = env.cli_ok(&[
        "import",
        "certificates",
        "--kind",
        "hte",
        path.to_str().expect("path"),
    ]);
    assert!(out.contains("新增 2"), "{out}");
    // A GBK CSV of platforms with county names.
    let text = "平台名称,平台类型,级别,所属县区,认定时间,批准文号\n韶关测试工程技术研究中心,工程技术研究中心,省级,乐昌,2018.12.01,粤科函字〔2018〕1号\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let gbk_path = env.dir.path().join("platforms-gbk.csv");
    std::fs::write(&gbk_path, &gbk).expect("write");
    let out = env.cli_ok(&["import", "platforms", gbk_path.to_str().expect("path")]);
    assert!(out.contains("新增 1"), "{out}");
    let server = env.serve().await;
    let t = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-01-01&region=440281")
        .await;
    assert_eq!(target(&t, "2.9a")["current"]["value"], 1.0);
    let t = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-01-01")
        .await;
    assert_eq!(target(&t, "2.3")["current"]["value"], 2.0);
}

async fn lists_filter_and_page_like_the_files_say(b: Backend) {
    let env = TestEnv::new(b).await;
    import_samples(&env);
    let server = env.serve().await;
    let ents = csv_rows("enterprises-sample.csv");
    let all = server.get_json("/api/v1/enterprises?per_page=20").await;
    assert_eq!(all["total"], (ents.len() - 2) as i64);
    assert_eq!(all["items"].as_array().map(Vec::len), Some(20));
    assert_eq!(all["per_page"], 20);
    let total = (ents.len() - 2) as u64;
    let last = total.div_ceil(20);
    let last_page = server
        .get_json(&format!("/api/v1/enterprises?per_page=20&page={last}"))
        .await;
    let on_last = last_page["items"].as_array().map(Vec::len).expect("list") as u64;
    assert_eq!(on_last, total - (last - 1) * 20);
    let past = server
        .get_json(&format!(
            "/api/v1/enterprises?per_page=20&page={}",
            last + 1
        ))
        .await;
    assert_eq!(
        past["items"].as_array().map(Vec::len),
        Some(0),
        "past the last page"
    );
    // A county filter: the rows of the file naming 武江区 (by name or code).
    let wujiang = ents[2..]
        .iter()
        .filter(|r| r[2] == "武江区" || r[2] == "440203")
        .count();
    let wj = server
        .get_json("/api/v1/enterprises?region=440203&per_page=500")
        .await;
    assert_eq!(wj["total"], wujiang as i64);
    assert!(wj["items"]
        .as_array()
        .expect("list")
        .iter()
        .all(|e| e["region_code"] == "440203"));
    // The city's subtree holds them all.
    assert_eq!(
        server.get_json("/api/v1/enterprises?region=440200").await["total"],
        all["total"]
    );
    // Status: holding a valid high-tech enterprise certificate at a date.
    let hte = server
        .get_json("/api/v1/enterprises?status=hte&as_of=2019-12-31")
        .await;
    assert_eq!(hte["total"], hte_holders(d("2019-12-31"), None) as i64);
    // Search by name or code.
    let name = &ents[5][1];
    let found = server
        .get_json(&format!("/api/v1/enterprises?q={name}"))
        .await;
    assert!(found["items"]
        .as_array()
        .expect("list")
        .iter()
        .any(|e| &e["name"] == name));
    let (status, _) = server.get("/api/v1/enterprises?status=nonsense").await;
    assert_eq!(status, 422);

    // One enterprise, found however its code is typed.
    let uscc = &ents[2][0];
    let one = server
        .get_json(&format!("/api/v1/enterprises/{}", uscc.to_lowercase()))
        .await;
    assert_eq!(&one["enterprise"]["uscc"], uscc);
    let certs = csv_rows("hte-certificates-sample.csv")
        .into_iter()
        .filter(|r| &r[1] == uscc)
        .count();
    assert_eq!(one["certificates"].as_array().map(Vec::len), Some(certs));
    let (status, body) = server.get("/api/v1/enterprises/9144030071526726XG").await;
    assert_eq!(status, 404, "{body}");

    // Platforms by kind and level.
    let plats = csv_rows("platforms-sample.csv");
    let erc = plats[1..]
        .iter()
        .filter(|r| r[1] == "工程技术研究中心" && r[2] == "省级")
        .count();
    let p = server
        .get_json("/api/v1/platforms?kind=engineering_research_centre&level=provincial")
        .await;
    assert_eq!(p["total"], erc as i64);
    let p2 = server
        .get_json("/api/v1/platforms?kind=engineering_research_centre&level=省级")
        .await;
    assert_eq!(p2["total"], p["total"], "levels in Chinese too");

    // The pages a user browses.
    let id = p["items"][0]["id"].as_i64().expect("id");
    for path in [
        "/enterprises".to_owned(),
        "/enterprises?region=440203&status=hte&as_of=2019-12-31&sort=-hte_until&page=2".to_owned(),
        format!("/enterprises/{uscc}"),
        "/platforms?kind=incubator".to_owned(),
        format!("/platforms/{id}"),
    ] {
        let (status, html) = server.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            html.contains("企业库") && html.contains("创新平台"),
            "{path}: menu"
        );
    }
    let (_, html) = server.get(&format!("/enterprises/{uscc}")).await;
    assert!(
        html.contains(&ents[2][1]) && html.contains("GR"),
        "certificates listed"
    );
    let (status, _) = server.get("/enterprises/9144030071526726XG").await;
    assert_eq!(status, 404);

    // The filtered list exports whole (not one page), as CSV and as a workbook.
    let (status, csv) = server.get("/export/enterprises.csv?region=440203").await;
    assert_eq!(status, 200);
    assert_eq!(
        csv.lines().count(),
        wujiang + 1,
        "header and every 武江区 enterprise"
    );
    let res = server
        .client
        .get(server.url("/export/enterprises.xlsx?region=440203"))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("header")
        .contains(".xlsx"));
    let bytes = res.bytes().await.expect("body");
    let xlsx = env.dir.path().join("wujiang.xlsx");
    std::fs::write(&xlsx, &bytes).expect("save");
    let fresh = TestEnv::new(b).await;
    let out = fresh.cli_ok(&["import", "enterprises", xlsx.to_str().expect("path")]);
    assert!(out.contains(&format!("新增 {wujiang}")), "{out}");
}

async fn exports_reimport_unchanged(b: Backend) {
    let env = TestEnv::new(b).await;
    import_samples(&env);
    let ents = csv_rows("enterprises-sample.csv");
    let facts = env.write(
        "facts.csv",
        &format!(
            "统一社会信用代码,年度,营业收入,研发费用,从业人员,科技人员,有效发明专利,高新技术产品收入,是否有研发机构\n\
             {u},2019,\"12,345.5\",456,120,30,7,8000,是\n{u},2020,13000,0,125,28,9,,否\n{v},2020,,,,,,,\n",
            u = ents[2][0],
            v = ents[3][0]
        ),
    );
    let out = env.cli_ok(&["import", "facts", facts.to_str().expect("path")]);
    assert!(out.contains("新增 3"), "{out}");
    let registries = ["enterprises", "certificates", "platforms", "facts"];
    let originals: Vec<String> = registries
        .iter()
        .map(|r| env.cli_ok(&["export", r]))
        .collect();
    assert!(originals[1].lines().count() > 100, "certificates exported");
    for ext in ["csv", "xlsx"] {
        let files: Vec<String> = registries
            .iter()
            .map(|r| {
                let f = env
                    .dir
                    .path()
                    .join(format!("{r}.{ext}"))
                    .display()
                    .to_string();
                env.cli_ok(&["export", r, "--out", &f]);
                f
            })
            .collect();
        let fresh = TestEnv::new(b).await;
        for (r, f) in registries.iter().zip(&files) {
            let out = fresh.cli_ok(&["import", r, f]);
            assert!(out.contains("更新 0"), "{r}.{ext}: {out}");
        }
        for (r, original) in registries.iter().zip(&originals) {
            assert_eq!(
                &fresh.cli_ok(&["export", r]),
                original,
                "{r}.{ext} round trip"
            );
        }
    }
}

async fn annual_facts_are_checked_and_shown(b: Backend) {
    let env = TestEnv::new(b).await;
    import_samples(&env);
    let ents = csv_rows("enterprises-sample.csv");
    let u = &ents[2][0];
    let bad = env.write(
        "facts-bad.csv",
        &format!(
            "统一社会信用代码,年度,营业收入,从业人员,科技人员,是否有研发机构\n\
             9144030071526726XG,2019,1,1,1,是\n{u},19,1,1,1,是\n{u},2019,-5,10,20,也许\n"
        ),
    );
    let out = env.cli(&["import", "facts", bad.to_str().expect("path")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "2\t统一社会信用代码",
        "3\t年度\t19",
        "4\t营业收入\t-5",
        "4\t科技人员\t20",
        "4\t是否有研发机构\t也许",
    ] {
        assert!(err.contains(needle), "report lacks {needle:?}:\n{err}");
    }
    let good = env.write(
        "facts.csv",
        &format!("统一社会信用代码,年度,营业收入,研发费用,从业人员,科技人员\n{u},2019年,\"1,200\",66,40,9\n"),
    );
    env.cli_ok(&["import", "facts", good.to_str().expect("path")]);
    let again = env.cli_ok(&["import", "facts", good.to_str().expect("path")]);
    assert!(again.contains("未变 1"), "{again}");
    let server = env.serve().await;
    let one = server.get_json(&format!("/api/v1/enterprises/{u}")).await;
    assert_eq!(one["facts"][0]["year"], 2019);
    assert_eq!(one["facts"][0]["revenue"], 1200.0);
    assert_eq!(one["facts"][0]["st_staff"], 9);
    let (_, html) = server.get(&format!("/enterprises/{u}")).await;
    assert!(
        html.contains("1,200") && html.contains("年度数据"),
        "facts on the enterprise page"
    );
}

/// The import endpoint: a dry run by default, a report for every file, all or nothing.
async fn files_sent_over_http_are_checked_then_imported(b: Backend) {
    let env = TestEnv::new(b).await;
    let server = env.serve().await;
    let send = |kind: &'static str, name: &'static str, body: Vec<u8>, commit: bool| {
        let url = server.url(&format!(
            "/api/v1/imports/{kind}?file_name={name}{}",
            if commit { "&dry_run=false" } else { "" }
        ));
        let req = server
            .client
            .post(url)
            .bearer_auth(&server.token)
            .body(body);
        async move {
            let res = req.send().await.expect("send");
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.expect("json"))
        }
    };
    let ents = csv_rows("enterprises-sample.csv");
    let mut wrong = ents[2][0].clone();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    let bad = format!(
        "统一社会信用代码,企业名称,所属县区\n{wrong},韶关甲公司,武江区\n{},韶关丙公司,深圳市\n",
        ents[3][0]
    );
    let (status, body) = send("enterprises", "坏文件.csv", bad.into_bytes(), true).await;
    assert_eq!(status, 422, "{body}");
    let problems = body["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{body}");
    assert_eq!(problems[0]["row"], 2);
    assert_eq!(problems[1]["column"], "所属县区");
    assert!(body["summary"].is_null(), "nothing written");
    // The report downloads as XLSX with the same problems.
    let report = body["report"].as_str().expect("report link");
    let res = server
        .client
        .get(server.url(report))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("report");
    assert_eq!(res.status(), 200);
    let path = env.dir.path().join("report.xlsx");
    std::fs::write(&path, res.bytes().await.expect("bytes")).expect("save");
    let rows = kechuang_ingest::table::read_table(&path).expect("xlsx");
    assert_eq!(rows.len(), 3, "header and two problems");
    assert_eq!(rows[2].cells[1], "所属县区");
    // Another officer cannot fetch it.
    env.add_user("other", "bureau", &["--region", "440200"]);
    let other = env.token("other");
    let (status, _) = server.get_as(Some(&other), report).await;
    assert_eq!(status, 404);

    let good = std::fs::read(repo_file("docs/examples/enterprises-sample.csv")).expect("sample");
    let n = csv_rows("enterprises-sample.csv").len() - 2;
    let (status, body) = send("enterprises", "enterprises.csv", good.clone(), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["rows"], n);
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(page["total"], 0, "a dry run writes nothing");
    let (status, body) = send("enterprises", "enterprises.csv", good.clone(), true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["summary"]["inserted"], n);
    let (_, body) = send("enterprises", "enterprises.csv", good, true).await;
    assert_eq!(body["summary"]["unchanged"], n, "re-import changes nothing");
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(page["total"], n);
    let (status, _) = send("enterprises", "x.pdf", b"%PDF".to_vec(), false).await;
    assert_eq!(status, 422, "an unsupported type is refused");
}

/// The in-memory count index gives exactly the figures of the SQL counts, for every count
/// indicator of the plan and every date, and follows a write at once.
async fn the_count_index_agrees_with_sql(b: Backend) {
    let env = TestEnv::new(b).await;
    import_samples(&env);
    let store = env.store().await;
    let (generation, _, index) = store.count_index(true).await.expect("index");
    assert!(!index.is_empty());
    let specs: Vec<kechuang_domain::indicator::CountSpec> = store
        .indicators()
        .await
        .expect("indicators")
        .into_iter()
        .filter_map(|i| match i.kind {
            kechuang_domain::indicator::IndicatorKind::RegistryCount(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(specs.len() >= 10);
    for spec in &specs {
        for at in [
            "2015-06-30",
            "2017-12-31",
            "2018-11-28",
            "2019-12-31",
            "2023-06-30",
        ] {
            let sql: std::collections::HashMap<_, _> = store
                .registry_counts(spec, d(at))
                .await
                .expect("sql counts")
                .into_iter()
                .filter(|(_, n)| *n > 0.0)
                .collect();
            assert_eq!(index.counts(spec, d(at)), sql, "{spec:?} at {at}");
        }
    }
    // A write moves the generation on; an unchanged re-import does not.
    env.cli_ok(&["import", "enterprises", &sample("enterprises-sample.csv")]);
    assert_eq!(store.registry_generation().await.expect("gen"), generation);
    let file = env.write(
        "one.csv",
        "平台名称,平台类型,级别,所属县区,认定时间\n新建孵化器,科技企业孵化器,省级,武江区,2019-01-01\n",
    );
    env.cli_ok(&["import", "platforms", file.to_str().expect("path")]);
    assert!(store.registry_generation().await.expect("gen") > generation);
    store.close().await;
}

/// A province-wide deployment: with Guangdong's regions loaded, rows of any county import and
/// count under their city.
async fn a_province_deployment_takes_every_county(b: Backend) {
    let env = TestEnv::new(b).await;
    let out = env.cli_ok(&["region", "load-guangdong"]);
    assert!(out.contains("144"), "{out}");
    let listed = env.cli_ok(&["region", "list"]);
    assert_eq!(listed.lines().count(), 144);
    let uscc = kechuang_domain::uscc::Uscc::complete("91440103", "00000001")
        .expect("uscc")
        .to_string();
    let file = env.write(
        "gz.csv",
        &format!("统一社会信用代码,企业名称,所属县区\n{uscc},广州荔湾测试科技有限公司,荔湾区\n"),
    );
    env.cli_ok(&["import", "enterprises", file.to_str().expect("path")]);
    let server = env.serve().await;
    // The bureau account of the tests is Shaoguan's: Guangzhou is outside its scope.
    let (status, _) = server.get(&format!("/api/v1/enterprises/{uscc}")).await;
    assert_eq!(status, 404);
    env.add_user("provincial", "bureau", &["--region", "440000"]);
    let token = env.token("provincial");
    let (status, body) = server
        .get_as(Some(&token), "/api/v1/enterprises?region=440100")
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&uscc), "{body}");
}

/// Files are read and written in parts of a few thousand rows; checks that span the file still
/// hold across parts: a duplicate far down the file, and a certificate naming an enterprise
/// another certificate registered thousands of rows earlier.
async fn checks_span_the_whole_file(b: Backend) {
    let env = TestEnv::new(b).await;
    let usccs: Vec<String> = (0..4500)
        .map(|i| {
            kechuang_domain::uscc::Uscc::complete("91440203", &format!("{i:08}"))
                .expect("uscc")
                .to_string()
        })
        .collect();
    let mut text = String::from("统一社会信用代码,企业名称,所属县区\n");
    for (i, u) in usccs.iter().enumerate() {
        text.push_str(&format!("{u},武江第{i}号科技有限公司,武江区\n"));
    }
    // Row 4502 repeats row 2.
    text.push_str(&format!("{},武江重复科技有限公司,武江区\n", usccs[0]));
    let file = env.write("big.csv", &text);
    let out = env.cli(&["import", "enterprises", file.to_str().expect("path")]);
    assert!(!out.status.success(), "the duplicate refuses the file");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("4502\t统一社会信用代码") && err.contains("与第2行重复"),
        "{err}"
    );
    let server = env.serve().await;
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(page["total"], 0, "nothing of the file was written");

    // Without the duplicate the whole file goes in, in one transaction.
    let fixed: String = text.lines().take(4501).map(|l| format!("{l}\n")).collect();
    let file = env.write("fixed.csv", &fixed);
    let said = env.cli_ok(&["import", "enterprises", file.to_str().expect("path")]);
    assert!(said.contains("新增 4500"), "{said}");

    // A certificate file registering a new enterprise at its top and naming it again at the
    // bottom, parts apart.
    let newcomer = kechuang_domain::uscc::Uscc::complete("91440204", "77777777")
        .expect("uscc")
        .to_string();
    let mut certs = String::from("证书编号,统一社会信用代码,发证日期,企业名称,所属县区\n");
    certs.push_str(&format!(
        "GR201844900000,{newcomer},2018-11-28,浈江新来科技有限公司,浈江区\n"
    ));
    for (i, u) in usccs.iter().enumerate().take(3000) {
        certs.push_str(&format!("GR201844{:06},{u},2018-11-28,,\n", i + 1));
    }
    certs.push_str(&format!("GR201944900001,{newcomer},2019-11-28,,\n"));
    // The enterprises a file names are looked up part by part as it is read: one that is not
    // registered, parts below the top, refuses the file with its row, and nothing is written.
    let stranger = kechuang_domain::uscc::Uscc::complete("91440204", "88888888")
        .expect("uscc")
        .to_string();
    let import_hte = |name: &str, text: &str| {
        let file = env.write(name, text);
        env.cli(&[
            "import",
            "certificates",
            "--kind",
            "hte",
            file.to_str().expect("path"),
        ])
    };
    let refused = format!("{certs}GR201944900002,{stranger},2019-11-28,,\n");
    let out = import_hte("certs-stranger.csv", &refused);
    assert!(!out.status.success(), "the stranger refuses the file");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("3004\t统一社会信用代码")
            && err.contains(&stranger)
            && err.contains("企业不在登记库中"),
        "{err}"
    );
    let page = server.get_json("/api/v1/enterprises?per_page=1").await;
    assert_eq!(
        page["total"], 4500,
        "the enterprise the refused file registered at its top is not kept"
    );
    let out = import_hte("certs.csv", &certs);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("新增 3003"),
        "1 enterprise and 3,002 certificates: {said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn enterprise(uscc: &str, name: &str) -> kechuang_domain::registry::EnterpriseRow {
    kechuang_domain::registry::EnterpriseRow {
        uscc: uscc.into(),
        name: name.into(),
        region_code: "440203".into(),
        address: String::new(),
        industry: "3985".into(),
        registered_on: Some("2015-03-01".into()),
        size: "小型".into(),
        above_scale: false,
        hitech_field: String::new(),
        contact: String::new(),
        uscc_confirmed_by: None,
    }
}

/// The provenance of a registry file written through the store by a test.
fn import_of(file: &str) -> kechuang_store::Provenance {
    kechuang_store::Provenance {
        actor: "tester".into(),
        client: "cli".into(),
        file_name: file.into(),
        kind: "registry".into(),
    }
}

/// The registry writer's contract, held on both backends' writers: a part written and then
/// abandoned leaves nothing; a commit counts new, changed and unchanged rows, keeps each
/// superseded row, moves the registry generation on and audits once; a row the database
/// refuses stops the import with its reason and nothing of it remains.
async fn the_registry_writer_commits_all_or_nothing(b: Backend) {
    use kechuang_domain::registry::{CertificateRow, RegistryBatch};
    let env = TestEnv::new(b).await;
    env.cli_ok(&["migrate"]);
    let store = env.store().await;
    let prov = import_of;
    let (a, b_) = ("9144020371526726XG", "9144030071526726XG");
    let part = |rows: Vec<kechuang_domain::registry::EnterpriseRow>| RegistryBatch {
        enterprises: rows,
        ..RegistryBatch::default()
    };
    let generation = store.registry_generation().await.expect("generation");

    let mut w = store
        .begin_registry_write(&prov("abandoned.csv"))
        .await
        .expect("begin");
    w.write_batch(part(vec![enterprise(a, "甲公司")]))
        .await
        .expect("write");
    drop(w);
    store.settle().await;
    assert!(store.enterprise(a).await.is_err(), "abandoned rows remain");
    assert_eq!(store.registry_generation().await.expect("g"), generation);

    let mut w = store
        .begin_registry_write(&prov("first.csv"))
        .await
        .expect("begin");
    w.write_batch(part(vec![enterprise(a, "甲公司")]))
        .await
        .expect("write");
    w.write_batch(part(vec![enterprise(b_, "乙公司")]))
        .await
        .expect("write");
    let first = w.finish(2).await.expect("finish");
    assert_eq!((first.inserted, first.updated, first.unchanged), (2, 0, 0));
    assert_eq!(
        store.registry_generation().await.expect("g"),
        generation + 1
    );

    let mut w = store
        .begin_registry_write(&prov("second.csv"))
        .await
        .expect("begin");
    w.write_batch(part(vec![
        enterprise(a, "甲科技公司"),
        enterprise(b_, "乙公司"),
    ]))
    .await
    .expect("write");
    let second = w.finish(2).await.expect("finish");
    assert_eq!(
        (second.inserted, second.updated, second.unchanged),
        (0, 1, 1)
    );
    assert_eq!(store.enterprise(a).await.expect("a").name, "甲科技公司");
    assert_eq!(store.enterprise(b_).await.expect("b").name, "乙公司");

    // The same rows again change nothing and leave no trace.
    let mut w = store
        .begin_registry_write(&prov("again.csv"))
        .await
        .expect("begin");
    w.write_batch(part(vec![enterprise(a, "甲科技公司")]))
        .await
        .expect("write");
    let again = w.finish(1).await.expect("finish");
    assert_eq!(
        (
            again.inserted,
            again.updated,
            again.unchanged,
            again.batch_id
        ),
        (0, 0, 1, None)
    );
    assert_eq!(
        store.registry_generation().await.expect("g"),
        generation + 2
    );

    let pool = sqlx::AnyPool::connect(&env.database_url())
        .await
        .expect("pool");
    let revisions: Vec<(String, String)> = sqlx::query_as(
        "SELECT entity_key, data FROM registry_revisions WHERE entity = 'enterprise'",
    )
    .fetch_all(&pool)
    .await
    .expect("revisions");
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].0, a);
    let old: serde_json::Value = serde_json::from_str(&revisions[0].1).expect("json");
    assert_eq!(old["name"], "甲公司");
    assert_eq!(old["region_code"], "440203");
    let imports: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND entity = 'registry'",
    )
    .fetch_one(&pool)
    .await
    .expect("audit");
    assert_eq!(
        imports, 2,
        "one audit entry per import that changed something"
    );
    assert!(store
        .verify_audit()
        .await
        .expect("verify")
        .first_broken
        .is_none());

    // A certificate of an enterprise that is not registered is refused by the database; the
    // new enterprise written before it in the same import goes too.
    let mut w = store
        .begin_registry_write(&prov("bad.csv"))
        .await
        .expect("begin");
    w.write_batch(part(vec![enterprise("91440204MA4UXXXX0X", "丙公司")]))
        .await
        .expect("write");
    let refused = async {
        w.write_batch(RegistryBatch {
            certificates: vec![CertificateRow {
                kind: "hte".into(),
                number: "GR201844000001".into(),
                uscc: "914402047079900000".into(),
                title: String::new(),
                issued_on: "2018-11-28".into(),
                expires_on: Some("2021-11-27".into()),
                batch: String::new(),
                revoked_on: None,
            }],
            ..RegistryBatch::default()
        })
        .await?;
        w.finish(2).await
    }
    .await;
    let e = refused.expect_err("an unknown enterprise is refused");
    assert!(e.to_string().contains("数据库错误"), "{e}");
    store.settle().await;
    assert!(store.enterprise("91440204MA4UXXXX0X").await.is_err());
    assert_eq!(
        store.registry_generation().await.expect("g"),
        generation + 2
    );
    pool.close().await;
    store.close().await;
}

/// `bench`'s reference — the database's own bulk load of an import's rows — loads exactly the
/// rows the import wrote and leaves the database as it was.
async fn the_reference_load_leaves_the_database_as_it_was(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let store = env.store().await;
    let pool = sqlx::AnyPool::connect(&env.database_url())
        .await
        .expect("pool");
    let tables = [
        "enterprises",
        "certificates",
        "platforms",
        "enterprise_facts",
        "patents",
        "count_changes",
    ];
    let state = || async {
        let mut counts = Vec::new();
        for t in tables {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(&pool)
                .await
                .expect("count");
            counts.push(n);
        }
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name || '|' || region_code FROM enterprises ORDER BY uscc")
                .fetch_all(&pool)
                .await
                .expect("enterprises");
        (counts, names)
    };
    // The last import: nothing written since refers to its rows, as when `bench` runs it.
    let batch: i64 = sqlx::query_scalar(
        "SELECT MAX(batch_id) FROM (SELECT batch_id FROM enterprises UNION ALL \
         SELECT batch_id FROM certificates UNION ALL SELECT batch_id FROM platforms UNION ALL \
         SELECT batch_id FROM enterprise_facts UNION ALL SELECT batch_id FROM patents) b",
    )
    .fetch_one(&pool)
    .await
    .expect("batch");
    let mut written = 0;
    for t in &tables[..5] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t} WHERE batch_id = $1"))
            .bind(batch)
            .fetch_one(&pool)
            .await
            .expect("batch rows");
        written += n as u64;
    }
    assert!(written > 0, "the samples' last import wrote rows");
    let before = state().await;
    let load = store.reference_load(batch).await.expect("reference load");
    assert_eq!(load.rows, written, "loaded the rows the import wrote");
    assert_eq!(state().await, before, "the database is as it was");
    pool.close().await;
    store.close().await;
}

/// Another user's write while an import is being written. On PostgreSQL it goes through while
/// the import's transaction is still open: they share no lock. On SQLite, which lets one
/// writer in at a time, it waits for the import's lock; past the busy timeout it is turned
/// away as `database_busy` — an answer telling the user to try again, not an internal error —
/// with nothing of it written. Either way the import still commits, and the same write then
/// goes through.
async fn a_write_during_an_import_goes_through_or_is_told_to_retry(b: Backend) {
    use kechuang_domain::problem::Lang;
    use kechuang_domain::registry::RegistryBatch;
    let env = TestEnv::new(b).await;
    env.cli_ok(&["migrate"]);
    let store = env.store().await;
    let mut import = store
        .begin_registry_write(&import_of("large.csv"))
        .await
        .expect("begin");
    import
        .write_batch(RegistryBatch {
            enterprises: vec![enterprise("9144020371526726XG", "甲公司")],
            ..RegistryBatch::default()
        })
        .await
        .expect("write");

    let keys = ["user:county-officer".to_owned()];
    let officer = kechuang_store::Actor::new("county-officer", "web");
    let during = store
        .record_login_failure(&keys, chrono::Utc::now(), &officer)
        .await;
    let counted = |c: Vec<Option<(_, _)>>| c.into_iter().flatten().count();
    match b {
        Backend::Postgres => {
            during.expect("a write goes through while an import is open");
            assert_eq!(counted(store.failure_counts(&keys).await.expect("read")), 1);
        }
        Backend::Sqlite => {
            let e = during.expect_err("the write waits for the import's lock, then gives up");
            assert!(e.is_busy(), "{e}");
            let e = kechuang_service::Error::from(e);
            assert_eq!(e.code(), "database_busy");
            assert!(matches!(e, kechuang_service::Error::Busy(_)));
            assert!(
                e.message(Lang::En).contains("try again"),
                "{}",
                e.message(Lang::En)
            );
            assert!(e.message(Lang::Zh).contains("稍后再试"));
            assert_eq!(
                counted(store.failure_counts(&keys).await.expect("read")),
                0,
                "nothing of the refused write remains"
            );
        }
    }
    let done = import.finish(1).await.expect("the import still commits");
    assert_eq!(done.inserted, 1);
    store
        .record_login_failure(&keys, chrono::Utc::now(), &officer)
        .await
        .expect("after the import the write goes through");
    assert_eq!(counted(store.failure_counts(&keys).await.expect("read")), 1);
    store.settle().await;
    store.close().await;
}

on_both_backends!(
    the_reference_load_leaves_the_database_as_it_was,
    a_write_during_an_import_goes_through_or_is_told_to_retry,
    counts_follow_the_registries_for_city_and_county,
    reimport_is_a_no_op_and_changes_are_revisions,
    bad_rows_are_reported_and_nothing_is_written,
    a_legacy_code_is_taken_only_on_confirmation,
    spreadsheets_as_they_arrive,
    lists_filter_and_page_like_the_files_say,
    exports_reimport_unchanged,
    annual_facts_are_checked_and_shown,
    files_sent_over_http_are_checked_then_imported,
    the_count_index_agrees_with_sql,
    a_province_deployment_takes_every_county,
    checks_span_the_whole_file,
    the_registry_writer_commits_all_or_nothing,
);
