//! Writing tables in the import formats (same headers), so an export re-imports unchanged.

use crate::IngestError;
use rust_xlsxwriter::Workbook;
use std::path::Path;

/// A table to write: headers and rows of text, with the columns that hold numbers (written as
/// numbers in XLSX so Excel can sum them; codes and dates stay text so "440203" keeps its form).
pub struct Table<'a> {
    pub sheet: &'a str,
    pub headers: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
    pub numeric: &'a [usize],
}

/// A CSV cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return first) gets a leading apostrophe, which spreadsheets show as text and
/// [`crate::table::restore_cell`] removes on import; a plain number (`-5`) is left alone.
pub fn defuse_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The longest text a spreadsheet cell holds (Excel's own limit); longer text is cut, with an
/// ellipsis, rather than refused by the writer.
fn fit_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = crate::limits::MAX_CELL_CHARS;
    if cell.len() <= MAX || cell.chars().count() <= MAX {
        std::borrow::Cow::Borrowed(cell)
    } else {
        let mut cut: String = cell.chars().take(MAX - 1).collect();
        cut.push('…');
        std::borrow::Cow::Owned(cut)
    }
}

pub fn write_csv(out: &mut dyn std::io::Write, t: &Table<'_>) -> Result<(), IngestError> {
    let err = |e: &dyn std::fmt::Display| IngestError::Write {
        path: "-".into(),
        reason: e.to_string(),
    };
    // A BOM makes Excel in China open the UTF-8 file with the right encoding.
    out.write_all(b"\xEF\xBB\xBF").map_err(|e| err(&e))?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(t.headers).map_err(|e| err(&e))?;
    for r in &t.rows {
        w.write_record(r.iter().map(|c| defuse_cell(c).into_owned()))
            .map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))?;
    Ok(())
}

fn workbook(t: &Table<'_>) -> Result<Workbook, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(t.sheet)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 16)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let rr = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match (t.numeric.contains(&c), cell.parse::<f64>()) {
                (true, Ok(v)) => ws.write_number(rr, c as u16, v)?,
                _ => ws.write_string(rr, c as u16, fit_cell(cell))?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb)
}

pub fn write_xlsx(path: &Path, t: &Table<'_>) -> Result<(), IngestError> {
    let err = |e: rust_xlsxwriter::XlsxError| IngestError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    workbook(t).and_then(|mut wb| wb.save(path)).map_err(err)
}

/// The headers of a validation report, as officers read it beside their file.
pub const REPORT_HEADERS: [&str; 4] = ["行号 (row)", "列 (column)", "值 (value)", "问题 (problem)"];

/// A validation report as a table, so it can be written or downloaded like any export.
pub fn report_table(problems: &[crate::RowProblem]) -> Table<'static> {
    Table {
        sheet: "校验报告",
        headers: &REPORT_HEADERS,
        rows: problems
            .iter()
            .map(|p| {
                vec![
                    p.row.to_string(),
                    p.column.clone(),
                    p.value.clone(),
                    p.problem.clone(),
                ]
            })
            .collect(),
        numeric: &[0],
    }
}

/// A blank file to fill in for an import of `kind` (enterprises, certificates, platforms,
/// facts, observations): the headers the importer reads, in its order, and one example row.
/// The example's credit code (or figure) starts with 示例, so a template sent back unedited is
/// refused rather than imported.
pub fn template(kind: &str) -> Option<Table<'static>> {
    use crate::registries::{
        CERTIFICATE_HEADERS, ENTERPRISE_HEADERS, FACT_HEADERS, PLATFORM_HEADERS,
    };
    const CODE: &str = "示例：91440203MA4W000000";
    let (headers, example): (&'static [&'static str], Vec<&str>) = match kind {
        "enterprises" => (
            &ENTERPRISE_HEADERS,
            vec![
                CODE,
                "韶关市某某科技有限公司",
                "武江区",
                "韶关市武江区某某路1号",
                "C3985",
                "2015-06-01",
                "小型",
                "是",
                "电子信息",
                "张三 0751-8888888",
            ],
        ),
        "certificates" => (
            &CERTIFICATE_HEADERS,
            vec![
                "高新技术企业",
                "GR201844000001",
                CODE,
                "",
                "2018-11-28",
                "2018年第一批",
                "",
            ],
        ),
        "platforms" => (
            &PLATFORM_HEADERS,
            vec![
                "韶关市某某工程技术研究中心",
                "工程技术研究中心",
                "省级",
                "武江区",
                "2018-12-01",
                "粤科函〔2018〕1号",
                "韶关市某某科技有限公司",
                CODE,
                "",
            ],
        ),
        "facts" => (
            &FACT_HEADERS,
            vec![CODE, "2018", "5000", "300", "120", "30", "5", "2000", "是"],
        ),
        "patents" => (
            &crate::patents::PATENT_HEADERS,
            vec![
                "201810123456.5",
                "一种硬质合金刀具及其制备方法",
                "发明",
                "2018-03-01",
                "2020-05-12",
                "韶关市某某科技有限公司",
                CODE,
                "武江区",
                "有效",
                "",
            ],
        ),
        "observations" => (
            &crate::observations::HEADERS,
            vec![
                "gdp",
                "440203",
                "2018",
                "示例：321.5",
                "韶关统计年鉴2019",
                "",
            ],
        ),
        "pool-members" => (
            &crate::finance::MEMBER_HEADERS,
            vec![
                CODE,
                "韶关市某某科技有限公司",
                "2018-05-10",
                "",
                "韶关农村商业银行",
            ],
        ),
        "rd-survey" => (
            &crate::rd::SURVEY_TEMPLATE_HEADERS,
            vec![
                "2019",
                CODE,
                "韶关市某某科技有限公司",
                "12",
                "180.5",
                "96",
                "40",
                "12.5",
                "2",
                "10",
                "8",
                "12",
                "0",
                "",
            ],
        ),
        "super-deduction" => (
            &crate::rd::DEDUCTION_TEMPLATE_HEADERS,
            vec!["2019", CODE, "韶关市某某科技有限公司", "150"],
        ),
        "rd-training" => (
            &crate::rd::TRAINING_HEADERS,
            vec![
                "2019-11-05",
                "2019年研发统计业务培训班",
                "武江区",
                CODE,
                "韶关市某某科技有限公司",
            ],
        ),
        "loans" => (
            &crate::finance::LOAN_HEADERS,
            vec![
                "示例：HT2018-001",
                CODE,
                "韶关市某某科技有限公司",
                "韶关农村商业银行",
                "2018-06-01",
                "2019-05-31",
                "200",
                "150",
                "正常",
                "信用",
            ],
        ),
        _ => return None,
    };
    Some(Table {
        sheet: "导入模板",
        headers,
        rows: vec![example.into_iter().map(str::to_owned).collect()],
        numeric: &[],
    })
}

/// The workbook as bytes, for a download.
pub fn xlsx_bytes(t: &Table<'_>) -> Result<Vec<u8>, IngestError> {
    workbook(t)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(|e| IngestError::Write {
            path: "-".into(),
            reason: e.to_string(),
        })
}

/// The CSV as bytes, for a download.
pub fn csv_bytes(t: &Table<'_>) -> Result<Vec<u8>, IngestError> {
    let mut buf = Vec::new();
    write_csv(&mut buf, t)?;
    Ok(buf)
}

/// Writes to `out` by its extension (.xlsx, else CSV), or CSV to standard output.
pub fn write(out: Option<&Path>, t: &Table<'_>) -> Result<(), IngestError> {
    match out {
        Some(p)
            if p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) =>
        {
            write_xlsx(p, t)
        }
        Some(p) => {
            let mut f = std::fs::File::create(p).map_err(|e| IngestError::Write {
                path: p.display().to_string(),
                reason: e.to_string(),
            })?;
            write_csv(&mut f, t)
        }
        None => write_csv(&mut std::io::stdout().lock(), t),
    }
}

/// A CSV written row by row, for files too large to hold in memory (benchmarks, big exports).
pub struct CsvSink {
    writer: csv::Writer<std::io::BufWriter<std::fs::File>>,
    path: std::path::PathBuf,
}

impl CsvSink {
    pub fn create(path: &Path, headers: &[&str]) -> Result<Self, IngestError> {
        let err = |e: &dyn std::fmt::Display| IngestError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| err(&e))?);
        std::io::Write::write_all(&mut file, b"\xEF\xBB\xBF").map_err(|e| err(&e))?;
        let mut writer = csv::Writer::from_writer(file);
        writer.write_record(headers).map_err(|e| err(&e))?;
        Ok(Self {
            writer,
            path: path.to_owned(),
        })
    }

    pub fn row(&mut self, cells: &[&str]) -> Result<(), IngestError> {
        self.writer
            .write_record(cells.iter().map(|c| defuse_cell(c).into_owned()))
            .map_err(|e| IngestError::Write {
                path: self.path.display().to_string(),
                reason: e.to_string(),
            })
    }

    pub fn finish(mut self) -> Result<(), IngestError> {
        self.writer.flush().map_err(|e| IngestError::Write {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        })
    }
}

/// A sheet of a report in the style of a government 附表: a merged title row over the table,
/// bold headers, numbers as numbers, and a page set up for A4 (landscape, fit to width, the
/// header rows repeated on every page, page numbers in the footer).
pub struct ReportSheet {
    pub name: String,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<ReportCell>>,
    /// Column widths in characters; the rest are 12.
    pub widths: Vec<f64>,
}

/// A cell of a report: text, or a number shown with the given decimals.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCell {
    Text(String),
    Number(f64, u8),
    Empty,
}

/// The workbook of a report, as bytes; `footer` is printed at the foot of every page before
/// its page number.
pub fn report_xlsx(sheets: &[ReportSheet], footer: &str) -> Result<Vec<u8>, IngestError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};
    let err = |e: rust_xlsxwriter::XlsxError| IngestError::Write {
        path: "report.xlsx".into(),
        reason: e.to_string(),
    };
    let mut wb = Workbook::new();
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("#DCE6F1");
    let text = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let numbers: Vec<Format> = (0..=4u8)
        .map(|d| {
            let pattern = if d == 0 {
                "#,##0".to_owned()
            } else {
                format!("#,##0.{}", "0".repeat(usize::from(d)))
            };
            Format::new()
                .set_num_format(pattern)
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter)
        })
        .collect();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(err)?;
        let last = s.headers.len().saturating_sub(1) as u16;
        ws.merge_range(0, 0, 0, last, &s.title, &title)
            .map_err(err)?;
        ws.set_row_height(0, 28).map_err(err)?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &head)
                .map_err(err)?;
            ws.set_column_width(c as u16, s.widths.get(c).copied().unwrap_or(12.0))
                .map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let rr = r as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    ReportCell::Text(t) => {
                        ws.write_string_with_format(rr, c, fit_cell(t), &text)
                            .map_err(err)?;
                    }
                    ReportCell::Number(v, d) if v.is_finite() => {
                        let f = &numbers[usize::from((*d).min(4))];
                        ws.write_number_with_format(rr, c, *v, f).map_err(err)?;
                    }
                    _ => {
                        ws.write_string_with_format(rr, c, "", &text).map_err(err)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(2, 0).map_err(err)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, 1).map_err(err)?;
        ws.set_footer(format!("&L{footer}&R第 &P 页，共 &N 页"));
    }
    wb.save_to_buffer().map_err(err)
}
