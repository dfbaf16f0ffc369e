//! The demo's field documents: visit plans and delivery acknowledgements, pushed over the
//! server's WebSocket like a phone would.
//!
//! Visits: the distributor's admin plans two visits to partners for each sales rep. The rep's
//! phone takes the plan offline and checks in and out of the first visit while the admin
//! reschedules that same visit. Both then sync, and the check-in must survive the reschedule.
//!
//! Deliveries: a driver delivers to each of the first few partners, with one sack short,
//! uploads the signature and photo by hash, signs off and syncs. A second phone of the driver
//! that had not seen the sign-off then sends a late edit, which the server must refuse. The
//! partner countersigns.
//!
//! The same driver later acknowledges real order-to-cash shipments
//! ([`acknowledge_consignment`]), which moves them to delivered or partly delivered.
//!
//! The documents are edited with the `dms_documents` edit functions and synced by a small
//! protocol client here, as any automerge-repo peer would sync them.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use automerge::Automerge;
use automerge::sync::{Message as SyncMessage, State as SyncState, SyncDoc};
use dms_documents::DocumentId;
use dms_documents::delivery_ack::{self, AcknowledgementHeader, Capture, Countersign, ImageRef, Receiver, Verdict};
use dms_documents::visit_plan::{self, NewVisit, Presence, VisitPlanHeader};
use dms_documents::wire::Message;
use dms_domain::catalog::Product;
use dms_domain::{
    AcknowledgementId, GeoPoint, PartyId, PlanId, ProductId, ShipmentId, TenantId, Timestamp, UserId, VisitId,
};
use futures_util::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::demo::logins::{Api, DISTRIBUTOR, Login};

/// Partners a driver delivers to, at most.
const MAX_DELIVERIES: usize = 5;
/// How long the demo waits for one frame from its own server.
const FRAME_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The people the field scenario needs, already onboarded.
pub struct FieldCast<'a> {
    pub api: &'a Api,
    pub server_url: &'a str,
    pub admin: &'a Login,
    pub admin_token: &'a str,
    pub reps: &'a [Login],
    /// The first login of each partner, in partner number order.
    pub partners: Vec<&'a Login>,
    pub products: &'a [Product],
}

/// Figures of one field scenario run.
#[derive(Clone, Debug, Default)]
pub struct FieldOutcome {
    pub plans: u64,
    /// Visits whose check-in reached the server despite the concurrent reschedule.
    pub check_ins_kept: u64,
    pub acknowledgements: u64,
    pub late_edits_sent: u64,
    pub late_edits_refused: u64,
    /// The driver and its access token, for the order-to-cash stage's deliveries.
    pub driver: Option<(Login, String)>,
}

/// An order-to-cash shipment on its way, as the driver's phone has it.
pub struct Consignment {
    pub shipment_id: ShipmentId,
    pub buyer_id: PartyId,
    pub vehicle_number: String,
    pub dispatched: BTreeMap<ProductId, Decimal>,
}

/// Runs visits for every rep and deliveries for the first partners.
pub async fn run(cast: &FieldCast<'_>) -> anyhow::Result<FieldOutcome> {
    let mut outcome = FieldOutcome::default();
    let tenant = TenantId::new(DISTRIBUTOR)?;
    let sync_url = sync_url(cast.server_url);
    let today = Timestamp::now();

    for (number, rep) in cast.reps.iter().enumerate() {
        let rep_token = cast.api.login(rep, &format!("rep phone {number}")).await?;
        let kept = run_visits(cast, &sync_url, &tenant, rep, &rep_token, number, today).await?;
        outcome.plans += 1;
        outcome.check_ins_kept += u64::from(kept);
    }

    if cast.partners.is_empty() || cast.products.is_empty() {
        return Ok(outcome);
    }
    let driver = create_driver(cast.api, cast.admin_token).await?;
    let driver_token = cast.api.login(&driver, "driver phone").await?;
    for (number, partner) in cast.partners.iter().take(MAX_DELIVERIES).enumerate() {
        let partner_token = cast.api.login(partner, &format!("partner phone {number}")).await?;
        let refused = run_delivery(
            cast,
            &sync_url,
            &tenant,
            (&driver, &driver_token),
            (partner, &partner_token),
            number,
        )
        .await?;
        outcome.acknowledgements += 1;
        outcome.late_edits_sent += 1;
        outcome.late_edits_refused += u64::from(refused);
    }
    outcome.driver = Some((driver, driver_token));
    Ok(outcome)
}

/// Acknowledges `consignment` on the driver's phone at the door, then signs off and syncs:
/// one pack short on the first product when more than one was dispatched, the receiver, the
/// signature and the place. The server applies it to the shipment.
pub async fn acknowledge_consignment(
    server_url: &str,
    (driver, driver_token): (&Login, &str),
    consignment: &Consignment,
    number: usize,
) -> anyhow::Result<()> {
    let driver_id = UserId::new(driver.login.clone())?;
    let now = Timestamp::now();
    let header = AcknowledgementHeader {
        ack_id: AcknowledgementId::generate(),
        tenant_id: TenantId::new(DISTRIBUTOR)?,
        shipment_id: consignment.shipment_id,
        buyer_id: consignment.buyer_id.clone(),
        driver_id: driver_id.clone(),
        vehicle_number: consignment.vehicle_number.clone(),
        created_at: now,
    };
    let receiver = Receiver {
        name: format!("Shop owner {number}"),
        phone: "9820012345".to_owned(),
    };
    let doorstep = Doorstep {
        short_reason: "one pack short",
        signature_text: format!("delivery signature {number}"),
    };
    let mut doc = prepare_acknowledgement(
        server_url,
        driver_token,
        &header,
        &consignment.dispatched,
        &receiver,
        &doorstep,
    )
    .await?;
    delivery_ack::sign_off(&mut doc, &driver_id, &now)?;

    let document_id = DocumentId::from_bytes(header.ack_id.to_bytes());
    refused_as_error(push(&sync_url(server_url), driver_token, document_id, &mut doc).await?)
}

/// What a delivery records at the door besides the receiver: the reason for the one unit
/// short, and the text the signature image is made from.
struct Doorstep<'a> {
    short_reason: &'a str,
    signature_text: String,
}

/// Builds an acknowledgement of `dispatched` up to sign-off: one unit short on the first
/// product when more than one was dispatched, the receiver, the signature (uploaded by hash
/// before the document refers to it) and the place.
async fn prepare_acknowledgement(
    server_url: &str,
    driver_token: &str,
    header: &AcknowledgementHeader,
    dispatched: &BTreeMap<ProductId, Decimal>,
    receiver: &Receiver,
    doorstep: &Doorstep<'_>,
) -> anyhow::Result<Automerge> {
    let now = header.created_at;
    let mut doc = Automerge::new();
    delivery_ack::create_acknowledgement(&mut doc, header, dispatched)?;
    if let Some((product, quantity)) = dispatched.iter().next()
        && *quantity > Decimal::ONE
    {
        delivery_ack::record_line(
            &mut doc,
            product,
            Decimal::ONE,
            Decimal::ZERO,
            Some(doorstep.short_reason),
            &now,
        )?;
    }
    delivery_ack::set_receiver(&mut doc, receiver, &now)?;

    let signature = upload(server_url, driver_token, doorstep.signature_text.clone().into_bytes()).await?;
    delivery_ack::attach_signature(&mut doc, &signature, &now)?;
    let capture = Capture {
        at: now,
        position: GeoPoint::parse("18.5204", "73.8567", "6")?,
    };
    delivery_ack::capture(&mut doc, &capture)?;
    Ok(doc)
}

/// Returns the demo distributor's sync URL on the server at `server_url`.
fn sync_url(server_url: &str) -> String {
    format!(
        "{}/api/v1/orgs/{DISTRIBUTOR}/sync",
        server_url.replacen("http", "ws", 1)
    )
}

/// One rep's plan: returns whether the server kept the rep's check-in beside the reschedule.
async fn run_visits(
    cast: &FieldCast<'_>,
    sync_url: &str,
    tenant: &TenantId,
    rep: &Login,
    rep_token: &str,
    number: usize,
    today: Timestamp,
) -> anyhow::Result<bool> {
    let manager = UserId::new(cast.admin.login.clone())?;
    let rep_id = UserId::new(rep.login.clone())?;
    let at = |hours: i64| Timestamp::from_offset_date_time(today.offset_date_time() + Duration::hours(hours));
    let plan_id = PlanId::generate();
    let document_id = DocumentId::from_bytes(plan_id.to_bytes());
    let header = VisitPlanHeader {
        plan_id,
        tenant_id: tenant.clone(),
        rep_id: rep_id.clone(),
        period_from: at(-24),
        period_to: at(24 * 6),
        created_by: manager,
        created_at: at(-24),
    };
    let mut manager_doc = Automerge::new();
    visit_plan::create_plan(&mut manager_doc, &header)?;
    let party_count = cast.partners.len().max(1);
    let visits: Vec<NewVisit> = (0..2)
        .map(|index| -> anyhow::Result<NewVisit> {
            Ok(NewVisit {
                visit_id: VisitId::generate(),
                party_id: PartyId::new(format!("partner-{:03}", (number * 2 + index) % party_count))?,
                owner: rep_id.clone(),
                window_from: at(index as i64 * 2),
                window_to: at(index as i64 * 2 + 1),
                unplanned: false,
                objectives: vec!["take the weekly order".to_owned()],
                attendees: Vec::new(),
                vehicle: None,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    for visit in &visits {
        visit_plan::add_visit(&mut manager_doc, visit, &at(-23))?;
    }
    refused_as_error(push(sync_url, cast.admin_token, document_id, &mut manager_doc).await?)?;

    // Offline: the rep checks in and out of the first visit while the manager reschedules it.
    let first = visits[0].visit_id;
    let mut rep_doc = manager_doc.fork();
    let position = GeoPoint::parse("18.5204", "73.8567", "8")?;
    let presence = |hours: i64| Presence {
        at: at(hours),
        position,
    };
    visit_plan::check_in(&mut rep_doc, first, &presence(0))?;
    visit_plan::check_out(&mut rep_doc, first, &presence(1))?;
    visit_plan::record_outcome(&mut rep_doc, first, "met the owner", "order taken", &at(1))?;
    visit_plan::reschedule(&mut manager_doc, first, at(3), at(4), &at(-1))?;
    refused_as_error(push(sync_url, cast.admin_token, document_id, &mut manager_doc).await?)?;
    refused_as_error(push(sync_url, rep_token, document_id, &mut rep_doc).await?)?;

    let merged = visit_plan::VisitPlanView::read(&rep_doc)?;
    let visit = merged
        .visits
        .get(&first)
        .context("the first visit is missing from the merged plan")?;
    Ok(visit.check_in.is_some() && visit.window_from == at(3))
}

async fn create_driver(api: &Api, admin_token: &str) -> anyhow::Result<Login> {
    let created = api
        .post_json(
            admin_token,
            &format!("/api/v1/orgs/{DISTRIBUTOR}/users"),
            &json!({"login": "driver-000", "role": "delivery_driver"}),
        )
        .await?;
    let field = |name: &str| {
        created[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the created driver has no {name}: {created}"))
    };
    Ok(Login {
        login: field("login")?,
        password: field("password")?,
    })
}

/// One delivery: returns whether the late edit after sign-off was refused.
async fn run_delivery(
    cast: &FieldCast<'_>,
    sync_url: &str,
    tenant: &TenantId,
    (driver, driver_token): (&Login, &str),
    (partner, partner_token): (&Login, &str),
    number: usize,
) -> anyhow::Result<bool> {
    let driver_id = UserId::new(driver.login.clone())?;
    let now = Timestamp::now();
    let header = AcknowledgementHeader {
        ack_id: AcknowledgementId::generate(),
        tenant_id: tenant.clone(),
        shipment_id: ShipmentId::generate(),
        buyer_id: PartyId::new(format!("partner-{number:03}"))?,
        driver_id: driver_id.clone(),
        vehicle_number: "MH-12-CD-5678".to_owned(),
        created_at: now,
    };
    let dispatched: BTreeMap<_, _> = cast
        .products
        .iter()
        .take(2)
        .map(|product| (product.id.clone(), Decimal::from(10)))
        .collect();
    let document_id = DocumentId::from_bytes(header.ack_id.to_bytes());
    let receiver = Receiver {
        name: format!("Receiver {number}"),
        phone: "+91 98200 12345".to_owned(),
    };
    let doorstep = Doorstep {
        short_reason: "one sack short",
        signature_text: format!("signature {number}"),
    };
    let mut doc = prepare_acknowledgement(
        cast.server_url,
        driver_token,
        &header,
        &dispatched,
        &receiver,
        &doorstep,
    )
    .await?;
    let photo = upload(cast.server_url, driver_token, format!("photo {number}").into_bytes()).await?;
    delivery_ack::add_photo(&mut doc, &photo, &now)?;
    let mut second_phone = doc.fork();
    delivery_ack::sign_off(&mut doc, &driver_id, &now)?;
    refused_as_error(push(sync_url, driver_token, document_id, &mut doc).await?)?;

    // The second phone, offline through the sign-off, sends a late edit.
    let last_product = dispatched.keys().last().context("a delivery needs a product")?;
    delivery_ack::record_line(
        &mut second_phone,
        last_product,
        Decimal::ZERO,
        Decimal::ONE,
        Some("dented"),
        &now,
    )?;
    let refused = push(sync_url, driver_token, document_id, &mut second_phone)
        .await?
        .is_err();

    // The partner accepts the delivery.
    let countersign = Countersign {
        by: UserId::new(partner.login.clone())?,
        at: Timestamp::now(),
        verdict: Verdict::Accepted,
        note: None,
    };
    delivery_ack::countersign(&mut doc, &countersign)?;
    refused_as_error(push(sync_url, partner_token, document_id, &mut doc).await?)?;
    Ok(refused)
}

async fn upload(server_url: &str, token: &str, bytes: Vec<u8>) -> anyhow::Result<ImageRef> {
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let url = format!("{server_url}/api/v1/orgs/{DISTRIBUTOR}/blobs/{sha256}");
    let response = reqwest::Client::new()
        .put(url)
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("uploading blob {sha256} failed with {}", response.status());
    }
    Ok(ImageRef {
        sha256,
        media_type: "image/png".to_owned(),
    })
}

fn refused_as_error(result: Result<(), String>) -> anyhow::Result<()> {
    result.map_err(|reason| anyhow::anyhow!("the demo server refused a field document: {reason}"))
}

/// Syncs `doc` with the server on a new connection until the server holds its heads.
/// Returns `Err(reason)` when the server refuses the change.
async fn push(
    sync_url: &str,
    token: &str,
    document_id: DocumentId,
    doc: &mut Automerge,
) -> anyhow::Result<Result<(), String>> {
    let mut request = sync_url.into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let peer_id = format!("demo-{}", ulid::Ulid::generate());
    let join = Message::Join {
        sender_id: peer_id.clone(),
        supported_protocol_versions: vec!["1".to_owned()],
        metadata: None,
    };
    socket.send(Frame::Binary(join.encode().into())).await?;
    loop {
        let frame = tokio::time::timeout(FRAME_WAIT, socket.next())
            .await
            .context("the demo server did not answer the join in time")?
            .context("the demo server closed the connection")??;
        if let Frame::Binary(bytes) = frame {
            match Message::decode(&bytes)? {
                Message::Peer { .. } => break,
                other => bail!("expected peer from the demo server, got {other:?}"),
            }
        }
    }

    let mut state = SyncState::new();
    let mut outgoing = doc.generate_sync_message(&mut state);
    for _ in 0..20 {
        if let Some(message) = outgoing.take() {
            let frame = Message::Sync {
                sender_id: peer_id.clone(),
                target_id: crate::tenant::sync_engine::SERVER_PEER_ID.to_owned(),
                document_id,
                data: message.encode(),
            };
            socket.send(Frame::Binary(frame.encode().into())).await?;
        }
        let frame = tokio::time::timeout(FRAME_WAIT, socket.next())
            .await
            .context("the demo server did not answer in time")?
            .context("the demo server closed the connection")??;
        let Frame::Binary(bytes) = frame else { continue };
        match Message::decode(&bytes)? {
            Message::Sync { data, .. } => {
                doc.receive_sync_message(&mut state, SyncMessage::decode(&data)?)?;
                if state.their_heads.as_deref() == Some(doc.get_heads().as_slice()) {
                    let _ = socket.close(None).await;
                    return Ok(Ok(()));
                }
                outgoing = doc.generate_sync_message(&mut state);
            }
            Message::Error { message } => return Ok(Err(message)),
            other => bail!("unexpected message from the demo server: {other:?}"),
        }
    }
    bail!("syncing document {document_id} did not finish in 20 exchanges")
}
