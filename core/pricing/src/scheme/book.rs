//! A validated set of schemes, indexed by product. Pricing a line looks only at the schemes
//! listed under its product, so a 500-line order against 1,000 schemes does not test every
//! scheme against every line. Schemes are kept sorted by id, which makes every result
//! independent of the order the schemes were supplied in.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use serde::{Deserialize, Serialize};

use super::Scheme;
use crate::error::{PricingError, Result};

/// Schemes ready for pricing. Serialized as the plain list of schemes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Scheme>", into = "Vec<Scheme>")]
pub struct SchemeBook {
    schemes: Vec<Scheme>,
    by_product: BTreeMap<ProductId, Vec<usize>>,
    order_level: Vec<usize>,
}

impl SchemeBook {
    /// Validates each scheme and rejects duplicate ids.
    pub fn new(mut schemes: Vec<Scheme>) -> Result<Self> {
        for scheme in &schemes {
            scheme.validate()?;
        }
        schemes.sort_by(|left, right| left.id.cmp(&right.id));
        if let Some(pair) = schemes.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(PricingError::DuplicateScheme {
                scheme: pair[0].id.clone(),
            });
        }

        let mut by_product: BTreeMap<ProductId, Vec<usize>> = BTreeMap::new();
        let mut order_level = Vec::new();
        for (index, scheme) in schemes.iter().enumerate() {
            if scheme.kind.is_order_level() {
                order_level.push(index);
            }
            let mut products = scheme.kind.line_products();
            products.sort();
            products.dedup();
            for product in products {
                by_product.entry(product.clone()).or_default().push(index);
            }
        }

        Ok(Self {
            schemes,
            by_product,
            order_level,
        })
    }

    /// Returns all schemes, sorted by id.
    pub fn schemes(&self) -> &[Scheme] {
        &self.schemes
    }

    /// Line-level schemes that name `product` as a target or as the product that earns free goods, by id.
    pub fn for_product<'a>(&'a self, product: &ProductId) -> impl Iterator<Item = &'a Scheme> + 'a {
        let indexes = self.by_product.get(product).map(Vec::as_slice).unwrap_or_default();
        indexes.iter().map(|index| &self.schemes[*index])
    }

    /// Order-level schemes, by id.
    pub fn order_level(&self) -> impl Iterator<Item = &Scheme> {
        self.order_level.iter().map(|index| &self.schemes[*index])
    }
}

impl TryFrom<Vec<Scheme>> for SchemeBook {
    type Error = PricingError;

    fn try_from(schemes: Vec<Scheme>) -> Result<Self> {
        Self::new(schemes)
    }
}

impl From<SchemeBook> for Vec<Scheme> {
    fn from(book: SchemeBook) -> Self {
        book.schemes
    }
}
