//! Open data (政府数据开放): the public data sets the portal lists at `/data`, each generated
//! from the records at request time, so a download is as fresh as the pages. Only what is
//! already public goes out — figures, certificates and platforms as the lists announce them,
//! grants as the notices did, published articles — never a person's data.

use crate::progress::{Loaded, ProgressCache};
use crate::Error;
use chrono::{DateTime, NaiveDate, Utc};
use kechuang_domain::registry::CertificateKind;
use kechuang_store::Store;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

kechuang_domain::problems! {
    pub enum OpenDataProblem {
        NoSet { id: String } = "not_found" {
            zh: "没有数据集 '{id}'", en: "no data set '{id}'",
        },
    }
}

/// A column of a data set: its key (the CSV header and the JSON field) and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub key: &'static str,
    pub title: &'static str,
    pub title_en: &'static str,
}

/// A data set as the catalogue lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DataSet {
    pub id: &'static str,
    pub title: &'static str,
    pub title_en: &'static str,
    pub description: &'static str,
    pub description_en: &'static str,
    pub keywords: &'static [&'static str],
    pub columns: Vec<Column>,
}

/// The licence every data set is published under.
pub const LICENCE: &str = "https://creativecommons.org/licenses/by/4.0/";
pub const LICENCE_NAME: &str = "CC BY 4.0";

macro_rules! cols {
    ($(($k:literal, $zh:literal, $en:literal)),* $(,)?) => {
        vec![$(Column { key: $k, title: $zh, title_en: $en }),*]
    };
}

pub fn catalogue() -> Vec<DataSet> {
    vec![
        DataSet {
            id: "targets",
            title: "行动计划指标历年进展（分地区）",
            title_en: "Action plan targets: figures by year and region",
            description: "现行行动计划每项量化指标在全市及各县（市、区）逐期的数值，由登记和统计记录实时计算。",
            description_en: "Each quantified target of the current action plan, its figure per period for the city and each county, computed from the records.",
            keywords: &["科技创新", "行动计划", "指标"],
            columns: cols![
                ("plan", "计划代码", "plan"),
                ("target", "指标代码", "target code"),
                ("target_name", "指标名称", "target"),
                ("unit", "单位", "unit"),
                ("region_code", "区划代码", "region code"),
                ("region", "地区", "region"),
                ("period", "期间", "period"),
                ("value", "数值", "value"),
                ("goal", "目标值", "goal for the region"),
            ],
        },
        DataSet {
            id: "high-tech-enterprises",
            title: "有效期内高新技术企业名单",
            title_en: "High-tech enterprises with a valid certificate",
            description: "证书在有效期内的国家高新技术企业：企业名称、统一社会信用代码、证书编号、发证日期、所在县（市、区）。",
            description_en: "Enterprises holding a valid high-tech enterprise certificate: name, USCC, certificate number, issue date, county.",
            keywords: &["高新技术企业", "名单"],
            columns: cols![
                ("name", "企业名称", "enterprise"),
                ("uscc", "统一社会信用代码", "USCC"),
                ("certificate", "证书编号", "certificate number"),
                ("issued_on", "发证日期", "issued on"),
                ("expires_on", "有效期至", "valid until"),
                ("region_code", "区划代码", "region code"),
                ("county", "县（市、区）", "county"),
            ],
        },
        DataSet {
            id: "platforms",
            title: "科技创新平台名录",
            title_en: "Innovation platforms",
            description: "经认定、未撤销的工程技术研究中心、重点实验室、孵化器等科技创新平台。",
            description_en: "Recognised innovation platforms (engineering centres, key laboratories, incubators…) not revoked.",
            keywords: &["创新平台", "工程技术研究中心", "孵化器"],
            columns: cols![
                ("name", "平台名称", "platform"),
                ("kind", "类别", "kind"),
                ("level", "级别", "level"),
                ("host", "依托单位", "host"),
                ("region_code", "区划代码", "region code"),
                ("county", "县（市、区）", "county"),
                ("recognised_on", "认定日期", "recognised on"),
                ("document_no", "认定文号", "document"),
            ],
        },
        DataSet {
            id: "grants",
            title: "科技资金奖补（360Giving 格式）",
            title_en: "Grants made (360Giving)",
            description: "已批准或已拨付的科技资金奖补，字段按 360Giving 数据标准：金额单位为元，受助单位以统一社会信用代码标识。",
            description_en: "Grants approved or paid, in the 360Giving standard's fields: amounts in yuan, recipients by USCC.",
            keywords: &["资金", "奖补", "360Giving"],
            columns: cols![
                ("Identifier", "标识", "identifier"),
                ("Title", "名称", "title"),
                ("Description", "依据", "description"),
                ("Currency", "币种", "currency"),
                ("Amount Awarded", "金额（元）", "amount awarded"),
                ("Award Date", "批准日期", "award date"),
                ("Planned Dates:Start Date", "拨付日期", "paid on"),
                ("Recipient Org:Identifier", "受助单位标识", "recipient id"),
                ("Recipient Org:Name", "受助单位", "recipient"),
                ("Funding Org:Identifier", "资助单位标识", "funder id"),
                ("Funding Org:Name", "资助单位", "funder"),
                ("Grant Programme:Code", "项目代码", "programme code"),
                ("Grant Programme:Title", "资金项目", "programme"),
                ("Beneficiary Location:Geographic Code", "受益地区代码", "location code"),
                ("Beneficiary Location:Name", "受益地区", "location"),
            ],
        },
        DataSet {
            id: "articles",
            title: "门户文章目录",
            title_en: "Portal articles",
            description: "门户已发布的通知公告、政务动态、政策法规、政策解读和办事指南：标题、摘要、文号、发布时间与链接。",
            description_en: "Articles published on the portal: title, summary, document number, publication time and address.",
            keywords: &["通知公告", "政策法规"],
            columns: cols![
                ("id", "编号", "id"),
                ("category", "栏目", "category"),
                ("title", "标题", "title"),
                ("summary", "摘要", "summary"),
                ("source", "来源", "source"),
                ("doc_number", "文号", "document number"),
                ("published_at", "发布时间", "published at"),
                ("expires_on", "有效期至", "expires on"),
                ("tags", "标签", "tags"),
                ("url", "链接", "address"),
            ],
        },
    ]
}

pub fn data_set(id: &str) -> Result<DataSet, Error> {
    catalogue()
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| Error::not_found(OpenDataProblem::NoSet { id: id.to_owned() }))
}

/// A data set's records, in its columns' order, with when its records last changed.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub set: DataSet,
    /// RFC 3339 (UTC), or a date; empty when the set has no records.
    pub modified: String,
    pub records: Vec<Vec<Value>>,
}

impl Table {
    /// The records as JSON objects keyed by column.
    pub fn objects(&self) -> Vec<serde_json::Map<String, Value>> {
        self.records
            .iter()
            .map(|r| {
                self.set
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| (c.key.to_owned(), v.clone()))
                    .collect()
            })
            .collect()
    }

    /// The set as one JSON document — `{dataset, title, licence, modified, columns, records}` —
    /// the same for `/data/{set}.json` and the API.
    pub fn document(&self) -> Value {
        serde_json::json!({
            "dataset": self.set.id,
            "title": self.set.title,
            "licence": LICENCE,
            "modified": self.modified,
            "columns": self.set.columns.iter().map(|c| serde_json::json!({
                "key": c.key, "title": c.title, "title_en": c.title_en,
            })).collect::<Vec<_>>(),
            "records": self.objects(),
        })
    }

    /// The records as text cells for a CSV: a number as JSON writes it, nothing for null.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.records
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }
}

fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

fn opt(v: Option<String>) -> Value {
    v.map(Value::String).unwrap_or(Value::Null)
}

fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A grant in the 360Giving standard's terms.
#[derive(Debug, Clone, Serialize)]
pub struct Grant360 {
    pub id: String,
    pub title: String,
    pub description: String,
    pub amount_yuan: f64,
    pub award_date: String,
    pub paid_on: Option<String>,
    pub recipient_id: String,
    pub recipient_name: String,
    pub funder_id: String,
    pub funder_name: String,
    pub programme_code: String,
    pub programme_title: String,
    pub location_code: String,
    pub location_name: String,
}

/// Grants approved or paid, oldest first: the one source of `/api/v1/grants` and the grants
/// data set.
pub async fn grants(store: &Store) -> Result<Vec<Grant360>, Error> {
    let plan = store.plans().await?.into_iter().next();
    let funder_region = plan.map(|p| p.region_code).unwrap_or_default();
    let tree = store.region_tree().await?;
    let name_of = |code: &str| tree.name_of(code).unwrap_or_default().to_owned();
    let funder = format!("{}科学技术局", name_of(&funder_region));
    Ok(store
        .grants()
        .await?
        .into_iter()
        .map(|g| {
            let a = &g.award;
            Grant360 {
                id: format!("360G-kechuang-{funder_region}-{}", a.id),
                title: format!("{} {}", g.programme_name, a.year),
                description: a.basis.clone(),
                amount_yuan: a.amount.0 as f64 / 100.0,
                award_date: g.awarded_on.clone(),
                paid_on: g.paid_on.clone(),
                recipient_id: format!("CN-USCC-{}", a.uscc),
                recipient_name: a.name.clone(),
                funder_id: format!("CN-GB2260-{funder_region}-KJJ"),
                funder_name: funder.clone(),
                programme_code: a.programme_code.clone(),
                programme_title: g.programme_name.clone(),
                location_code: a.region_code.clone(),
                location_name: name_of(&a.region_code),
            }
        })
        .collect())
}

/// A data set's records now.
pub async fn table(
    store: &Store,
    counts: &ProgressCache,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Table, Error> {
    let set = data_set(id)?;
    let today = kechuang_domain::portal::china_day(now);
    let (modified, records) = match set.id {
        "targets" => targets(store, counts, today).await?,
        "high-tech-enterprises" => high_tech(store, today).await?,
        "platforms" => platforms(store).await?,
        "grants" => {
            let g = grants(store).await?;
            let modified = g
                .iter()
                .map(|g| g.paid_on.clone().unwrap_or_else(|| g.award_date.clone()))
                .max()
                .unwrap_or_default();
            let rows = g
                .into_iter()
                .map(|g| {
                    vec![
                        s(g.id),
                        s(g.title),
                        s(g.description),
                        s("CNY"),
                        num(g.amount_yuan),
                        s(g.award_date),
                        opt(g.paid_on),
                        s(g.recipient_id),
                        s(g.recipient_name),
                        s(g.funder_id),
                        s(g.funder_name),
                        s(g.programme_code),
                        s(g.programme_title),
                        s(g.location_code),
                        s(g.location_name),
                    ]
                })
                .collect();
            (modified, rows)
        }
        _ => articles(store, now).await?,
    };
    Ok(Table {
        set,
        modified,
        records,
    })
}

async fn latest_import(store: &Store) -> Result<String, Error> {
    Ok(store.latest_registry_change().await?.unwrap_or_default())
}

async fn targets(
    store: &Store,
    counts: &ProgressCache,
    today: NaiveDate,
) -> Result<(String, Vec<Vec<Value>>), Error> {
    let plan_id = crate::progress::default_plan_id(store).await?;
    let loaded = Loaded::load(store, counts, plan_id, today).await?;
    let mut regions = vec![loaded.region(None)?];
    regions.extend(loaded.counties());
    let mut rows = Vec::new();
    for region in &regions {
        for e in loaded.evaluate_all(&region.code).iter() {
            for (period, value) in &e.series {
                rows.push(vec![
                    s(loaded.plan.code.clone()),
                    s(e.target.code.clone()),
                    s(e.target.name.clone()),
                    s(e.indicator.unit.clone()),
                    s(region.code.to_string()),
                    s(region.name.clone()),
                    s(period.to_string()),
                    num(value.value),
                    e.applicable.map(num).unwrap_or(Value::Null),
                ]);
            }
        }
    }
    let modified = store.latest_figure_change().await?.unwrap_or_default();
    Ok((modified, rows))
}

async fn high_tech(store: &Store, today: NaiveDate) -> Result<(String, Vec<Vec<Value>>), Error> {
    let tree = store.region_tree().await?;
    let enterprises: HashMap<String, (String, String)> = store
        .all_enterprises()
        .await?
        .into_iter()
        .map(|e| (e.uscc, (e.name, e.region_code)))
        .collect();
    let day = today.to_string();
    let mut rows: Vec<Vec<Value>> = store
        .all_certificates()
        .await?
        .into_iter()
        .filter(|c| c.kind == CertificateKind::Hte.code())
        .filter(|c| c.revoked_on.is_none())
        .filter(|c| c.issued_on.as_str() <= day.as_str())
        .filter(|c| c.expires_on.as_deref().is_none_or(|e| e >= day.as_str()))
        .map(|c| {
            let (name, region) = enterprises.get(&c.uscc).cloned().unwrap_or_default();
            let county = tree.name_of(&region).unwrap_or_default().to_owned();
            vec![
                s(name),
                s(c.uscc),
                s(c.number),
                s(c.issued_on),
                opt(c.expires_on),
                s(region),
                s(county),
            ]
        })
        .collect();
    rows.sort_by_key(|r| (r[5].to_string(), r[0].to_string()));
    Ok((latest_import(store).await?, rows))
}

async fn platforms(store: &Store) -> Result<(String, Vec<Vec<Value>>), Error> {
    let tree = store.region_tree().await?;
    let kinds: HashMap<String, String> = store
        .platform_kinds()
        .await?
        .into_iter()
        .map(|(code, name, _)| (code, name))
        .collect();
    let rows = store
        .all_platforms()
        .await?
        .into_iter()
        .filter(|p| p.revoked_on.is_none())
        .map(|p| {
            vec![
                s(p.name),
                s(kinds.get(&p.kind).cloned().unwrap_or(p.kind)),
                s(p.level),
                s(p.host_name),
                s(p.region_code.clone()),
                s(tree.name_of(&p.region_code).unwrap_or_default()),
                s(p.recognised_on),
                s(p.document_no),
            ]
        })
        .collect();
    Ok((latest_import(store).await?, rows))
}

async fn articles(store: &Store, now: DateTime<Utc>) -> Result<(String, Vec<Vec<Value>>), Error> {
    let cats: HashMap<String, String> = store
        .article_categories()
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let mut rows = Vec::new();
    let mut modified = String::new();
    let mut page = 1;
    loop {
        let p = crate::portal::list(
            store,
            &kechuang_store::ArticleFilter::default(),
            (page, 500),
            now,
        )
        .await?;
        for a in &p.items {
            let at = a.publish_at.clone().unwrap_or_default();
            if at > modified {
                modified = at.clone();
            }
            rows.push(vec![
                Value::from(a.id),
                s(cats
                    .get(&a.category)
                    .cloned()
                    .unwrap_or_else(|| a.category.clone())),
                s(a.title.clone()),
                s(a.summary.clone()),
                s(a.source.clone()),
                s(a.doc_number.clone()),
                s(at),
                opt(a.expires_on.clone()),
                s(a.tags.join(";")),
                s(format!("/portal/articles/{}", a.id)),
            ]);
        }
        if i64::from(page) * 500 >= p.total {
            break;
        }
        page += 1;
    }
    Ok((modified, rows))
}
