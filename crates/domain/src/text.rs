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

/// A name, a title, a reference number, a contact: one line.
pub const MAX_LINE_CHARS: usize = 200;
/// A comment, a reason, a description: a few paragraphs.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// A programme's rule expression or a form's long answer.
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;

crate::problems! {
    /// A text field past its length.
    pub enum TextProblem {
        TooLong { max: usize, chars: usize } = "too_long" {
            zh: "过长：最多 {max} 个字符，收到 {chars} 个",
            en: "too long: at most {max} characters, got {chars}",
        },
    }
}

/// Checks one field's length in characters (not bytes: a Chinese character counts one).
pub fn check_len(field: &str, value: &str, max: usize) -> Result<(), FieldProblem> {
    // Counting stops just past the limit, so a huge value costs no more than a valid one.
    let chars = value.chars().take(max + 1).count();
    if chars > max {
        return Err(FieldProblem::new(
            field,
            TextProblem::TooLong {
                max,
                chars: value.chars().count(),
            },
        ));
    }
    Ok(())
}

/// Checks several fields at once, each against its own limit; every field past it is named.
pub fn check_lens(fields: &[(&str, &str, usize)]) -> Result<(), Vec<FieldProblem>> {
    let problems: Vec<FieldProblem> = fields
        .iter()
        .filter_map(|(f, v, max)| check_len(f, v, *max).err())
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Lang;

    #[test]
    fn full_width_forms_fold_to_ascii() {
        let folded: String = "１２３ＡＢｃ－！".chars().map(fold_width).collect();
        assert_eq!(folded, "123ABc-!");
        assert_eq!(fold_width('韶'), '韶');
        assert_eq!(fold_width('\u{3000}'), '\u{3000}');
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(check_len("name", &"韶".repeat(200), MAX_LINE_CHARS).is_ok());
        let p = check_len("name", &"韶".repeat(201), MAX_LINE_CHARS).expect_err("too long");
        assert_eq!(p.field, "name");
        assert_eq!(p.code(), "too_long");
        assert!(p.problem.message(Lang::En).contains("at most 200"));
        let all = check_lens(&[("a", "ok", 5), ("b", "too long", 5), ("c", "x", 0)])
            .expect_err("two too long");
        let fields: Vec<_> = all.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["b", "c"]);
    }
}
