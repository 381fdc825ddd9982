//! The patent registry: a list as the IP office writes it makes target 2.2 (valid invention
//! patents per 10,000 residents) for the city and a county, recounted by hand from the same
//! file at two dates; a lapse ends validity from its date; holders no enterprise matched are
//! listed; and the invention-patent subsidy pays each newly granted patent of a city
//! enterprise once.

use crate::common::{self, csv_rows, repo_file, write_csv, Backend, TestEnv};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

const COUNTIES: [(&str, &str); 10] = [
    ("武江区", "440203"),
    ("浈江区", "440204"),
    ("曲江区", "440205"),
    ("始兴县", "440222"),
    ("仁化县", "440224"),
    ("翁源县", "440229"),
    ("乳源瑶族自治县", "440232"),
    ("新丰县", "440233"),
    ("乐昌市", "440281"),
    ("南雄市", "440282"),
];

/// A date as the sample writes it (2019-02-16, 2019.02.16, 2019/2/16, 2019年2月16日).
fn date(raw: &str) -> Option<NaiveDate> {
    let s = raw.replace(['年', '月', '.', '/'], "-").replace('日', "");
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The application number's digits and check character, however it is written.
fn canonical(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .trim_start_matches("ZL")
        .trim_start_matches("CN")
        .to_owned()
}

struct Row {
    number: String,
    invention: bool,
    granted: Option<NaiveDate>,
    lapsed: Option<NaiveDate>,
    holder: String,
    uscc: String,
    county: String,
}

/// The sample's patents, each with its county: the list's, else its holder's.
fn rows(file: &[Vec<String>]) -> Vec<Row> {
    let enterprises = csv_rows("enterprises-sample.csv");
    let counties = common::sample_counties();
    let by_name: HashMap<&str, &str> = enterprises[2..]
        .iter()
        .map(|r| (r[1].as_str(), r[0].as_str()))
        .collect();
    file[2..]
        .iter()
        .map(|r| {
            let region = r[7].trim_start_matches("韶关市");
            let county = COUNTIES
                .iter()
                .find(|(n, c)| *n == region || *c == region)
                .map(|(_, c)| (*c).to_owned())
                .unwrap_or_else(|| counties[by_name[r[5].as_str()]].clone());
            Row {
                number: canonical(&r[0]),
                invention: r[2].starts_with("发明"),
                granted: date(&r[4]),
                lapsed: date(&r[9]),
                holder: r[5].clone(),
                uscc: r[6].clone(),
                county,
            }
        })
        .collect()
}

fn valid_inventions(rows: &[Row], at: NaiveDate, county: Option<&str>) -> usize {
    rows.iter()
        .filter(|r| {
            r.invention
                && r.granted.is_some_and(|g| g <= at)
                && r.lapsed.is_none_or(|l| at < l)
                && county.is_none_or(|c| r.county == c)
        })
        .count()
}

async fn two_point_two(server: &common::Server, at: &str, region: &str) -> f64 {
    let targets = server
        .get_json(&format!(
            "/api/v1/plans/1/targets?as_of={at}&region={region}"
        ))
        .await;
    common::target(&targets, "2.2")["current"]["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("2.2 at {at} in {region}: {targets}"))
}

async fn patents_make_two_point_two_and_the_subsidy(b: Backend) {
    let env = TestEnv::new(b).await;
    common::import_registry_samples(&env);
    let sample = repo_file("docs/examples/patents-sample.csv")
        .display()
        .to_string();
    let out = env.cli_ok(&["import", "patents", &sample]);
    assert!(out.contains("新增 120"), "{out}");
    // Sent again, the list changes nothing.
    let out = env.cli_ok(&["import", "patents", &sample]);
    assert!(out.contains("新增 0") && out.contains("未变 120"), "{out}");

    // The residents of the city and of one county, two years.
    let county = "440204";
    let population = [
        ("440200", "2018", 300.0),
        ("440200", "2019", 302.5),
        (county, "2018", 41.0),
        (county, "2019", 41.4),
    ];
    let mut obs = String::from("指标代码,区划代码,期间,数值,来源\n");
    for (r, y, v) in population {
        obs.push_str(&format!("population,{r},{y},{v},统计年鉴\n"));
    }
    let obs = env.write("population.csv", &obs);
    env.cli_ok(&["import", "observations", &obs.display().to_string()]);
    let server = env.serve().await;

    let file = csv_rows("patents-sample.csv");
    let sample_rows = rows(&file);
    let people = |r: &str, y: &str| {
        population
            .iter()
            .find(|(pr, py, _)| *pr == r && *py == y)
            .map(|p| p.2)
            .expect("population")
    };
    for (at, year) in [("2018-12-31", "2018"), ("2019-12-31", "2019")] {
        for region in ["440200", county] {
            let n = valid_inventions(
                &sample_rows,
                common::d(at),
                (region != "440200").then_some(region),
            );
            let want = n as f64 / people(region, year);
            let got = two_point_two(&server, at, region).await;
            assert!((got - want).abs() < 1e-9, "{region} {at}: {got} vs {want}");
        }
    }

    // A revised list lapses one of the county's valid invention patents on 2019-06-30: it
    // counts the day before and not from that day, and its earlier version is kept.
    let i = sample_rows
        .iter()
        .position(|r| {
            r.invention
                && r.county == county
                && r.granted.is_some_and(|g| g < common::d("2019-01-01"))
                && r.lapsed.is_none()
        })
        .expect("a valid invention patent in the county");
    let mut revised = file.clone();
    revised[i + 2][8] = "失效".into();
    revised[i + 2][9] = "2019年6月30日".into();
    let out = env.cli_ok(&[
        "import",
        "patents",
        &write_csv(&env, "revised.csv", &revised),
    ]);
    assert!(out.contains("更新 1"), "{out}");
    let before = valid_inventions(&sample_rows, common::d("2019-12-31"), Some(county));
    let after = rows(&revised);
    assert_eq!(
        valid_inventions(&after, common::d("2019-12-31"), Some(county)),
        before - 1
    );
    for (at, year) in [("2018-12-31", "2018"), ("2019-12-31", "2019")] {
        let n = valid_inventions(&after, common::d(at), Some(county));
        let got = two_point_two(&server, at, county).await;
        assert!(
            (got - n as f64 / people(county, year)).abs() < 1e-9,
            "{at}: {got}"
        );
    }
    // The figure opens onto the patents behind it: the lapsed one is among them the day
    // before its lapse and not on the day.
    for (at, counted) in [("2019-06-29", true), ("2019-06-30", false)] {
        let records = server
            .get_json(&format!(
                "/api/v1/plans/1/targets/2.2/records?as_of={at}&region={county}"
            ))
            .await;
        let numbers: BTreeSet<String> = records["records"]
            .as_array()
            .expect("records")
            .iter()
            .filter_map(|r| r["number"].as_str().map(canonical))
            .collect();
        assert_eq!(
            numbers.len(),
            valid_inventions(&after, common::d(at), Some(county)),
            "{at}"
        );
        assert_eq!(numbers.contains(&after[i].number), counted, "{at}");
    }

    // Holders no registered enterprise matched are listed, and only they.
    let registered: BTreeSet<String> = csv_rows("enterprises-sample.csv")[2..]
        .iter()
        .map(|r| r[1].clone())
        .collect();
    let expected: BTreeSet<String> = sample_rows
        .iter()
        .filter(|r| r.uscc.is_empty() && !registered.contains(&r.holder))
        .map(|r| r.number.clone())
        .collect();
    let unlinked: Value = server
        .get_json("/api/v1/patents?linked=no&per_page=500")
        .await;
    let got: BTreeSet<String> = unlinked["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["application_no"].as_str().map(canonical))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(unlinked["summary"]["unlinked"], expected.len());

    // The invention-patent subsidy for 2019: each invention patent granted that year to a
    // registered enterprise, once; committed, none of them is due again.
    let due_2019: BTreeSet<String> = after
        .iter()
        .filter(|r| {
            r.invention
                && r.granted
                    .is_some_and(|g| chrono::Datelike::year(&g) == 2019)
                && (!r.uscc.is_empty() || registered.contains(&r.holder))
        })
        .map(|r| format!("invention:{}", r.number))
        .collect();
    assert!(!due_2019.is_empty());
    let preview = server
        .get_json("/api/v1/programmes/patent-invention/preview?year=2019")
        .await;
    let keys: Vec<String> = preview["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["status"] == "due")
        .filter_map(|l| l["basis_key"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), due_2019.len(), "once each: {keys:?}");
    assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), due_2019);
    env.cli_ok(&[
        "programme",
        "budget",
        "patent-invention",
        "--year",
        "2019",
        "--amount",
        "100万元",
    ]);
    env.cli_ok(&["programme", "batch", "patent-invention", "--year", "2019"]);
    let again = server
        .get_json("/api/v1/programmes/patent-invention/preview?year=2019")
        .await;
    assert!(again["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .all(|l| l["status"] == "already_awarded"));
}

/// A long list is read and looked up part by part (2,000 rows each): holders named without a
/// code are linked by name in every part, under the spellings a register and a list may differ
/// by (bracket widths, a stray space), and a name two enterprises share links to neither.
async fn holders_are_linked_by_name_in_every_part(b: Backend) {
    let env = TestEnv::new(b).await;
    let code = |body: &str| {
        kechuang_domain::uscc::Uscc::complete("91440203", body)
            .expect("uscc")
            .to_string()
    };
    let (bracketed, spaced, twin_a, twin_b, early) = (
        code("00000001"),
        code("00000002"),
        code("00000003"),
        code("00000004"),
        code("00000005"),
    );
    let enterprises = format!(
        "统一社会信用代码,企业名称,所属县区\n\
         {bracketed},韶关市甲（集团）科技有限公司,武江区\n\
         {spaced},韶关市乙科技有限公司,浈江区\n\
         {twin_a},韶关市同名科技有限公司,武江区\n\
         {twin_b},韶关市同名科技有限公司,乐昌市\n\
         {early},韶关市丙科技有限公司,南雄市\n"
    );
    let file = env.write("enterprises.csv", &enterprises);
    env.cli_ok(&["import", "enterprises", file.to_str().expect("path")]);

    let mut text = String::from(
        "广东省韶关市专利授权清单（2019年）\n\
         申请号,专利名称,专利类型,申请日,授权公告日,专利权人,统一社会信用代码,所属县区,法律状态,失效日期\n",
    );
    let number = |i: usize| {
        let digits = format!("2018200{i:05}");
        format!("{digits}.{}", kechuang_domain::patent::check_char(&digits))
    };
    // Row 3 (the first part) names an enterprise; then people's patents fill two parts.
    let holders_at: Vec<(usize, &str)> = vec![
        (0, "韶关市丙科技有限公司"),
        (4_300, "韶关市甲(集团)科技有限公司"),
        (4_301, "韶关市 乙科技有限公司"),
        (4_302, "韶关市同名科技有限公司"),
    ];
    for i in 0..4_303 {
        let holder = holders_at
            .iter()
            .find(|(at, _)| *at == i)
            .map_or("张三", |(_, h)| *h);
        text.push_str(&format!(
            "{},一种装置{i},实用新型,2018-01-02,2018-08-01,{holder},,武江区,有效,\n",
            number(i)
        ));
    }
    let file = env.write("广东省韶关市专利清单.csv", &text);
    let out = env.cli_ok(&["import", "patents", file.to_str().expect("path")]);
    assert!(out.contains("新增 4303"), "{out}");

    let server = env.serve().await;
    for (i, uscc) in [
        (0, Some(&early)),
        (4_300, Some(&bracketed)),
        (4_301, Some(&spaced)),
        (4_302, None),
        (4_299, None),
    ] {
        let no = number(i);
        let page = server
            .get_json(&format!(
                "/api/v1/patents?q={}&per_page=5",
                no.replace('.', "")
            ))
            .await;
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "row {i}: {page}");
        assert_eq!(
            items[0]["uscc"].as_str(),
            uscc.map(String::as_str),
            "row {i}: {page}"
        );
    }
    let unlinked = server
        .get_json("/api/v1/patents?linked=no&per_page=1")
        .await;
    // Every person's patent and the one whose name two enterprises share.
    assert_eq!(unlinked["summary"]["unlinked"], 4_303 - 3, "{unlinked}");
}

on_both_backends!(
    patents_make_two_point_two_and_the_subsidy,
    holders_are_linked_by_name_in_every_part
);
