//! The category → HSN mapping used when a catalog is imported: a CSV with the columns
//! `Category`, `SubCategory`, `HSN` and `GSTRate` (percent), and any other columns (such as a
//! source comment), which are ignored. A blank `SubCategory` matches any sub-category of the
//! category. A product takes the most specific matching row: category and sub-category over
//! category alone. Names match after trimming, ignoring ASCII case.

use std::collections::BTreeMap;
use std::io::Read;

use dms_domain::catalog::Product;
use dms_pricing::gst::rates::{validate_gst_rate, validate_hsn};
use rust_decimal::Decimal;

use crate::error::{Result, ServerError};

/// HSN code and GST rate from one mapping row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HsnAssignment {
    pub hsn: String,
    pub gst_rate: Decimal,
    /// One-based line of the mapping row, for reports.
    pub line: u64,
}

/// A parsed category → HSN mapping.
#[derive(Clone, Debug, Default)]
pub struct HsnMap {
    /// Keyed by (category, sub-category) in lower case; an empty sub-category is the
    /// category-wide row.
    rows: BTreeMap<(String, String), HsnAssignment>,
}

fn key(text: &str) -> String {
    text.trim().to_ascii_lowercase()
}

impl HsnMap {
    /// Reads the mapping CSV. Any invalid row rejects the whole file, naming its line, because
    /// a wrong HSN code or rate would price every product of a category wrongly.
    pub fn read(reader: impl Read) -> Result<HsnMap> {
        let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
        let invalid = |line: u64, reason: String| ServerError::InvalidInput(format!("HSN map line {line}: {reason}"));
        let headers = csv
            .headers()
            .map_err(|error| invalid(1, format!("reading the header failed: {error}")))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|header| header.eq_ignore_ascii_case(name))
                .ok_or_else(|| invalid(1, format!("the header has no {name} column")))
        };
        let (category, sub_category, hsn, gst_rate) = (
            column("Category")?,
            column("SubCategory")?,
            column("HSN")?,
            column("GSTRate")?,
        );

        let mut map = HsnMap::default();
        for record in csv.records() {
            let record = record.map_err(|error| {
                let line = error.position().map(|position| position.line()).unwrap_or_default();
                invalid(line, format!("reading the file failed: {error}"))
            })?;
            let line = record.position().map(|position| position.line()).unwrap_or_default();
            let field = |index: usize| record.get(index).unwrap_or_default();
            if field(category).is_empty() {
                return Err(invalid(line, "Category is empty".to_owned()));
            }
            let code = field(hsn).to_owned();
            validate_hsn(&code).map_err(|error| invalid(line, error.to_string()))?;
            let rate: Decimal = field(gst_rate)
                .parse()
                .map_err(|_| invalid(line, format!("GSTRate {:?} is not a number", field(gst_rate))))?;
            validate_gst_rate(rate, "the HSN map").map_err(|error| invalid(line, error.to_string()))?;
            let row_key = (key(field(category)), key(field(sub_category)));
            let assignment = HsnAssignment {
                hsn: code,
                gst_rate: rate,
                line,
            };
            if let Some(first) = map.rows.insert(row_key, assignment) {
                return Err(invalid(
                    line,
                    format!("repeats the category and sub-category of line {}", first.line),
                ));
            }
        }
        Ok(map)
    }

    /// Finds the most specific row for the product's category and sub-category, if any.
    pub fn assignment_for(&self, product: &Product) -> Option<&HsnAssignment> {
        let category = key(&product.category);
        self.rows
            .get(&(category.clone(), key(&product.sub_category)))
            .or_else(|| self.rows.get(&(category, String::new())))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use dms_domain::catalog::import_csv;

    use super::*;

    const MAP: &str = "Category,SubCategory,HSN,GSTRate,Source\n\
        Beverages,,0902,5,tea\n\
        Beverages,Juices,2009,12,juice\n";

    fn product(category: &str, sub_category: &str) -> Product {
        let csv = format!(
            "ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory\n\
             P1,Thing,Brand,10,9,1 pc,\"{category}\",\"{sub_category}\"\n"
        );
        import_csv(csv.as_bytes()).products.remove(0)
    }

    #[test]
    fn sub_category_row_beats_category_row() {
        let map = HsnMap::read(MAP.as_bytes()).unwrap();
        assert_eq!(map.assignment_for(&product("Beverages", "Juices")).unwrap().hsn, "2009");
        assert_eq!(
            map.assignment_for(&product("beverages", "Green Tea")).unwrap().hsn,
            "0902"
        );
        assert!(map.assignment_for(&product("Baby Care", "Diapers")).is_none());
    }

    #[test]
    fn invalid_row_rejects_the_file() {
        let bad_rate = "Category,SubCategory,HSN,GSTRate\nBeverages,,0902,five\n";
        let error = HsnMap::read(bad_rate.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        let bad_hsn = "Category,SubCategory,HSN,GSTRate\nBeverages,,090,5\n";
        assert!(HsnMap::read(bad_hsn.as_bytes()).is_err());
        let repeated = "Category,SubCategory,HSN,GSTRate\nBeverages,,0902,5\nbeverages,,0901,5\n";
        assert!(HsnMap::read(repeated.as_bytes()).is_err());
    }
}
