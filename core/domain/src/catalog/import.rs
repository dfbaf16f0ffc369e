//! CSV import of a product catalog.
