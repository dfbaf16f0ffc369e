//! Builders shared by the integration tests: small products, schemes and orders with the
//! defaults most tests need (one date, one distributor and partner, intra-state Maharashtra).

#![allow(dead_code)]

use dms_domain::{PartyId, ProductId, Quantity};
use dms_pricing::gst::{GstRateTable, PlaceOfSupplyBasis, StateCode, SupplyAddresses};
use dms_pricing::{
    Catalog, Order, OrderLine, OrderParties, PricedLine, PricedOrder, PricingContext, Product, ProductUnits, Result,
    Scheme, SchemeBook, SchemeId, SchemeKind, StackingPolicy, Targeting, price_order,
};
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

pub const ORDER_DATE: Date = date!(2025 - 06 - 15);

pub fn product_id(id: &str) -> ProductId {
    ProductId::new(id).expect("test product ids are valid")
}

/// Builds a product priced per base unit, taxed at 18 % and exclusive of GST.
pub fn product(id: &str, base_unit: &str, conversions: &[(&str, Decimal)], list_rate: Decimal) -> Product {
    let mut units = ProductUnits::new(base_unit);
    for (unit, base_units) in conversions {
        units = units.with_conversion(*unit, *base_units);
    }
    Product {
        id: product_id(id),
        name: format!("Product {id}"),
        hsn: "1905".to_owned(),
        units,
        list_rate,
        rate_unit: None,
        rate_includes_gst: false,
        gst_rate: Some(Decimal::from(18)),
    }
}

/// Builds a scheme valid through 2025 for everyone.
pub fn scheme(id: &str, priority: i32, stacking: Option<StackingPolicy>, kind: SchemeKind) -> Scheme {
    Scheme {
        id: SchemeId::new(id),
        name: format!("Scheme {id}"),
        valid_from: date!(2025 - 01 - 01),
        valid_to: date!(2025 - 12 - 31),
        targeting: Targeting::everyone(),
        priority,
        stacking,
        kind,
    }
}

pub fn line(line_id: &str, product: &str, quantity: Decimal, unit: Option<&str>) -> OrderLine {
    OrderLine {
        line_id: line_id.to_owned(),
        product_id: product_id(product),
        quantity: Quantity::new(quantity).expect("test quantities are valid"),
        unit: unit.map(str::to_owned),
    }
}

pub fn state(code: &str) -> StateCode {
    StateCode::new(code).expect("test state codes are valid")
}

/// Builds an order from distributor D1 to partner P1, supplied within Maharashtra (27).
pub fn order(lines: Vec<OrderLine>) -> Order {
    Order {
        id: "O1".to_owned(),
        date: ORDER_DATE,
        parties: OrderParties {
            distributor_id: PartyId::new("D1").expect("valid party id"),
            partner_id: Some(PartyId::new("P1").expect("valid party id")),
            partner_group_ids: vec!["G1".to_owned()],
            territory: Some("PUNE".to_owned()),
        },
        supply: SupplyAddresses {
            supplier_state: state("27"),
            bill_to_state: state("27"),
            ship_to_state: state("27"),
        },
        lines,
    }
}

pub fn price_with(
    products: Vec<Product>,
    schemes: Vec<Scheme>,
    order: &Order,
    basis: PlaceOfSupplyBasis,
) -> Result<PricedOrder> {
    let catalog = Catalog::new(products)?;
    let schemes = SchemeBook::new(schemes)?;
    let gst_rates = GstRateTable::default();
    let context = PricingContext {
        catalog: &catalog,
        schemes: &schemes,
        gst_rates: &gst_rates,
        place_of_supply_basis: basis,
    };
    price_order(order, &context)
}

pub fn price(products: Vec<Product>, schemes: Vec<Scheme>, order: &Order) -> Result<PricedOrder> {
    price_with(products, schemes, order, PlaceOfSupplyBasis::BillTo)
}

pub fn line_by_id<'a>(priced: &'a PricedOrder, line_id: &str) -> &'a PricedLine {
    priced
        .lines
        .iter()
        .find(|line| line.line_id == line_id)
        .unwrap_or_else(|| panic!("line {line_id} missing from the priced order"))
}

pub fn applied_ids(line: &PricedLine) -> Vec<&str> {
    line.applied.iter().map(|applied| applied.scheme_id.as_str()).collect()
}
