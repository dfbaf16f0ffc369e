//! Product catalog: products, pack sizes and CSV import.
//!
//! The CSV layout is the BigBasket product export: `ProductID, ProductName, Brand, Price (MRP),
//! DiscountPrice (selling price), Image_Url, Quantity (pack size text), Category, SubCategory,
//! Absolute_Url`. Import never stops at a bad row: every rejected row is reported with its line
//! number and reason, and the good rows are kept.

mod import;
mod pack_size;
mod product;

pub use import::{ImportReport, RejectedRow, import_csv};
pub use pack_size::{PackSize, PackUnit};
pub use product::Product;
