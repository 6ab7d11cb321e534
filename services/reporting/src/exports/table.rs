//! A table to export: French column headers and rows of typed cells, written as CSV (what French
//! Excel opens: UTF-8 with a byte-order mark, `;` between fields) or as an XLSX workbook whose
//! cells keep their types (dates as dates, amounts and hours as numbers).

use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use suivi_proto::shown;

/// One value of a row, with what it is: the CSV writes it as the API does, the workbook gives it
/// the matching cell type and number format.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Date(NaiveDate),
    /// Euros: two decimals in CSV, `#,##0.00` in the workbook.
    Money(Decimal),
    /// Hours: the decimals they have in CSV, `#,##0.00` in the workbook.
    Hours(Decimal),
    /// A fraction of 1: four decimals in CSV, a percentage in the workbook.
    Share(Decimal),
    Count(i64),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn date(value: Option<NaiveDate>) -> Cell {
        value.map_or(Cell::Empty, Cell::Date)
    }

    pub fn money(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Money)
    }

    pub fn hours(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Hours)
    }

    pub fn share(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Share)
    }

    pub fn optional_text(value: Option<String>) -> Cell {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

pub type Row = Vec<Cell>;

/// The byte-order mark French Excel needs to read a CSV file as UTF-8 (without it, « é »
/// shows as « Ã© »).
pub const BOM: &str = "\u{feff}";

/// One CSV line (CRLF-terminated, as RFC 4180 and Excel write them).
pub fn csv_line(cells: impl IntoIterator<Item = Cell>) -> String {
    let fields: Vec<String> = cells.into_iter().map(|cell| csv_field(&cell)).collect();
    let mut line = fields.join(";");
    line.push_str("\r\n");
    line
}

/// The header line.
pub fn csv_header(headers: &[&str]) -> String {
    csv_line(headers.iter().map(|header| Cell::text(*header)))
}

fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => quoted(text),
        Cell::Date(date) => date.to_string(),
        Cell::Money(amount) => shown::money(*amount).to_string(),
        Cell::Hours(hours) => shown::hours(*hours).to_string(),
        Cell::Share(share) => shown::share(*share).to_string(),
        Cell::Count(count) => count.to_string(),
    }
}

/// A text field: quoted when it holds the separator, a quote or a line break. A text that a
/// spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe:
/// objects and reasons are typed by users, and a CSV opened in Excel must not run them.
fn quoted(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if guarded.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// An XLSX workbook being written, one sheet per table, row after row. The sheets are in
/// "constant memory" mode: each row goes to a temporary file once the next one starts, so the
/// workbook holds one row in memory, not the sheet.
pub struct XlsxTable {
    workbook: Workbook,
    formats: Formats,
    row: u32,
    columns: u16,
}

struct Formats {
    header: Format,
    date: Format,
    money: Format,
    hours: Format,
    share: Format,
}

impl XlsxTable {
    /// A workbook with one sheet named `sheet`, its header row written, frozen and filterable.
    pub fn new(sheet: &str, headers: &[&str]) -> Result<Self, XlsxError> {
        let formats = Formats {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            // Number formats are stored in their locale-neutral form: French Excel shows
            // `#,##0.00` as `# ##0,00` (1 000 000,00).
            money: Format::new().set_num_format("#,##0.00"),
            hours: Format::new().set_num_format("#,##0.00"),
            share: Format::new().set_num_format("0.00%"),
        };
        let mut workbook = Workbook::new();
        let worksheet = workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(sheet)?;
        worksheet.set_freeze_panes(1, 0)?;
        for (column, header) in (0u16..).zip(headers) {
            worksheet.set_column_width(column, header.chars().count().clamp(12, 40) as f64 + 2.0)?;
            worksheet.write_string_with_format(0, column, *header, &formats.header)?;
        }
        let columns = u16::try_from(headers.len()).unwrap_or(u16::MAX);
        Ok(XlsxTable { workbook, formats, row: 1, columns })
    }

    pub fn write_row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let (row, formats) = (self.row, &self.formats);
        let worksheet = self.workbook.worksheet_from_index(0)?;
        for (column, cell) in (0u16..).zip(cells) {
            write_cell(worksheet, formats, row, column, cell)?;
        }
        self.row += 1;
        Ok(())
    }

    /// The finished file. The autofilter covers the rows written.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let (last_row, last_column) = (self.row - 1, self.columns.saturating_sub(1));
        self.workbook.worksheet_from_index(0)?.autofilter(0, 0, last_row, last_column)?;
        self.workbook.save_to_buffer()
    }
}

fn write_cell(
    worksheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    column: u16,
    cell: &Cell,
) -> Result<(), XlsxError> {
    let number = |value: &Decimal| value.to_f64().unwrap_or_default();
    match cell {
        Cell::Empty => {}
        Cell::Text(text) => {
            worksheet.write_string(row, column, text)?;
        }
        Cell::Date(date) => {
            let date = excel_date(*date)?;
            worksheet.write_datetime_with_format(row, column, &date, &formats.date)?;
        }
        Cell::Money(amount) => {
            worksheet.write_number_with_format(row, column, number(amount), &formats.money)?;
        }
        Cell::Hours(hours) => {
            worksheet.write_number_with_format(row, column, number(hours), &formats.hours)?;
        }
        Cell::Share(share) => {
            worksheet.write_number_with_format(row, column, number(share), &formats.share)?;
        }
        Cell::Count(count) => {
            // Counts are far below 2^53: exact as a spreadsheet number.
            worksheet.write_number(row, column, *count as f64)?;
        }
    }
    Ok(())
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()))?;
    // Month and day always fit a u8.
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn csv_fields_are_written_as_the_api_writes_figures_and_quoted_when_needed() {
        let date = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
        let line = csv_line([
            Cell::text("Gymnase; lot \"2\""),
            Cell::Date(date),
            Cell::Money(Decimal::new(1_000_000, 0)),
            Cell::Hours(Decimal::new(83300, 2)),
            Cell::Share(Decimal::new(3, 1)),
            Cell::Count(4),
            Cell::Empty,
        ]);
        assert_eq!(line, "\"Gymnase; lot \"\"2\"\"\";2025-01-15;1000000.00;833;0.3000;4;\r\n");
    }

    #[test]
    fn a_text_a_spreadsheet_would_run_as_a_formula_is_defused() {
        assert_eq!(csv_line([Cell::text("=HYPERLINK(\"x\")")]), "\"'=HYPERLINK(\"\"x\"\")\"\r\n");
        assert_eq!(csv_line([Cell::text("-12")]), "'-12\r\n");
    }
}
