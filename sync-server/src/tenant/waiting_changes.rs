//! A peer's changes that arrived before the changes they depend on.
//!
//! automerge keeps such a change in the receiving document's queue and applies it once its
//! dependencies arrive, and the sync protocol requests those dependencies from the sender (the
//! `need` list of the reply is worked out from that queue). The sender never sends a change
//! twice on one connection. A receiver that applies each message to a fresh copy of its
//! document loses the queue: it gets the dependency it requested, but no longer has the
//! change that waited for it, requests that change again, and never gets it. The two sides
//! then exchange the same two messages until the connection is dropped.
//!
//! That happens whenever the sender's bloom filter test wrongly reports that the receiver
//! already has a dependency. automerge's filter uses 10 bits and 7 probes per change, about a
//! 1 % false positive rate by the usual formula. The sender then sends only the change the
//! receiver named. The server applies every message to a copy of the live
//! document, so it keeps that copy, with its queue, for the next message from the same peer.
//! The copy is never shared with another peer, so one peer's unverified changes cannot reach
//! the live document through another peer's message.

use std::collections::HashMap;

use automerge::sync::Message as SyncMessage;
use automerge::{Automerge, Change, ChangeHash, ReadDoc};
use dms_documents::DocumentId;

/// Bytes of changes one peer may have waiting for missing dependencies, over all documents,
/// counted as held in memory (uncompressed). Past this the peer is refused: an honest device
/// sends the dependencies in its next message, so only a faulty or hostile one piles changes up.
pub const MAX_WAITING_BYTES: usize = 8 * 1024 * 1024;

/// One document's copy holding the peer's queued changes, and the bytes of changes counted
/// against the peer since the copy started waiting.
struct Waiting {
    doc: Automerge,
    bytes: usize,
}

#[derive(Default)]
pub struct WaitingChanges {
    by_document: HashMap<DocumentId, Waiting>,
}

impl WaitingChanges {
    /// Takes the copy kept for `document_id` when the live document still has `heads`, with
    /// the bytes counted so far. A copy of a document that moved on since is dropped, and the
    /// sync protocol requests its missing changes again.
    pub fn take(&mut self, document_id: &DocumentId, heads: &[ChangeHash]) -> Option<(Automerge, usize)> {
        let waiting = self.by_document.remove(document_id)?;
        (waiting.doc.get_heads() == heads).then_some((waiting.doc, waiting.bytes))
    }

    /// Keeps `doc`, which received the sync message `data`, when it contains changes waiting for
    /// dependencies. `bytes` were counted for the copy before `data`. Returns `false`, keeping
    /// nothing, when the peer would then have more than [`MAX_WAITING_BYTES`] waiting.
    pub fn keep_if_waiting(&mut self, document_id: DocumentId, doc: &Automerge, bytes: usize, data: &[u8]) -> bool {
        if !has_waiting_changes(doc) {
            return true;
        }
        let bytes = bytes + held_bytes(data);
        let others: usize = self
            .by_document
            .iter()
            .filter(|(id, _)| **id != document_id)
            .map(|(_, waiting)| waiting.bytes)
            .sum();
        if others + bytes > MAX_WAITING_BYTES {
            self.by_document.remove(&document_id);
            return false;
        }
        self.by_document.insert(
            document_id,
            Waiting {
                doc: doc.clone(),
                bytes,
            },
        );
        true
    }
}

/// Returns the bytes the changes in sync message `data` take once loaded. automerge may send
/// a change compressed, and a few KiB on the wire can hold megabytes, so each change is
/// measured uncompressed. A chunk that is not one change (a whole saved document) counts at
/// its size on the wire.
fn held_bytes(data: &[u8]) -> usize {
    let Ok(message) = SyncMessage::decode(data) else {
        return data.len();
    };
    message
        .changes
        .iter()
        .map(|chunk| {
            Change::from_bytes(chunk.to_vec())
                .map(|change| change.raw_bytes().len())
                .unwrap_or(chunk.len())
        })
        .sum()
}

/// Returns whether `doc` contains received changes whose dependencies it lacks.
pub fn has_waiting_changes(doc: &Automerge) -> bool {
    !doc.get_missing_deps(&[]).is_empty()
}
