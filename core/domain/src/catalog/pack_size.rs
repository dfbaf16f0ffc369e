//! Pack sizes parsed from catalog text.
