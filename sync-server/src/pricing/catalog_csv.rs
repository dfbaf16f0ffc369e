//! The catalog CSV with pricing columns. Export writes the import layout (BigBasket columns)
//! plus `HSN`, `GSTRate` (percent) and `PriceIncludesGST` (`true` or `false`), so an exported
//! file imports into another tenant as the same products with the same pricing data. On
//! import, non-empty `HSN` and `GSTRate` cells of a row take precedence over the HSN map.

use std::collections::{BTreeMap, HashMap};

use dms_domain::ProductId;
use dms_domain::catalog::Product;
use dms_pricing::gst::rates::{validate_gst_rate, validate_hsn};
use rust_decimal::Decimal;

use super::hsn_map::HsnMap;
use super::{DEFAULT_BASE_UNIT, ProductPricing};
use crate::error::{Result, ServerError};

/// Header of an exported catalog.
pub const EXPORT_HEADER: [&str; 13] = [
    "ProductID",
    "ProductName",
    "Brand",
    "Price",
    "DiscountPrice",
    "Image_Url",
    "Quantity",
    "Category",
    "SubCategory",
    "Absolute_Url",
    "HSN",
    "GSTRate",
    "PriceIncludesGST",
];

/// Pricing cells of one import row; `None` where the column is absent or the cell empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowPricing {
    pub hsn: Option<String>,
    pub gst_rate: Option<Decimal>,
    pub price_includes_gst: Option<bool>,
}

/// An import row whose pricing cells are invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricingProblem {
    /// One-based line where the row starts.
    pub line: u64,
    pub product_id: String,
    pub reason: String,
}

/// Reads the `HSN`, `GSTRate` and `PriceIncludesGST` cells of an import file by product id.
/// Returns an empty map when the header has none of these columns. A row whose cells are
/// invalid is left out of the map and reported in `problems`.
pub fn read_pricing_columns(bytes: &[u8], problems: &mut Vec<PricingProblem>) -> HashMap<String, RowPricing> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let mut cells = HashMap::new();
    let Ok(headers) = csv.headers().cloned() else {
        return cells;
    };
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.trim().eq_ignore_ascii_case(name))
    };
    let (Some(id_column), hsn_column, rate_column, includes_column) = (
        column("ProductID"),
        column("HSN"),
        column("GSTRate"),
        column("PriceIncludesGST"),
    ) else {
        return cells;
    };
    if hsn_column.is_none() && rate_column.is_none() && includes_column.is_none() {
        return cells;
    }
    for record in csv.records().flatten() {
        let cell = |index: Option<usize>| {
            index
                .and_then(|index| record.get(index))
                .map(str::trim)
                .filter(|text| !text.is_empty())
        };
        let Some(id) = cell(Some(id_column)) else { continue };
        match parse_row_pricing(cell(hsn_column), cell(rate_column), cell(includes_column)) {
            Ok(pricing) => {
                cells.insert(id.to_owned(), pricing);
            }
            Err(reason) => problems.push(PricingProblem {
                line: record.position().map(|position| position.line()).unwrap_or_default(),
                product_id: id.to_owned(),
                reason,
            }),
        }
    }
    cells
}

fn parse_row_pricing(hsn: Option<&str>, rate: Option<&str>, includes: Option<&str>) -> Result<RowPricing, String> {
    if let Some(hsn) = hsn {
        validate_hsn(hsn).map_err(|error| error.to_string())?;
    }
    let gst_rate = rate
        .map(|text| {
            let rate: Decimal = text.parse().map_err(|_| format!("GSTRate {text:?} is not a number"))?;
            validate_gst_rate(rate, "GSTRate").map_err(|error| error.to_string())?;
            Ok::<_, String>(rate)
        })
        .transpose()?;
    let price_includes_gst = includes
        .map(|text| match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(format!("PriceIncludesGST {text:?} must be true or false")),
        })
        .transpose()?;
    Ok(RowPricing {
        hsn: hsn.map(str::to_owned),
        gst_rate,
        price_includes_gst,
    })
}

/// Pricing data chosen for imported products.
#[derive(Debug, Default)]
pub struct PricingAssignment {
    /// Products with an HSN code and a GST rate, from their own cells or the HSN map.
    pub priced: Vec<(ProductId, ProductPricing)>,
    /// Products that got no HSN code and GST rate; they are imported without pricing data.
    pub unmatched: Vec<ProductId>,
}

/// Chooses each product's pricing data: the row's own `HSN` and `GSTRate` cells when both are
/// set, else the most specific HSN map row. `PriceIncludesGST` comes from the row's cell,
/// else `prices_include_gst`.
pub fn assign_pricing(
    products: &[Product],
    cells: &HashMap<String, RowPricing>,
    map: Option<&HsnMap>,
    prices_include_gst: bool,
) -> PricingAssignment {
    let mut assignment = PricingAssignment::default();
    for product in products {
        let own = cells.get(product.id.as_str()).cloned().unwrap_or_default();
        let from_map = map.and_then(|map| map.assignment_for(product));
        let (hsn, gst_rate) = match (own.hsn, own.gst_rate, from_map) {
            (Some(hsn), Some(rate), _) => (hsn, rate),
            (_, _, Some(row)) => (row.hsn.clone(), row.gst_rate),
            _ => {
                assignment.unmatched.push(product.id.clone());
                continue;
            }
        };
        assignment.priced.push((
            product.id.clone(),
            ProductPricing {
                hsn: Some(hsn),
                gst_rate: Some(gst_rate),
                base_unit: DEFAULT_BASE_UNIT.to_owned(),
                unit_conversions: Vec::new(),
                price_includes_gst: own.price_includes_gst.unwrap_or(prices_include_gst),
                ..ProductPricing::default()
            },
        ));
    }
    assignment
}

/// Writes the catalog as CSV in the export layout. `Image_Url` and `Absolute_Url` are empty
/// because the server does not keep them.
pub fn export_csv(catalog: &BTreeMap<ProductId, (Product, ProductPricing)>) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |error: csv::Error| ServerError::Corrupt(format!("writing the catalog CSV failed: {error}"));
    writer.write_record(EXPORT_HEADER).map_err(failed)?;
    for (product, pricing) in catalog.values() {
        writer
            .write_record([
                product.id.as_str(),
                &product.name,
                &product.brand,
                &product.mrp.to_string(),
                &product.selling_price.to_string(),
                "",
                &product.pack_size.to_string(),
                &product.category,
                &product.sub_category,
                "",
                pricing.hsn.as_deref().unwrap_or_default(),
                &pricing
                    .gst_rate
                    .map(|rate| rate.normalize().to_string())
                    .unwrap_or_default(),
                if pricing.price_includes_gst { "true" } else { "false" },
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| ServerError::Corrupt(format!("writing the catalog CSV failed: {error}")))?;
    String::from_utf8(bytes).map_err(|error| ServerError::Corrupt(format!("catalog CSV is not UTF-8: {error}")))
}
