//! Domain model shared by the device and the server: identifiers, quantities, money, timestamps
//! and the product catalog. Nothing here does I/O; parsing reads from any `std::io::Read`.

pub mod catalog;
pub mod error;
pub mod geo;
pub mod ids;
pub mod money;
pub mod quantity;
pub mod timestamp;

pub use error::{DomainError, Result};
pub use geo::GeoPoint;
pub use ids::{AcknowledgementId, CartId, DeviceId, PartyId, PlanId, ProductId, ShipmentId, TenantId, UserId, VisitId};
pub use money::Money;
pub use quantity::Quantity;
pub use timestamp::Timestamp;
