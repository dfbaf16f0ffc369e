//! A product as sold from a tenant's catalog.

use serde::{Deserialize, Serialize};

use crate::catalog::pack_size::PackSize;
use crate::ids::ProductId;
use crate::money::Money;

/// A catalog product. Prices are per pack, in rupees, GST-inclusive as printed (MRP).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub brand: String,
    /// Maximum retail price printed on the pack.
    pub mrp: Money,
    /// Price the seller charges per pack.
    pub selling_price: Money,
    pub pack_size: PackSize,
    pub category: String,
    pub sub_category: String,
}
