//! Deterministic demo data: the import files a bureau would receive, for a city that looks
//! alive (enterprises, certificates, platforms and statistics over 2016–2020), written as
//! files and loaded through the ordinary import path.
//!
//! Everything is drawn from a fixed seed, so every run writes the same files. The figures are
//! illustrative and say so in their source column.

use anyhow::Result;
use chrono::Datelike;
use kechuang_domain::registry::{Level, PLATFORM_KINDS};
use kechuang_domain::uscc::Uscc;
use kechuang_ingest::export::{write, Table};
use kechuang_ingest::registries::{
    CERTIFICATE_HEADERS, ENTERPRISE_HEADERS, FACT_HEADERS, PLATFORM_HEADERS,
};
use kechuang_service::programmes::FundsScope;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const SOURCE: &str = "演示数据，非官方统计 (demo data, not official statistics)";

/// Counties of Shaoguan with a weight for how many enterprises each holds.
pub(crate) const COUNTIES: [(&str, &str, u32); 10] = [
    ("440203", "武江区", 18),
    ("440204", "浈江区", 16),
    ("440205", "曲江区", 16),
    ("440222", "始兴县", 6),
    ("440224", "仁化县", 8),
    ("440229", "翁源县", 7),
    ("440232", "乳源瑶族自治县", 7),
    ("440233", "新丰县", 5),
    ("440281", "乐昌市", 9),
    ("440282", "南雄市", 8),
];

const FIRST: [&str; 24] = [
    "华", "粤", "韶", "丹", "北", "南", "金", "宏", "瑞", "东", "恒", "中", "远", "星", "绿", "锦",
    "天", "祥", "振", "鑫", "嘉", "丰", "凯", "曲",
];
const SECOND: [&str; 24] = [
    "达", "江", "霞", "岭", "源", "益", "科", "航", "河", "程", "禾", "和", "兴", "盛", "泰", "通",
    "业", "阳", "光", "能", "力", "创", "新", "信",
];
/// Trade, GB/T 4754 industry code, high-tech field.
const TRADES: [(&str, &str, &str); 12] = [
    ("新材料科技", "3985", "新材料"),
    ("精密机械", "3484", "先进制造与自动化"),
    ("生物医药", "2720", "生物与新医药"),
    ("电子科技", "3976", "电子信息"),
    ("环保科技", "7721", "资源与环境"),
    ("新能源", "4416", "新能源与节能"),
    ("信息技术", "6510", "高技术服务"),
    ("特钢制品", "3120", "先进制造与自动化"),
    ("精细化工", "2662", "新材料"),
    ("农业科技", "0190", "资源与环境"),
    ("智能装备", "3491", "先进制造与自动化"),
    ("检测技术", "7452", "高技术服务"),
];

pub struct Files {
    pub observations: PathBuf,
    pub facts: PathBuf,
    pub enterprises: PathBuf,
    pub certificates: PathBuf,
    pub platforms: PathBuf,
    /// The city's credit risk pool and its partner banks' loans (none for the province).
    pub finance: Option<FinanceFiles>,
    /// The city's R&D surveys and super-deduction lists (none for the province).
    pub rd: Option<RdFiles>,
    /// The city's patent list (none for the province).
    pub patents: Option<PathBuf>,
}

pub struct RdFiles {
    pub surveys: PathBuf,
    pub deductions: PathBuf,
    pub trainings: PathBuf,
}

pub struct FinanceFiles {
    pub pool_members: PathBuf,
    pub loans: PathBuf,
}

/// The demo's partner banks: (name, USCC body, compensation share, bonus share, cap per loan,
/// the prefix of its contract numbers).
pub const DEMO_BANKS: [(&str, &str, &str, &str, &str, &str); 4] = [
    ("韶关农村商业银行", "MA4UJ0XJ", "30", "35", "300", "SGNS"),
    ("中国银行韶关分行", "MA4UJ0XK", "50", "", "500", "BOCSG"),
    (
        "中国建设银行韶关市分行",
        "MA4UJ0XL",
        "40",
        "45",
        "",
        "CCBSG",
    ),
    ("广东南粤银行韶关分行", "MA4UJ0XM", "50", "", "200", "GDNY"),
];

struct Enterprise {
    uscc: String,
    name: String,
    county: usize,
    tech: bool,
}

fn pick_county(rng: &mut fastrand::Rng) -> usize {
    let total: u32 = COUNTIES.iter().map(|c| c.2).sum();
    let mut n = rng.u32(0..total);
    for (i, c) in COUNTIES.iter().enumerate() {
        if n < c.2 {
            return i;
        }
        n -= c.2;
    }
    0
}

fn date(rng: &mut fastrand::Rng, year: i32) -> String {
    format!("{year}-{:02}-{:02}", rng.u32(1..=12), rng.u32(1..=28))
}

/// Writes the city-scale demo files (about 5,000 enterprises) into `dir`.
/// The three rewards of the plan run for each year of the demo, through review, notice,
/// approval and payment, so the programme pages, the public notices and target 4.2.1 have
/// money to show. The last year's batches stay open at different steps.
pub async fn run_programmes(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_domain::programme::BatchAction;
    use kechuang_store::{Actor, BatchStep};
    let actor = Actor::new("demo", "cli");
    let date = |y: i32, md: &str| {
        chrono::NaiveDate::parse_from_str(&format!("{y}-{md}"), "%Y-%m-%d")
            .map_err(|e| anyhow::anyhow!("demo date: {e}"))
    };
    for (code, budget) in [
        ("hte-certified", "2400万元"),
        ("hte-pool", "1500万元"),
        ("hte-product", "80万元"),
        ("patent-invention", "300万元"),
        ("rd-post-subsidy", "500万元"),
    ] {
        for year in 2017..=2020 {
            let amount =
                kechuang_domain::money::Fen::parse(budget).map_err(|e| anyhow::anyhow!(e))?;
            store.set_budget(code, year, amount, &actor).await?;
            let Ok((id, _)) = kechuang_service::programmes::commit_batch(
                store,
                &FundsScope::operator(),
                code,
                year,
                &actor,
            )
            .await
            else {
                continue;
            };
            // Reviewed and published in December, paid before the year ends; the plan's last
            // year is still on notice.
            let mut steps = vec![
                (BatchAction::Review, date(year, "12-05")?),
                (BatchAction::Publish, date(year, "12-06")?),
            ];
            if year < 2020 {
                steps.push((BatchAction::Approve, date(year, "12-15")?));
                steps.push((BatchAction::Pay, date(year, "12-25")?));
            }
            for (action, on) in steps {
                let step = BatchStep {
                    action,
                    comment: String::new(),
                    today: on,
                    notice_start: Some(on),
                    paid_on: Some(on),
                    payment_ref: format!("韶科拨〔{year}〕{id}号"),
                };
                store.act_on_batch(id, &step, &actor).await?;
            }
        }
    }
    run_vouchers(store, &actor).await
}

/// Tech finance: the partner banks and their agreements, the reserve's contributions (2,880
/// 万元 by the city at the start, the province's and counties' later), and the seed fund with
/// a few investments. The pool's members and the banks' loans are imported from their files
/// (see `write_city`) once the banks exist.
pub async fn run_finance_setup(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_service::finance::{self, AgreementInput, Officer};
    let who = Officer::Operator(kechuang_store::Actor::new("demo", "cli"));
    for (name, body, share, bonus, cap, _) in DEMO_BANKS {
        let uscc = Uscc::complete("91440200", body)?.to_string();
        let terms = AgreementInput {
            // Renewed every few years; one long agreement stands for them in the demo.
            starts_on: "2015-01-01".into(),
            ends_on: "2030-12-31".into(),
            share: share.into(),
            bonus_share: bonus.into(),
            cap_per_loan: cap.into(),
            cap_per_enterprise: if cap.is_empty() {
                String::new()
            } else {
                "600".into()
            },
            total_multiple: "10".into(),
            overdue_days: "90".into(),
            ..AgreementInput::default()
        };
        finance::add_bank(store, &who, name, &uscc, &terms).await?;
    }
    for (source, region, amount, on, note) in [
        ("city", "", "2880", "2015-06-30", "市财政首期注资"),
        ("province", "", "800", "2017-09-30", "省科技厅专项资金"),
        ("city", "", "500", "2018-06-30", "市财政追加"),
        ("county", "440204", "200", "2019-03-31", "浈江区配套"),
        ("county", "440281", "150", "2019-05-31", "乐昌市配套"),
        ("province", "", "470", "2020-08-31", "省科技厅专项资金"),
    ] {
        finance::contribute(store, &who, source, region, amount, on, note).await?;
    }
    let fund = finance::FundInput {
        name: "韶关市科技创新创业种子基金",
        committed: "3000",
        paid_in: "1800",
        established_on: "2018-03-01",
        max_age_years: "5",
        manager: "韶关市创新创业投资管理有限公司",
    };
    finance::add_seed_fund(store, &who, &fund).await?;
    Ok(())
}

/// Seed-fund investments in young technology enterprises of the demo registry, each with a
/// private co-investor.
pub async fn run_seed_investments(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_service::finance::{self, InvestmentInput, Officer};
    let who = Officer::Operator(kechuang_store::Actor::new("demo", "cli"));
    let Some(fund) = store.seed_funds().await?.into_iter().next() else {
        return Ok(());
    };
    let mut young = Vec::new();
    for m in store.pool_members(None, None).await? {
        let e = store.enterprise(&m.uscc).await?;
        if e.registered_on
            .as_deref()
            .is_some_and(|d| d >= "2015-01-01")
        {
            young.push(e);
        }
    }
    for (i, e) in young.iter().take(8).enumerate() {
        let on = format!("{}-0{}-15", 2018 + (i % 3), 3 + (i % 6));
        let input = InvestmentInput {
            fund_id: fund.id,
            uscc: &e.uscc,
            amount: ["200", "300", "150", "250"][i % 4],
            invested_on: &on,
            follow_on: false,
            co_investors: [
                "粤北创投:400",
                "韶关产业投资基金:300;深圳某创投:300",
                "华南天使:200",
            ][i % 3],
        };
        // An enterprise older than the fund allows is refused, as it would be on the page.
        let _ = finance::invest(store, &who, &input).await;
    }
    Ok(())
}

/// Innovation vouchers for the tech SMEs of 2019 and 2020, three registered providers, and
/// some vouchers redeemed, whose subsidies wait in the programme's batch for review.
async fn run_vouchers(store: &kechuang_store::Store, actor: &kechuang_store::Actor) -> Result<()> {
    use kechuang_domain::money::Fen;
    let date = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|e| anyhow::anyhow!("demo date: {e}"))
    };
    let mut providers = Vec::new();
    for (name, body, services, kind) in [
        (
            "韶关市产品质量计量检测所",
            "45638622",
            "检验检测、计量校准",
            "testing",
        ),
        (
            "广东省科学院韶关产业技术服务中心",
            "MB2C5106",
            "技术开发、中试验证",
            "transfer",
        ),
        (
            "韶关市知识产权服务中心",
            "71526726",
            "专利分析、知识产权",
            "ip",
        ),
    ] {
        let uscc = Uscc::complete("12440200", body)?.to_string();
        providers.push(
            store
                .add_provider(name, &uscc, (services, kind), actor)
                .await?,
        );
    }
    for year in [2019, 2020] {
        store
            .set_budget(
                "innovation-voucher",
                year,
                Fen::parse("800万元").map_err(|e| anyhow::anyhow!(e))?,
                actor,
            )
            .await?;
        let p = kechuang_service::programmes::preview_batch(
            store,
            &FundsScope::operator(),
            "innovation-voucher",
            year,
        )
        .await?;
        let due: Vec<_> = p.preview.due().cloned().collect();
        store
            .issue_vouchers(
                &p.programme,
                year,
                &due,
                date(&format!("{year}-03-01"))?,
                date(&format!("{}-12-31", year + 1))?,
                actor,
            )
            .await?;
    }
    let vouchers = store.vouchers(None).await?;
    for (i, v) in vouchers.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let Some(provider) = providers.get(i % providers.len().max(1)) else {
            break;
        };
        let r = kechuang_store::NewRedemption {
            provider_id: *provider,
            contract_no: format!("JSFW-{}-{:04}", v.year, i),
            invoice_no: format!("{:08}", 44_000_000 + i),
            invoice_amount: Fen(3_000_000 + (i as i64 % 5) * 600_000),
            service_request: None,
        };
        let on = date(&format!("{}-09-15", v.year))?;
        store.redeem(v.id, &r, on, actor).await?;
    }
    Ok(())
}

/// The R&D survey of 2019 and 2020 as the statistics office sends it, and the tax authority's
/// super-deduction lists: most technology enterprises with R&D claim the deduction (75% of
/// their R&D in those years) and most report in the survey — not all, so 应统尽统 has work.
fn rd_statistics(
    fact_rows: &[Vec<String>],
    enterprises: &[Enterprise],
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    use kechuang_domain::money::{Fen, FEN_PER_WAN};
    // A generator of its own, so the other demo files stay as they were.
    let mut rng = fastrand::Rng::with_seed(2019);
    let names: std::collections::HashMap<&str, &str> = enterprises
        .iter()
        .map(|e| (e.uscc.as_str(), e.name.as_str()))
        .collect();
    let (mut surveys, mut deductions) = (Vec::new(), Vec::new());
    for r in fact_rows {
        let (uscc, year) = (r[0].as_str(), r[1].as_str());
        let rd: f64 = r[3].parse().unwrap_or(0.0);
        if !(year == "2019" || year == "2020") || rd <= 0.0 {
            continue;
        }
        let name = names.get(uscc).copied().unwrap_or(uscc);
        // The annual facts' 研发费用 of the demo run high; the survey is scaled to the city's
        // official R&D expenditure, of which the surveyed enterprises make most.
        let total = Fen((rd * 10.0 / 12.0).round() as i64 * (FEN_PER_WAN / 10));
        if rng.u8(..100) < 85 {
            deductions.push(vec![
                year.to_owned(),
                uscc.to_owned(),
                name.to_owned(),
                Fen(total.0 * 3 / 4).wan_text(),
            ]);
        }
        // Some do not report: and one whose R&D is below 5 万元 employs no full R&D person.
        if rng.u8(..100) >= 80 || total.0 < 5 * FEN_PER_WAN {
            continue;
        }
        // The parts in the shares enterprises typically report; the rest is 其他费用, so the
        // parts add up to the total exactly.
        let shares = [55, 25, 8, 2, 4, 3, 2];
        let mut parts: Vec<Fen> = shares.iter().map(|s| Fen(total.0 * s / 100)).collect();
        parts.push(Fen(total.0 - parts.iter().map(|p| p.0).sum::<i64>()));
        let per_person = FEN_PER_WAN * i64::from(rng.u32(8..40));
        let staff = (parts[0].0 / per_person).max(1);
        let mut row = vec![
            year.to_owned(),
            uscc.to_owned(),
            name.to_owned(),
            staff.to_string(),
            total.wan_text(),
        ];
        row.extend(parts.iter().map(|p| p.wan_text()));
        row.push(String::new());
        surveys.push(row);
    }
    (surveys, deductions)
}

/// Shares of the city's resident population by county (of 1000), as the statistics yearbook
/// roughly divides it; the demo's county populations are the city's split by them.
const POPULATION_SHARES: [u32; 10] = [130, 137, 104, 70, 67, 114, 62, 70, 137, 109];

/// The patent list as the intellectual-property office sends it: grants of 2010–2020 in every
/// county — invention patents in step with the county's enterprises, utility models and
/// designs beside them — held mostly by the county's technology enterprises (some named with
/// their code, most by name only), some by 韶关学院 and by individuals; about one in eight
/// lapses a few years on, and recent applications are still pending.
fn patents(enterprises: &[Enterprise]) -> Vec<Vec<String>> {
    use kechuang_domain::patent::{check_char, PatentType};
    let mut rng = fastrand::Rng::with_seed(2022);
    let mut rows = Vec::new();
    let mut serial = 100_000u32;
    let by_county: Vec<Vec<&Enterprise>> = (0..COUNTIES.len())
        .map(|c| {
            enterprises
                .iter()
                .filter(|e| e.tech && e.county == c)
                .collect()
        })
        .collect();
    const TOPICS: [&str; 10] = [
        "一种硬质合金刀具及其制备方法",
        "一种稀土永磁材料的烧结工艺",
        "一种特种钢冶炼除尘装置",
        "一种中药提取物的纯化方法",
        "一种智能仓储搬运机器人",
        "一种农产品冷链保鲜系统",
        "一种锂电池正极材料的回收方法",
        "一种精密齿轮的检测装置",
        "一种污水处理用复合絮凝剂",
        "一种基于物联网的设备监测方法",
    ];
    for year in 2010..=2020 {
        for (c, (code, county, weight)) in COUNTIES.iter().enumerate() {
            let inventions = f64::from(*weight) * 0.6 * (1.0 + 0.25 * f64::from(year - 2010));
            for (kind, n) in [
                (PatentType::Invention, inventions),
                (PatentType::UtilityModel, inventions),
                (PatentType::Design, inventions * 0.3),
            ] {
                for _ in 0..n.round() as usize {
                    serial += 1;
                    let lag = if kind == PatentType::Invention { 2 } else { 1 };
                    let filed_year = year - lag;
                    let digit = match kind {
                        PatentType::Invention => 1,
                        PatentType::UtilityModel => 2,
                        PatentType::Design => 3,
                    };
                    let digits = format!("{filed_year}{digit}{serial:07}");
                    let number = format!("{digits}.{}", check_char(&digits));
                    let filed = date(&mut rng, filed_year);
                    // Filed late in 2019 or in 2020: still in examination at the end of 2020.
                    let pending =
                        kind == PatentType::Invention && year == 2020 && rng.u8(..100) < 30;
                    let granted = if pending {
                        String::new()
                    } else {
                        let g = date(&mut rng, year);
                        if g < filed {
                            filed.clone()
                        } else {
                            g
                        }
                    };
                    let roll = rng.u8(..100);
                    let (holder, uscc) = match by_county[c].as_slice() {
                        list if roll < 72 && !list.is_empty() => {
                            let e = list[rng.usize(..list.len())];
                            let code = if rng.u8(..100) < 30 {
                                e.uscc.clone()
                            } else {
                                String::new()
                            };
                            (e.name.clone(), code)
                        }
                        _ if roll < 84 && *code == "440204" => {
                            ("韶关学院".to_owned(), String::new())
                        }
                        _ => (
                            format!(
                                "{}{}",
                                ["陈", "李", "黄", "张", "刘", "何", "邓", "曾"][rng.usize(..8)],
                                ["伟", "芳", "强", "敏", "军", "丽", "华", "涛"][rng.usize(..8)]
                            ),
                            String::new(),
                        ),
                    };
                    let lapsed = (!pending && rng.u8(..100) < 12)
                        .then(|| {
                            let after = year + rng.i32(1..=6);
                            date(&mut rng, after)
                        })
                        .filter(|d| d.as_str() <= "2020-12-31" && *d > granted);
                    let status = match (&lapsed, pending) {
                        (Some(_), _) => "失效",
                        (None, true) => "审中",
                        (None, false) => "有效",
                    };
                    rows.push(vec![
                        number,
                        TOPICS[rng.usize(..TOPICS.len())].to_owned(),
                        kind.name().to_owned(),
                        filed,
                        granted,
                        holder,
                        uscc,
                        (*county).to_owned(),
                        status.to_owned(),
                        lapsed.unwrap_or_default(),
                    ]);
                }
            }
        }
    }
    rows
}

/// Sign-in sheets of the R&D statistics training sessions: the city's each November and a
/// session in four counties each spring, attended by about half of the counties' technology
/// enterprises (named as they signed, a few with their code).
fn trainings(enterprises: &[Enterprise]) -> Vec<Vec<String>> {
    let mut rng = fastrand::Rng::with_seed(2020);
    let mut rows = Vec::new();
    for year in [2019, 2020] {
        let city = (
            format!("{year}-11-12"),
            format!("{year}年全市研发统计业务培训班"),
            "韶关市".to_owned(),
        );
        let mut sessions = vec![(city, None)];
        for c in [0usize, 1, 2, 8] {
            sessions.push((
                (
                    format!("{}-03-{:02}", year + 1, 10 + c),
                    format!("{year}年度研发经费统计报表填报培训"),
                    COUNTIES[c].1.to_owned(),
                ),
                Some(c),
            ));
        }
        for ((date, title, place), county) in sessions {
            for e in enterprises
                .iter()
                .filter(|e| e.tech && county.is_none_or(|c| e.county == c))
            {
                let share = if county.is_none() { 8 } else { 45 };
                if rng.u8(..100) >= share {
                    continue;
                }
                let code = if rng.u8(..10) == 0 {
                    e.uscc.clone()
                } else {
                    String::new()
                };
                rows.push(vec![
                    date.clone(),
                    title.clone(),
                    place.clone(),
                    code,
                    e.name.clone(),
                ]);
            }
        }
    }
    rows
}

/// The credit risk pool as a bureau's list and the banks' loan files would hold it: 33
/// technology enterprises admitted by 2016 (the plan's baseline) and about 45 a year after,
/// some leaving; one to three loans each while in the pool, a few gone bad. Loans are
/// reported as at the end of 2020: those due by then repaid, bad ones with principal left.
fn pool_and_loans(
    rng: &mut fastrand::Rng,
    enterprises: &[Enterprise],
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut members = Vec::new();
    let mut loans = Vec::new();
    let mut candidates: Vec<&Enterprise> = enterprises.iter().filter(|e| e.tech).collect();
    rng.shuffle(&mut candidates);
    let per_year = [
        (2015, 15),
        (2016, 18),
        (2017, 40),
        (2018, 46),
        (2019, 44),
        (2020, 42),
    ];
    let mut next = candidates.into_iter();
    let mut serial = 0u32;
    for (year, n) in per_year {
        for e in next.by_ref().take(n) {
            let (bank, .., prefix) = DEMO_BANKS[rng.usize(..DEMO_BANKS.len())];
            let admitted = chrono::NaiveDate::from_ymd_opt(year, rng.u32(1..=12), rng.u32(1..=28));
            let Some(admitted) = admitted else { continue };
            let left = (rng.u8(..100) < 8 && year < 2020)
                .then(|| admitted + chrono::Days::new(rng.u64(400..900)))
                .filter(|d| d.year() <= 2020);
            members.push(vec![
                e.uscc.clone(),
                e.name.clone(),
                admitted.to_string(),
                left.map(|d| d.to_string()).unwrap_or_default(),
                bank.to_owned(),
            ]);
            let mut issued = admitted + chrono::Days::new(rng.u64(10..90));
            for _ in 0..rng.usize(1..=3) {
                if issued.year() > 2020 || left.is_some_and(|l| issued >= l) {
                    break;
                }
                serial += 1;
                let due = issued + chrono::Days::new(364);
                let amount = rng.u32(5..=50) * 10;
                let roll = rng.u8(..100);
                // About one loan in fifty goes bad, as pool portfolios of the time did.
                let (class, balance) = match roll {
                    0 => ("次级", amount * 7 / 10),
                    1 if issued.year() < 2019 => ("可疑", amount / 2),
                    _ if due.year() > 2020 => {
                        (["正常", "正常", "正常", "关注"][rng.usize(..4)], amount)
                    }
                    _ => ("正常", 0),
                };
                loans.push(vec![
                    format!("{prefix}-{}-{serial:04}", issued.year()),
                    e.uscc.clone(),
                    e.name.clone(),
                    bank.to_owned(),
                    issued.to_string(),
                    due.to_string(),
                    amount.to_string(),
                    balance.to_string(),
                    class.to_owned(),
                    ["信用", "抵押", "保证", "知识产权质押"][rng.usize(..4)].to_owned(),
                ]);
                issued = due + chrono::Days::new(rng.u64(5..60));
            }
        }
    }
    (members, loans)
}

pub fn write_city(dir: &Path) -> Result<Files> {
    std::fs::create_dir_all(dir)?;
    let mut rng = fastrand::Rng::with_seed(2017);
    let mut names = HashSet::new();
    let mut enterprises = Vec::new();
    let mut ent_rows = Vec::new();
    while enterprises.len() < 5_000 {
        let county = pick_county(&mut rng);
        let trade = TRADES[rng.usize(..TRADES.len())];
        let brand = format!(
            "{}{}",
            FIRST[rng.usize(..FIRST.len())],
            SECOND[rng.usize(..SECOND.len())]
        );
        let place = if rng.bool() {
            "韶关市"
        } else {
            COUNTIES[county].1
        };
        let suffix = if rng.u8(..10) == 0 {
            "股份有限公司"
        } else {
            "有限公司"
        };
        let name = format!("{place}{brand}{}{suffix}", trade.0);
        if !names.insert(name.clone()) {
            continue;
        }
        let body: String = (0..8).map(|_| char::from(b'0' + rng.u8(0..10))).collect();
        let uscc = Uscc::complete(&format!("91{}", COUNTIES[county].0), &body)?.to_string();
        let tech = rng.u8(..100) < 45;
        let above = rng.u8(..100) < 18;
        let size = ["微型", "小型", "小型", "中型", "大型"][rng.usize(..5)];
        let founded = rng.i32(1990..=2019);
        ent_rows.push(vec![
            uscc.clone(),
            name.clone(),
            COUNTIES[county].0.to_owned(),
            format!(
                "{}{}{}号",
                COUNTIES[county].1,
                ["工业园", "产业园", "科技园", "经济开发区"][rng.usize(..4)],
                rng.u32(1..200)
            ),
            trade.1.to_owned(),
            date(&mut rng, founded),
            size.to_owned(),
            if above { "是" } else { "否" }.to_owned(),
            if tech {
                trade.2.to_owned()
            } else {
                String::new()
            },
            String::new(),
        ]);
        enterprises.push(Enterprise {
            uscc,
            name,
            county,
            tech,
        });
    }

    // High-tech enterprise certificates: first certifications grow year by year, and most
    // certified enterprises renew after three years.
    let mut cert_rows = Vec::new();
    let mut serial = 1_000u32;
    let mut holders: Vec<&Enterprise> = enterprises.iter().filter(|e| e.tech).collect();
    rng.shuffle(&mut holders);
    let firsts = [
        (2013, 20),
        (2014, 18),
        (2015, 22),
        (2016, 25),
        (2017, 48),
        (2018, 66),
        (2019, 72),
        (2020, 80),
    ];
    let mut next = holders.iter();
    for (year, n) in firsts {
        for e in next.by_ref().take(n) {
            let mut y = year;
            while y <= 2020 {
                serial += 1;
                cert_rows.push(vec![
                    "高新技术企业证书".to_owned(),
                    format!("GR{y}44{serial:06}"),
                    e.uscc.clone(),
                    String::new(),
                    format!(
                        "{y}-{}",
                        ["10-09", "11-28", "11-30", "12-02"][rng.usize(..4)]
                    ),
                    format!("{y}年第{}批", rng.u8(1..=2)),
                    String::new(),
                ]);
                if rng.u8(..100) >= 82 {
                    break;
                }
                y += 3;
            }
        }
    }
    // Pool entries and tech SME registrations, which the programmes reward.
    for e in enterprises.iter().filter(|e| e.tech).take(600) {
        if rng.u8(..100) < 30 {
            let y = rng.i32(2017..=2020);
            serial += 1;
            cert_rows.push(vec![
                "高企培育库入库".into(),
                format!("PY{y}{serial:06}"),
                e.uscc.clone(),
                String::new(),
                format!("{y}-06-30"),
                format!("{y}年第1批"),
                String::new(),
            ]);
        }
        if rng.u8(..100) < 50 {
            let y = rng.i32(2018..=2020);
            serial += 1;
            cert_rows.push(vec![
                "科技型中小企业".into(),
                format!("{y}4402{serial:08}"),
                e.uscc.clone(),
                String::new(),
                format!("{y}-05-{:02}", rng.u32(1..=28)),
                String::new(),
                String::new(),
            ]);
        }
    }

    // Provincial high-tech products of certified enterprises, one to three each.
    let products = [
        "智能控制系统",
        "高性能合金材料",
        "环保处理装置",
        "检测分析仪",
        "精密传动部件",
        "新型复合材料",
    ];
    for e in enterprises.iter().filter(|e| e.tech).take(400) {
        if rng.u8(..100) < 25 {
            let y = rng.i32(2017..=2020);
            for _ in 0..rng.usize(1..=3) {
                serial += 1;
                cert_rows.push(vec![
                    "省级高新技术产品".into(),
                    format!("GDHTP{y}{serial:06}"),
                    e.uscc.clone(),
                    products[rng.usize(..products.len())].into(),
                    format!("{y}-09-{:02}", rng.u32(1..=28)),
                    format!("{y}年"),
                    String::new(),
                ]);
            }
        }
    }

    // Platforms: the plan's baselines (24 provincial centres, 14 specialised towns, one
    // provincial incubator, one star-creation space, three new R&D institutes in 2016) and
    // what was recognised over the plan period.
    let mut plat_rows = Vec::new();
    fn kind_name(code: &str) -> &str {
        PLATFORM_KINDS
            .iter()
            .find(|k| k.0 == code)
            .map(|k| k.1)
            .unwrap_or(code)
    }
    let mut add = |rng: &mut fastrand::Rng, kind: &str, level: Level, years: &[i32]| {
        for &y in years {
            let host = &enterprises[rng.usize(..enterprises.len())];
            let county = if kind == "specialised_town" {
                rng.usize(..COUNTIES.len())
            } else {
                host.county
            };
            let short: String = host.name.chars().skip(3).take(4).collect();
            let name = match kind {
                "specialised_town" => format!(
                    "{}{}专业镇",
                    COUNTIES[county].1,
                    ["蔬菜", "水果", "花卉", "食用菌", "油茶", "五金", "陶瓷"][rng.usize(..7)]
                ),
                _ => format!("韶关市{short}{}", kind_name(kind)),
            };
            plat_rows.push(vec![
                format!("{name}（{}）", plat_rows.len() + 1),
                kind_name(kind).to_owned(),
                level.name().to_owned(),
                COUNTIES[county].0.to_owned(),
                date(rng, y),
                format!("粤科函字〔{y}〕{}号", rng.u32(100..999)),
                host.name.clone(),
                host.uscc.clone(),
                String::new(),
            ]);
        }
    };
    let span = |from: i32, counts: &[usize]| -> Vec<i32> {
        counts
            .iter()
            .enumerate()
            .flat_map(|(i, n)| std::iter::repeat_n(from + i as i32, *n))
            .collect()
    };
    add(
        &mut rng,
        "engineering_research_centre",
        Level::Provincial,
        &span(2010, &[3, 3, 4, 4, 4, 3, 3, 6, 7, 6, 5]),
    );
    add(
        &mut rng,
        "engineering_research_centre",
        Level::National,
        &[2019],
    );
    add(
        &mut rng,
        "engineering_research_centre",
        Level::City,
        &span(2014, &[8, 9, 10, 11, 12, 10, 9]),
    );
    add(
        &mut rng,
        "incubator",
        Level::Provincial,
        &[2015, 2017, 2018, 2018, 2019, 2020, 2020],
    );
    add(&mut rng, "incubator", Level::National, &[2018, 2020]);
    add(
        &mut rng,
        "incubator",
        Level::City,
        &span(2016, &[2, 3, 3, 2, 1]),
    );
    add(
        &mut rng,
        "maker_space",
        Level::Provincial,
        &[2016, 2017, 2018, 2019],
    );
    add(
        &mut rng,
        "star_creation",
        Level::National,
        &[2016, 2017, 2019, 2020],
    );
    add(
        &mut rng,
        "specialised_town",
        Level::Provincial,
        &span(2008, &[2, 2, 2, 2, 2, 2, 1, 1, 0, 1, 2, 1, 1]),
    );
    add(
        &mut rng,
        "new_rd_institute",
        Level::Provincial,
        &[2014, 2015, 2016, 2018, 2020],
    );
    add(
        &mut rng,
        "academician_workstation",
        Level::Provincial,
        &[2017, 2018, 2019, 2020],
    );
    add(
        &mut rng,
        "commissioner_station",
        Level::City,
        &[2018, 2019, 2019, 2020],
    );
    add(&mut rng, "iur_alliance", Level::City, &[2017, 2018, 2020]);
    add(
        &mut rng,
        "finance_centre",
        Level::City,
        &span(2017, &[2, 3, 3, 2]),
    );

    // Statistics by county and year, and the city's own programme figures.
    let mut obs = Vec::new();
    let mut push = |ind: &str, region: &str, year: i32, value: f64| {
        obs.push(vec![
            ind.to_owned(),
            region.to_owned(),
            year.to_string(),
            format!("{value}"),
            SOURCE.to_owned(),
            String::new(),
        ]);
    };
    for (i, (code, _, weight)) in COUNTIES.iter().enumerate() {
        let base_gdp = f64::from(*weight) * 12.5;
        let intensity = 0.6 + (i as f64 * 0.37) % 1.1;
        for (k, year) in (2016..=2020).enumerate() {
            let gdp = (base_gdp * (1.0 + 0.045 * k as f64) * 10.0).round() / 10.0;
            push("gdp", code, year, gdp);
            push(
                "rd_expenditure",
                code,
                year,
                (gdp * 100.0 * intensity * (1.0 + 0.09 * k as f64)).round(),
            );
            push(
                "above_scale_enterprises",
                code,
                year,
                (f64::from(*weight) * 6.0 + k as f64 * 3.0).round(),
            );
            push(
                "above_scale_with_rd_institution",
                code,
                year,
                (f64::from(*weight) * (0.6 + 0.2 * k as f64)).round(),
            );
        }
    }
    for (k, year) in (2016..=2020).enumerate() {
        let k = k as f64;
        // The city's residents by county; the city's figure is their sum, so 2.2 per county
        // and for the city agree.
        let city = 293.3 + 2.9 * k;
        let mut total = 0.0;
        for ((code, _, _), share) in COUNTIES.iter().zip(POPULATION_SHARES) {
            let v = (city * f64::from(share) / 100.0).round() / 10.0;
            total += v;
            push("population", code, year, v);
        }
        push(
            "population",
            "440200",
            year,
            (total * 10.0_f64).round() / 10.0,
        );
        push(
            "advanced_mfg_value_added",
            "440200",
            year,
            ((120.0 + 12.0 * k) * 10.0).round() / 10.0,
        );
        push(
            "above_scale_value_added",
            "440200",
            year,
            ((400.0 + 14.0 * k) * 10.0).round() / 10.0,
        );
        push(
            "hundred_billion_industries",
            "440200",
            year,
            [1.0, 1.0, 2.0, 2.0, 3.0][k as usize],
        );
    }

    // Annual facts of the technology enterprises over the plan period.
    let mut fact_rows = Vec::new();
    for e in enterprises.iter().filter(|e| e.tech) {
        let mut revenue = f64::from(rng.u32(300..30_000));
        let employees = rng.i64(12..800);
        let mut patents = rng.i64(0..6);
        for year in 2017..=2020 {
            revenue = (revenue * (0.95 + f64::from(rng.u32(0..25)) / 100.0)).round();
            patents += rng.i64(0..3);
            let rd = (revenue * f64::from(rng.u32(15..60)) / 1000.0).round();
            fact_rows.push(vec![
                e.uscc.clone(),
                year.to_string(),
                revenue.to_string(),
                rd.to_string(),
                employees.to_string(),
                (employees / rng.i64(4..10)).to_string(),
                patents.to_string(),
                (revenue * f64::from(rng.u32(30..90)) / 100.0)
                    .round()
                    .to_string(),
                if rd > 300.0 { "是" } else { "否" }.to_owned(),
            ]);
        }
    }

    let (member_rows, loan_rows) = pool_and_loans(&mut rng, &enterprises);
    let (survey_rows, deduction_rows) = rd_statistics(&fact_rows, &enterprises);
    let files = Files {
        observations: dir.join("observations.csv"),
        facts: dir.join("facts.csv"),
        enterprises: dir.join("enterprises.csv"),
        certificates: dir.join("certificates.csv"),
        platforms: dir.join("platforms.csv"),
        finance: Some(FinanceFiles {
            pool_members: dir.join("pool-members.csv"),
            loans: dir.join("loans.csv"),
        }),
        rd: Some(RdFiles {
            surveys: dir.join("rd-survey.csv"),
            deductions: dir.join("super-deduction.csv"),
            trainings: dir.join("rd-training.csv"),
        }),
        patents: Some(dir.join("patents.csv")),
    };
    if let Some(f) = &files.patents {
        write(
            Some(f),
            &Table {
                sheet: "专利",
                headers: &kechuang_ingest::patents::PATENT_HEADERS,
                rows: patents(&enterprises),
                numeric: &[],
            },
        )?;
    }
    if let Some(f) = &files.rd {
        write(
            Some(&f.surveys),
            &Table {
                sheet: "企业研究开发活动情况",
                headers: &kechuang_ingest::rd::SURVEY_TEMPLATE_HEADERS,
                rows: survey_rows,
                numeric: &[],
            },
        )?;
        write(
            Some(&f.deductions),
            &Table {
                sheet: "研发费用加计扣除",
                headers: &kechuang_ingest::rd::DEDUCTION_TEMPLATE_HEADERS,
                rows: deduction_rows,
                numeric: &[],
            },
        )?;
        write(
            Some(&f.trainings),
            &Table {
                sheet: "培训签到表",
                headers: &kechuang_ingest::rd::TRAINING_HEADERS,
                rows: trainings(&enterprises),
                numeric: &[],
            },
        )?;
    }
    if let Some(f) = &files.finance {
        write(
            Some(&f.pool_members),
            &Table {
                sheet: "入池企业",
                headers: &kechuang_ingest::finance::MEMBER_HEADERS,
                rows: member_rows,
                numeric: &[],
            },
        )?;
        write(
            Some(&f.loans),
            &Table {
                sheet: "贷款台账",
                headers: &kechuang_ingest::finance::LOAN_HEADERS,
                rows: loan_rows,
                numeric: &[6, 7],
            },
        )?;
    }
    write(
        Some(&files.observations),
        &Table {
            sheet: "观测值",
            headers: &kechuang_ingest::observations::HEADERS,
            rows: obs,
            numeric: &[3],
        },
    )?;
    write(
        Some(&files.enterprises),
        &Table {
            sheet: "企业",
            headers: &ENTERPRISE_HEADERS,
            rows: ent_rows,
            numeric: &[],
        },
    )?;
    write(
        Some(&files.certificates),
        &Table {
            sheet: "证书",
            headers: &CERTIFICATE_HEADERS,
            rows: cert_rows,
            numeric: &[],
        },
    )?;
    write(
        Some(&files.platforms),
        &Table {
            sheet: "创新平台",
            headers: &PLATFORM_HEADERS,
            rows: plat_rows,
            numeric: &[],
        },
    )?;
    write(
        Some(&files.facts),
        &Table {
            sheet: "年度数据",
            headers: &FACT_HEADERS,
            rows: fact_rows,
            numeric: &[2, 3, 4, 5, 6, 7],
        },
    )?;
    Ok(files)
}

/// Writes the province-scale demo files: `enterprises` enterprises over every county-level
/// place of Guangdong (and 东莞, 中山, which have none), high-tech certificates with renewals,
/// platforms, and ten years (2011–2020) of annual figures for every enterprise. The files are
/// written row by row: a million enterprises and ten million annual figures never sit in
/// memory.
pub fn write_province(dir: &Path, enterprises: usize) -> Result<Files> {
    use kechuang_domain::region::{guangdong_regions, RegionKind, RegionTree};
    use kechuang_ingest::export::CsvSink;
    std::fs::create_dir_all(dir)?;
    let tree = RegionTree::new(guangdong_regions());
    // (code, name of the place as a company name starts with it)
    let places: Vec<(String, String)> = tree
        .all()
        .iter()
        .filter(|r| r.kind != RegionKind::Province)
        .filter(|r| tree.children(&r.code).next().is_none())
        .map(|r| {
            let city = r
                .parent
                .as_ref()
                .and_then(|p| tree.get(p))
                .filter(|p| p.kind == RegionKind::City)
                .map_or("", |p| p.name.as_str());
            (r.code.to_string(), format!("{city}{}", r.name))
        })
        .collect();
    let files = Files {
        observations: dir.join("observations.csv"),
        facts: dir.join("facts.csv"),
        enterprises: dir.join("enterprises.csv"),
        certificates: dir.join("certificates.csv"),
        platforms: dir.join("platforms.csv"),
        finance: None,
        rd: None,
        patents: None,
    };
    let mut ents = CsvSink::create(&files.enterprises, &ENTERPRISE_HEADERS)?;
    let mut certs = CsvSink::create(&files.certificates, &CERTIFICATE_HEADERS)?;
    let mut plats = CsvSink::create(&files.platforms, &PLATFORM_HEADERS)?;
    let mut facts = CsvSink::create(&files.facts, &FACT_HEADERS)?;
    let mut rng = fastrand::Rng::with_seed(2011);
    let mut serial = 0u32;
    for i in 0..enterprises {
        let (code, place) = &places[i % places.len()];
        let trade = TRADES[rng.usize(..TRADES.len())];
        let brand = format!(
            "{}{}",
            FIRST[rng.usize(..FIRST.len())],
            SECOND[rng.usize(..SECOND.len())]
        );
        // The sequence number keeps a million names distinct, as 分公司 numbering does.
        let name = format!(
            "{place}{brand}{}有限公司（{}）",
            trade.0,
            i / places.len() + 1
        );
        let uscc =
            Uscc::complete(&format!("91{code}"), &format!("{:08}", i / places.len()))?.to_string();
        let tech = rng.u8(..100) < 30;
        let founded = rng.i32(1990..=2019);
        ents.row(&[
            &uscc,
            &name,
            code,
            &format!("{place}科技园{}号", rng.u32(1..500)),
            trade.1,
            &date(&mut rng, founded),
            ["微型", "小型", "小型", "中型", "大型"][rng.usize(..5)],
            if rng.u8(..100) < 15 { "是" } else { "否" },
            if tech { trade.2 } else { "" },
            "",
        ])?;
        if tech {
            let mut y = rng.i32(founded.max(2011)..=2020.max(founded));
            while y <= 2020 {
                serial += 1;
                certs.row(&[
                    "高新技术企业证书",
                    &format!("GR{y}44{:06}", serial % 1_000_000),
                    &uscc,
                    "",
                    &format!("{y}-11-28"),
                    &format!("{y}年第1批"),
                    "",
                ])?;
                if rng.u8(..100) >= 80 {
                    break;
                }
                y += 3;
            }
        }
        if i % 50 == 0 {
            let (kind, level) = [
                ("engineering_research_centre", Level::Provincial),
                ("engineering_research_centre", Level::City),
                ("incubator", Level::Provincial),
                ("new_rd_institute", Level::Provincial),
                ("academician_workstation", Level::Provincial),
            ][i / 50 % 5];
            let kind_name = PLATFORM_KINDS
                .iter()
                .find(|k| k.0 == kind)
                .map_or(kind, |k| k.1);
            let y = rng.i32(2008..=2020);
            plats.row(&[
                &format!("{place}{brand}{kind_name}（{}）", i / 50 + 1),
                kind_name,
                level.name(),
                code,
                &date(&mut rng, y),
                &format!("粤科函字〔{y}〕{}号", rng.u32(100..999)),
                &name,
                &uscc,
                "",
            ])?;
        }
        let mut revenue = f64::from(rng.u32(300..30_000));
        let employees = rng.i64(12..800);
        let mut patents = rng.i64(0..6);
        for year in 2011..=2020 {
            revenue = (revenue * (0.95 + f64::from(rng.u32(0..25)) / 100.0)).round();
            patents += rng.i64(0..2);
            let rd = (revenue * f64::from(rng.u32(5..60)) / 1000.0).round();
            facts.row(&[
                &uscc,
                &year.to_string(),
                &revenue.to_string(),
                &rd.to_string(),
                &employees.to_string(),
                &(employees / rng.i64(4..10)).to_string(),
                &patents.to_string(),
                &(if tech { revenue * 0.6 } else { 0.0 }).round().to_string(),
                if rd > 300.0 { "是" } else { "否" },
            ])?;
        }
    }
    ents.finish()?;
    certs.finish()?;
    plats.finish()?;
    facts.finish()?;
    // The province's statistics are not generated: its plan would name its own indicators.
    let empty: Vec<Vec<String>> = Vec::new();
    write(
        Some(&files.observations),
        &Table {
            sheet: "观测值",
            headers: &kechuang_ingest::observations::HEADERS,
            rows: empty,
            numeric: &[3],
        },
    )?;
    Ok(files)
}

/// Task supervision: the lead units' quarterly reports on the 2017–2020 plan's tasks, as the
/// bureau collected them — most finished and accepted; a few units behind, one report waiting
/// for review and one returned, so the board shows every light.
pub async fn run_supervision(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_domain::supervision::{report_periods, ReportStatus};
    use kechuang_store::{Actor, ReportWrite};
    let Some(plan) = store.plans().await?.into_iter().next() else {
        return Ok(());
    };
    let bureau = Actor::new("demo", "cli");
    let mut rng = fastrand::Rng::with_seed(16);
    let tasks = store.plan_tasks(plan.id).await?;
    for (ti, task) in tasks.iter().enumerate() {
        let periods = report_periods(task);
        for (ui, unit) in task.lead.iter().enumerate() {
            // Which units fall behind: every seventh task's first unit stops reporting a year
            // early; two counties skip their last reports; the rest finish.
            let stop = if ti % 7 == 3 && ui == 0 {
                periods.len().saturating_sub(4)
            } else if ui == 4 || ui == 8 {
                periods.len().saturating_sub(2 + rng.usize(0..2))
            } else {
                periods.len()
            };
            let actor = Actor::new(format!("{unit}-staff"), "cli");
            for (pi, p) in periods.iter().enumerate().take(stop) {
                let last = pi + 1 == periods.len();
                let percent = if last {
                    100
                } else {
                    ((pi + 1) * 100 / periods.len()).min(95) as u8
                };
                let progress = format!(
                    "{p}：按计划推进“{}”，已完成阶段工作量约{percent}%。",
                    task.title
                );
                let write = ReportWrite {
                    plan_id: plan.id,
                    task_code: &task.code,
                    unit_code: unit,
                    period: *p,
                    progress: &progress,
                    percent,
                    problems: if percent < 50 {
                        "项目资金到位较慢，下一步加强协调。"
                    } else {
                        ""
                    },
                    status: ReportStatus::Submitted,
                };
                let Some(id) = store.save_task_report(&write, &actor).await? else {
                    continue;
                };
                // The plan's very last report of one task waits for review; one is returned.
                let (to, comment) = match (ti, last) {
                    (0, true) => continue,
                    (1, true) if ui == 0 => (
                        ReportStatus::Returned,
                        "请补充佐证材料（验收报告或统计快报）。",
                    ),
                    _ => (ReportStatus::Accepted, ""),
                };
                store
                    .review_task_report(id, (ReportStatus::Submitted, to), comment, &bureau)
                    .await?;
            }
        }
    }
    Ok(())
}

/// A demo article: category, title, 文号, summary, body, tags, links, publication time.
type DemoArticle<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
    Vec<String>,
    Vec<(String, String)>,
    &'a str,
);

/// The portal's first articles: a policy and its explanation, the call's guide linked to the
/// call, news and a notice, each written by one officer and published by another.
pub async fn run_portal(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_domain::portal::ArticleStatus as S;
    use kechuang_store::{Actor, ArticleWrite};
    let writer = Actor::new("demo-writer", "cli");
    let reviewer = Actor::new("demo-reviewer", "cli");
    let call = store.calls().await?.into_iter().next();
    let call_link: Vec<(String, String)> = call
        .iter()
        .map(|c| ("call".to_owned(), c.id.to_string()))
        .collect();
    let guide_body = String::from(
        "# 一、申报对象\n\n在韶关市依法登记注册、具有独立法人资格的企业。\n\n\
         # 二、支持方式\n\n| 类别 | 奖补标准 |\n|---|---|\n| 首次认定高新技术企业 | 10万元 |\n| 重新认定 | 5万元 |\n\n\
         # 三、申报方式\n\n登录系统在线填报申报书，上传相关材料。"
    );
    let articles: Vec<DemoArticle> = vec![
        (
            "policies",
            "韶关市科技创新发展行动计划（2017—2020年）",
            "韶府办〔2017〕45号",
            "提出到2020年全市研发经费支出占地区生产总值比重达到2%、高新技术企业达到130家等目标。",
            "为深入实施创新驱动发展战略，加快建设创新型城市，制定本行动计划。\n\n# 一、总体目标\n\n到2020年，全市研究与试验发展（R&D）经费支出占地区生产总值比重达到2%，每万人口发明专利拥有量达到4件。".to_owned(),
            vec!["行动计划".to_owned(), "创新驱动".to_owned()],
            Vec::new(),
            "2017-09-01T01:00:00Z",
        ),
        (
            "interpretations",
            "一图读懂：高新技术企业认定奖补政策",
            "",
            "首次认定的高新技术企业可获奖补，本文解读申报条件与流程。",
            "**谁可以申报？** 当年首次通过认定、注册在本市的高新技术企业。\n\n**怎么申报？** 通过本系统在线申报，县（市、区）科技部门初审后报市科技局。".to_owned(),
            vec!["高新技术企业".to_owned(), "奖补".to_owned()],
            Vec::new(),
            "2018-03-15T02:00:00Z",
        ),
        (
            "guides",
            "高新技术企业认定奖补申报指南",
            "",
            "申报对象、支持方式、申报方式和时间安排。",
            guide_body,
            vec!["高新技术企业".to_owned(), "申报指南".to_owned()],
            call_link,
            "2018-04-01T01:00:00Z",
        ),
        (
            "news",
            "市科技局赴各县（市、区）开展送科技下乡活动",
            "",
            "",
            "近日，市科技局组织专家赴翁源县、新丰县开展送科技下乡活动，为企业和农户提供技术咨询服务。".to_owned(),
            vec!["送科技下乡".to_owned()],
            Vec::new(),
            "2019-05-20T03:00:00Z",
        ),
        (
            "notices",
            "关于开展2019年度研发费用统计调查工作的通知",
            "",
            "请各企业按时填报研发调查表。",
            "各县（市、区）科技部门，各有关企业：\n\n根据统计工作安排，现开展2019年度企业研究开发活动统计调查，请于规定时间内登录系统填报。".to_owned(),
            vec!["研发统计".to_owned()],
            Vec::new(),
            "2019-12-10T02:00:00Z",
        ),
    ];
    for (category, title, doc, summary, body, tags, links, at) in &articles {
        let w = ArticleWrite {
            category,
            title,
            summary,
            body,
            source: "韶关市科学技术局",
            doc_number: doc,
            publish_at: Some((*at).to_owned()),
            expires_on: None,
            tags,
            links,
        };
        let id = store.create_article(&w, &writer).await?;
        store
            .step_article(id, (S::Draft, S::Review), "submit", "", &writer)
            .await?;
        store
            .step_article(id, (S::Review, S::Published), "publish", "", &reviewer)
            .await?;
    }
    Ok(())
}

/// A demo event held: kind, title, day, place, county, (projects matched, agreements signed).
type DemoEvent<'a> = (
    kechuang_domain::event::EventKind,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    (i64, i64),
);

/// The plan years' events: the forum each year but 2018, outreach to the counties, a
/// matchmaking fair and the competition, held with their outcomes; one forum still to come.
pub async fn run_events(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_domain::event::{EventKind as K, EventStatus};
    use kechuang_store::{Actor, EventWrite};
    let bureau = Actor::new("demo", "cli");
    let held: [DemoEvent; 7] = [
        (
            K::Forum,
            "2017韶关科技创新高层论坛",
            "2017-11-16",
            "韶关市科技馆",
            None,
            (8, 2),
        ),
        (
            K::Outreach,
            "2018年科技活动周送科技下乡（翁源县）",
            "2018-05-19",
            "翁源县江尾镇",
            Some("440229"),
            (0, 0),
        ),
        (
            K::Competition,
            "中国创新创业大赛（韶关分赛区）2018",
            "2018-08-23",
            "韶关高新区",
            None,
            (32, 5),
        ),
        (
            K::Matchmaking,
            "粤北科技成果对接会",
            "2019-04-12",
            "韶关学院",
            None,
            (46, 9),
        ),
        (
            K::Forum,
            "2019韶关科技创新高层论坛",
            "2019-10-24",
            "韶关市科技馆",
            None,
            (11, 4),
        ),
        (
            K::Training,
            "企业研发费用统计培训",
            "2019-12-05",
            "市科技局会议室",
            None,
            (0, 0),
        ),
        (
            K::Forum,
            "2020韶关科技创新高层论坛",
            "2020-11-12",
            "韶关市科技馆",
            None,
            (9, 3),
        ),
    ];
    let organisers = vec!["kjj".to_owned()];
    for (kind, title, day, place, region, (projects, agreements)) in held {
        let w = EventWrite {
            kind,
            title,
            summary: "",
            agenda: "",
            speakers: "",
            place,
            region_code: region,
            starts_on: day.to_owned(),
            ends_on: day.to_owned(),
            registration_closes: None,
            capacity: 0,
            organisers: &organisers,
        };
        let id = store.put_event(None, &w, &bureau).await?;
        store
            .close_event(id, EventStatus::Held, (projects, agreements, ""), &bureau)
            .await?;
    }
    let next = kechuang_service::clock::today_in_china() + chrono::Days::new(30);
    let w = EventWrite {
        kind: K::Forum,
        title: "韶关科技创新高层论坛",
        summary: "围绕粤北生态发展区科技创新，邀请院士专家作主旨报告。",
        agenda: "# 上午\n\n- 09:00 开幕致辞\n- 09:30 主旨报告\n\n# 下午\n\n- 14:00 分论坛：新材料与先进制造",
        speakers: "中国工程院院士（拟邀）\n中山大学教授",
        place: "韶关市科技馆报告厅",
        region_code: None,
        starts_on: next.to_string(),
        ends_on: next.to_string(),
        registration_closes: None,
        capacity: 300,
        organisers: &organisers,
    };
    store.put_event(None, &w, &bureau).await?;
    Ok(())
}

/// Off-site applicants (异地申报): a call open now that takes them, and an enterprise
/// registered in Dongguan whose plant in 翁源县 is registered with its lease as evidence.
pub async fn run_offsite(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_store::{Actor, NewSite};
    let bureau = Actor::new("demo", "cli");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let programme = store.programme("key-projects").await?;
    store
        .create_call(
            &programme,
            chrono::Datelike::year(&today),
            "产业共建重点项目申报指南（接受异地申报）",
            (today, today + chrono::Days::new(45)),
            true,
            &bureau,
        )
        .await?;
    let uscc = kechuang_domain::uscc::Uscc::complete("91441900", "MA4UJ6Q2")?.to_string();
    let site = NewSite {
        uscc: uscc.clone(),
        name: "东莞市松湖新材料科技有限公司".into(),
        registered_on: Some("2012-03-08".into()),
        industry: "新材料".into(),
        region_code: "440229".into(),
        address: "韶关市翁源县官渡镇华南先进装备产业园 8 号".into(),
        activity: "电子铝箔生产基地（总部与研发中心在东莞松山湖）".into(),
    };
    let lease = (
        "厂房租赁合同.pdf".to_owned(),
        "application/pdf".to_owned(),
        b"%PDF-1.4\n% demo lease\n".to_vec(),
    );
    store
        .put_site(&site, &[lease], &Actor::new(&uscc, "cli"))
        .await?;
    Ok(())
}

/// The SME service platform: each provider's catalogue, shared instruments at the testing
/// institute, and requests and bookings of voucher holders in their several states.
pub async fn run_services(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_domain::money::Fen;
    use kechuang_domain::services::{BookingAction, Party, RequestAction};
    use kechuang_store::{Actor, NewInstrument, NewOffering};
    let bureau = Actor::new("demo", "cli");
    let providers = store.providers().await?;
    let fen = |s: &str| Fen::parse(s).map_err(|e| anyhow::anyhow!(e));
    let mut offerings = Vec::new();
    for p in &providers {
        let items: &[(&str, &str, &str, &str)] = match p.kind.as_str() {
            "testing" => &[
                (
                    "金属材料成分检测",
                    "800元",
                    "样",
                    "出具 CMA 检测报告，5 个工作日",
                ),
                (
                    "计量器具校准",
                    "300元",
                    "台",
                    "压力表、温度计等常用计量器具",
                ),
            ],
            "transfer" => &[
                (
                    "中试验证服务",
                    "2万元",
                    "项",
                    "新材料、先进制造领域的小批量试制与工艺验证",
                ),
                (
                    "科技成果评价",
                    "5000元",
                    "项",
                    "按《科技成果评价规范》出具评价报告",
                ),
            ],
            "ip" => &[
                (
                    "专利检索与分析",
                    "3000元",
                    "项",
                    "面向科技型中小企业，出具检索分析报告",
                ),
                ("发明专利申请代理", "4500元", "件", "含撰写与答复审查意见"),
            ],
            _ => &[],
        };
        for (title, price, unit, conditions) in items {
            let o = NewOffering {
                provider_id: p.id,
                title: (*title).into(),
                description: String::new(),
                price: fen(price)?,
                price_unit: (*unit).into(),
                conditions: (*conditions).into(),
                voucher: true,
            };
            offerings.push((store.add_offering(&o, &bureau).await?, p.uscc.clone()));
        }
    }
    let owner = providers
        .iter()
        .find(|p| p.kind == "testing")
        .map(|p| (p.name.clone(), p.uscc.clone()))
        .unwrap_or_default();
    let mut instruments = Vec::new();
    for (name, model, fee, region) in [
        (
            "场发射扫描电子显微镜",
            "SU8010，分辨率 1.0 nm",
            "400元",
            "440203",
        ),
        (
            "电感耦合等离子体发射光谱仪",
            "ICP-OES 5110，70 种元素",
            "300元",
            "440204",
        ),
    ] {
        let i = NewInstrument {
            name: name.into(),
            model: model.into(),
            specs: String::new(),
            owner: owner.0.clone(),
            owner_uscc: owner.1.clone(),
            location: "韶关市产品质量计量检测所实验楼".into(),
            region_code: region.into(),
            fee: fen(fee)?,
        };
        instruments.push(store.add_instrument(&i, &bureau).await?);
    }
    // Voucher holders are the tech SMEs: they use the platform.
    let mut clients: Vec<String> = store
        .vouchers(None)
        .await?
        .into_iter()
        .map(|v| v.uscc)
        .collect();
    clients.dedup();
    for (i, uscc) in clients.iter().take(6).enumerate() {
        let Some((offering, provider_uscc)) = offerings.get(i % offerings.len().max(1)) else {
            break;
        };
        let me = Actor::new(uscc, "cli");
        let them = Actor::new(provider_uscc, "cli");
        let r = store
            .request_service(*offering, uscc, "用于新产品研发", &me)
            .await?;
        if i < 5 {
            store
                .step_request(
                    r,
                    (RequestAction::Accept, Party::Provider),
                    ("已受理", None),
                    &them,
                )
                .await?;
        }
        if i < 4 {
            let amount = store.offering(*offering).await?.price;
            store
                .step_request(
                    r,
                    (RequestAction::Complete, Party::Provider),
                    ("", Some(amount)),
                    &them,
                )
                .await?;
            store
                .rate_request(r, 5 - (i % 2) as u8, "响应及时，报告专业", &me)
                .await?;
        }
        if let Some(instrument) = instruments.get(i % instruments.len().max(1)) {
            let day = chrono::NaiveDate::from_ymd_opt(2020, 6, 1 + i as u32)
                .ok_or_else(|| anyhow::anyhow!("demo date"))?;
            let b = store
                .book_instrument(*instrument, uscc, (day, 9, 3), "新材料样品表征", &me)
                .await?;
            let owner_actor = Actor::new(&owner.1, "cli");
            if i < 5 {
                store
                    .step_booking(
                        b,
                        (BookingAction::Approve, Party::Provider),
                        ("", None),
                        &owner_actor,
                    )
                    .await?;
            }
            if i < 4 {
                store
                    .step_booking(
                        b,
                        (BookingAction::RecordUse, Party::Provider),
                        ("", Some(2.5 + i as f64 * 0.5)),
                        &owner_actor,
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

/// The innovation competition of this year: registration open, six entries with their
/// business plans, four found eligible, one not (with the reason), one awaiting screening.
pub async fn run_competition(store: &kechuang_store::Store) -> Result<()> {
    use kechuang_domain::competition::{parse_prizes, startup_since, EntryStatus, Track};
    use kechuang_store::{Actor, NewCompetition, NewEntry};
    let bureau = Actor::new("demo", "cli");
    let today = kechuang_service::clock::today_in_china();
    let year = chrono::Datelike::year(&today);
    let id = store
        .create_competition(
            &NewCompetition {
                year,
                title: format!("{year}年中国创新创业大赛（韶关分赛区）"),
                programme_code: "innovation-competition".into(),
                description: "整合人社、团委等部门资源，面向全市科技型企业和创业团队征集优质项目，分初创组、成长组比赛，决赛获奖项目给予奖金。".into(),
                registration_opens: (today - chrono::Days::new(10)).to_string(),
                registration_closes: (today + chrono::Days::new(20)).to_string(),
                prizes: parse_prizes("一等奖 1 20万元\n二等奖 2 10万元\n三等奖 3 5万元")
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            },
            &bureau,
        )
        .await?;
    let projects = [
        ("工业固废制备微晶玻璃", "新材料"),
        ("特种钢在线缺陷视觉检测", "先进制造"),
        ("竹纤维环保复合材料", "新材料"),
        ("丹霞山智慧旅游服务平台", "互联网和移动互联网"),
        ("南药灵芝孢子提取物", "生物医药"),
        ("光伏储能一体化微电网", "新能源及节能环保"),
    ];
    let since = startup_since(year);
    let all = store.all_enterprises().await?;
    let step = (all.len() / projects.len()).max(1);
    let plan = b"%PDF-1.4\n% demo business plan\n".to_vec();
    for (i, ((title, industry), e)) in projects.iter().zip(all.iter().step_by(step)).enumerate() {
        let registered = e
            .registered_on
            .as_deref()
            .and_then(kechuang_domain::text::written_date);
        let track = if registered.is_some_and(|d| d >= since) {
            Track::Startup
        } else {
            Track::Growth
        };
        let answers = serde_json::json!({
            "summary": format!("{title}：核心技术已完成中试，拟在韶关建设产业化基地。"),
            "team_intro": "核心团队 8 人，其中博士 2 人、高级工程师 3 人。",
        });
        let entry = store
            .enter_competition(
                id,
                &NewEntry {
                    uscc: Some(e.uscc.clone()),
                    name: e.name.clone(),
                    leader: String::new(),
                    region_code: e.region_code.clone(),
                    track,
                    industry: (*industry).to_owned(),
                    title: (*title).to_owned(),
                    answers: answers.to_string(),
                },
                &[("business_plan", "商业计划书.pdf", "application/pdf", &plan)],
                &Actor::new(&e.uscc, "cli"),
            )
            .await?;
        let (status, note) = match i {
            0..=3 => (Some(EntryStatus::Eligible), ""),
            4 => (
                Some(EntryStatus::Ineligible),
                "上年度营业收入超过 2 亿元，不符合参赛条件",
            ),
            _ => (None, ""),
        };
        if let Some(s) = status {
            store.screen_entry(entry, s, note, &bureau).await?;
        }
    }
    Ok(())
}
