//! Exports for other systems: the GST e-invoice JSON ([`e_invoice`]) and CSV files of
//! invoices and payments for accountants ([`csv`]).

pub mod csv;
pub mod e_invoice;

pub use self::csv::{invoices_csv, payments_csv};
pub use self::e_invoice::e_invoice_json;
