//! The annual progress report: the workbook the command line writes and the page offers hold,
//! for every target, the figure the API gives for the city and for each county at the year's
//! end; the print page lays out the same.

use crate::common::{self, Backend, TestEnv};
use calamine::{Data, Reader};
use serde_json::Value;

fn cell_f64(d: Option<&Data>) -> Option<f64> {
    match d? {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn cell_text(d: Option<&Data>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// (code → value) from a sheet, whose first column (or second, for a county sheet) keys the row.
fn values(
    book: &mut calamine::Xlsx<std::io::BufReader<std::fs::File>>,
    sheet: &str,
    key_col: usize,
) -> Vec<(String, Option<f64>)> {
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range
        .rows()
        .skip(2)
        .map(|r| (cell_text(r.get(key_col)), cell_f64(r.get(6))))
        .collect()
}

/// Equal as a spreadsheet holds numbers: to 15 significant digits.
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0),
        (a, b) => a.is_none() && b.is_none(),
    }
}

fn api_values(targets: &Value) -> Vec<(String, Option<f64>)> {
    targets
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap_or_default().to_owned(),
                t["current"]["value"].as_f64(),
            )
        })
        .collect()
}

async fn the_annual_report_holds_the_apis_figures_for_city_and_counties(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    env.cli_ok(&[
        "import",
        "observations",
        &common::repo_file("docs/examples/shaoguan-sample.csv")
            .display()
            .to_string(),
    ]);
    let out = env.dir.path().join("2019.xlsx");
    let said = env.cli_ok(&[
        "report",
        "annual",
        "--plan",
        "1",
        "--year",
        "2019",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert!(said.contains("2019"), "{said}");
    let server = env.serve().await;
    let city = server
        .get_json("/api/v1/plans/1/targets?as_of=2019-12-31")
        .await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).expect("workbook");
    let names = book.sheet_names();
    assert!(names.iter().any(|n| n.starts_with("附表1")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("附表2")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("附表3")), "{names:?}");
    let first = names
        .iter()
        .find(|n| n.starts_with("附表1"))
        .cloned()
        .expect("附表1");
    let sheet = values(&mut book, &first, 0);
    let api = api_values(&city);
    assert_eq!(sheet.len(), api.len());
    for ((code, v), (api_code, api_v)) in sheet.iter().zip(&api) {
        assert_eq!(code, api_code);
        assert!(
            same(*v, *api_v),
            "{code}: {v:?} in the workbook, {api_v:?} from the API"
        );
    }
    assert!(
        sheet.iter().filter(|(_, v)| v.is_some()).count() >= 5,
        "some figures are known: {sheet:?}"
    );
    // A sheet per target by county, each county's figure the API's for that county.
    let regions = server.get_json("/api/v1/regions").await;
    let counties: Vec<String> = regions
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| r["parent"] == "440200" && r["kind"] == "county")
        .map(|r| r["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(counties.len(), 10);
    let mut per_county: std::collections::HashMap<String, Value> = Default::default();
    for c in &counties {
        let v = server
            .get_json(&format!(
                "/api/v1/plans/1/targets?as_of=2019-12-31&region={c}"
            ))
            .await;
        per_county.insert(c.clone(), v);
    }
    let mut sheets_checked = 0;
    for (i, (code, _)) in sheet.iter().enumerate() {
        let name = names
            .iter()
            .find(|n| n.starts_with(&format!("{code} ")))
            .unwrap_or_else(|| panic!("a sheet for {code}: {names:?}"))
            .clone();
        let rows = values(&mut book, &name, 1);
        assert_eq!(rows.len(), counties.len(), "{name}");
        for (region, value) in rows {
            let api = &per_county[&region][i];
            assert_eq!(api["code"], code.as_str());
            let want = api["current"]["value"].as_f64();
            assert!(same(value, want), "{name} {region}: {value:?} vs {want:?}");
        }
        sheets_checked += 1;
    }
    assert_eq!(sheets_checked, sheet.len());

    // The page offers the same workbook and prints the same figures.
    let (status, html) = server.get("/plans/1/report?year=2019").await;
    assert_eq!(status, 200);
    for (code, _) in &sheet {
        assert!(html.contains(&format!("data-target=\"{code}\"")), "{code}");
    }
    assert!(html.contains("2019年度进展报告"));
    let res = server
        .client
        .get(server.url("/plans/1/report/2019.xlsx"))
        .bearer_auth(env.bureau_token())
        .send()
        .await
        .expect("download");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("spreadsheetml")));
    let bytes = res.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"));
    // A year outside the plan is refused by name.
    let out = env.cli(&[
        "report", "annual", "--plan", "1", "--year", "2031", "--out", "x.xlsx",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2031"));
}

on_both_backends!(the_annual_report_holds_the_apis_figures_for_city_and_counties);
