//! How an audit entry reads on the trail's page and in its export: the fields an action
//! changed, labelled in the reader's language, amounts in yuan, statuses and regions by name.

use crate::format;
use crate::i18n::{field_label, Lang};
use kechuang_domain::application::AppStatus;
use kechuang_domain::auth::Role;
use kechuang_domain::programme::BatchStatus;
use serde_json::Value;
use std::collections::HashMap;

/// One field of an audited record: its label, and its value before and after the action
/// (empty where the record did not have it).
pub struct Change {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The fields an entry changed, in the page's language. A record stored as a bare value (a
/// batch's status, a budget's amount) is read as the one field it is.
pub fn changes(
    entity: &str,
    before: &str,
    after: &str,
    regions: &HashMap<String, String>,
    lang: Lang,
) -> Vec<Change> {
    let before = fields(entity, before);
    let after = fields(entity, after);
    let mut keys: Vec<&String> = after.iter().map(|(k, _)| k).collect();
    for (k, _) in &before {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let find = |list: &[(String, Value)], key: &str| {
        list.iter()
            .find(|(k, _)| k == key)
            .map(|(k, v)| show(entity, k, v, regions, lang))
            .unwrap_or_default()
    };
    keys.into_iter()
        .filter_map(|key| {
            let b = find(&before, key);
            let a = find(&after, key);
            if b.is_empty() && a.is_empty() {
                return None;
            }
            let bare = key.strip_suffix("_fen").unwrap_or(key);
            let label = field_label(bare, lang);
            // An amount's label says its unit, as every money column does.
            let label = if key.ends_with("_fen") {
                match lang {
                    Lang::Zh => format!("{label}（元）"),
                    Lang::En => format!("{label} (yuan)"),
                }
            } else {
                label
            };
            Some(Change {
                label,
                before: if b == a { String::new() } else { b },
                after: a,
            })
        })
        .collect()
}

fn fields(entity: &str, json: &str) -> Vec<(String, Value)> {
    if json.trim().is_empty() {
        return Vec::new();
    }
    // A status is stored as its bare code (`reviewed`), which is text rather than JSON.
    let v = serde_json::from_str::<Value>(json).unwrap_or_else(|_| Value::String(json.to_owned()));
    match v {
        Value::Object(map) => map.into_iter().collect(),
        Value::Null => Vec::new(),
        v => {
            let key = match (entity, &v) {
                ("budget", Value::Number(_)) => "amount_fen",
                (_, Value::String(s)) if s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
                    "status"
                }
                _ => "value",
            };
            vec![(key.to_owned(), v)]
        }
    }
}

fn show(
    entity: &str,
    key: &str,
    v: &Value,
    regions: &HashMap<String, String>,
    lang: Lang,
) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => lang
            .pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .to_owned(),
        Value::Number(n) if key.ends_with("_fen") => n
            .as_i64()
            .map(|fen| format::number(fen as f64 / 100.0))
            .unwrap_or_else(|| n.to_string()),
        Value::Number(n) => n
            .as_f64()
            .map(format::number)
            .unwrap_or_else(|| n.to_string()),
        Value::String(s) if key == "status" => status_name(entity, s, lang),
        Value::String(s) if key == "role" => Role::parse(s).map_or_else(
            || s.clone(),
            |r| lang.pick(r.name_zh(), r.name_en()).to_owned(),
        ),
        Value::String(s) if key == "scope" || key == "parent" => {
            let code = s.strip_prefix("region:").unwrap_or(s);
            regions
                .get(code)
                .map_or_else(|| s.clone(), |n| format!("{n}（{code}）"))
        }
        Value::String(s) => {
            if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
                return format::timestamp(s);
            }
            // A whole plan file is kept in the trail; the page shows its beginning.
            let mut t: String = s.chars().take(160).collect();
            if t.len() < s.len() {
                t.push('…');
            }
            t
        }
        Value::Array(items) => items
            .iter()
            .map(|i| show(entity, key, i, regions, lang))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", ")),
        Value::Object(map) => map
            .iter()
            .map(|(k, i)| {
                format!(
                    "{}: {}",
                    field_label(k, lang),
                    show(entity, k, i, regions, lang)
                )
            })
            .collect::<Vec<_>>()
            .join(lang.pick("；", "; ")),
    }
}

fn status_name(entity: &str, code: &str, lang: Lang) -> String {
    let named = match entity {
        "award_batch" => BatchStatus::parse(code).map(|s| (s.name(), s.name_en())),
        "application" => AppStatus::parse(code).map(|s| (s.name(), s.name_en())),
        _ => None,
    };
    named.map_or_else(|| code.to_owned(), |(zh, en)| lang.pick(zh, en).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_as_labelled_fields_with_amounts_in_yuan() {
        let regions = HashMap::from([("440203".to_owned(), "武江区".to_owned())]);
        let c = changes(
            "award_batch",
            "reviewed",
            r#"{"at":"2026-12-02T03:43:50Z","comment":"","status":"notice","total_fen":1440000000}"#,
            &regions,
            Lang::Zh,
        );
        let status = c.iter().find(|c| c.label == "状态").expect("status");
        assert_eq!(status.before, "已审核");
        assert_eq!(status.after, "公示中");
        let total = c
            .iter()
            .find(|c| c.label.starts_with("合计金额"))
            .expect("total");
        assert_eq!(total.label, "合计金额（元）");
        assert_eq!(total.after, "14,400,000");
        assert!(
            c.iter().all(|c| c.label != "comment"),
            "an empty comment is left out"
        );
        let budget = changes("budget", "", "2400000000", &regions, Lang::En);
        assert_eq!(budget[0].label, "Amount (yuan)");
        assert_eq!(budget[0].after, "24,000,000");
        assert!(changes("user", "", "", &regions, Lang::Zh).is_empty());
        let user = changes(
            "user",
            "",
            r#"{"role":"county","scope":"region:440203"}"#,
            &regions,
            Lang::Zh,
        );
        assert_eq!(user[0].after, "县（市、区）科技部门");
        assert_eq!(user[1].after, "武江区（440203）");
    }
}
