//! The route table: every route and method the server serves, listed once. The router is
//! built from it, and a test checks it against the OpenAPI document (`openapi.json`), so the
//! document cannot miss or invent an endpoint.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::app::{AppState, MAX_REQUEST_BODY_BYTES};
use crate::rest::{
    admin, billing, catalog_setup, delivery_visits, field, login, orders, planning, pricing, problems,
    shipment_comments, tenant_data,
};
use crate::sync;

/// One route: method, path in axum's `{param}` syntax (the same as OpenAPI's), and handler.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    endpoint: Endpoint,
}

#[derive(Clone, Copy, Debug)]
enum Endpoint {
    Health,
    OpenApi,
    Sync,
    Login,
    Refresh,
    Logout,
    Me,
    Devices,
    RevokeDevice,
    Catalog,
    Documents,
    OrderRequests,
    Users,
    CreateUser,
    RevokeUser,
    SetUserContact,
    Licences,
    IssueLicence,
    Links,
    LicenceReport,
    OnboardDistributor,
    OnboardPartner,
    ImportPartners,
    CatalogCsv,
    Schemes,
    ReplaceSchemes,
    PriceSimulation,
    Visits,
    VisitReport,
    DeliveryReportHtml,
    DeliveryReportPdf,
    BusinessPlanAchievement,
    PutBlob,
    GetBlob,
    Categories,
    PutCategory,
    DeleteCategory,
    PartnerGroups,
    PutPartnerGroup,
    DeletePartnerGroup,
    Territories,
    PutTerritory,
    DeleteTerritory,
    PriceLists,
    PutPriceList,
    DeletePriceList,
    CatalogShares,
    PutCatalogShare,
    DeleteCatalogShare,
    PutProductSetup,
    DecideOrderRequest,
    SalesOrders,
    ReceiveStock,
    ReserveStock,
    PlanShipment,
    Shipments,
    ShipmentEvent,
    AddShipmentComment,
    AssignDeliveryVisit,
    RecordSupplyEntry,
    ReceiveSupply,
    SupplyEntries,
    FulfilmentPlan,
    ScheduleProduction,
    DeliveryPlan,
    RaiseInvoice,
    Invoices,
    EInvoice,
    InvoicesCsv,
    RaiseCreditNote,
    CreditNotes,
    RecordPayment,
    Payments,
    PaymentsCsv,
    Receivables,
    StatementOfAccount,
    OrderStatus,
}

const fn route(method: &'static str, path: &'static str, endpoint: Endpoint) -> Route {
    Route { method, path, endpoint }
}

pub const ROUTES: &[Route] = &[
    route("get", "/health", Endpoint::Health),
    route("get", "/sync", Endpoint::Sync),
    route("get", "/api/v1/openapi.json", Endpoint::OpenApi),
    route("post", "/api/v1/auth/login", Endpoint::Login),
    route("post", "/api/v1/auth/refresh", Endpoint::Refresh),
    route("post", "/api/v1/auth/logout", Endpoint::Logout),
    route("get", "/api/v1/me", Endpoint::Me),
    route("get", "/api/v1/devices", Endpoint::Devices),
    route("post", "/api/v1/devices/{device}/revoke", Endpoint::RevokeDevice),
    // The first slice's routes act in the organisation named by `?org=`, a scoped token's,
    // or the user's only one.
    route("get", "/api/v1/catalog", Endpoint::Catalog),
    route("get", "/api/v1/documents", Endpoint::Documents),
    route("get", "/api/v1/order-requests", Endpoint::OrderRequests),
    route("get", "/api/v1/orgs/{org}/sync", Endpoint::Sync),
    route("get", "/api/v1/orgs/{org}/catalog", Endpoint::Catalog),
    route("get", "/api/v1/orgs/{org}/documents", Endpoint::Documents),
    route("get", "/api/v1/orgs/{org}/order-requests", Endpoint::OrderRequests),
    route("get", "/api/v1/orgs/{org}/users", Endpoint::Users),
    route("post", "/api/v1/orgs/{org}/users", Endpoint::CreateUser),
    route("post", "/api/v1/orgs/{org}/users/{user}/revoke", Endpoint::RevokeUser),
    route(
        "put",
        "/api/v1/orgs/{org}/users/{user}/contact",
        Endpoint::SetUserContact,
    ),
    route("get", "/api/v1/orgs/{org}/licences", Endpoint::Licences),
    route("post", "/api/v1/orgs/{org}/licences", Endpoint::IssueLicence),
    route("get", "/api/v1/orgs/{org}/links", Endpoint::Links),
    route("get", "/api/v1/orgs/{org}/licence-report", Endpoint::LicenceReport),
    route("post", "/api/v1/orgs/{org}/distributors", Endpoint::OnboardDistributor),
    route("post", "/api/v1/orgs/{org}/partners", Endpoint::OnboardPartner),
    route("post", "/api/v1/orgs/{org}/partners/import", Endpoint::ImportPartners),
    route("get", "/api/v1/orgs/{org}/catalog.csv", Endpoint::CatalogCsv),
    route("get", "/api/v1/orgs/{org}/schemes", Endpoint::Schemes),
    route("put", "/api/v1/orgs/{org}/schemes", Endpoint::ReplaceSchemes),
    route(
        "post",
        "/api/v1/orgs/{org}/price-simulations",
        Endpoint::PriceSimulation,
    ),
    route("get", "/api/v1/orgs/{org}/visits", Endpoint::Visits),
    route("get", "/api/v1/orgs/{org}/reports/visits", Endpoint::VisitReport),
    route(
        "get",
        "/api/v1/orgs/{org}/deliveries/{shipment}/report.html",
        Endpoint::DeliveryReportHtml,
    ),
    route(
        "get",
        "/api/v1/orgs/{org}/deliveries/{shipment}/report.pdf",
        Endpoint::DeliveryReportPdf,
    ),
    route(
        "get",
        "/api/v1/orgs/{org}/business-plans/{plan}/achievement",
        Endpoint::BusinessPlanAchievement,
    ),
    route("put", "/api/v1/orgs/{org}/blobs/{sha256}", Endpoint::PutBlob),
    route("get", "/api/v1/orgs/{org}/blobs/{sha256}", Endpoint::GetBlob),
    route("get", "/api/v1/orgs/{org}/categories", Endpoint::Categories),
    route("put", "/api/v1/orgs/{org}/categories/{category}", Endpoint::PutCategory),
    route(
        "delete",
        "/api/v1/orgs/{org}/categories/{category}",
        Endpoint::DeleteCategory,
    ),
    route("get", "/api/v1/orgs/{org}/partner-groups", Endpoint::PartnerGroups),
    route(
        "put",
        "/api/v1/orgs/{org}/partner-groups/{group}",
        Endpoint::PutPartnerGroup,
    ),
    route(
        "delete",
        "/api/v1/orgs/{org}/partner-groups/{group}",
        Endpoint::DeletePartnerGroup,
    ),
    route("get", "/api/v1/orgs/{org}/territories", Endpoint::Territories),
    route(
        "put",
        "/api/v1/orgs/{org}/territories/{territory}",
        Endpoint::PutTerritory,
    ),
    route(
        "delete",
        "/api/v1/orgs/{org}/territories/{territory}",
        Endpoint::DeleteTerritory,
    ),
    route("get", "/api/v1/orgs/{org}/price-lists", Endpoint::PriceLists),
    route(
        "put",
        "/api/v1/orgs/{org}/price-lists/{price_list}",
        Endpoint::PutPriceList,
    ),
    route(
        "delete",
        "/api/v1/orgs/{org}/price-lists/{price_list}",
        Endpoint::DeletePriceList,
    ),
    route("get", "/api/v1/orgs/{org}/catalog-shares", Endpoint::CatalogShares),
    route(
        "put",
        "/api/v1/orgs/{org}/catalog-shares/{share}",
        Endpoint::PutCatalogShare,
    ),
    route(
        "delete",
        "/api/v1/orgs/{org}/catalog-shares/{share}",
        Endpoint::DeleteCatalogShare,
    ),
    route(
        "put",
        "/api/v1/orgs/{org}/products/{product}/pricing",
        Endpoint::PutProductSetup,
    ),
    // Order to cash.
    route(
        "post",
        "/api/v1/orgs/{org}/order-requests/{order_request}/decision",
        Endpoint::DecideOrderRequest,
    ),
    route("get", "/api/v1/orgs/{org}/sales-orders", Endpoint::SalesOrders),
    route("post", "/api/v1/orgs/{org}/stock/receipts", Endpoint::ReceiveStock),
    route(
        "post",
        "/api/v1/orgs/{org}/sales-orders/{sales_order}/reservations",
        Endpoint::ReserveStock,
    ),
    route("post", "/api/v1/orgs/{org}/shipments", Endpoint::PlanShipment),
    route("get", "/api/v1/orgs/{org}/shipments", Endpoint::Shipments),
    route(
        "post",
        "/api/v1/orgs/{org}/shipments/{shipment}/events",
        Endpoint::ShipmentEvent,
    ),
    route(
        "post",
        "/api/v1/orgs/{org}/shipments/{shipment}/comments",
        Endpoint::AddShipmentComment,
    ),
    route(
        "put",
        "/api/v1/orgs/{org}/shipments/{shipment}/delivery-visit",
        Endpoint::AssignDeliveryVisit,
    ),
    route("post", "/api/v1/orgs/{org}/supply-entries", Endpoint::RecordSupplyEntry),
    route("get", "/api/v1/orgs/{org}/supply-entries", Endpoint::SupplyEntries),
    route(
        "post",
        "/api/v1/orgs/{org}/supply-entries/{entry}/receipt",
        Endpoint::ReceiveSupply,
    ),
    route("get", "/api/v1/orgs/{org}/fulfilment-plan", Endpoint::FulfilmentPlan),
    route(
        "post",
        "/api/v1/orgs/{org}/fulfilment-plan/production",
        Endpoint::ScheduleProduction,
    ),
    route("get", "/api/v1/orgs/{org}/delivery-plan", Endpoint::DeliveryPlan),
    route("post", "/api/v1/orgs/{org}/invoices", Endpoint::RaiseInvoice),
    route("get", "/api/v1/orgs/{org}/invoices", Endpoint::Invoices),
    route(
        "get",
        "/api/v1/orgs/{org}/invoices/{invoice}/e-invoice.json",
        Endpoint::EInvoice,
    ),
    route("get", "/api/v1/orgs/{org}/invoices.csv", Endpoint::InvoicesCsv),
    route("post", "/api/v1/orgs/{org}/credit-notes", Endpoint::RaiseCreditNote),
    route("get", "/api/v1/orgs/{org}/credit-notes", Endpoint::CreditNotes),
    route("post", "/api/v1/orgs/{org}/payments", Endpoint::RecordPayment),
    route("get", "/api/v1/orgs/{org}/payments", Endpoint::Payments),
    route("get", "/api/v1/orgs/{org}/payments.csv", Endpoint::PaymentsCsv),
    route("get", "/api/v1/orgs/{org}/receivables", Endpoint::Receivables),
    route("get", "/api/v1/orgs/{org}/statement", Endpoint::StatementOfAccount),
    route("get", "/api/v1/orgs/{org}/order-status", Endpoint::OrderStatus),
];

/// The OpenAPI 3.1 document served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

fn handler(endpoint: Endpoint) -> MethodRouter<AppState> {
    match endpoint {
        Endpoint::Health => get(|| async { "ok" }),
        Endpoint::OpenApi => get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        Endpoint::Sync => get(sync::upgrade),
        Endpoint::Login => post(login::login),
        Endpoint::Refresh => post(login::refresh),
        Endpoint::Logout => post(login::logout),
        Endpoint::Me => get(login::me),
        Endpoint::Devices => get(login::devices),
        Endpoint::RevokeDevice => post(login::revoke_device),
        Endpoint::Catalog => get(tenant_data::catalog),
        Endpoint::Documents => get(tenant_data::documents),
        Endpoint::OrderRequests => get(tenant_data::order_requests),
        Endpoint::Users => get(admin::users),
        Endpoint::CreateUser => post(admin::create_user),
        Endpoint::RevokeUser => post(admin::revoke_user),
        Endpoint::SetUserContact => put(admin::set_user_contact),
        Endpoint::Licences => get(admin::licences),
        Endpoint::IssueLicence => post(admin::issue_licence),
        Endpoint::Links => get(admin::links),
        Endpoint::LicenceReport => get(admin::licence_report),
        Endpoint::OnboardDistributor => post(admin::onboard_distributor),
        Endpoint::OnboardPartner => post(admin::onboard_partner),
        Endpoint::ImportPartners => post(admin::import_partners),
        Endpoint::CatalogCsv => get(pricing::catalog_csv),
        Endpoint::Schemes => get(pricing::schemes),
        Endpoint::ReplaceSchemes => put(pricing::replace_schemes),
        Endpoint::PriceSimulation => post(pricing::simulate),
        Endpoint::Visits => get(field::visits),
        Endpoint::VisitReport => get(field::visit_report_of_day),
        Endpoint::DeliveryReportHtml => get(field::delivery_report_html),
        Endpoint::DeliveryReportPdf => get(field::delivery_report_pdf),
        Endpoint::BusinessPlanAchievement => get(field::business_plan_achievement),
        // Images are larger than other request bodies; this limit replaces the router's.
        Endpoint::PutBlob => put(field::put_blob).layer(DefaultBodyLimit::max(field::MAX_BLOB_BYTES)),
        Endpoint::GetBlob => get(field::get_blob),
        Endpoint::Categories => get(catalog_setup::categories),
        Endpoint::PutCategory => put(catalog_setup::put_category),
        Endpoint::DeleteCategory => delete(catalog_setup::delete_category),
        Endpoint::PartnerGroups => get(catalog_setup::partner_groups),
        Endpoint::PutPartnerGroup => put(catalog_setup::put_partner_group),
        Endpoint::DeletePartnerGroup => delete(catalog_setup::delete_partner_group),
        Endpoint::Territories => get(catalog_setup::territories),
        Endpoint::PutTerritory => put(catalog_setup::put_territory),
        Endpoint::DeleteTerritory => delete(catalog_setup::delete_territory),
        Endpoint::PriceLists => get(catalog_setup::price_lists),
        Endpoint::PutPriceList => put(catalog_setup::put_price_list),
        Endpoint::DeletePriceList => delete(catalog_setup::delete_price_list),
        Endpoint::CatalogShares => get(catalog_setup::catalog_shares),
        Endpoint::PutCatalogShare => put(catalog_setup::put_catalog_share),
        Endpoint::DeleteCatalogShare => delete(catalog_setup::delete_catalog_share),
        Endpoint::PutProductSetup => put(catalog_setup::put_product_setup),
        Endpoint::DecideOrderRequest => post(orders::decide),
        Endpoint::SalesOrders => get(orders::sales_orders),
        Endpoint::ReceiveStock => post(orders::receive_stock),
        Endpoint::ReserveStock => post(orders::reserve),
        Endpoint::PlanShipment => post(orders::plan_shipment),
        Endpoint::Shipments => get(orders::shipments),
        Endpoint::ShipmentEvent => post(orders::shipment_event),
        Endpoint::AddShipmentComment => post(shipment_comments::add_comment),
        Endpoint::AssignDeliveryVisit => put(delivery_visits::assign),
        Endpoint::RecordSupplyEntry => post(planning::record_supply_entry),
        Endpoint::SupplyEntries => get(planning::supply_entries),
        Endpoint::ReceiveSupply => post(planning::receive_supply),
        Endpoint::FulfilmentPlan => get(planning::fulfilment_plan),
        Endpoint::ScheduleProduction => post(planning::schedule_production),
        Endpoint::DeliveryPlan => get(planning::delivery_plan),
        Endpoint::RaiseInvoice => post(billing::raise),
        Endpoint::Invoices => get(billing::invoices),
        Endpoint::EInvoice => get(billing::e_invoice),
        Endpoint::InvoicesCsv => get(billing::invoices_csv_export),
        Endpoint::RaiseCreditNote => post(billing::raise_credit),
        Endpoint::CreditNotes => get(billing::credit_notes),
        Endpoint::RecordPayment => post(billing::record_payment),
        Endpoint::Payments => get(billing::payments),
        Endpoint::PaymentsCsv => get(billing::payments_csv_export),
        Endpoint::Receivables => get(billing::receivables),
        Endpoint::StatementOfAccount => get(billing::statement),
        Endpoint::OrderStatus => get(billing::order_status),
    }
}

/// The router of every route in [`ROUTES`]; routes sharing a path share one method router.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for path in distinct_paths() {
        let mut methods: MethodRouter<AppState> = MethodRouter::new();
        for route in ROUTES.iter().filter(|route| route.path == path) {
            methods = methods.merge(handler(route.endpoint));
        }
        router = router.route(path, methods);
    }
    // Every error leaves as problem+json: unknown paths and methods get their own problems,
    // and the outer layer rewrites whatever plain-text rejection axum still produces.
    router
        .fallback(problems::route_not_found)
        .method_not_allowed_fallback(problems::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .layer(axum::middleware::map_response(problems::problem_json_for_errors))
        .with_state(state)
}

fn distinct_paths() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = ROUTES.iter().map(|route| route.path).collect();
    paths.dedup();
    paths.sort_unstable();
    paths.dedup();
    paths
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn openapi_document_lists_exactly_the_routes() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let mut documented = BTreeSet::new();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for method in operations.as_object().unwrap().keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
        let served: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|route| (route.method.to_owned(), route.path.to_owned()))
            .collect();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_documented_operation_has_an_id_and_problem_responses() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                assert!(operation["operationId"].is_string(), "{method} {path}");
                assert!(operation["responses"].is_object(), "{method} {path}");
            }
        }
    }
}
