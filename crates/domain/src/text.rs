//! Text as people type and paste it: full-width forms folded, and the longest a free-text
//! field may be, so no field of any form or API body can carry megabytes into the database,
//! the audit trail or a page.

use crate::problem::FieldProblem;

/// A full-width ASCII form (`１`, `Ａ`, `－`) as its ASCII character; any other character as is.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Percent-encodes text for a URL (RFC 3986 unreserved characters pass through): query
/// values, file names in headers, the account in an `otpauth://` URI.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A name, a title, a reference number, a contact: one line.
pub const MAX_LINE_CHARS: usize = 200;
/// A comment, a reason, a description: a few paragraphs.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// A programme's rule expression or a form's long answer.
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;

crate::problems! {
    /// A text field past its length.
    pub enum TextProblem {
        TooLong { name_zh: String, name_en: String, max: usize, chars: usize } = "too_long" {
            zh: "「{name_zh}」过长：最多 {max} 个字符，收到 {chars} 个",
            en: "{name_en} is too long: at most {max} characters, got {chars}",
        },
    }
}

/// A free-text input: its key (as forms and the API name it), its name in both languages,
/// and its longest value in characters.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub max: usize,
}

impl TextField {
    pub const fn new(key: &'static str, zh: &'static str, en: &'static str, max: usize) -> Self {
        Self { key, zh, en, max }
    }

    /// Checks a value's length in characters (not bytes: a Chinese character counts one).
    pub fn check(&self, value: &str) -> Result<(), FieldProblem> {
        // Counting stops just past the limit, so a huge value costs no more than a valid one.
        if value.chars().take(self.max + 1).count() <= self.max {
            return Ok(());
        }
        Err(FieldProblem::new(
            self.key,
            TextProblem::TooLong {
                name_zh: self.zh.to_owned(),
                name_en: self.en.to_owned(),
                max: self.max,
                chars: value.chars().count(),
            },
        ))
    }
}

/// Checks several fields at once; every field past its length is named.
pub fn check_lens(fields: &[(&TextField, &str)]) -> Result<(), Vec<FieldProblem>> {
    let problems: Vec<FieldProblem> = fields
        .iter()
        .filter_map(|(f, v)| f.check(v).err())
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Every free-text input of forms and the API that is kept, with its limit: one catalogue, so
/// `docs/security.md` can list them and no input is left unbounded.
pub mod fields {
    use super::{
        TextField, MAX_LINE_CHARS as LINE, MAX_LONG_TEXT_CHARS as LONG, MAX_TEXT_CHARS as TEXT,
    };

    pub const DISPLAY_NAME: TextField = TextField::new("display_name", "姓名", "name", LINE);
    pub const ORGANISATION: TextField =
        TextField::new("organisation", "单位", "organisation", LINE);
    pub const PHONE: TextField = TextField::new("phone", "电话", "phone", 50);
    pub const EMAIL: TextField = TextField::new("email", "邮箱", "e-mail", LINE);
    pub const CALL_TITLE: TextField = TextField::new("title", "标题", "title", LINE);
    pub const CALL_GUIDE: TextField = TextField::new("guide", "申报指南", "guide", LONG);
    pub const COMMENT: TextField = TextField::new("comment", "意见", "comment", TEXT);
    pub const PAYMENT_REFERENCE: TextField =
        TextField::new("reference", "支付凭证号", "payment reference", LINE);
    pub const ANSWER: TextField = TextField::new("answer", "填写内容", "answer", LONG);
    pub const EXPERT_NAME: TextField = TextField::new("name", "专家姓名", "expert's name", LINE);
    pub const AFFILIATION: TextField =
        TextField::new("affiliation", "工作单位", "affiliation", LINE);
    pub const EXPERT_FIELDS: TextField = TextField::new("fields", "专业领域", "fields", TEXT);
    pub const CONFLICTS: TextField = TextField::new("conflicts", "回避单位", "conflicts", TEXT);
    pub const PROGRAMME_NAME: TextField =
        TextField::new("name", "项目名称", "programme name", LINE);
    pub const BASIS: TextField = TextField::new("basis", "政策依据", "legal basis", TEXT);
    pub const RULE: TextField = TextField::new("rule", "规则", "rule", LONG);
    pub const DESCRIPTION: TextField = TextField::new("description", "说明", "description", TEXT);
    pub const RESOLUTION: TextField = TextField::new("resolution", "处理意见", "resolution", TEXT);
    pub const PROVIDER_NAME: TextField =
        TextField::new("name", "服务机构名称", "provider's name", LINE);
    pub const SERVICES: TextField = TextField::new("services", "服务内容", "services", TEXT);
    pub const CONTRACT_NO: TextField =
        TextField::new("contract_no", "服务合同编号", "contract no.", LINE);
    pub const INVOICE_NO: TextField = TextField::new("invoice_no", "发票号码", "invoice no.", LINE);
    pub const NOTE: TextField = TextField::new("note", "备注", "note", TEXT);
    pub const FILE_NAME: TextField = TextField::new("file_name", "文件名", "file name", 255);
}

/// A date as people type it into a form: 2018-03-05, 2018/3/5, 2018.3.5 or 2018年3月5日, in
/// full-width digits too. One reader for every date field of every page and API body, so a
/// form never refuses a date an officer wrote the usual way.
pub fn written_date(raw: &str) -> Option<chrono::NaiveDate> {
    let folded: String = raw
        .trim()
        .chars()
        .map(fold_width)
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '-' => '-',
            c => c,
        })
        .collect();
    let s = folded.trim_end_matches('日').trim();
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, max: usize| {
        (!p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(digits(y, 4)? as i32, digits(m, 2)?, digits(d, 2)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Lang;
    use proptest::prelude::*;

    #[test]
    fn dates_are_read_as_officers_write_them() {
        let d = chrono::NaiveDate::from_ymd_opt(2018, 3, 5);
        for s in [
            "2018-03-05",
            "2018-3-5",
            "2018/3/5",
            "2018/03/05",
            "2018.3.5",
            "2018年3月5日",
            "2018年03月05日",
            " ２０１８年３月５日 ",
            "２０１８／３／５",
        ] {
            assert_eq!(written_date(s), d, "{s}");
        }
        for bad in [
            "",
            "2018",
            "2018-02-30",
            "18/3/5",
            "2018-3-5-1",
            "明年",
            "2018-003-05",
            "2018年3月",
        ] {
            assert_eq!(written_date(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_day_reads_back_in_each_written_form(days in 0i64..80_000) {
            let d = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("epoch") + chrono::Days::new(days as u64);
            use chrono::Datelike;
            for s in [
                d.format("%Y-%m-%d").to_string(),
                format!("{}/{}/{}", d.year(), d.month(), d.day()),
                format!("{}.{}.{}", d.year(), d.month(), d.day()),
                format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            ] {
                prop_assert_eq!(written_date(&s), Some(d));
            }
        }
    }

    #[test]
    fn full_width_forms_fold_to_ascii() {
        let folded: String = "１２３ＡＢｃ－！".chars().map(fold_width).collect();
        assert_eq!(folded, "123ABc-!");
        assert_eq!(fold_width('韶'), '韶');
        assert_eq!(fold_width('\u{3000}'), '\u{3000}');
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let name = fields::CALL_TITLE;
        assert!(name.check(&"韶".repeat(200)).is_ok());
        let p = name.check(&"韶".repeat(201)).expect_err("too long");
        assert_eq!(p.field, "title");
        assert_eq!(p.code(), "too_long");
        assert_eq!(
            p.message(Lang::En),
            "title is too long: at most 200 characters, got 201"
        );
        assert!(p.message(Lang::Zh).starts_with("「标题」过长"));
        let short = TextField::new("b", "乙", "b", 5);
        let none = TextField::new("c", "丙", "c", 0);
        let all = check_lens(&[(&fields::NOTE, "ok"), (&short, "too long"), (&none, "x")])
            .expect_err("two too long");
        let keys: Vec<_> = all.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(keys, ["b", "c"]);
    }
}
