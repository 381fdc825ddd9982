//! A spreadsheet or CSV file as rows of text cells, whatever it was saved as, read within the
//! limits of [`crate::limits`]: a file is never trusted to say how large it is. An XLSX
//! archive is inflated once, counting, before any reader sees it; its sheet is then read cell by
//! cell on a thread of its own, a row at a time, so memory holds what the caller keeps, not the
//! sheet. An old XLS file is scanned for the area its cells span before it is parsed.

use crate::limits::*;
use crate::IngestError;
use calamine::{open_workbook, Data, DataRef, Dimensions, Reader, Xls, Xlsx};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// A row of cells with the row number the officer sees in the original file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

pub fn read_table(path: &Path) -> Result<Vec<Row>, IngestError> {
    RowSource::open(path)?.rows().collect()
}

/// A file's rows, produced as they are asked for: a UTF-8 CSV file is read from disk as its
/// rows are asked for, and an XLSX sheet is streamed, so a million-row list never exists as a
/// million rows of strings at once. GBK text is decoded once and split into rows lazily; an XLS
/// sheet, small by its format, is read whole.
pub enum RowSource {
    /// A CSV file found to be UTF-8 throughout when opened; `skip` passes its byte-order mark.
    /// Held whole, a province's 144 MB patent list stayed in memory for the whole import.
    CsvFile {
        path: PathBuf,
        skip: u64,
    },
    /// CSV text decoded from GBK (GB18030).
    Csv(String),
    Xlsx {
        path: PathBuf,
        sheet: String,
        merged: Vec<Dimensions>,
    },
    Sheet(Vec<Row>),
}

/// The row type an iterator of a source yields.
pub type Rows<'a> = Box<dyn Iterator<Item = Result<Row, IngestError>> + Send + 'a>;

impl RowSource {
    /// Opens a file that was sent: larger than [`MAX_FILE_BYTES`] is refused unread.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        Self::open_within(path, Some(MAX_FILE_BYTES))
    }

    /// Opens a file with a size limit, or none for a file the operator names on the server
    /// (a province's registry runs past any upload limit). The other limits — rows, cells,
    /// what a spreadsheet inflates to — hold either way.
    pub fn open_within(path: &Path, max_bytes: Option<u64>) -> Result<Self, IngestError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let read_err = |reason: String| IngestError::Read {
            path: file_label(path),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| read_err(e.to_string()))?
            .len();
        if let Some(limit) = max_bytes.filter(|l| size > *l) {
            return Err(IngestError::TooBig {
                limit_mb: limit >> 20,
            });
        }
        match ext.as_str() {
            "csv" | "txt" => {
                if let Some(skip) = utf8_file(path).map_err(|e| read_err(e.to_string()))? {
                    return Ok(Self::CsvFile {
                        path: path.to_owned(),
                        skip,
                    });
                }
                let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
                Ok(Self::Csv(decode_csv(bytes).map_err(read_err)?))
            }
            "xlsx" | "xlsm" => {
                check_archive(path)?;
                let mut wb: Xlsx<_> = open_workbook(path)
                    .map_err(|e: calamine::XlsxError| read_err(e.to_string()))?;
                let sheet = wb
                    .sheet_names()
                    .first()
                    .cloned()
                    .ok_or(IngestError::NoSheet)?;
                let merged = wb
                    .merge_cells_by_sheet_name(&sheet)
                    .map_err(|e| read_err(e.to_string()))?;
                if merged.len() > MAX_MERGED_AREAS {
                    return Err(IngestError::TooManyMerged {
                        limit: MAX_MERGED_AREAS,
                    });
                }
                Ok(Self::Xlsx {
                    path: path.to_owned(),
                    sheet,
                    merged,
                })
            }
            "xls" => {
                check_xls_area(path)?;
                let mut wb: Xls<_> =
                    open_workbook(path).map_err(|e: calamine::XlsError| read_err(e.to_string()))?;
                let range = wb
                    .worksheet_range_at(0)
                    .ok_or(IngestError::NoSheet)?
                    .map_err(|e| read_err(e.to_string()))?;
                let merged = wb
                    .merge_cells_by_sheet_id(0)
                    .map_err(|e| read_err(e.to_string()))?;
                let rows = sheet_rows(&range, &merged);
                check_cells(&rows)?;
                Ok(Self::Sheet(rows))
            }
            other => Err(IngestError::UnsupportedType {
                name: other.to_owned(),
            }),
        }
    }

    pub fn rows(&self) -> Rows<'_> {
        match self {
            Self::Sheet(rows) => Box::new(rows.iter().cloned().map(Ok)),
            Self::Csv(text) => Box::new(csv_rows(text.as_bytes())),
            Self::CsvFile { path, skip } => {
                let opened = std::fs::File::open(path).and_then(|mut f| {
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(*skip))?;
                    Ok(f)
                });
                match opened {
                    Ok(f) => Box::new(csv_rows(f)),
                    Err(e) => Box::new(std::iter::once(Err(IngestError::Read {
                        path: file_label(path),
                        reason: e.to_string(),
                    }))),
                }
            }
            Self::Xlsx {
                path,
                sheet,
                merged,
            } => stream_xlsx(path.clone(), sheet.clone(), merged.clone()),
        }
    }
}

/// A file's name for a message: never the server's directories.
fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Excel's name for a cell, from 0-based row and column: (0, 0) is A1.
pub fn cell_ref(row: usize, col: usize) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Inflates every part of an XLSX archive once, counting, before any reader trusts it: the
/// total inflated size, the number of parts, the longest run of text in an XML part (what an
/// XML reader must hold at once) and the number of distinct strings the workbook declares
/// (which the spreadsheet reader reserves room for).
fn check_archive(path: &Path) -> Result<(), IngestError> {
    check_archive_within(path, MAX_INFLATED_BYTES)
}

fn check_archive_within(path: &Path, max_inflated: u64) -> Result<(), IngestError> {
    let read_err = |reason: String| IngestError::Read {
        path: file_label(path),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| read_err(e.to_string()))?;
    let mut zip =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| read_err(e.to_string()))?;
    if zip.len() > MAX_PARTS {
        return Err(IngestError::TooManyParts { limit: MAX_PARTS });
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| read_err(e.to_string()))?;
        let name: String = part
            .name()
            .map(|n| n.chars().take(80).collect())
            .unwrap_or_default();
        let xml = name.ends_with(".xml") || name.ends_with(".rels");
        let strings = name.ends_with("sharedStrings.xml");
        let mut run = 0usize;
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = part.read(&mut buf).map_err(|e| read_err(e.to_string()))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > max_inflated {
                return Err(IngestError::Inflates {
                    part: name,
                    limit_mb: max_inflated >> 20,
                });
            }
            if strings && head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
            if xml {
                for &b in &buf[..n] {
                    if b == b'<' || b == b'>' {
                        run = 0;
                    } else {
                        run += 1;
                        if run > MAX_XML_RUN {
                            return Err(IngestError::RunTooLong {
                                part: name,
                                limit: MAX_XML_RUN,
                            });
                        }
                    }
                }
            }
        }
        if strings {
            check_shared_strings(&head)?;
        }
    }
    Ok(())
}

/// The `uniqueCount` of a shared-string table's opening tag, refused past the limit.
fn check_shared_strings(head: &[u8]) -> Result<(), IngestError> {
    let text = String::from_utf8_lossy(head);
    let Some(at) = text.find("uniqueCount=") else {
        return Ok(());
    };
    let declared: String = text[at + "uniqueCount=".len()..]
        .chars()
        .skip(1)
        .take_while(|c| *c != '"' && *c != '\'')
        .take(40)
        .collect();
    let n: u64 = declared.trim().parse().unwrap_or(u64::MAX);
    if n > MAX_SHARED_STRINGS {
        return Err(IngestError::TooManyStrings {
            declared,
            limit: MAX_SHARED_STRINGS,
        });
    }
    Ok(())
}

/// Scans an XLS file's records for the area its sheets' cells and declared dimensions span,
/// before the spreadsheet reader allocates for it.
fn check_xls_area(path: &Path) -> Result<(), IngestError> {
    let read_err = |reason: String| IngestError::Read {
        path: file_label(path),
        reason,
    };
    let mut cfb = cfb::open(path).map_err(|e| read_err(e.to_string()))?;
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|s| cfb.is_stream(s))
        .ok_or_else(|| read_err("no workbook stream".into()))?;
    let mut bytes = Vec::new();
    cfb.open_stream(stream)
        .and_then(|mut s| s.read_to_end(&mut bytes))
        .map_err(|e| read_err(e.to_string()))?;
    // (first row, last row, first column, last column) of the sheet being read.
    let mut area: Option<(u64, u64, u64, u64)> = None;
    let check = |a: Option<(u64, u64, u64, u64)>| -> Result<(), IngestError> {
        if let Some((r0, r1, c0, c1)) = a {
            let cells = (r1 - r0 + 1).saturating_mul(c1 - c0 + 1);
            if cells > MAX_XLS_AREA {
                return Err(IngestError::SheetTooLarge {
                    from: cell_ref(r0 as usize, c0 as usize),
                    to: cell_ref(r1 as usize, c1 as usize),
                    limit: MAX_XLS_AREA,
                });
            }
        }
        Ok(())
    };
    let mut at = 0usize;
    while at + 4 <= bytes.len() {
        let kind = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let len = usize::from(u16::from_le_bytes([bytes[at + 2], bytes[at + 3]]));
        let data = bytes.get(at + 4..at + 4 + len).unwrap_or(&[]);
        at += 4 + len;
        let u16_at = |i: usize| {
            data.get(i..i + 2)
                .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let u32_at = |i: usize| {
            data.get(i..i + 4)
                .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        };
        let mut widen = |r0: u64, r1: u64, c0: u64, c1: u64| {
            let (r0, r1) = (r0.min(r1), r0.max(r1));
            let (c0, c1) = (c0.min(c1), c0.max(c1));
            area = Some(match area {
                None => (r0, r1, c0, c1),
                Some((a, b, c, d)) => (a.min(r0), b.max(r1), c.min(c0), d.max(c1)),
            });
        };
        match kind {
            // BOF: a new sheet (or the workbook globals) begins.
            0x0809 => {
                check(area)?;
                area = None;
            }
            // DIMENSIONS, whose reserved room the reader allocates.
            0x0200 => {
                let dims = if len >= 14 {
                    u32_at(0).zip(u32_at(4)).zip(u16_at(8)).zip(u16_at(10))
                } else {
                    u16_at(0).zip(u16_at(2)).zip(u16_at(4)).zip(u16_at(6))
                };
                if let Some((((r0, r1), c0), c1)) = dims {
                    widen(r0, r1, c0, c1);
                }
            }
            // Cells with a row and a column: formula, blank, number, label, bool/error,
            // shared-string label, RK, rich label.
            0x0006 | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x00FD | 0x027E | 0x00D6 => {
                if let Some((r, c)) = u16_at(0).zip(u16_at(2)) {
                    widen(r, r, c, c);
                }
            }
            // MULRK, MULBLANK: a row, a first column, and the last column in the last bytes.
            0x00BD | 0x00BE if len >= 6 => {
                if let Some(((r, c0), c1)) = u16_at(0).zip(u16_at(2)).zip(u16_at(len - 2)) {
                    widen(r, r, c0, c1);
                }
            }
            _ => {}
        }
    }
    check(area)
}

/// Cell lengths and columns of rows read whole (an XLS sheet).
fn check_cells(rows: &[Row]) -> Result<(), IngestError> {
    for row in rows {
        check_row(row)?;
    }
    Ok(())
}

fn check_row(row: &Row) -> Result<(), IngestError> {
    if row.number > MAX_ROWS {
        return Err(IngestError::TooManyRows {
            row: row.number,
            limit: MAX_ROWS,
        });
    }
    if let Some(past) = row
        .cells
        .iter()
        .skip(MAX_COLUMNS)
        .position(|c| !c.is_empty())
    {
        return Err(IngestError::ColumnPastLimit {
            cell: cell_ref(row.number - 1, MAX_COLUMNS + past),
            limit: MAX_COLUMNS,
        });
    }
    if let Some(col) = row
        .cells
        .iter()
        .position(|c| c.len() > MAX_CELL_CHARS && c.chars().count() > MAX_CELL_CHARS)
    {
        return Err(IngestError::CellTooLong {
            cell: cell_ref(row.number - 1, col),
            limit: MAX_CELL_CHARS,
        });
    }
    Ok(())
}

/// Streams a sheet's rows from a thread that owns the workbook, through a short queue: the
/// reader borrows the workbook, so it cannot travel in an iterator; the thread ends when the
/// sheet does or when the caller stops asking (the queue's receiver is dropped).
fn stream_xlsx(path: PathBuf, sheet: String, merged: Vec<Dimensions>) -> Rows<'static> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Row, IngestError>>(256);
    let spawned = std::thread::Builder::new()
        .name("xlsx-reader".into())
        .spawn(move || {
            let result = read_xlsx(&path, &sheet, &merged, |row| tx.send(Ok(row)).is_ok());
            if let Err(e) = result {
                let _ = tx.send(Err(e));
            }
        });
    match spawned {
        Ok(_) => Box::new(rx.into_iter()),
        Err(e) => Box::new(std::iter::once(Err(IngestError::Read {
            path: String::new(),
            reason: e.to_string(),
        }))),
    }
}

/// Reads a sheet cell by cell, handing each finished row to `emit` (which answers whether to
/// go on). Merged areas spread their top-left value over the area, as the officer sees it.
fn read_xlsx(
    path: &Path,
    sheet: &str,
    merged: &[Dimensions],
    mut emit: impl FnMut(Row) -> bool,
) -> Result<(), IngestError> {
    let read_err = |reason: String| IngestError::Read {
        path: file_label(path),
        reason,
    };
    let mut wb: Xlsx<_> =
        open_workbook(path).map_err(|e: calamine::XlsxError| read_err(e.to_string()))?;
    let mut cells = wb
        .worksheet_cells_reader(sheet)
        .map_err(|e| read_err(e.to_string()))?;
    let mut areas = Merges::new(merged);
    let mut current: Option<Row> = None;
    loop {
        let cell = cells.next_cell().map_err(|e| read_err(e.to_string()))?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if r >= MAX_ROWS {
            return Err(IngestError::TooManyRows {
                row: r + 1,
                limit: MAX_ROWS,
            });
        }
        if current.as_ref().is_some_and(|row| row.number != r + 1) {
            if let Some(row) = current.take() {
                if !emit(areas.fill(row)) {
                    return Ok(());
                }
            }
        }
        let text = data_ref_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if c >= MAX_COLUMNS {
            return Err(IngestError::ColumnPastLimit {
                cell: cell_ref(r, c),
                limit: MAX_COLUMNS,
            });
        }
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(IngestError::CellTooLong {
                cell: cell_ref(r, c),
                limit: MAX_CELL_CHARS,
            });
        }
        let row = current.get_or_insert_with(|| Row {
            number: r + 1,
            cells: Vec::new(),
        });
        if row.cells.len() <= c {
            row.cells.resize(c + 1, String::new());
        }
        row.cells[c] = text;
    }
    if let Some(row) = current {
        emit(areas.fill(row));
    }
    Ok(())
}

/// Merged areas as rows pass: each area's value is taken from its top-left cell when that
/// row passes, then written into every cell of the area on the rows below.
struct Merges {
    /// (top, bottom, left, right), 0-based, by top row.
    areas: Vec<(usize, usize, usize, usize)>,
    next: usize,
    /// Areas that have begun and not ended, with their value.
    open: Vec<((usize, usize, usize, usize), String)>,
}

impl Merges {
    fn new(merged: &[Dimensions]) -> Self {
        let mut areas: Vec<_> = merged
            .iter()
            .map(|d| {
                (
                    d.start.0 as usize,
                    d.end.0 as usize,
                    d.start.1 as usize,
                    (d.end.1 as usize).min(MAX_COLUMNS - 1),
                )
            })
            .filter(|a| a.0 <= a.1 && a.2 <= a.3)
            .collect();
        areas.sort_unstable();
        Self {
            areas,
            next: 0,
            open: Vec::new(),
        }
    }

    fn fill(&mut self, mut row: Row) -> Row {
        let r = row.number - 1;
        self.open.retain(|(a, _)| a.1 >= r);
        // Areas whose top row was skipped (blank) start with nothing to spread.
        while let Some(&a) = self.areas.get(self.next) {
            if a.0 > r {
                break;
            }
            self.next += 1;
            if a.1 < r {
                continue;
            }
            let value = if a.0 == r {
                row.cells.get(a.2).cloned().unwrap_or_default()
            } else {
                String::new()
            };
            if !value.is_empty() {
                self.open.push((a, value));
            }
        }
        for ((_, _, left, right), value) in &self.open {
            if row.cells.len() <= *right {
                row.cells.resize(right + 1, String::new());
            }
            for cell in &mut row.cells[*left..=*right] {
                cell.clone_from(value);
            }
        }
        row
    }
}

/// CSV as saved by Excel in China is often GBK (GB18030) rather than UTF-8.
fn decode_csv(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // UTF-8 is taken as it is, without a copy: a province's list is over 100 MB.
    String::from_utf8(bytes).or_else(|e| {
        let (decoded, _, had_errors) = encoding_rs::GB18030.decode(e.as_bytes());
        if had_errors {
            return Err("文件既不是 UTF-8 也不是 GBK 编码 (neither UTF-8 nor GBK)".into());
        }
        Ok(decoded.into_owned())
    })
}

/// Whether a file is UTF-8 throughout, read a piece at a time so that a large file is never
/// held whole; if so, how many bytes its byte-order mark takes (0 or 3). The whole file is
/// checked before a row is read, as when it was decoded whole: a file is UTF-8 or GBK, never
/// read as one and then found to be the other.
fn utf8_file(path: &Path) -> std::io::Result<Option<u64>> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of a character cut at the end of the last piece, moved to the front of the next.
    let mut carry = 0;
    let mut bom = None;
    loop {
        let n = file.read(&mut buf[carry..])?;
        let end = carry + n;
        // The first read of a file holds its first bytes unless the file is shorter.
        if bom.is_none() {
            bom = Some(if buf[..end].starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            });
        }
        if n == 0 {
            // A character cut by the end of the file is not UTF-8.
            return Ok((carry == 0).then_some(bom.unwrap_or(0)));
        }
        match std::str::from_utf8(&buf[..end]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..end, 0);
                carry = end - valid;
            }
            Err(_) => return Ok(None),
        }
    }
}

fn csv_rows<'a>(
    source: impl Read + Send + 'a,
) -> impl Iterator<Item = Result<Row, IngestError>> + Send + 'a {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // Read in large pieces: a file on disk is read as its rows are asked for.
        .buffer_capacity(1 << 16)
        .from_reader(source)
        .into_records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.map_err(|e| IngestError::Malformed {
                row: e.position().map_or(i + 1, |p| p.line() as usize),
                reason: e.to_string(),
            })?;
            let number = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
            let mut row = Row {
                number,
                cells: rec.iter().map(|c| restore_cell(c).to_owned()).collect(),
            };
            check_row(&row)?;
            // Empty cells past the limit (trailing commas) carry nothing.
            row.cells.truncate(MAX_COLUMNS);
            Ok(row)
        })
}

/// Rows of a sheet as text, numbered as Excel numbers them. A merged area holds its value only
/// in its top-left cell; county lists merge 所属县区 over all of a county's rows, so every cell
/// of the area gets that value, as the officer reading the sheet sees it.
fn sheet_rows(range: &calamine::Range<Data>, merged: &[Dimensions]) -> Vec<Row> {
    // Leading empty rows are not part of the range; keep Excel's numbering anyway.
    let (first_row, first_col) = range
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap_or((0, 0));
    let mut areas = Merges::new(merged);
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Columns before the range's first are empty, as Excel shows them.
            let mut row = vec![String::new(); first_col];
            row.extend(cells.iter().map(cell_text));
            areas.fill(Row {
                number: first_row + i + 1,
                cells: row,
            })
        })
        .collect()
}

/// A CSV file's bytes as rows (UTF-8 with or without BOM, or GBK).
pub fn read_csv_bytes(bytes: &[u8]) -> Result<Vec<Row>, IngestError> {
    let text = decode_csv(bytes.to_vec()).map_err(|reason| IngestError::Read {
        path: String::new(),
        reason,
    })?;
    csv_rows(text.as_bytes()).collect()
}

fn data_ref_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_else(|| dt.as_f64().to_string()),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// Integral floats are how Excel stores "2018" or a count: print them without ".0".
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_else(|| dt.as_f64().to_string()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A cell as exported by [`crate::export::defuse_cell`] back to its value: the apostrophe that
/// kept a spreadsheet from running it as a formula is dropped.
pub fn restore_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Folds what Excel users type into what the parsers expect: full-width digits and letters,
/// ideographic spaces, stray whitespace.
pub fn normalise(s: &str) -> String {
    // Most cells are plain ASCII, which has nothing to fold.
    if s.is_ascii() {
        return s.trim().to_owned();
    }
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            _ => kechuang_domain::text::fold_width(c),
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_cell_reads_as_its_date() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        // 43432 is Excel's serial for 28 November 2018.
        let cell = Data::DateTime(ExcelDateTime::new(
            43432.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(cell_text(&cell), "2018-11-28");
    }

    #[test]
    fn gbk_csv_is_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("指标代码,数值\ngdp,1\n");
        let rows = read_csv_bytes(&bytes).expect("decodes");
        assert_eq!(rows[0].cells, vec!["指标代码", "数值"]);
        assert_eq!(rows[1].number, 2);
    }

    /// Rows of a CSV file opened from disk, and whether it was read from disk as it went.
    fn file_rows(bytes: &[u8]) -> (Vec<Row>, bool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("list.csv");
        std::fs::write(&path, bytes).expect("write");
        let source = RowSource::open(&path).expect("opens");
        let streamed = matches!(source, RowSource::CsvFile { .. });
        let rows = source.rows().collect::<Result<Vec<_>, _>>().expect("rows");
        (rows, streamed)
    }

    #[test]
    fn a_utf8_file_is_read_from_disk_across_its_pieces() {
        // A byte-order mark, then enough rows that 科 (three bytes) begins at the last byte
        // of the first 1 MiB piece the check reads, and is cut by its end.
        let mut text = String::from("\u{feff}名称,数值\n");
        while text.len() < (1 << 20) - 2 {
            text.push_str("a,1\n");
        }
        text.truncate((1 << 20) - 2);
        text.push_str("\n科技,2\n");
        assert_eq!(text.find('科'), Some((1 << 20) - 1));
        let (rows, streamed) = file_rows(text.as_bytes());
        assert!(streamed, "UTF-8 is read as it goes");
        assert_eq!(
            rows[0].cells,
            vec!["名称", "数值"],
            "the mark is not in a cell"
        );
        let last = rows.last().expect("rows");
        assert_eq!(last.cells, vec!["科技", "2"]);
        assert_eq!(last.number, rows.len());
    }

    #[test]
    fn a_file_utf8_until_its_end_is_read_as_gbk() {
        // ASCII, which UTF-8 and GBK read alike, for more than a piece, then a GBK name: the
        // whole file is judged first, so it is decoded as GBK.
        let mut bytes = b"code,value\n".to_vec();
        while bytes.len() < (1 << 20) + 10 {
            bytes.extend_from_slice(b"a,1\n");
        }
        let (gbk_tail, _, _) = encoding_rs::GBK.encode("科技,2\n");
        bytes.extend_from_slice(&gbk_tail);
        let (rows, streamed) = file_rows(&bytes);
        assert!(!streamed, "GBK is decoded whole");
        assert_eq!(rows[0].cells, vec!["code", "value"]);
        assert_eq!(rows.last().expect("rows").cells, vec!["科技", "2"]);

        // A character cut by the end of the file is not UTF-8 either.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cut.csv");
        // 科 takes bytes 14 to 16; the file ends after its second.
        std::fs::write(&path, &"名称,数值\n科".as_bytes()[..16]).expect("write");
        assert_eq!(utf8_file(&path).expect("reads"), None);
    }

    #[test]
    fn merged_cells_are_filled_across_their_area() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("merged.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let plain = rust_xlsxwriter::Format::new();
        // A title merged over the columns, then 所属县区 merged down a county's rows.
        sheet
            .merge_range(0, 0, 0, 2, "韶关市高新技术企业名单", &plain)
            .expect("title");
        for (c, h) in ["所属县区", "企业名称", "证书编号"].iter().enumerate() {
            sheet.write(1, c as u16, *h).expect("header");
        }
        sheet
            .merge_range(2, 0, 4, 0, "武江区", &plain)
            .expect("merge");
        for r in 2..5u32 {
            sheet.write(r, 1, format!("企业{r}")).expect("name");
        }
        sheet.write(5, 0, "浈江区").expect("county");
        book.save(&path).expect("save");

        let rows = read_table(&path).expect("reads");
        let county: Vec<&str> = rows.iter().map(|r| r.cells[0].as_str()).collect();
        assert_eq!(
            county,
            [
                "韶关市高新技术企业名单",
                "所属县区",
                "武江区",
                "武江区",
                "武江区",
                "浈江区"
            ]
        );
        assert_eq!(rows[0].cells[2], "韶关市高新技术企业名单");
        assert_eq!(rows[4].number, 5);
        assert_eq!(rows[4].cells[1], "企业4");
    }

    use kechuang_domain::problem::Problem;
    use std::io::Write;

    /// An XLSX file of the given parts, each written as it is given.
    fn archive(path: &Path, parts: &[(&str, &[u8])]) {
        let file = std::fs::File::create(path).expect("create");
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            zip.start_file(*name, opts).expect("part");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
    }

    #[test]
    fn a_cell_far_out_is_refused_where_it_is_without_reading_the_declared_sheet() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("far.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "统一社会信用代码").expect("a1");
        sheet.write(1_048_575, 16_383, "x").expect("xfd");
        book.save(&path).expect("save");
        let e = read_table(&path).expect_err("refused");
        assert_eq!(e.code(), "column_past_limit");
        assert!(
            e.message(kechuang_domain::problem::Lang::En)
                .contains("XFD1048576"),
            "{e}"
        );

        // The last row of Excel within the columns is read: two rows, not a million.
        let path = dir.path().join("tall.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "a").expect("a1");
        sheet.write(1_048_575, 255, "z").expect("iv");
        book.save(&path).expect("save");
        let rows = read_table(&path).expect("reads");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].number, 1_048_576);
        assert_eq!(rows[1].cells[255], "z");
    }

    #[test]
    fn an_archive_that_inflates_too_far_is_refused_naming_the_part() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bomb.xlsx");
        let cells = b"<c><v>0</v></c>".repeat(200_000);
        archive(&path, &[("xl/worksheets/sheet1.xml", &cells)]);
        assert!(std::fs::metadata(&path).expect("size").len() < 64 * 1024);
        let e = check_archive_within(&path, 2 << 20).expect_err("refused");
        assert_eq!(e.code(), "file_inflates_too_far");
        assert!(e.to_string().contains("xl/worksheets/sheet1.xml"), "{e}");
        assert!(check_archive_within(&path, 8 << 20).is_ok());
        // Text between tags longer than any cell can be is refused at once.
        let path = dir.path().join("run.xlsx");
        let zeros = vec![b'0'; 3 << 20];
        archive(&path, &[("xl/sharedStrings.xml", &zeros)]);
        let e = check_archive_within(&path, 8 << 20).expect_err("refused");
        assert_eq!(e.code(), "xml_run_too_long");
    }

    #[test]
    fn a_declared_string_table_past_the_limit_is_refused_before_it_is_reserved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("strings.xlsx");
        let sst = br#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="1000000000000"><si><t>a</t></si></sst>"#;
        archive(&path, &[("xl/sharedStrings.xml", sst)]);
        let e = check_archive(&path).expect_err("refused");
        assert_eq!(e.code(), "too_many_strings");
        assert!(e.to_string().contains("1000000000000"), "{e}");
    }

    #[test]
    fn an_xls_whose_declared_area_is_huge_is_refused_before_it_is_parsed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("huge.xls");
        let mut stream = Vec::new();
        let mut record = |kind: u16, data: &[u8]| {
            stream.extend_from_slice(&kind.to_le_bytes());
            stream.extend_from_slice(&(data.len() as u16).to_le_bytes());
            stream.extend_from_slice(data);
        };
        record(0x0809, &[0; 16]);
        // DIMENSIONS: rows 0 to 4,000,000,000 and columns 0 to 255.
        let mut dims = Vec::new();
        dims.extend_from_slice(&0u32.to_le_bytes());
        dims.extend_from_slice(&4_000_000_000u32.to_le_bytes());
        dims.extend_from_slice(&0u16.to_le_bytes());
        dims.extend_from_slice(&255u16.to_le_bytes());
        dims.extend_from_slice(&0u16.to_le_bytes());
        record(0x0200, &dims);
        record(0x000A, &[]);
        let mut cfb = cfb::create(&path).expect("cfb");
        cfb.create_stream("/Workbook")
            .and_then(|mut s| s.write_all(&stream))
            .expect("stream");
        cfb.flush().expect("flush");
        drop(cfb);
        let e = RowSource::open(&path).err().expect("refused");
        assert_eq!(e.code(), "sheet_too_large");
        assert!(e.to_string().contains("IV4000000001"), "{e}");
    }

    #[test]
    fn a_cell_past_excels_length_is_refused_where_it_is() {
        let long = "字".repeat(MAX_CELL_CHARS + 1);
        let csv = format!("a,b\n1,{long}\n");
        let e = read_csv_bytes(csv.as_bytes()).expect_err("refused");
        assert_eq!(e.code(), "cell_too_long");
        assert!(e.to_string().contains("B2"), "{e}");
        // At the limit it is read.
        let csv = format!("a,b\n1,{}\n", "字".repeat(MAX_CELL_CHARS));
        assert!(read_csv_bytes(csv.as_bytes()).is_ok());
    }

    #[test]
    fn formula_like_cells_export_as_text_and_import_back_to_their_value() {
        use crate::export::{defuse_cell, write_csv, Table};
        let cells = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+86 751",
            "-5",
            "@SUM(A1)",
            "\tx",
            "plain",
            "-",
        ];
        let mut out = Vec::new();
        let t = Table {
            sheet: "s",
            headers: &["a", "b", "c", "d", "e", "f", "g"],
            rows: vec![cells.iter().map(|c| (*c).to_owned()).collect()],
            numeric: &[],
        };
        write_csv(&mut out, &t).expect("csv");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(!text.contains(",=") && !text.contains("\n="), "{text}");
        assert_eq!(defuse_cell("-5"), "-5", "a number stays a number");
        let rows = read_csv_bytes(text.as_bytes()).expect("reads");
        assert_eq!(rows[1].cells, cells, "imports back to the values");
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(1, 25), "Z2");
        assert_eq!(cell_ref(2, 26), "AA3");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn bom_is_dropped_and_full_width_folded() {
        let rows = read_csv_bytes("\u{FEFF}a,b\n".as_bytes()).expect("decodes");
        assert_eq!(rows[0].cells[0], "a");
        assert_eq!(normalise("　４４０２０３ "), "440203");
    }
}

/// Column aliases: a key and the headers (Chinese first) that name it.
pub type Aliases = [(&'static str, &'static [&'static str])];

/// Where the header row is and which column holds each key.
#[derive(Debug)]
pub struct Header {
    /// Index in the table of the header row; data starts below it.
    pub index: usize,
    /// (key, column index) of each column found: a handful, so a scan beats hashing the key
    /// for every cell of a million-row list.
    columns: Vec<(&'static str, usize)>,
}

impl Header {
    fn cell<'r>(&self, row: &'r Row, key: &str) -> &'r str {
        self.columns
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, i)| row.cells.get(*i))
            .map_or("", String::as_str)
    }

    /// A row's cell for a key, folded for parsing: full-width forms to ASCII, trimmed
    /// ('' when the column is absent or the cell empty). For codes, numbers, dates, kinds.
    pub fn get(&self, row: &Row, key: &str) -> String {
        normalise(self.cell(row, key))
    }

    /// A row's cell as text people wrote it, only trimmed: names keep their （） and ，.
    pub fn text(&self, row: &Row, key: &str) -> String {
        let cell = self.cell(row, key);
        if cell.contains('\u{3000}') {
            cell.replace('\u{3000}', " ").trim().to_owned()
        } else {
            cell.trim().to_owned()
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.columns.iter().any(|(k, _)| *k == key)
    }
}

/// The display name of a key: its first (Chinese) alias.
pub fn column_name(aliases: &Aliases, key: &str) -> &'static str {
    aliases
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n[0])
        .unwrap_or("")
}

fn header_key(aliases: &Aliases, cell: &str) -> Option<&'static str> {
    let c = normalise(cell).to_lowercase().replace([' ', '\n', '*'], "");
    aliases
        .iter()
        // Aliases are folded as cells are, so `贷款金额（万元）` matches `贷款金额(万元)`.
        .find(|(_, names)| names.iter().any(|n| normalise(n).to_lowercase() == c))
        .map(|(key, _)| *key)
}

/// Finds the header row — the first row naming the `anchor` column, so title rows above it
/// are skipped — and checks the required columns are there.
pub fn locate_header(
    table: &[Row],
    aliases: &Aliases,
    anchor: &str,
    required: &[&str],
) -> Result<Header, Vec<crate::RowProblem>> {
    let Some(index) = table.iter().position(|r| {
        r.cells
            .iter()
            .any(|c| header_key(aliases, c) == Some(anchor))
    }) else {
        let names: Vec<&str> = required.iter().map(|k| column_name(aliases, k)).collect();
        return Err(vec![crate::RowProblem {
            row: table.first().map(|r| r.number).unwrap_or(1),
            column: String::new(),
            value: String::new(),
            problem: format!(
                "找不到表头：需要 {} 列 (no header row with the required columns)",
                names.join("、")
            ),
        }]);
    };
    let row = &table[index];
    let mut header = Header {
        index,
        columns: Vec::new(),
    };
    let mut problems = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(k) = header_key(aliases, cell) {
            if header.has(k) {
                problems.push(crate::RowProblem {
                    row: row.number,
                    column: cell.clone(),
                    value: cell.clone(),
                    problem: "列名重复 (duplicate column)".into(),
                });
            } else {
                header.columns.push((k, i));
            }
        }
    }
    for key in required {
        if !header.has(key) {
            let name = column_name(aliases, key);
            problems.push(crate::RowProblem {
                row: row.number,
                column: name.into(),
                value: String::new(),
                problem: format!("缺少必需的列 {name} (missing required column {key})"),
            });
        }
    }
    if problems.is_empty() {
        Ok(header)
    } else {
        Err(problems)
    }
}

/// `YYYY-MM-DD`, the form exports and most lists use, read without the general parser.
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)
}

/// Dates as they appear in lists: 2018-11-28, 2018/11/28, 2018.11.28, 2018年11月28日,
/// 20181128, or an Excel serial number (a date cell stored as a number).
pub fn parse_date(raw: &str) -> Option<chrono::NaiveDate> {
    use chrono::NaiveDate;
    if let Some(d) = iso_date(raw.trim()) {
        return Some(d);
    }
    let s = normalise(raw);
    if s.is_empty() {
        return None;
    }
    // A date cell exported with its time (2018-11-28 00:00:00) is read by its date.
    if let Some(d) = s
        .split_whitespace()
        .next()
        .and_then(kechuang_domain::text::written_date)
    {
        return Some(d);
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&s, "%Y%m%d").ok();
    }
    // Excel's day count from 1899-12-30, for dates from about 1955 to 2118.
    match s.parse::<f64>() {
        Ok(n) if (20_000.0..80_000.0).contains(&n) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(n.trunc() as u64))),
        _ => None,
    }
}

#[cfg(test)]
mod date_tests {
    use super::parse_date;
    use chrono::{Datelike, NaiveDate};

    #[test]
    fn every_date_form_of_the_lists() {
        let d = NaiveDate::from_ymd_opt(2018, 11, 28);
        for s in [
            "2018-11-28",
            "2018/11/28",
            "2018.11.28",
            "2018年11月28日",
            "20181128",
            "43432",
            "２０１８.１１.２８",
            "2018-11-28 00:00:00",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("2018.2.3"), NaiveDate::from_ymd_opt(2018, 2, 3));
        for bad in [
            "",
            "2018-02-30",
            "明年",
            "12345",
            "2018-13-01",
            "20a8-11-28",
            "2018-1x-28",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    /// The shortcut for `YYYY-MM-DD` reads every day as the general parser does.
    #[test]
    fn iso_dates_read_as_the_general_parser_reads_them() {
        let mut d = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date");
        while d.year() < 2031 {
            let s = d.format("%Y-%m-%d").to_string();
            assert_eq!(super::iso_date(&s), Some(d), "{s}");
            assert_eq!(
                NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok(),
                super::iso_date(&s)
            );
            d = d.succ_opt().expect("next day");
        }
    }
}
