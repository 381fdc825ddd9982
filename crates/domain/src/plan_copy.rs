//! A new plan begun from an earlier one (successive plans): the earlier plan's file, with the
//! new code, name and years, every date moved on by the difference in years, each target
//! marked as continuing the earlier plan's, and the earlier figures that cannot carry over
//! (baselines, programmes with their own codes and money) left out for the bureau to set.
//! The file's layout and comments are kept, so the draft reads as the original did.

use crate::plan::{PlanError, PlanErrors};
use chrono::{Datelike, NaiveDate};
use toml_edit::{value, DocumentMut, Item, Value};

/// What the new plan is called and when it runs.
#[derive(Debug, Clone)]
pub struct CopyAs {
    pub code: String,
    pub name: String,
    pub start_year: i32,
    pub end_year: i32,
}

fn refuse(message: impl Into<String>) -> PlanErrors {
    PlanErrors(vec![PlanError {
        line: 1,
        message: message.into(),
    }])
}

/// The same day `years` later; 29 February becomes the 28th in a common year.
fn shift_date(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

fn shift_value(v: &mut Value, years: i32) {
    match v {
        Value::Datetime(f) => {
            let dt = *f.value();
            if let (Some(d), None) = (dt.date, dt.time) {
                if let Some(day) =
                    NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                {
                    let moved = shift_date(day, years);
                    if let Ok(new) = moved
                        .format("%Y-%m-%d")
                        .to_string()
                        .parse::<toml_edit::Datetime>()
                    {
                        let decor = f.decor().clone();
                        *f = toml_edit::Formatted::new(new);
                        *f.decor_mut() = decor;
                    }
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| shift_value(v, years)),
        Value::InlineTable(t) => t.iter_mut().for_each(|(_, v)| shift_value(v, years)),
        _ => {}
    }
}

fn shift_item(item: &mut Item, years: i32) {
    match item {
        Item::Value(v) => shift_value(v, years),
        Item::Table(t) => t.iter_mut().for_each(|(_, i)| shift_item(i, years)),
        Item::ArrayOfTables(a) => a
            .iter_mut()
            .for_each(|t| t.iter_mut().for_each(|(_, i)| shift_item(i, years))),
        Item::None => {}
    }
}

/// The draft of a new plan begun from `src`, an earlier plan's file.
pub fn copy_plan_file(src: &str, to: &CopyAs) -> Result<String, PlanErrors> {
    let mut doc: DocumentMut = src
        .parse()
        .map_err(|e: toml_edit::TomlError| refuse(e.message().to_owned()))?;
    let old_code = doc["plan"]["code"]
        .as_str()
        .ok_or_else(|| refuse("[plan] 缺少 code (the plan has no code)"))?
        .to_owned();
    let old_start = doc["plan"]["start_year"]
        .as_integer()
        .ok_or_else(|| refuse("[plan] 缺少 start_year (the plan has no start year)"))?;
    let years =
        i32::try_from(i64::from(to.start_year) - old_start).map_err(|_| refuse("start_year"))?;
    if to.code.trim().is_empty() || to.code.trim() == old_code {
        return Err(refuse(
            "新计划须有自己的代码 (a new plan needs a code of its own)",
        ));
    }
    // Programmes keep their own codes and money: a new plan sets up its own.
    doc.remove("programmes");
    // Tasks and targets move on; indicators and units are shared by every plan and stay
    // as they are (an indicator's definition, such as the day a count begins, is its own).
    for (key, item) in doc.iter_mut() {
        if matches!(key.get(), "sections" | "targets") {
            shift_item(item, years);
        }
    }
    let plan = &mut doc["plan"];
    plan["code"] = value(to.code.trim());
    plan["name"] = value(to.name.trim());
    plan["name_en"] = value("");
    plan["start_year"] = value(i64::from(to.start_year));
    plan["end_year"] = value(i64::from(to.end_year));
    if let Some(targets) = doc
        .get_mut("targets")
        .and_then(Item::as_array_of_tables_mut)
    {
        for t in targets.iter_mut() {
            let code = t
                .get("code")
                .and_then(Item::as_str)
                .unwrap_or_default()
                .to_owned();
            // The earlier plan's baseline described its own start; the new one is set anew.
            t.remove("baseline");
            t["continues"] = value(format!("{old_code}/{code}"));
        }
    }
    let head = format!(
        "# 由 {old_code} 复制的新计划草稿：日期顺延 {years} 年，各目标接续原计划目标（continues）。\n\
         # 原计划的基期值和资金项目未复制：请核定基期值、目标值和完成时限后发布。\n"
    );
    Ok(format!("{head}{doc}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;
    use crate::region::{shipped_regions, RegionTree};

    #[test]
    fn a_copy_of_the_shipped_plan_moves_on_and_continues_every_target() {
        let src = include_str!("../../../plans/shaoguan-2017-2020.toml");
        let to = CopyAs {
            code: "shaoguan-2021-2025".into(),
            name: "韶关市科技创新发展行动计划（2021—2025年）示例".into(),
            start_year: 2021,
            end_year: 2025,
        };
        let copy = copy_plan_file(src, &to).unwrap_or_else(|e| panic!("{e}"));
        let tree = RegionTree::new(shipped_regions());
        let plan = parse_plan(&copy, &tree).unwrap_or_else(|e| panic!("{e}\n{copy}"));
        assert_eq!(
            (plan.code.as_str(), plan.start_year, plan.end_year),
            ("shaoguan-2021-2025", 2021, 2025)
        );
        assert!(plan.programmes.is_empty());
        let t23 = plan.targets.iter().find(|t| t.code == "2.3").expect("2.3");
        assert_eq!(t23.continues.as_deref(), Some("shaoguan-2017-2020/2.3"));
        assert_eq!(t23.baseline, None);
        assert_eq!(
            t23.deadline,
            NaiveDate::from_ymd_opt(2024, 12, 31).expect("date")
        );
        let cover = plan.tasks().find(|t| t.code == "3.10-1").expect("task");
        assert_eq!(
            cover.deadline,
            NaiveDate::from_ymd_opt(2022, 12, 31).expect("date")
        );
        // Indicators are shared: their definitions are not moved.
        assert!(copy.contains("recognised_from = 2017-01-01"));
        // Comments and the plan's text are kept.
        assert!(copy.contains("# ---- targets"));
        assert!(copy.contains("实施孵化器全覆盖计划"));
    }

    #[test]
    fn a_copy_needs_its_own_code_and_dates_move_safely() {
        let src = include_str!("../../../plans/shaoguan-2017-2020.toml");
        let same = CopyAs {
            code: "shaoguan-2017-2020".into(),
            name: "x".into(),
            start_year: 2021,
            end_year: 2025,
        };
        assert!(copy_plan_file(src, &same).is_err());
        assert!(copy_plan_file("not = [toml", &same).is_err());
        let leap = NaiveDate::from_ymd_opt(2020, 2, 29).expect("date");
        assert_eq!(
            shift_date(leap, 1),
            NaiveDate::from_ymd_opt(2021, 2, 28).expect("date")
        );
    }
}
