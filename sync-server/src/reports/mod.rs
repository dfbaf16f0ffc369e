//! Reports made from reconciled field data: the visit report per rep and day, the delivery
//! acknowledgement report (HTML and PDF) and business plan achievement. Each is computed from
//! the tenant's tables only, never from a device's copy of a document.

pub mod achievement;
pub mod delivery;
pub mod pdf;
pub mod visits;
