#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::export::{e_invoice_json, invoices_csv, payments_csv};
use dms_orders::*;
use serde_json::Value;

fn invoice_for(buyer: PartyDetails, series: &mut InvoiceSeries) -> Invoice {
    let order = accepted_order(buyer, vec![soap_line("10"), tea_line("3")]);
    raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request("2026-05-07T11:00:00+05:30", &[]),
        series,
    )
    .unwrap()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn e_invoice_of_intra_state_invoice() {
    let mut series = invoice_series("INV", 2026);
    let invoice = invoice_for(mumbai_buyer(), &mut series);
    let json = e_invoice_json(&invoice).unwrap();

    let expected = parse(
        r#"{
        "Version": "1.1",
        "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B"},
        "DocDtls": {"Typ": "INV", "No": "INV/26-27/00001", "Dt": "07/05/2026"},
        "SellerDtls": {"Gstin": "27AAACA1234A1Z5", "LglNm": "Acme Foods Pvt Ltd", "Addr1": "Shop 1, Main Road, Pune",
                       "Loc": "Pune", "Pin": 411001, "Stcd": "27"},
        "BuyerDtls": {"Gstin": "27BBBPK5678B1Z3", "LglNm": "Kirana Stores", "Pos": "27",
                      "Addr1": "Shop 1, Main Road, Mumbai", "Loc": "Mumbai", "Pin": 400001, "Stcd": "27"},
        "ItemList": [
            {"SlNo": "1", "PrdDesc": "Bath soap 100 g", "IsServc": "N", "HsnCd": "34011190", "Qty": 10,
             "Unit": "NOS", "UnitPrice": 40.00, "TotAmt": 400.00, "Discount": 0.00, "AssAmt": 400.00, "GstRt": 18,
             "IgstAmt": 0.00, "CgstAmt": 36.00, "SgstAmt": 36.00, "TotItemVal": 472.00},
            {"SlNo": "2", "PrdDesc": "Assam tea 250 g", "IsServc": "N", "HsnCd": "09023020", "Qty": 3,
             "Unit": "NOS", "UnitPrice": 125.50, "TotAmt": 376.50, "Discount": 0.00, "AssAmt": 376.50, "GstRt": 5,
             "IgstAmt": 0.00, "CgstAmt": 9.41, "SgstAmt": 9.41, "TotItemVal": 395.32}
        ],
        "ValDtls": {"AssVal": 776.50, "CgstVal": 45.41, "SgstVal": 45.41, "IgstVal": 0.00, "RndOffAmt": -0.32,
                    "TotInvVal": 867.00}
    }"#,
    );
    assert_eq!(json, expected);

    let text = serde_json::to_string(&json).unwrap();
    assert!(text.contains(r#""TotInvVal":867.00"#), "{text}");
    assert!(text.contains(r#""RndOffAmt":-0.32"#), "{text}");
    assert!(text.contains(r#""UnitPrice":125.50"#), "{text}");
}

#[test]
fn e_invoice_of_inter_state_invoice() {
    let mut series = invoice_series("INV", 2026);
    let invoice = invoice_for(ahmedabad_buyer(), &mut series);
    let json = e_invoice_json(&invoice).unwrap();

    assert_eq!(json["BuyerDtls"]["Pos"], "24");
    assert_eq!(json["BuyerDtls"]["Stcd"], "24");
    assert_eq!(json["SellerDtls"]["Stcd"], "27");
    let item_fields = |index: usize| {
        ["IgstAmt", "CgstAmt", "SgstAmt", "TotItemVal"].map(|field| json["ItemList"][index][field].to_string())
    };
    assert_eq!(item_fields(0), ["72.00", "0.00", "0.00", "472.00"]);
    assert_eq!(item_fields(1), ["18.83", "0.00", "0.00", "395.33"]);
    let totals = ["AssVal", "CgstVal", "SgstVal", "IgstVal", "RndOffAmt", "TotInvVal"]
        .map(|field| json["ValDtls"][field].to_string());
    assert_eq!(totals, ["776.50", "0.00", "0.00", "90.83", "-0.33", "867.00"]);
}

#[test]
fn e_invoice_quantity_keeps_three_decimals() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("2.125")]);
    let mut series = invoice_series("INV", 2026);
    let invoice = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request("2026-05-07T11:00:00+05:30", &[]),
        &mut series,
    )
    .unwrap();
    let json = e_invoice_json(&invoice).unwrap();
    assert_eq!(json["ItemList"][0]["Qty"].to_string(), "2.125");
    assert_eq!(json["ItemList"][0]["AssAmt"].to_string(), "85.00");
}

#[test]
fn invoices_csv_has_one_row_per_invoice() {
    let mut series = invoice_series("INV", 2026);
    let invoices = [
        invoice_for(mumbai_buyer(), &mut series),
        invoice_for(ahmedabad_buyer(), &mut series),
    ];
    assert_eq!(
        invoices_csv(&invoices).unwrap(),
        "invoice_number,invoice_date,due_date,seller_gstin,buyer_gstin,buyer_name,place_of_supply,\
         taxable_value,cgst,sgst,igst,round_off,invoice_total\n\
         INV/26-27/00001,2026-05-07,2026-06-06,27AAACA1234A1Z5,27BBBPK5678B1Z3,Kirana Stores,27,\
         776.50,45.41,45.41,0.00,-0.32,867.00\n\
         INV/26-27/00002,2026-05-07,2026-06-06,27AAACA1234A1Z5,24CCCPG9012C1Z1,Gujarat Mart,24,\
         776.50,0.00,0.00,90.83,-0.33,867.00\n"
    );
}

#[test]
fn payments_csv_shows_allocated_and_on_account() {
    let mut series = invoice_series("INV", 2026);
    let invoices = [invoice_for(mumbai_buyer(), &mut series)];
    let payment = Payment::new(
        PaymentId::generate(),
        seller().party_id,
        mumbai_buyer().party_id,
        PaymentMode::Upi,
        "UPI, ref 42",
        day(2026, 5, 20),
        money("1000.00"),
    )
    .unwrap();
    let payments = [payment.clone()];
    let receivables = Receivables::new(&invoices, &[], &payments, &[]);
    let applied = allocate_payment(&payment, &receivables, &AllocationRule::OldestFirst).unwrap();
    let receivables = Receivables::new(&invoices, &[], &payments, &applied.allocations);

    assert_eq!(
        payments_csv(&receivables).unwrap(),
        format!(
            "payment_id,received_on,buyer,mode,reference,amount,allocated,on_account\n\
             {},2026-05-20,kirana-12,upi,\"UPI, ref 42\",1000.00,867.00,133.00\n",
            payment.id
        )
    );
}
