//! Invoices, credit notes, payments and receivables over REST, with the exports for
//! accountants (e-invoice JSON, invoices.csv, payments.csv) and the buyer's order status.
//!
//! Invoice and credit note numbers come from the series stored in the tenant's database. The
//! series is written back in the transaction that inserts the document, under the tenant's
//! lock, so a rejected request takes no number and the series has no gaps.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use dms_domain::{Money, PartyId, Timestamp};
use dms_orders::export::{e_invoice_json, invoices_csv, payments_csv};
use dms_orders::numbering::ist_date;
use dms_orders::{
    Allocation, AllocationRule, BillingPolicy, BuyerOrderStatus, BuyerOutstanding, CreditLineRequest, CreditNote,
    CreditNoteId, CreditNoteRequest, CreditReason, Invoice, InvoiceId, InvoiceLineRequest, InvoiceRequest, Payment,
    PaymentId, PaymentMode, SalesOrder, StatementOfAccount, allocate_payment, raise_credit_note, raise_invoice,
    statement_of_account,
};
use serde::{Deserialize, Serialize};
use time::Date;

use super::orders::{may_read, own_party};
use super::{ApiJson, ApiQuery, blocking};
use crate::access::{Action, Kind, Principal, Resource, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::orders::store::{self, SeriesKind};
use crate::orders::{Books, iso_date, seller_party};

#[derive(Deserialize)]
pub struct InvoiceBody {
    /// Bill a delivered shipment (delivered − returned − already invoiced).
    pub shipment_id: Option<String>,
    /// Or bill the sales order itself (accepted − already invoiced).
    pub sales_order_id: Option<String>,
    /// The invoice's time; the server's clock when left out.
    pub issued_at: Option<Timestamp>,
    /// Source lines and quantities; empty bills everything left to bill.
    #[serde(default)]
    pub lines: Vec<InvoiceLineRequest>,
}

/// Raises a GST tax invoice from a delivered shipment or, by policy, from a sales order.
pub async fn raise(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(body): ApiJson<InvoiceBody>,
) -> Result<(StatusCode, Json<Invoice>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Invoice))?;
    let invoice = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let connection = guard.store().connection();
        let (shipment, sales_order_id) = match (&body.shipment_id, &body.sales_order_id) {
            (Some(shipment_id), None) => {
                let shipment = store::shipment(connection, shipment_id)?
                    .ok_or_else(|| ServerError::NotFound(format!("shipment {shipment_id}")))?;
                let sales_order_id = shipment.sales_order_id.to_string();
                (Some(shipment), sales_order_id)
            }
            (None, Some(sales_order_id)) => (None, sales_order_id.clone()),
            _ => {
                return Err(ServerError::InvalidInput(
                    "name exactly one of shipment_id (bill a delivery) and sales_order_id (bill the order)".to_owned(),
                ));
            }
        };
        let order: SalesOrder = store::sales_order(connection, &sales_order_id)?
            .ok_or_else(|| ServerError::NotFound(format!("sales order {sales_order_id}")))?;
        let previous = store::invoices_of_order(connection, &sales_order_id)?;
        let issued_at = body.issued_at.unwrap_or_else(Timestamp::now);
        let mut series = store::invoice_series(connection, SeriesKind::Invoice, order.seller_id(), issued_at)?;
        let policy = match &shipment {
            Some(record) => BillingPolicy::Delivered(&record.shipment),
            None => BillingPolicy::Ordered,
        };
        let request = InvoiceRequest {
            id: InvoiceId::generate(),
            issued_at,
            lines: body.lines,
        };
        let invoice = raise_invoice(policy, &order, &previous, &request, &mut series)?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::insert_invoice(&transaction, &invoice)?;
        store::save_invoice_series(&transaction, SeriesKind::Invoice, &series)?;
        transaction.commit()?;
        tracing::info!(invoice_id = %invoice.id, number = invoice.number.as_str(), sales_order_id = %order.id,
            grand_total = %invoice.grand_total(), "invoice raised");
        Ok(invoice)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(invoice)))
}

/// Invoices the caller may see: all for the seller's staff, its own for a buyer.
pub async fn invoices(State(state): State<AppState>, Acting { context, .. }: Acting) -> Result<Json<Vec<Invoice>>> {
    let invoices = visible_invoices(state, context).await?;
    Ok(Json(invoices))
}

async fn visible_invoices(state: AppState, context: Principal) -> Result<Vec<Invoice>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Invoice))?;
    blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let invoices = store::invoices(tenant.lock().store().connection(), own_party(&context))?;
        Ok(invoices
            .into_iter()
            .filter(|invoice| may_read(&context, Kind::Invoice, invoice.buyer_id()))
            .collect())
    })
    .await
}

/// Returns the INV-01 e-invoice JSON of one invoice.
pub async fn e_invoice(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, invoice_id)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Invoice))?;
    let document = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let invoice = store::invoice(tenant.lock().store().connection(), &invoice_id)?
            .filter(|invoice| may_read(&context, Kind::Invoice, invoice.buyer_id()))
            .ok_or_else(|| ServerError::NotFound(format!("invoice {invoice_id}")))?;
        Ok(e_invoice_json(&invoice)?)
    })
    .await?;
    Ok(Json(document))
}

/// Exports the invoices the caller may see as CSV, one row per invoice, for accountants.
pub async fn invoices_csv_export(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<impl IntoResponse> {
    let invoices = visible_invoices(state, context).await?;
    let csv = invoices_csv(&invoices)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}

#[derive(Deserialize)]
pub struct CreditNoteBody {
    pub invoice_id: String,
    pub reason: CreditReason,
    pub issued_at: Option<Timestamp>,
    pub lines: Vec<CreditLineRequest>,
}

/// Raises a credit note against an invoice (a return, shortage or damage).
pub async fn raise_credit(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(body): ApiJson<CreditNoteBody>,
) -> Result<(StatusCode, Json<CreditNote>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Invoice))?;
    let note = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let connection = guard.store().connection();
        let invoice = store::invoice(connection, &body.invoice_id)?
            .ok_or_else(|| ServerError::NotFound(format!("invoice {}", body.invoice_id)))?;
        let previous = store::credit_notes_of_invoice(connection, &body.invoice_id)?;
        let issued_at = body.issued_at.unwrap_or_else(Timestamp::now);
        let mut series = store::invoice_series(connection, SeriesKind::CreditNote, invoice.seller_id(), issued_at)?;
        let request = CreditNoteRequest {
            id: CreditNoteId::generate(),
            issued_at,
            reason: body.reason,
            lines: body.lines,
        };
        let note = raise_credit_note(&invoice, &previous, &request, &mut series)?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::insert_credit_note(&transaction, &note, invoice.buyer_id())?;
        store::save_invoice_series(&transaction, SeriesKind::CreditNote, &series)?;
        transaction.commit()?;
        tracing::info!(credit_note_id = %note.id, number = note.number.as_str(), invoice_id = %invoice.id,
            "credit note raised");
        Ok(note)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// A credit note with the buyer it was raised for.
#[derive(Serialize)]
pub struct CreditNoteView {
    pub buyer_id: PartyId,
    #[serde(flatten)]
    pub note: CreditNote,
}

/// Credit notes the caller may see.
pub async fn credit_notes(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<CreditNoteView>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Invoice))?;
    let notes = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let connection = guard.store().connection();
        let invoices = store::invoices(connection, own_party(&context))?;
        let notes = store::credit_notes(connection, own_party(&context))?;
        Ok(notes
            .into_iter()
            .filter_map(|note| {
                let buyer = invoices
                    .iter()
                    .find(|invoice| invoice.id == note.invoice_id)?
                    .buyer_id()
                    .clone();
                may_read(&context, Kind::Invoice, &buyer).then_some(CreditNoteView { buyer_id: buyer, note })
            })
            .collect())
    })
    .await?;
    Ok(Json(notes))
}

#[derive(Deserialize)]
pub struct PaymentBody {
    pub buyer_id: PartyId,
    pub mode: PaymentMode,
    /// Cheque number, UTR or UPI reference; may be empty only for cash.
    #[serde(default)]
    pub reference: String,
    #[serde(with = "iso_date")]
    pub received_on: Date,
    pub amount: Money,
    /// `"oldest_first"` (the default) or `{"chosen": [[invoice_id, amount], …]}`.
    #[serde(default = "oldest_first")]
    pub allocation: AllocationRule,
}

fn oldest_first() -> AllocationRule {
    AllocationRule::OldestFirst
}

#[derive(Serialize)]
pub struct RecordedPayment {
    pub payment: Payment,
    pub allocations: Vec<Allocation>,
    /// Unallocated remainder of the payment, a credit on the buyer's account.
    pub on_account: Money,
}

/// Records a payment received and allocates it to the buyer's open invoices.
pub async fn record_payment(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(body): ApiJson<PaymentBody>,
) -> Result<(StatusCode, Json<RecordedPayment>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Payment))?;
    let recorded = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let payment = Payment::new(
            PaymentId::generate(),
            seller_party(&context.tenant_id)?,
            body.buyer_id.clone(),
            body.mode,
            &body.reference,
            body.received_on,
            body.amount,
        )?;
        let mut books = Books::load(guard.store().connection(), Some(&body.buyer_id))?;
        books.payments.push(payment.clone());
        let application = allocate_payment(&payment, &books.receivables(), &body.allocation)?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::insert_payment(&transaction, &payment, &context.user_id)?;
        store::insert_allocations(&transaction, &application.allocations)?;
        transaction.commit()?;
        tracing::info!(payment_id = %payment.id, buyer_id = %payment.buyer, amount = %payment.amount,
            on_account = %application.on_account, "payment recorded");
        Ok(RecordedPayment {
            payment,
            allocations: application.allocations,
            on_account: application.on_account,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

/// Payments the caller may see, with their allocations.
#[derive(Serialize)]
pub struct PaymentsView {
    pub payments: Vec<Payment>,
    pub allocations: Vec<Allocation>,
}

pub async fn payments(State(state): State<AppState>, Acting { context, .. }: Acting) -> Result<Json<PaymentsView>> {
    let books = visible_books(state, context).await?;
    Ok(Json(PaymentsView {
        payments: books.payments,
        allocations: books.allocations,
    }))
}

/// Exports the payments the caller may see as CSV, with the allocated amount and the remainder.
pub async fn payments_csv_export(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<impl IntoResponse> {
    let books = visible_books(state, context).await?;
    let csv = payments_csv(&books.receivables())?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}

/// Loads the books of the caller's own party for a buyer, of every buyer for staff.
async fn visible_books(state: AppState, context: Principal) -> Result<Books> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Payment))?;
    blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        Books::load(tenant.lock().store().connection(), own_party(&context))
    })
    .await
}

#[derive(Deserialize)]
pub struct AsOfQuery {
    /// `YYYY-MM-DD`; today in IST when left out.
    #[serde(default, with = "iso_date::option")]
    pub as_of: Option<Date>,
}

fn today() -> Date {
    ist_date(Timestamp::now())
}

/// Outstanding, overdue and ageing per buyer: every buyer for the seller's staff, the
/// caller's own party for a buyer.
pub async fn receivables(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> Result<Json<Vec<BuyerOutstanding>>> {
    let as_of = query.as_of.unwrap_or_else(today);
    let seller = seller_party(&context.tenant_id)?;
    let books = visible_books(state, context.clone()).await?;
    let mut rows = books.receivables().outstanding_by_buyer(&seller, as_of);
    if let Some(party) = own_party(&context) {
        // A buyer with no documents yet still gets its (zero) row.
        if rows.is_empty() {
            rows.push(books.receivables().outstanding_for(&seller, party, as_of));
        }
    }
    rows.retain(|row| may_read(&context, Kind::Payment, &row.buyer));
    Ok(Json(rows))
}

#[derive(Deserialize)]
pub struct StatementQuery {
    /// The buyer; a buyer's own party when left out.
    pub buyer: Option<PartyId>,
    #[serde(with = "iso_date")]
    pub from: Date,
    #[serde(with = "iso_date")]
    pub to: Date,
}

/// Builds a buyer's statement of account over a period.
pub async fn statement(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiQuery(query): ApiQuery<StatementQuery>,
) -> Result<Json<StatementOfAccount>> {
    let buyer = query
        .buyer
        .or_else(|| own_party(&context).cloned())
        .ok_or_else(|| ServerError::InvalidInput("name the buyer: ?buyer=PARTY".to_owned()))?;
    authorize(&context, Action::Read, &Resource::buyer_record(Kind::Payment, &buyer))?;
    let seller = seller_party(&context.tenant_id)?;
    let loaded_buyer = buyer.clone();
    let books = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        Books::load(tenant.lock().store().connection(), Some(&loaded_buyer))
    })
    .await?;
    Ok(Json(statement_of_account(
        &books.receivables(),
        &seller,
        &buyer,
        query.from,
        query.to,
    )))
}

#[derive(Deserialize)]
pub struct OrderStatusQuery {
    /// The buyer; a buyer's own party when left out.
    pub buyer: Option<PartyId>,
}

/// Returns the buyer's order status: sales order decisions, shipments with transport details
/// and status history, invoices, credit notes, payments and the amount outstanding today.
pub async fn order_status(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiQuery(query): ApiQuery<OrderStatusQuery>,
) -> Result<Json<BuyerOrderStatus>> {
    let buyer = query
        .buyer
        .or_else(|| own_party(&context).cloned())
        .ok_or_else(|| ServerError::InvalidInput("name the buyer: ?buyer=PARTY".to_owned()))?;
    authorize(
        &context,
        Action::Read,
        &Resource::buyer_record(Kind::SalesOrder, &buyer),
    )?;
    let seller = seller_party(&context.tenant_id)?;
    let status = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let connection = guard.store().connection();
        let books = Books::load(connection, Some(&buyer))?;
        let outstanding = books.receivables().outstanding_for(&seller, &buyer, today());
        Ok(BuyerOrderStatus {
            sales_orders: store::sales_orders(connection, Some(&buyer))?,
            shipments: store::shipments(connection, Some(&buyer))?,
            outstanding,
            buyer_id: buyer,
            invoices: books.invoices,
            credit_notes: books.credit_notes,
            payments: books.payments,
        })
    })
    .await?;
    Ok(Json(status))
}
