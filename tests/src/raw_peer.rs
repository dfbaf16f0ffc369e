//! A bare protocol peer for tests: a WebSocket to the sync server that sends exactly the
//! frames a test chooses, including malformed and hostile ones.

use std::time::Duration;

use automerge::Automerge;
use automerge::sync::{Message as SyncMessage, State as SyncState, SyncDoc};
use dms_documents::DocumentId;
use dms_documents::wire::Message;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for one frame before deciding none is coming.
pub const FRAME_WAIT: Duration = Duration::from_secs(5);

pub struct RawPeer {
    socket: Socket,
    pub peer_id: String,
}

/// What the server did with a pushed document.
#[derive(Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// The server's heads now equal the document's heads.
    Accepted,
    /// The server sent a protocol error with this text.
    Refused(String),
}

impl RawPeer {
    /// Opens the socket. `Err` carries the HTTP status when the upgrade is refused.
    pub async fn connect(sync_url: &str, token: Option<&str>) -> Result<RawPeer, u16> {
        let mut request = sync_url.into_client_request().expect("valid URL");
        if let Some(token) = token {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {token}").parse().expect("header"));
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(RawPeer {
                socket,
                peer_id: format!("raw-{}", ulid::Ulid::generate()),
            }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(error) => panic!("unexpected connection error: {error}"),
        }
    }

    /// Connects and completes the join/peer handshake.
    pub async fn joined(sync_url: &str, token: &str) -> RawPeer {
        let mut peer = RawPeer::connect(sync_url, Some(token)).await.expect("upgrade accepted");
        let join = Message::Join {
            sender_id: peer.peer_id.clone(),
            supported_protocol_versions: vec!["1".to_owned()],
            metadata: None,
        };
        peer.send(&join).await;
        match peer.receive().await {
            Some(Message::Peer { .. }) => peer,
            other => panic!("expected peer, got {other:?}"),
        }
    }

    pub async fn send(&mut self, message: &Message) {
        self.send_frame(Frame::Binary(message.encode().into())).await;
    }

    pub async fn send_frame(&mut self, frame: Frame) {
        // The server may already have closed the socket; the next receive shows that.
        let _ = self.socket.send(frame).await;
    }

    /// The next protocol message, or `None` if the socket closed or nothing came in time.
    pub async fn receive(&mut self) -> Option<Message> {
        loop {
            let frame = tokio::time::timeout(FRAME_WAIT, self.socket.next()).await.ok()??;
            match frame.ok()? {
                Frame::Binary(bytes) => return Some(Message::decode(&bytes).expect("server sent valid CBOR")),
                Frame::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Whether the server closed the connection (after any messages still queued).
    pub async fn closed(&mut self) -> bool {
        loop {
            match self.receive().await {
                None => return true,
                Some(Message::Error { .. }) => continue,
                Some(_) => continue,
            }
        }
    }

    /// Runs the sync protocol for `doc` until the server holds its heads or refuses.
    pub async fn push(&mut self, document_id: DocumentId, doc: &mut Automerge) -> PushOutcome {
        let mut state = SyncState::new();
        let first = doc.generate_sync_message(&mut state).expect("a first message");
        self.send(&self.sync(document_id, first)).await;

        for _ in 0..10 {
            match self.receive().await {
                Some(Message::Sync { data, .. }) => {
                    let message = SyncMessage::decode(&data).expect("valid sync message");
                    doc.receive_sync_message(&mut state, message).expect("apply");
                    if state.their_heads.as_deref() == Some(doc.get_heads().as_slice()) {
                        return PushOutcome::Accepted;
                    }
                    if let Some(next) = doc.generate_sync_message(&mut state) {
                        self.send(&self.sync(document_id, next)).await;
                    }
                }
                Some(Message::Error { message }) => return PushOutcome::Refused(message),
                Some(other) => panic!("unexpected {other:?}"),
                None => panic!("connection closed without an error message"),
            }
        }
        panic!("push did not finish in 10 exchanges");
    }

    /// Asks for a document it does not have; returns the server's first answer.
    pub async fn request(&mut self, document_id: DocumentId) -> Option<Message> {
        let mut state = SyncState::new();
        let first = Automerge::new()
            .generate_sync_message(&mut state)
            .expect("a first message");
        let request = Message::Request {
            sender_id: self.peer_id.clone(),
            target_id: "dms-sync-server".to_owned(),
            document_id,
            data: first.encode(),
        };
        self.send(&request).await;
        self.receive().await
    }

    fn sync(&self, document_id: DocumentId, message: SyncMessage) -> Message {
        Message::Sync {
            sender_id: self.peer_id.clone(),
            target_id: "dms-sync-server".to_owned(),
            document_id,
            data: message.encode(),
        }
    }
}
