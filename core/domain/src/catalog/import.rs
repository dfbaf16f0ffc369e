//! CSV import of a product catalog: validates each row into a [`Product`] and reports every
//! rejected row with its physical line number and reason.
//!
//! Columns are located by header name (see [`import_csv`]). Row rules:
//!
//! - `ProductID` must be a valid [`ProductId`] and must not repeat the id of an earlier row
//!   with the right field count, even if that row was rejected for another reason. The later
//!   row is rejected.
//! - `ProductName` must not be empty. Names, brands, categories and pack sizes are trimmed but
//!   keep inner line breaks, and `Brand`, `Category`, `SubCategory` and `Quantity` may be empty.
//! - `Price` (MRP) and `DiscountPrice` (selling price) must be prices as
//!   [`Money::parse_price`] accepts them, and the selling price must not exceed the MRP.
//!   An empty `DiscountPrice` is rejected, not read as the MRP, because the BigBasket export
//!   has none.
//! - `Quantity` becomes a [`PackSize`]. Text that is not a measured size is kept as text, so
//!   this column never rejects a row.
//! - A row must have as many fields as the header.

mod columns;
mod line_tracker;

use std::collections::HashMap;
use std::io::Read;

use csv::{ByteRecord, ReaderBuilder};
use serde::{Deserialize, Serialize};

use self::columns::Columns;
use self::line_tracker::LineTracker;
use crate::catalog::pack_size::PackSize;
use crate::catalog::product::Product;
use crate::error::DomainError;
use crate::ids::ProductId;
use crate::money::Money;

/// A CSV row that was not imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// One-based physical line number in the file where the row starts. The header is line 1
    /// unless blank lines precede it, and a quoted field with line breaks makes a row span
    /// several lines.
    pub line: u64,
    /// Trimmed `ProductID` text of the row, even if invalid. `None` when it is empty, the row
    /// is too short to have it, or the error concerns the whole file.
    pub product_id: Option<String>,
    /// Every problem found in the row, naming the column and value, joined by "; ".
    pub reason: String,
}

/// Result of a catalog import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Imported products in file order.
    pub products: Vec<Product>,
    /// Rejected rows in file order, plus at most one entry for a header or read error.
    pub rejected: Vec<RejectedRow>,
    /// Data rows read, not counting the header. With a valid header and no read error,
    /// `products.len() + rejected.len() == rows_read`.
    pub rows_read: u64,
}

/// Imports a product catalog from CSV text.
///
/// The first row is the header. Columns are located by name, ignoring ASCII case and
/// surrounding spaces, so extra and reordered columns are accepted. The required columns are
/// ProductID, ProductName, Brand, Price, DiscountPrice, Quantity, Category and SubCategory.
/// Line ends may be LF or CRLF, a UTF-8 byte order mark is skipped, and blank lines are
/// skipped.
///
/// A bad row is reported in [`ImportReport::rejected`] and the import goes on with the next
/// row. Two errors stop the import, each reported as one rejected entry without a product id:
///
/// - A header that is empty, lacks a required column or names one twice. The entry is at the
///   header's line (line 1 in a normal file), no data row is read and `rows_read` is 0.
/// - A read error of `reader`. The entry is at the line where reading stopped, and the rows
///   read before it are kept.
pub fn import_csv<R: Read>(reader: R) -> ImportReport {
    let mut csv_reader = ReaderBuilder::new()
        .flexible(true)
        .from_reader(LineTracker::new(reader));
    let mut report = ImportReport::default();

    let header = match csv_reader.byte_headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            let line = current_line(&mut csv_reader);
            report
                .rejected
                .push(file_error(line, format!("reading the header failed: {error}")));
            return report;
        }
    };
    let header_line = current_line(&mut csv_reader);
    let columns = match Columns::locate(&header) {
        Ok(columns) => columns,
        Err(reason) => {
            report.rejected.push(file_error(header_line, reason));
            return report;
        }
    };

    let mut first_line_of_id: HashMap<ProductId, u64> = HashMap::new();
    let mut record = ByteRecord::new();
    loop {
        match csv_reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                // With `flexible` set and byte records, the only error csv 1.4 returns is an
                // I/O error of `reader`, after which every read returns no record.
                let line = current_line(&mut csv_reader);
                let reason = format!("reading the file failed: {error}. Rows from here on were not read");
                report.rejected.push(file_error(line, reason));
                break;
            }
        }
        let line = current_line(&mut csv_reader);
        report.rows_read += 1;

        match parse_row(&record, &columns, line, &mut first_line_of_id) {
            Ok(product) => report.products.push(product),
            Err(problems) => report.rejected.push(RejectedRow {
                line,
                product_id: raw_product_id(&record, &columns),
                reason: problems.join("; "),
            }),
        }
    }
    report
}

/// Returns the start line of the record the parser has just read, or of the position where
/// it stopped.
fn current_line<R: Read>(csv_reader: &mut csv::Reader<LineTracker<R>>) -> u64 {
    let end = csv_reader.position().byte();
    csv_reader.get_mut().record_start_line(end)
}

fn file_error(line: u64, reason: String) -> RejectedRow {
    RejectedRow {
        line,
        product_id: None,
        reason,
    }
}

fn raw_product_id(record: &ByteRecord, columns: &Columns) -> Option<String> {
    let field = record.get(columns.product_id)?;
    let text = String::from_utf8_lossy(field).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Validates one data row into a product, or returns every problem found in it.
///
/// Records the row's product id in `first_line_of_id` if no earlier row used it.
fn parse_row(
    record: &ByteRecord,
    columns: &Columns,
    line: u64,
    first_line_of_id: &mut HashMap<ProductId, u64>,
) -> Result<Product, Vec<String>> {
    if record.len() != columns.field_count {
        return Err(vec![format!(
            "expected {} fields as in the header, found {}. Check for an unquoted comma or a missing field",
            columns.field_count,
            record.len()
        )]);
    }

    // Fields that are not valid UTF-8 are reported here and skip the checks below.
    let mut problems = Vec::new();
    let mut text = |index: usize, column: &str| -> Option<String> {
        let field = record.get(index).unwrap_or_default();
        match std::str::from_utf8(field) {
            Ok(value) => Some(value.trim().to_owned()),
            Err(_) => {
                let lossy = String::from_utf8_lossy(field);
                problems.push(format!("{column} {lossy:?} is not valid UTF-8"));
                None
            }
        }
    };
    let id_text = text(columns.product_id, "ProductID");
    let name = text(columns.name, "ProductName");
    let brand = text(columns.brand, "Brand");
    let mrp_text = text(columns.mrp, "Price (MRP)");
    let selling_text = text(columns.selling_price, "DiscountPrice (selling price)");
    let pack_text = text(columns.pack_size, "Quantity");
    let category = text(columns.category, "Category");
    let sub_category = text(columns.sub_category, "SubCategory");

    let id = id_text.and_then(|id_text| {
        parse_product_id(&id_text, line, first_line_of_id)
            .map_err(|problem| problems.push(problem))
            .ok()
    });
    if name.as_deref() == Some("") {
        problems.push("ProductName is empty".to_owned());
    }
    let mrp = mrp_text.and_then(|mrp_text| {
        parse_price(&mrp_text, "Price (MRP)")
            .map_err(|problem| problems.push(problem))
            .ok()
    });
    let selling_price = selling_text.and_then(|selling_text| {
        parse_price(&selling_text, "DiscountPrice (selling price)")
            .map_err(|problem| problems.push(problem))
            .ok()
    });
    let selling_above_mrp = mrp
        .zip(selling_price)
        .filter(|(mrp, selling_price)| selling_price > mrp);
    if let Some((mrp, selling_price)) = selling_above_mrp {
        problems.push(format!(
            "DiscountPrice (selling price) {selling_price} is greater than Price (MRP) {mrp}"
        ));
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    match (id, name, brand, mrp, selling_price, pack_text, category, sub_category) {
        (
            Some(id),
            Some(name),
            Some(brand),
            Some(mrp),
            Some(selling_price),
            Some(pack_text),
            Some(category),
            Some(sub_category),
        ) => Ok(Product {
            id,
            name,
            brand,
            mrp,
            selling_price,
            pack_size: PackSize::parse(&pack_text),
            category,
            sub_category,
        }),
        // Every `None` above pushed a problem, so this arm is not reached.
        _ => Err(vec!["row could not be read".to_owned()]),
    }
}

fn parse_product_id(
    text: &str,
    line: u64,
    first_line_of_id: &mut HashMap<ProductId, u64>,
) -> Result<ProductId, String> {
    if text.is_empty() {
        return Err("ProductID is missing".to_owned());
    }
    let id = ProductId::new(text).map_err(|error| match error {
        DomainError::InvalidId { reason, .. } => format!("ProductID {text:?} is invalid: {reason}"),
        other => format!("ProductID {text:?} is invalid: {other}"),
    })?;
    if let Some(first_line) = first_line_of_id.get(&id) {
        return Err(format!("duplicate ProductID {text:?}: first used on line {first_line}"));
    }
    first_line_of_id.insert(id.clone(), line);
    Ok(id)
}

fn parse_price(text: &str, column: &str) -> Result<Money, String> {
    if text.is_empty() {
        return Err(format!("{column} is missing"));
    }
    Money::parse_price(text).map_err(|error| match error {
        DomainError::InvalidMoney { reason, .. } => format!("{column} {text:?} is invalid: {reason}"),
        other => format!("{column} {text:?} is invalid: {other}"),
    })
}
