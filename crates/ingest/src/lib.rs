//! Reading the files a bureau receives (CSV in UTF-8 or GBK, XLSX, XLS) into validated rows,
//! and writing the same formats back out.
//!
//! A file is read whole and every problem is collected, each with its row (as the officer
//! sees it in Excel), column, value and what is wrong: one pass shows everything to fix.

pub mod export;
pub mod observations;
pub mod registries;
pub mod table;

use serde::Serialize;
use std::fmt;

/// One problem with one cell (or a whole row, where `column` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The 1-based row number as shown by Excel or a text editor.
    pub row: usize,
    pub column: String,
    pub value: String,
    pub problem: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "第{}行 (row {}), 列 (column) {}, 值 (value) '{}': {}",
            self.row, self.row, self.column, self.value, self.problem
        )
    }
}

kechuang_domain::problems! {
    /// A file that cannot be read or written at all (row problems are reported by row).
    pub enum IngestError {
        Read { path: String, reason: String } = "unreadable_file" {
            zh: "无法读取文件 {path}：{reason}", en: "cannot read file {path}: {reason}",
        },
        UnsupportedType { name: String } = "unsupported_file_type" {
            zh: "不支持的文件类型 '{name}'：请使用 .csv、.xlsx 或 .xls",
            en: "unsupported file type '{name}': use .csv, .xlsx or .xls",
        },
        Empty = "empty_file" { zh: "文件为空", en: "the file is empty" },
        Write { path: String, reason: String } = "unwritable_file" {
            zh: "无法写入文件 {path}：{reason}", en: "cannot write file {path}: {reason}",
        },
    }
}

kechuang_domain::problems! {
    /// A row the reader cannot take apart, such as a CSV row with a broken quote.
    pub enum RowError {
        Malformed { row: usize, reason: String } = "malformed_row" {
            zh: "第{row}行无法读取：{reason}", en: "row {row} cannot be read: {reason}",
        },
    }
}
