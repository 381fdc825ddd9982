//! Reading the files a bureau receives (CSV in UTF-8 or GBK, XLSX, XLS) into validated rows,
//! and writing the same formats back out.
//!
//! A file is read whole and every problem is collected, each with its row (as the officer
//! sees it in Excel), column, value and what is wrong: one pass shows everything to fix.

pub mod export;
pub mod finance;
mod fingerprint;
pub mod observations;
pub mod patents;
pub mod rd;
pub mod registries;
pub mod table;

use serde::Serialize;
use std::fmt;

/// Validates a part of a registry file of the kind (parts after the first start with the
/// header row). The patent list is parsed with the registries' helpers, by its own module.
pub fn parse_registry(
    kind: registries::Kind,
    table: &[table::Row],
    ctx: &registries::Context<'_>,
) -> registries::Parsed {
    use registries::Kind;
    match kind {
        Kind::Enterprises => registries::parse_enterprises(table, ctx),
        Kind::Certificates => registries::parse_certificates(table, ctx),
        Kind::Platforms => registries::parse_platforms(table, ctx),
        Kind::Facts => registries::parse_facts(table, ctx),
        Kind::Patents => patents::parse_patents(table, ctx),
    }
}

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

/// What a file may hold before it is refused. Each limit is named, with its value, in the
/// message that refuses a file, and listed in `docs/security.md`.
pub mod limits {
    /// The largest file accepted, as sent.
    pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
    /// What a spreadsheet may inflate to, all its parts together.
    pub const MAX_INFLATED_BYTES: u64 = 768 * 1024 * 1024;
    /// Parts (files) inside a spreadsheet's archive.
    pub const MAX_PARTS: usize = 4096;
    /// The longest run of text between two XML tags, or inside one: a cell at Excel's limit,
    /// every character taking the most bytes UTF-8 and escaping can give it.
    pub const MAX_XML_RUN: usize = 32_767 * 6 + 1024;
    /// Distinct strings a workbook may declare (Excel's shared-string table).
    pub const MAX_SHARED_STRINGS: u64 = 4_000_000;
    /// Rows of a sheet or a CSV file: Excel's own limit.
    pub const MAX_ROWS: usize = 1_048_576;
    /// Columns a row may reach: far more than any list the bureau imports has.
    pub const MAX_COLUMNS: usize = 256;
    /// Characters in one cell: Excel's own limit.
    pub const MAX_CELL_CHARS: usize = 32_767;
    /// Merged areas of a sheet.
    pub const MAX_MERGED_AREAS: usize = 100_000;
    /// Cells an old-format (.xls) sheet may span, first to last used cell.
    pub const MAX_XLS_AREA: u64 = 4_000_000;
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
        Malformed { row: usize, reason: String } = "malformed_row" {
            zh: "第{row}行无法读取：{reason}", en: "row {row} cannot be read: {reason}",
        },
        NoSheet = "no_worksheet" { zh: "工作簿没有工作表", en: "the workbook has no worksheet" },
        TooBig { limit_mb: u64 } = "file_too_large" {
            zh: "文件超过 {limit_mb} MB 的上限", en: "the file is larger than the limit of {limit_mb} MB",
        },
        Inflates { part: String, limit_mb: u64 } = "file_inflates_too_far" {
            zh: "文件解压后超过 {limit_mb} MB 的上限（在 {part} 处）",
            en: "the file inflates past the limit of {limit_mb} MB (at {part})",
        },
        TooManyParts { limit: usize } = "too_many_parts" {
            zh: "文件内部的组成部分超过 {limit} 个", en: "the file has more than {limit} parts inside",
        },
        RunTooLong { part: String, limit: usize } = "xml_run_too_long" {
            zh: "{part} 中有一段内容超过 {limit} 字节，超出任何单元格可能的长度",
            en: "{part} holds a run of more than {limit} bytes, longer than any cell can be",
        },
        TooManyStrings { declared: String, limit: u64 } = "too_many_strings" {
            zh: "工作簿声明了 {declared} 个不同的字符串，上限为 {limit}",
            en: "the workbook declares {declared} distinct strings; the limit is {limit}",
        },
        TooManyRows { row: usize, limit: usize } = "too_many_rows" {
            zh: "第 {row} 行超出行数上限 {limit}", en: "row {row} is past the limit of {limit} rows",
        },
        ColumnPastLimit { cell: String, limit: usize } = "column_past_limit" {
            zh: "单元格 {cell} 超出列数上限 {limit}", en: "cell {cell} is past the limit of {limit} columns",
        },
        CellTooLong { cell: String, limit: usize } = "cell_too_long" {
            zh: "单元格 {cell} 超过 {limit} 个字符", en: "cell {cell} holds more than {limit} characters",
        },
        TooManyMerged { limit: usize } = "too_many_merged_areas" {
            zh: "工作表的合并单元格区域超过 {limit} 个", en: "the sheet has more than {limit} merged areas",
        },
        SheetTooLarge { from: String, to: String, limit: u64 } = "sheet_too_large" {
            zh: "工作表从 {from} 到 {to}，超过 {limit} 个单元格的上限",
            en: "the sheet spans {from} to {to}, more than the limit of {limit} cells",
        },
        Write { path: String, reason: String } = "unwritable_file" {
            zh: "无法写入文件 {path}：{reason}", en: "cannot write file {path}: {reason}",
        },
    }
}
