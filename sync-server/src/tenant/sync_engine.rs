//! The server side of document sync for one tenant, without sockets.
//!
//! A session hands each `request` or `sync` message to [`TenantState::receive`]. It applies
//! the automerge sync message to a copy of the document and checks the result against the
//! access rules and its schema. Carts are checked here, and visit plans, delivery
//! acknowledgements and business plans in [`crate::tenant::field_documents`]. It commits the
//! new changes (and any order request or reconciled field rows they cause) to SQLite, and only
//! then replaces the live document and replies. So a sync reply whose heads
//! include a change is sent only after that change is durable, and a refused change leaves
//! nothing behind, on disk or in memory.
//!
//! Replies and updates go into each peer's bounded outbox. A peer whose outbox is full is
//! dropped rather than allowed to hold the lock or grow memory; its device reconnects and
//! the sync protocol resends what it missed.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use automerge::sync::{Message as SyncMessage, State as SyncState, SyncDoc};
use automerge::{Automerge, ChangeHash};
use dms_documents::DocumentId;
use dms_documents::cart::{CartStatus, CartView, DocumentKind, document_kind};
use dms_documents::wire::Message;
use dms_domain::{PartyId, ProductId, TenantId};
use tokio::sync::mpsc;

use crate::access::{self, DocumentAccess, Principal};
use crate::error::ServerError;
use crate::pricing::buyer_view::shared_with;
use crate::registry::{OrgKind, Registry};
use crate::tenant::field_documents::{FieldCheck, FieldKind, FieldRefusal, check_field_update, signed_alteration};
use crate::tenant::field_store::FieldRecords;
use crate::tenant::reconcile::build_order_request;
use crate::tenant::store::{ChangeBatch, DocumentRecord, TenantStore};
use crate::tenant::waiting_changes::{MAX_WAITING_BYTES, WaitingChanges, has_waiting_changes};

/// Peer id the server announces in its `peer` message.
pub const SERVER_PEER_ID: &str = "dms-sync-server";

/// Identifies one live connection within a tenant.
pub type PeerKey = u64;

/// What a session's writer task sends on the socket.
#[derive(Debug)]
pub enum Outbound {
    Frame(Vec<u8>),
    /// Send a protocol `error` with this text, then close.
    Fault(String),
}

/// Why a message was refused. The text goes to the device as a protocol `error`.
#[derive(Debug, thiserror::Error)]
pub enum SyncFault {
    #[error("{0}")]
    Refused(String),

    #[error("internal error while syncing document {document_id}")]
    Internal {
        document_id: DocumentId,
        #[source]
        source: Box<ServerError>,
    },
}

struct Peer {
    principal: Principal,
    remote_peer_id: String,
    outbox: mpsc::Sender<Outbound>,
    sync_states: HashMap<DocumentId, SyncState>,
    /// Documents this peer asked for and may see; it gets every update to them.
    subscriptions: HashSet<DocumentId>,
    /// Changes this peer sent before their dependencies.
    waiting: WaitingChanges,
}

pub struct TenantState {
    tenant_id: TenantId,
    store: TenantStore,
    /// The links decide which buyers a new cart may name.
    registry: Arc<Registry>,
    documents: HashMap<DocumentId, Automerge>,
    peers: HashMap<PeerKey, Peer>,
    next_peer_key: PeerKey,
}

impl TenantState {
    pub fn new(tenant_id: TenantId, store: TenantStore, registry: Arc<Registry>) -> TenantState {
        TenantState {
            tenant_id,
            store,
            registry,
            documents: HashMap::new(),
            peers: HashMap::new(),
            next_peer_key: 1,
        }
    }

    pub fn store(&self) -> &TenantStore {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut TenantStore {
        &mut self.store
    }

    /// Registers a connection that completed the handshake.
    pub fn add_peer(
        &mut self,
        principal: Principal,
        remote_peer_id: String,
        outbox: mpsc::Sender<Outbound>,
    ) -> PeerKey {
        let key = self.next_peer_key;
        self.next_peer_key += 1;
        self.peers.insert(
            key,
            Peer {
                principal,
                remote_peer_id,
                outbox,
                sync_states: HashMap::new(),
                subscriptions: HashSet::new(),
                waiting: WaitingChanges::default(),
            },
        );
        key
    }

    pub fn remove_peer(&mut self, key: PeerKey) {
        self.peers.remove(&key);
    }

    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// The live document, loading it from SQLite on first use.
    pub fn document(&mut self, document_id: &DocumentId) -> Result<&Automerge, ServerError> {
        if !self.documents.contains_key(document_id) {
            let doc = self.store.load_document(document_id)?;
            self.documents.insert(*document_id, doc);
        }
        self.documents
            .get(document_id)
            .ok_or_else(|| ServerError::Corrupt(format!("document {document_id} vanished from the cache")))
    }

    /// Handles a `request` (`is_request`) or `sync` message from a peer.
    pub fn receive(
        &mut self,
        peer_key: PeerKey,
        document_id: DocumentId,
        data: &[u8],
        is_request: bool,
    ) -> Result<(), SyncFault> {
        let internal = |source: ServerError| SyncFault::Internal {
            document_id,
            source: Box::new(source),
        };
        let Some(peer) = self.peers.get(&peer_key) else {
            return Ok(()); // The connection closed while this message waited for the lock.
        };
        let principal = peer.principal.clone();

        let message = SyncMessage::decode(data).map_err(|error| {
            SyncFault::Refused(format!(
                "invalid automerge sync message for document {document_id}: {error}"
            ))
        })?;

        let record = self.store.document_record(&document_id).map_err(internal)?;
        let readable = record
            .as_ref()
            .is_some_and(|record| access::may_read(&principal, &record.access));

        // A document this peer may not see is answered exactly like one that does not exist.
        let before = if readable {
            Some(self.document(&document_id).map_err(internal)?.clone())
        } else {
            None
        };
        let before_heads = before.as_ref().map(Automerge::get_heads).unwrap_or_default();
        // The copy this peer's earlier message left with changes waiting for dependencies.
        let (mut candidate, waiting_bytes) = self
            .peers
            .get_mut(&peer_key)
            .and_then(|peer| peer.waiting.take(&document_id, &before_heads))
            .unwrap_or_else(|| (before.clone().unwrap_or_default(), 0));
        let mut state = self.peer_sync_state(peer_key, &document_id);
        candidate.receive_sync_message(&mut state, message).map_err(|error| {
            SyncFault::Refused(format!(
                "could not apply sync message for document {document_id}: {error}"
            ))
        })?;

        let changed = candidate.get_heads() != before_heads;
        let kept = self.peers.get_mut(&peer_key).is_none_or(|peer| {
            peer.waiting
                .keep_if_waiting(document_id, &candidate, waiting_bytes, data)
        });
        if !kept {
            return Err(SyncFault::Refused(format!(
                "more than {} bytes of changes to document {document_id} and others wait for changes they depend on; \
                 send the missing changes first",
                MAX_WAITING_BYTES
            )));
        }

        if !changed {
            if before.is_none() && is_request {
                self.drop_sync_state(peer_key, &document_id);
                self.send(
                    peer_key,
                    Message::DocUnavailable {
                        sender_id: SERVER_PEER_ID.to_owned(),
                        target_id: self.remote_peer_id(peer_key),
                        document_id,
                    },
                );
                return Ok(());
            }
            self.store_sync_state(peer_key, document_id, state, before.is_some());
            // The copy, not the live document: its queue makes the reply ask for the changes
            // the queued ones depend on. For an unknown document offered with `sync` it has
            // empty heads, so the device sends its changes, and nothing is kept until they arrive.
            self.reply(peer_key, document_id, &candidate);
            return Ok(());
        }

        if record.is_some() && !readable {
            return Err(SyncFault::Refused(format!(
                "document {document_id} cannot be written by user {}",
                principal.user_id
            )));
        }

        self.refuse_signed_alteration(&principal, record.as_ref(), before.as_ref(), &candidate, document_id)?;
        let accepted = self.check_update(&principal, record.as_ref(), before.as_ref(), &candidate, document_id)?;
        let new_changes = candidate.get_changes(&before_heads);
        // The live document gets only the changes committed here, never this peer's queue.
        let live = if has_waiting_changes(&candidate) {
            let mut live = before.clone().unwrap_or_default();
            live.apply_changes(new_changes.iter().cloned()).map_err(|error| {
                internal(ServerError::Corrupt(format!(
                    "document {document_id}: received changes do not apply to a copy: {error}"
                )))
            })?;
            live
        } else {
            candidate.clone()
        };
        let record = DocumentRecord {
            document_id,
            access: accepted.access,
            owner_user: record
                .map(|record| record.owner_user)
                .unwrap_or_else(|| principal.user_id.clone()),
            status: accepted.status,
            heads: candidate.get_heads(),
        };
        let change_count = new_changes.len();
        let made_order_request = accepted.order_request.is_some();
        self.store
            .commit_batch(ChangeBatch {
                record: &record,
                is_new: before.is_none(),
                changes: new_changes,
                received_from: &principal.user_id,
                order_request: accepted.order_request,
                late_edit: accepted.late_edit,
                field: accepted.field,
            })
            .map_err(internal)?;

        tracing::debug!(
            tenant_id = %self.tenant_id, document_id = %document_id, user_id = %principal.user_id,
            changes = change_count, "committed changes"
        );
        if made_order_request {
            tracing::info!(
                tenant_id = %self.tenant_id, document_id = %document_id, cart_id = %document_id.as_cart_id(),
                "reconciled submitted cart into an order request"
            );
        }

        self.documents.insert(document_id, live.clone());
        self.store_sync_state(peer_key, document_id, state, true);
        self.broadcast(document_id, &live, Some(peer_key));
        self.reply(peer_key, document_id, &candidate);
        Ok(())
    }

    /// Validates a changed document and works out what committing it implies.
    fn check_update(
        &self,
        principal: &Principal,
        record: Option<&DocumentRecord>,
        before: Option<&Automerge>,
        after: &Automerge,
        document_id: DocumentId,
    ) -> Result<AcceptedUpdate, SyncFault> {
        let refused = |reason: String| SyncFault::Refused(format!("document {document_id} refused: {reason}"));
        let internal = |source: ServerError| SyncFault::Internal {
            document_id,
            source: Box::new(source),
        };

        let kind_after = document_kind(after).map_err(|error| refused(error.to_string()))?;
        let was_cart = matches!(record.map(|record| &record.access), Some(DocumentAccess::Cart { .. }));

        let field_kind = match &kind_after {
            DocumentKind::Other(schema) => FieldKind::from_schema(schema),
            _ => None,
        };
        let stored_kind = record.map(DocumentRecord::kind);
        let is_field_kind = |kind: &str| ["visit_plan", "delivery_ack", "business_plan"].contains(&kind);
        if let Some(stored_kind) = stored_kind
            && (field_kind.is_some() || is_field_kind(stored_kind))
            && field_kind.map(FieldKind::as_str) != Some(stored_kind)
        {
            return Err(refused(format!("a {stored_kind} document cannot change its schema")));
        }
        if let Some(kind) = field_kind {
            let check = FieldCheck {
                principal,
                tenant_id: &self.tenant_id,
                store: &self.store,
                registry: &self.registry,
                document_id,
                before: if record.is_some() { before } else { None },
                after,
            };
            let update = check_field_update(kind, &check).map_err(|refusal| match refusal {
                FieldRefusal::Refused(reason) => refused(reason),
                FieldRefusal::Internal(source) => internal(source),
            })?;
            return Ok(AcceptedUpdate {
                access: update.access,
                status: update.status,
                order_request: None,
                late_edit: false,
                field: Some(update.records),
            });
        }

        match kind_after {
            DocumentKind::Untyped if was_cart => Err(refused("a cart cannot lose its schema".to_owned())),
            DocumentKind::Untyped => {
                let existing_owner = record.map(|record| &record.owner_user);
                access::check_untyped_write(principal, existing_owner)
                    .map_err(|denied| refused(format!("{denied} [{}]", denied.code())))?;
                Ok(AcceptedUpdate {
                    access: DocumentAccess::Untyped {
                        owner: existing_owner.cloned().unwrap_or_else(|| principal.user_id.clone()),
                    },
                    status: None,
                    order_request: None,
                    late_edit: false,
                    field: None,
                })
            }
            DocumentKind::Other(schema) => Err(refused(format!(
                "unknown schema {schema:?}; this server accepts dms.cart/1, dms.visit-plan/1, dms.delivery-ack/1, \
                 dms.business-plan/1 and documents without a schema"
            ))),
            DocumentKind::Cart => {
                let cart = CartView::read(after).map_err(|error| refused(error.to_string()))?;
                // A cart lives only under the document id derived from its cart id, so one cart
                // id cannot stand for two documents (and two order requests' worth of lines).
                if DocumentId::for_cart(cart.header.cart_id) != document_id {
                    return Err(refused(format!(
                        "cart {} belongs under document {}, not this one",
                        cart.header.cart_id,
                        DocumentId::for_cart(cart.header.cart_id)
                    )));
                }
                let before_cart = match before {
                    Some(before) if was_cart => {
                        Some(CartView::read(before).map_err(|error| internal(ServerError::Document(error)))?)
                    }
                    _ => None,
                };
                access::check_cart_write(principal, before_cart.as_ref(), &cart).map_err(refused)?;
                if before_cart.is_none() {
                    self.check_buyer_is_linked(&cart.header.buyer_id)
                        .map_err(|error| match error {
                            BuyerCheck::NotLinked(reason) => refused(reason),
                            BuyerCheck::Failed(source) => internal(source),
                        })?;
                }

                for product_id in cart.lines.keys() {
                    let known = self.store.product(product_id).map_err(internal)?;
                    if known.is_none() {
                        return Err(refused(format!("product {product_id} is not in the catalog")));
                    }
                }
                // Lines added by this change must be in the buyer's catalog; the order request
                // checks every line again when the cart is submitted.
                let buyer = &cart.header.buyer_id;
                let added: Vec<&ProductId> = cart
                    .lines
                    .keys()
                    .filter(|product| {
                        before_cart
                            .as_ref()
                            .is_none_or(|before| !before.lines.contains_key(*product))
                    })
                    .collect();
                if !added.is_empty()
                    && let Some(shared) = shared_with(self.store.connection(), buyer).map_err(internal)?
                    && let Some(unshared) = added.iter().find(|product| !shared.contains(**product))
                {
                    return Err(refused(format!("product {unshared} is not in buyer {buyer}'s catalog")));
                }

                let mut order_request = None;
                let mut late_edit = false;
                if cart.status == CartStatus::Submitted {
                    let cart_id = cart.header.cart_id.to_string();
                    if !self.store.has_order_request(&cart_id).map_err(internal)? {
                        let heads: Vec<ChangeHash> = after.get_heads();
                        order_request = Some(
                            build_order_request(&cart, &heads, &self.store, &self.registry)
                                .map_err(|error| refused(error.to_string()))?,
                        );
                    } else if before_cart.as_ref().map(|before| &before.lines) != Some(&cart.lines) {
                        late_edit = true;
                    }
                }

                Ok(AcceptedUpdate {
                    access: DocumentAccess::Cart {
                        buyer_id: cart.header.buyer_id.clone(),
                    },
                    status: Some(cart.status.as_str().to_owned()),
                    order_request,
                    late_edit,
                    field: None,
                })
            }
        }
    }

    /// Refuses a change that would alter a signed delivery acknowledgement, and records it in
    /// `signed_record_alterations` and the log as a report: whether a late offline edit or a
    /// tampering client, the seller must see that someone tried.
    fn refuse_signed_alteration(
        &mut self,
        principal: &Principal,
        record: Option<&DocumentRecord>,
        before: Option<&Automerge>,
        after: &Automerge,
        document_id: DocumentId,
    ) -> Result<(), SyncFault> {
        let is_ack = matches!(
            document_kind(after),
            Ok(DocumentKind::Other(schema)) if FieldKind::from_schema(&schema) == Some(FieldKind::DeliveryAck)
        );
        let stored_ack = record.is_some_and(|record| record.kind() == FieldKind::DeliveryAck.as_str());
        if !is_ack {
            return Ok(());
        }
        let check = FieldCheck {
            principal,
            tenant_id: &self.tenant_id,
            store: &self.store,
            registry: &self.registry,
            document_id,
            before: if stored_ack { before } else { None },
            after,
        };
        let Some((alteration, reason)) = signed_alteration(&check) else {
            return Ok(());
        };
        tracing::warn!(
            tenant_id = %self.tenant_id, document_id = %document_id, ack_id = %alteration.ack_id,
            shipment_id = %alteration.shipment_id, user_id = %principal.user_id, signed_by = %alteration.signed_by,
            "refused a change that alters a signed delivery acknowledgement"
        );
        if let Err(error) = self.store.record_alteration(&alteration) {
            tracing::error!(
                tenant_id = %self.tenant_id, document_id = %document_id, error = %error,
                "could not record the refused alteration of a signed acknowledgement"
            );
        }
        Err(SyncFault::Refused(format!("document {document_id} refused: {reason}")))
    }

    /// Checks that a new cart's buyer is a party this organisation sells to: a partner linked
    /// to the distributor, or a distributor linked to the company.
    fn check_buyer_is_linked(&self, buyer: &PartyId) -> Result<(), BuyerCheck> {
        if self
            .registry
            .is_linked(&self.tenant_id, buyer.as_str())
            .map_err(BuyerCheck::Failed)?
        {
            return Ok(());
        }
        let kind = self
            .registry
            .organisation(&self.tenant_id)
            .map_err(BuyerCheck::Failed)?
            .map(|organisation| organisation.kind);
        let reason = match kind {
            Some(OrgKind::Company) => format!("buyer {buyer} is not a distributor of company {}", self.tenant_id),
            _ => format!("buyer {buyer} is not a partner of distributor {}", self.tenant_id),
        };
        Err(BuyerCheck::NotLinked(reason))
    }

    fn peer_sync_state(&self, peer_key: PeerKey, document_id: &DocumentId) -> SyncState {
        self.peers
            .get(&peer_key)
            .and_then(|peer| peer.sync_states.get(document_id).cloned())
            .unwrap_or_default()
    }

    fn store_sync_state(&mut self, peer_key: PeerKey, document_id: DocumentId, state: SyncState, subscribe: bool) {
        if let Some(peer) = self.peers.get_mut(&peer_key) {
            peer.sync_states.insert(document_id, state);
            if subscribe {
                peer.subscriptions.insert(document_id);
            }
        }
    }

    fn drop_sync_state(&mut self, peer_key: PeerKey, document_id: &DocumentId) {
        if let Some(peer) = self.peers.get_mut(&peer_key) {
            peer.sync_states.remove(document_id);
        }
    }

    fn remote_peer_id(&self, peer_key: PeerKey) -> String {
        self.peers
            .get(&peer_key)
            .map(|peer| peer.remote_peer_id.clone())
            .unwrap_or_default()
    }

    /// Sends `peer_key` whatever its sync state says it still needs of `doc`.
    fn reply(&mut self, peer_key: PeerKey, document_id: DocumentId, doc: &Automerge) {
        let Some(peer) = self.peers.get_mut(&peer_key) else {
            return;
        };
        let state = peer.sync_states.entry(document_id).or_default();
        if let Some(message) = doc.generate_sync_message(state) {
            let frame = Message::Sync {
                sender_id: SERVER_PEER_ID.to_owned(),
                target_id: peer.remote_peer_id.clone(),
                document_id,
                data: message.encode(),
            };
            self.send(peer_key, frame);
        }
    }

    /// Sends every subscribed peer but `except` the update to `doc`.
    fn broadcast(&mut self, document_id: DocumentId, doc: &Automerge, except: Option<PeerKey>) {
        let subscribers: Vec<PeerKey> = self
            .peers
            .iter()
            .filter(|(key, peer)| Some(**key) != except && peer.subscriptions.contains(&document_id))
            .map(|(key, _)| *key)
            .collect();
        for key in subscribers {
            self.reply(key, document_id, doc);
        }
    }

    fn send(&mut self, peer_key: PeerKey, message: Message) {
        let Some(peer) = self.peers.get(&peer_key) else { return };
        match peer.outbox.try_send(Outbound::Frame(message.encode())) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    tenant_id = %self.tenant_id, user_id = %peer.principal.user_id,
                    "dropping a peer that stopped reading: its outbox is full"
                );
                self.peers.remove(&peer_key);
            }
            // The connection ended and its session has not yet removed the peer.
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.peers.remove(&peer_key);
            }
        }
    }
}

enum BuyerCheck {
    NotLinked(String),
    Failed(ServerError),
}

struct AcceptedUpdate {
    access: DocumentAccess,
    status: Option<String>,
    order_request: Option<crate::tenant::reconcile::OrderRequest>,
    late_edit: bool,
    field: Option<FieldRecords>,
}
