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

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("无法读取文件 {path} (cannot read file): {reason}")]
    Read { path: String, reason: String },
    #[error("不支持的文件类型 '{0}'：请使用 .csv、.xlsx 或 .xls (unsupported file type)")]
    UnsupportedType(String),
    #[error("无法写入文件 {path} (cannot write file): {reason}")]
    Write { path: String, reason: String },
}
