//! One sync round between a device and the server.
//!
//! 1. Fetch the catalog if its version changed and the pricing terms if theirs changed, and the
//!    list of documents this user may see.
//! 2. Open the WebSocket with the access token, send `join`, wait for `peer`.
//! 3. Offer every local document with `sync`, and ask for every listed document this device
//!    lacks with `request`.
//! 4. Apply each reply to a copy of the document, store the changes it brought, then keep
//!    the copy; answer with the next sync message if automerge has one.
//! 5. Stop when, for every document, the server's heads equal ours (or the server reported
//!    it unavailable), then send `leave`.
//!
//! The server replies only after committing what it received, so "the server's heads equal
//! ours" means every local edit is durable on the server; that is when `acked_heads` moves.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use automerge::sync::{Message as SyncMessage, State as SyncState, SyncDoc};
use automerge::{Automerge, ReadDoc};
use dms_documents::DocumentId;
use dms_documents::wire::{MAX_MESSAGE_BYTES, Message, PROTOCOL_VERSION, PeerMetadata};
use dms_domain::Timestamp;
use dms_domain::catalog::Product;
use dms_orders::BuyerOrderStatus;
use dms_pricing::{PricingTerms, ProductPricing};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::device::{Device, Shared, Tokens};
use crate::error::{DeviceError, Result};

/// Maximum duration of a sync round. Edits stay safe on the device when it times out.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// Maximum wait for the server's next message while documents are unconfirmed.
pub const SETTLE_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts of what one sync round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub documents_synced: u32,
    /// Documents this device did not have before the round.
    pub documents_received: u32,
    pub changes_received: u32,
    pub catalog_updated: bool,
    pub catalog_version: i64,
    /// Whether the round stored new pricing terms (schemes and GST settings).
    pub pricing_terms_updated: bool,
    /// Documents the server reported as unavailable.
    pub documents_unavailable: u32,
    /// Documents whose latest heads the server did not confirm before it went quiet; they
    /// stay pending for the next round.
    pub documents_unconfirmed: u32,
    /// Signature and photo images the server stored in this round.
    pub blobs_uploaded: u32,
    /// Whether the round fetched the buyer's order status (buyers' devices only).
    pub order_status_updated: bool,
}

#[derive(Deserialize)]
struct CatalogResponse {
    version: i64,
    unchanged: bool,
    products: Vec<CatalogProduct>,
    /// Absent from servers that send no pricing terms.
    #[serde(default)]
    pricing_version: Option<String>,
    #[serde(default)]
    pricing_terms: Option<PricingTerms>,
}

#[derive(Deserialize)]
struct CatalogProduct {
    #[serde(flatten)]
    product: Product,
    #[serde(default)]
    pricing: Option<ProductPricing>,
}

#[derive(Deserialize)]
struct DocumentSummary {
    document_id: String,
}

pub(crate) async fn sync_now(device: &Device) -> Result<SyncReport> {
    // One round at a time per device: a second caller waits for the first round to end.
    let _round = device.shared.sync_round.lock().await;
    let outcome = tokio::time::timeout(SYNC_TIMEOUT, run_refreshing(device))
        .await
        .unwrap_or(Err(DeviceError::SyncTimedOut {
            seconds: SYNC_TIMEOUT.as_secs(),
        }));

    let shared = device.shared.clone();
    let error_text = outcome.as_ref().err().map(ToString::to_string).unwrap_or_default();
    let succeeded = outcome.is_ok();
    blocking(move || {
        let mut inner = shared.lock();
        if succeeded {
            inner.store.set_meta("last_sync_at", &Timestamp::now().to_string())?;
        }
        inner.store.set_meta("last_sync_error", &error_text)
    })
    .await?;

    match &outcome {
        Ok(report) => tracing::info!(
            device_id = %device.identity().device_id, documents = report.documents_synced,
            received = report.changes_received, "sync finished"
        ),
        Err(error) => tracing::warn!(device_id = %device.identity().device_id, %error, "sync failed"),
    }
    outcome
}

/// Runs a round; when the server rejects the access token and the device holds a refresh
/// token, refreshes once and runs the round again. A round only moves data the sync protocol
/// would resend anyway, so running it twice is safe.
async fn run_refreshing(device: &Device) -> Result<SyncReport> {
    match run(device).await {
        Err(DeviceError::Unauthorized(reason)) => {
            let Some(refresh_token) = device.shared.tokens().refresh_token else {
                return Err(DeviceError::Unauthorized(reason));
            };
            refresh(device, &refresh_token).await?;
            run(device).await
        }
        outcome => outcome,
    }
}

#[derive(Deserialize)]
struct TokenPair {
    access_token: String,
    refresh_token: String,
}

/// Trades `refresh_token` for a new pair, stores it, and makes it the device's tokens.
async fn refresh(device: &Device, refresh_token: &str) -> Result<()> {
    let config = device.config();
    let base = config.server_url.trim_end_matches('/');
    let url = format!("{base}/api/v1/auth/refresh");
    let response = http_client()?
        .post(&url)
        .json(&serde_json::json!({ "refresh_token": refresh_token }))
        .send()
        .await
        .map_err(|error| DeviceError::Network(error.to_string()))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        tracing::warn!(device_id = %config.identity.device_id, "refresh token rejected; a new login is needed");
        return Err(DeviceError::Unauthorized(format!("{url} answered {status}")));
    }
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(DeviceError::Refused(format!("{url} answered {status}: {body}")));
    }
    let pair: TokenPair = response
        .json()
        .await
        .map_err(|error| DeviceError::Network(format!("invalid response from {url}: {error}")))?;

    let shared = device.shared.clone();
    let login_access_token = config.access_token.clone();
    let saved = TokenPair {
        access_token: pair.access_token.clone(),
        refresh_token: pair.refresh_token.clone(),
    };
    blocking(move || {
        shared
            .lock()
            .store
            .save_tokens(&login_access_token, &saved.access_token, &saved.refresh_token)
    })
    .await?;
    device.shared.set_tokens(Tokens {
        access_token: pair.access_token,
        refresh_token: Some(pair.refresh_token),
    });
    tracing::info!(device_id = %config.identity.device_id, "refreshed access token");
    Ok(())
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|error| DeviceError::Network(error.to_string()))
}

async fn run(device: &Device) -> Result<SyncReport> {
    let config = device.config().clone();
    let access_token = device.shared.tokens().access_token;
    let base = config.server_url.trim_end_matches('/').to_owned();
    let mut report = SyncReport::default();

    // Catalog and document list over REST, in the organisation the device works for: a
    // partner buying from two distributors has one login and a device per distributor.
    let org = config.identity.tenant_id.as_str().to_owned();
    let http = http_client()?;
    let shared = device.shared.clone();
    let (local_version, local_terms) = blocking(move || {
        let inner = shared.lock();
        let terms_version = inner.store.pricing_terms()?.map(|(version, _)| version);
        Ok((inner.store.catalog_version()?, terms_version))
    })
    .await?;
    let mut catalog_url = format!(
        "{base}/api/v1/catalog?since_version={}&org={org}",
        local_version.unwrap_or(-1)
    );
    if let Some(terms_version) = &local_terms {
        catalog_url.push_str(&format!("&since_pricing_version={terms_version}"));
    }
    let catalog: CatalogResponse = get_json(&http, &catalog_url, &access_token).await?;
    report.catalog_version = catalog.version;
    report.catalog_updated = !catalog.unchanged;
    let products: Option<Vec<(Product, Option<ProductPricing>)>> = (!catalog.unchanged).then(|| {
        catalog
            .products
            .into_iter()
            .map(|entry| (entry.product, entry.pricing))
            .collect()
    });
    let terms = catalog.pricing_version.zip(catalog.pricing_terms);
    report.pricing_terms_updated = terms.is_some();
    if products.is_some() || terms.is_some() {
        let shared = device.shared.clone();
        let catalog_version = catalog.version;
        blocking(move || {
            shared.lock().store.replace_download(
                products.as_deref().map(|products| (catalog_version, products)),
                terms.as_ref().map(|(version, terms)| (version.as_str(), terms)),
            )
        })
        .await?;
    }
    let listed: Vec<DocumentSummary> =
        get_json(&http, &format!("{base}/api/v1/documents?org={org}"), &access_token).await?;

    // WebSocket handshake.
    let ws_url = format!("{}/sync?org={org}", base.replacen("http", "ws", 1));
    let mut request = ws_url
        .into_client_request()
        .map_err(|error| DeviceError::Network(format!("invalid server URL {base}: {error}")))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {access_token}")).map_err(|_| {
        DeviceError::InvalidInput("access token contains characters not allowed in a header".to_owned())
    })?;
    request.headers_mut().insert("authorization", bearer);
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(ws_config), true)
        .await
        .map_err(|error| match error {
            tokio_tungstenite::tungstenite::Error::Http(response) if response.status() == 401 => {
                DeviceError::Unauthorized(format!("the sync upgrade answered {}", response.status()))
            }
            error => DeviceError::Network(error.to_string()),
        })?;

    let peer_id = format!("{}-{}", config.identity.device_id, ulid::Ulid::generate());
    let join = Message::Join {
        sender_id: peer_id.clone(),
        supported_protocol_versions: vec![PROTOCOL_VERSION.to_owned()],
        metadata: Some(PeerMetadata {
            storage_id: Some(config.identity.device_id.clone()),
            is_ephemeral: false,
        }),
    };
    send(&mut socket, &join).await?;
    let server_peer_id = match receive(&mut socket).await? {
        Some(Message::Peer { sender_id, .. }) => sender_id,
        Some(Message::Error { message }) => return Err(DeviceError::Refused(message)),
        Some(other) => {
            return Err(DeviceError::Refused(format!(
                "expected peer, got {}",
                other.message_type()
            )));
        }
        None => {
            return Err(DeviceError::Network(
                "connection closed during the handshake".to_owned(),
            ));
        }
    };

    // Offer what we have; ask for what we lack.
    let shared = device.shared.clone();
    let listed_ids: Vec<DocumentId> = listed
        .iter()
        .filter_map(|summary| summary.document_id.parse().ok())
        .collect();
    let opening = blocking(move || opening_messages(&shared, &listed_ids)).await?;
    let mut states: HashMap<DocumentId, SyncState> = HashMap::new();
    let mut unsettled: HashSet<DocumentId> = HashSet::new();
    for (document_id, state, data, is_request) in opening {
        if is_request {
            report.documents_received += 1;
        }
        let message = if is_request {
            Message::Request {
                sender_id: peer_id.clone(),
                target_id: server_peer_id.clone(),
                document_id,
                data,
            }
        } else {
            Message::Sync {
                sender_id: peer_id.clone(),
                target_id: server_peer_id.clone(),
                document_id,
                data,
            }
        };
        send(&mut socket, &message).await?;
        states.insert(document_id, state);
        unsettled.insert(document_id);
    }

    // Exchange until every document is settled, or until the server goes quiet. A quiet
    // server ends the round without an error: the unconfirmed documents stay pending (their
    // acked heads do not move) and the next round, on a fresh connection with fresh sync
    // states on both sides, confirms them.
    let started = Instant::now();
    while !unsettled.is_empty() {
        let Ok(received) = tokio::time::timeout(SETTLE_IDLE_TIMEOUT, receive(&mut socket)).await else {
            let pending: Vec<String> = unsettled.iter().map(ToString::to_string).collect();
            tracing::warn!(
                device_id = %config.identity.device_id, documents = ?pending,
                "server sent nothing for {} seconds; ending the round with documents unconfirmed",
                SETTLE_IDLE_TIMEOUT.as_secs()
            );
            report.documents_unconfirmed = unsettled.len() as u32;
            break;
        };
        let message =
            received?.ok_or_else(|| DeviceError::Network("server closed the connection during sync".to_owned()))?;
        match message {
            Message::Sync { document_id, data, .. } => {
                let state = states.remove(&document_id).unwrap_or_default();
                let shared = device.shared.clone();
                let applied = blocking(move || apply_remote(&shared, document_id, state, &data)).await?;
                report.changes_received += applied.changes_received;
                if let Some(data) = applied.reply {
                    let reply = Message::Sync {
                        sender_id: peer_id.clone(),
                        target_id: server_peer_id.clone(),
                        document_id,
                        data,
                    };
                    send(&mut socket, &reply).await?;
                }
                if applied.settled && unsettled.remove(&document_id) {
                    report.documents_synced += 1;
                }
                states.insert(document_id, applied.state);
            }
            Message::DocUnavailable { document_id, .. } if unsettled.remove(&document_id) => {
                report.documents_unavailable += 1;
                report.documents_received = report.documents_received.saturating_sub(1);
            }
            Message::Error { message } => {
                let shared = device.shared.clone();
                let candidates: Vec<DocumentId> = unsettled.iter().copied().collect();
                let reason = message.clone();
                blocking(move || remember_refusal(&shared, &candidates, &reason)).await?;
                return Err(DeviceError::Refused(message));
            }
            _ => {}
        }
    }
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "documents settled");

    let leave = Message::Leave { sender_id: peer_id };
    let _ = send(&mut socket, &leave).await;
    let _ = socket.close(None).await;

    // Images referenced by acknowledgements, uploaded by hash after the documents.
    report.blobs_uploaded = upload_blobs(device, &http, &base, &org, &access_token).await?;

    // A buyer's order status, after the documents so a cart submitted in this round is
    // already an order request on the server. The documents are synced by now, so a failure
    // here (a server without the endpoint, say) keeps the last stored status and ends the
    // round without an error.
    if config.identity.party_id.is_some() {
        let url = format!("{base}/api/v1/orgs/{org}/order-status");
        match get_json::<BuyerOrderStatus>(&http, &url, &access_token).await {
            Ok(status) => {
                let shared = device.shared.clone();
                blocking(move || shared.lock().store.set_order_status(&status)).await?;
                report.order_status_updated = true;
            }
            Err(error) => {
                tracing::warn!(device_id = %config.identity.device_id, error = %error,
                    "failed to fetch the order status; the device keeps the last one it stored");
            }
        }
    }
    Ok(report)
}

type OpeningMessage = (DocumentId, SyncState, Vec<u8>, bool);

/// Builds the first sync message for each local document and each listed one the device lacks.
fn opening_messages(shared: &Shared, listed: &[DocumentId]) -> Result<Vec<OpeningMessage>> {
    let inner = shared.lock();
    let mut messages = Vec::new();
    for (document_id, doc) in &inner.documents {
        // A document the server refused is offered again only after a local edit.
        if inner.store.refused_heads(document_id)?.as_deref() == Some(doc.get_heads().as_slice()) {
            continue;
        }
        let mut state = SyncState::new();
        if let Some(message) = doc.generate_sync_message(&mut state) {
            messages.push((*document_id, state, message.encode(), false));
        }
    }
    for document_id in listed {
        if inner.documents.contains_key(document_id) {
            continue;
        }
        let mut state = SyncState::new();
        if let Some(message) = Automerge::new().generate_sync_message(&mut state) {
            messages.push((*document_id, state, message.encode(), true));
        }
    }
    Ok(messages)
}

/// Marks the document a refusal names, so the next round skips it until a local edit and the
/// other documents sync as usual. Every refusal from this server names its document id.
fn remember_refusal(shared: &Shared, candidates: &[DocumentId], reason: &str) -> Result<()> {
    let mut inner = shared.lock();
    for document_id in candidates {
        if !reason.contains(&document_id.to_string()) {
            continue;
        }
        let heads = inner
            .documents
            .get(document_id)
            .map(Automerge::get_heads)
            .unwrap_or_default();
        inner.store.mark_refused(document_id, &heads, reason)?;
        tracing::warn!(document_id = %document_id, "server rejected a document; it is held back until a local edit");
    }
    Ok(())
}

pub(crate) struct Applied {
    pub(crate) state: SyncState,
    pub(crate) reply: Option<Vec<u8>>,
    pub(crate) changes_received: u32,
    pub(crate) settled: bool,
}

/// Applies a server sync message to a copy of the document, stores the changes it brought,
/// and returns the reply to send.
pub(crate) fn apply_remote(
    shared: &Shared,
    document_id: DocumentId,
    mut state: SyncState,
    data: &[u8],
) -> Result<Applied> {
    let message = SyncMessage::decode(data)
        .map_err(|error| DeviceError::Refused(format!("invalid sync message for document {document_id}: {error}")))?;

    let mut inner = shared.lock();
    let before = inner.documents.get(&document_id).cloned();
    let before_heads = before.as_ref().map(Automerge::get_heads).unwrap_or_default();
    let mut doc = before.unwrap_or_default();
    doc.receive_sync_message(&mut state, message)
        .map_err(|error| DeviceError::Refused(format!("could not apply sync for document {document_id}: {error}")))?;

    let heads = doc.get_heads();
    let changes_received = if heads != before_heads {
        let count = doc.get_changes(&before_heads).len() as u32;
        inner.commit_edit(document_id, doc.clone(), &before_heads)?;
        count
    } else {
        // Changes that arrived before the changes they depend on wait in the document's
        // queue until those arrive. Keeping that copy keeps the queue; a forgotten one would
        // leave the device asking for a change the server already sent, which it never
        // resends on this connection. The queue is not stored: after a restart the next round
        // fetches the changes again.
        if inner.documents.contains_key(&document_id) && !doc.get_missing_deps(&[]).is_empty() {
            inner.documents.insert(document_id, doc.clone());
        }
        0
    };

    let settled = state.their_heads.as_deref() == Some(heads.as_slice()) && !heads.is_empty();
    if settled {
        inner.store.set_acked_heads(&document_id, &heads)?;
        inner.store.clear_refused(&document_id)?;
    }
    let reply = doc.generate_sync_message(&mut state).map(SyncMessage::encode);
    Ok(Applied {
        state,
        reply,
        changes_received,
        settled,
    })
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(socket: &mut Socket, message: &Message) -> Result<()> {
    socket
        .send(Frame::Binary(message.encode().into()))
        .await
        .map_err(|error| DeviceError::Network(error.to_string()))
}

/// Reads the next protocol message; `None` when the server closed the socket.
async fn receive(socket: &mut Socket) -> Result<Option<Message>> {
    loop {
        let Some(frame) = socket.next().await else {
            return Ok(None);
        };
        match frame.map_err(|error| DeviceError::Network(error.to_string()))? {
            Frame::Binary(bytes) => {
                return Message::decode(&bytes)
                    .map(Some)
                    .map_err(|error| DeviceError::Refused(format!("server sent an invalid message: {error}")));
            }
            Frame::Close(_) => return Ok(None),
            _ => continue,
        }
    }
}

/// Uploads every image the server has not confirmed; returns how many it stored.
async fn upload_blobs(device: &Device, http: &reqwest::Client, base: &str, org: &str, token: &str) -> Result<u32> {
    let shared = device.shared.clone();
    let pending = blocking(move || shared.lock().store.pending_blobs()).await?;
    let mut uploaded = 0;
    for blob in pending {
        let url = format!("{base}/api/v1/orgs/{org}/blobs/{}", blob.sha256);
        let response = http
            .put(&url)
            .bearer_auth(token)
            .header("content-type", blob.media_type.as_str())
            .body(blob.bytes)
            .send()
            .await
            .map_err(|error| DeviceError::Network(error.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(DeviceError::Refused(format!("{url} answered {status}: {body}")));
        }
        let shared = device.shared.clone();
        let sha256 = blob.sha256.clone();
        blocking(move || shared.lock().store.mark_blob_uploaded(&sha256)).await?;
        uploaded += 1;
    }
    Ok(uploaded)
}

async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str, token: &str) -> Result<T> {
    let response = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| DeviceError::Network(error.to_string()))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(DeviceError::Unauthorized(format!("{url} answered {status}")));
    }
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(DeviceError::Refused(format!("{url} answered {status}: {body}")));
    }
    response
        .json()
        .await
        .map_err(|error| DeviceError::Network(format!("invalid response from {url}: {error}")))
}

async fn blocking<T, F>(work: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| DeviceError::Task(error.to_string()))?
}
