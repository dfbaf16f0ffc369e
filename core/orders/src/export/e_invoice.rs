//! The GST e-invoice JSON of a B2B tax invoice, in the INV-01 schema version 1.1 that the
//! Invoice Registration Portal accepts: `Version`, `TranDtls`, `DocDtls`, `SellerDtls`,
//! `BuyerDtls`, `ItemList` and `ValDtls`.
//!
//! Amounts are JSON numbers written from the `Decimal`'s own text ("1180.00"), never through
//! `f64`, so the portal receives exactly the paise on the printed invoice. Amounts always
//! carry two decimals, quantities up to three, rates as few as they need ("18", "0.25").
//! Item lines carry no discount, because the sales order price is already net of schemes.
//!
//! NOTE: optional blocks (dispatch and ship-to details, e-way bill, payment, export) are
//! not produced, and `Addr1`, `LglNm` and `PrdDesc` are not checked against the portal's
//! length limits.

use std::str::FromStr;

use dms_pricing::gst::rounding::round_paise;
use rust_decimal::Decimal;
use serde_json::{Number, Value, json};

use crate::error::{OrderError, Result};
use crate::invoice::{Invoice, InvoiceLine};
use crate::party::PartyDetails;

/// Builds the e-invoice JSON of `invoice`.
pub fn e_invoice_json(invoice: &Invoice) -> Result<Value> {
    let items = invoice.lines.iter().map(item).collect::<Result<Vec<_>>>()?;
    let tax = &invoice.tax;
    let date = invoice.invoice_date;

    Ok(json!({
        "Version": "1.1",
        "TranDtls": { "TaxSch": "GST", "SupTyp": "B2B" },
        "DocDtls": {
            "Typ": "INV",
            "No": invoice.number.as_str(),
            "Dt": format!("{:02}/{:02}/{:04}", date.day(), u8::from(date.month()), date.year()),
        },
        "SellerDtls": party(&invoice.seller, None)?,
        "BuyerDtls": party(&invoice.buyer, Some(tax.place_of_supply.state.as_str()))?,
        "ItemList": items,
        "ValDtls": {
            "AssVal": amount(tax.taxable_value)?,
            "CgstVal": amount(tax.cgst)?,
            "SgstVal": amount(tax.sgst)?,
            "IgstVal": amount(tax.igst)?,
            "RndOffAmt": amount(tax.round_off)?,
            "TotInvVal": amount(tax.grand_total)?,
        },
    }))
}

fn party(details: &PartyDetails, place_of_supply: Option<&str>) -> Result<Value> {
    let mut value = json!({
        "Gstin": details.gstin.as_str(),
        "LglNm": details.legal_name,
        "Addr1": details.address,
        "Loc": details.place,
        "Pin": number(details.location.pin.as_str())?,
        "Stcd": details.location.state.as_str(),
    });
    if let (Some(pos), Some(object)) = (place_of_supply, value.as_object_mut()) {
        object.insert("Pos".to_owned(), Value::String(pos.to_owned()));
    }
    Ok(value)
}

fn item(line: &InvoiceLine) -> Result<Value> {
    let gross = line.unit_price.rupees() * line.quantity;
    Ok(json!({
        "SlNo": line.line_no.to_string(),
        "PrdDesc": line.description,
        "IsServc": "N",
        "HsnCd": line.hsn,
        "Qty": number(&line.quantity.normalize().to_string())?,
        "Unit": line.unit,
        "UnitPrice": amount(line.unit_price.rupees())?,
        "TotAmt": amount(gross)?,
        "Discount": amount(gross - line.taxable_value.rupees())?,
        "AssAmt": amount(line.taxable_value.rupees())?,
        "GstRt": number(&line.gst_rate.normalize().to_string())?,
        "IgstAmt": amount(line.igst.rupees())?,
        "CgstAmt": amount(line.cgst.rupees())?,
        "SgstAmt": amount(line.sgst.rupees())?,
        "TotItemVal": amount(line.total.rupees())?,
    }))
}

/// Writes an amount rounded half up to paise, with exactly two decimals, as a JSON number.
fn amount(value: Decimal) -> Result<Value> {
    number(&round_paise(value).to_string())
}

fn number(text: &str) -> Result<Value> {
    Number::from_str(text)
        .map(Value::Number)
        .map_err(|error| OrderError::Export {
            format: "e-invoice JSON",
            reason: format!("{text:?} is not a JSON number: {error}"),
        })
}
