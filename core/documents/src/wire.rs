//! The automerge-repo WebSocket wire protocol, version 1.
//!
//! Every message is one CBOR map in one binary WebSocket frame, with a `type` field naming it.
//! The connecting peer (a device) sends `join`; the server replies `peer`; after that either
//! side sends `request` (begin syncing a document, answered by `doc-unavailable` if the other side lacks it),
//! `sync` (an automerge sync message for a document), `doc-unavailable`, `ephemeral` and
//! `leave`. `error` reports a protocol fault and precedes closing the connection.
//!
//! Decoding is strict about the fields this project relies on and lenient about extra fields,
//! so newer clients that add metadata still connect. Messages this server does not act on
//! (`remote-subscription-change`, `remote-heads-changed`) decode as [`Message::Unsupported`]
//! instead of failing, because automerge-repo clients may send them at any time.

use ciborium::value::Value;

use crate::document_id::DocumentId;
use crate::error::{DocumentError, Result};

/// The only protocol version this implementation speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// Largest message accepted or sent, in bytes. A cart's whole history is far smaller; a
/// larger frame is a fault or an attack, and is rejected before it is decoded.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// Metadata a peer may send with `join` and `peer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    /// Id of the peer's persistent storage, if it has one.
    pub storage_id: Option<String>,
    /// Whether the peer will not come back with the same storage.
    pub is_ephemeral: bool,
}

/// One protocol message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Join {
        sender_id: String,
        supported_protocol_versions: Vec<String>,
        metadata: Option<PeerMetadata>,
    },
    Peer {
        sender_id: String,
        selected_protocol_version: String,
        target_id: String,
        metadata: Option<PeerMetadata>,
    },
    Leave {
        sender_id: String,
    },
    Request {
        sender_id: String,
        target_id: String,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    Sync {
        sender_id: String,
        target_id: String,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    DocUnavailable {
        sender_id: String,
        target_id: String,
        document_id: DocumentId,
    },
    Ephemeral {
        sender_id: String,
        target_id: String,
        document_id: DocumentId,
        count: u64,
        session_id: String,
        data: Vec<u8>,
    },
    Error {
        message: String,
    },
    /// A well-formed message of a type this implementation does not act on.
    Unsupported {
        message_type: String,
    },
}

impl Message {
    /// Returns the `type` field as it appears on the wire.
    pub fn message_type(&self) -> &str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Leave { .. } => "leave",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::Error { .. } => "error",
            Message::Unsupported { message_type } => message_type,
        }
    }

    /// Decodes one message from the bytes of one binary frame.
    pub fn decode(bytes: &[u8]) -> Result<Message> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(DocumentError::MessageTooLarge {
                size: bytes.len(),
                limit: MAX_MESSAGE_BYTES,
            });
        }

        let value: Value = ciborium::from_reader(bytes)
            .map_err(|error| DocumentError::InvalidMessage(format!("not valid CBOR: {error}")))?;
        let Value::Map(entries) = value else {
            return Err(invalid("expected a CBOR map"));
        };
        let fields = Fields(entries);

        let message_type = fields.text("type")?;
        let message = match message_type.as_str() {
            "join" => Message::Join {
                sender_id: fields.text("senderId")?,
                supported_protocol_versions: fields.text_list("supportedProtocolVersions")?,
                metadata: fields.metadata()?,
            },
            "peer" => Message::Peer {
                sender_id: fields.text("senderId")?,
                selected_protocol_version: fields.text("selectedProtocolVersion")?,
                target_id: fields.text("targetId")?,
                metadata: fields.metadata()?,
            },
            "leave" => Message::Leave {
                sender_id: fields.text("senderId")?,
            },
            "request" => Message::Request {
                sender_id: fields.text("senderId")?,
                target_id: fields.text("targetId")?,
                document_id: fields.document_id()?,
                data: fields.bytes("data")?,
            },
            "sync" => Message::Sync {
                sender_id: fields.text("senderId")?,
                target_id: fields.text("targetId")?,
                document_id: fields.document_id()?,
                data: fields.bytes("data")?,
            },
            "doc-unavailable" => Message::DocUnavailable {
                sender_id: fields.text("senderId")?,
                target_id: fields.text("targetId")?,
                document_id: fields.document_id()?,
            },
            "ephemeral" => Message::Ephemeral {
                sender_id: fields.text("senderId")?,
                target_id: fields.text("targetId")?,
                document_id: fields.document_id()?,
                count: fields.unsigned("count")?,
                session_id: fields.text("sessionId")?,
                data: fields.bytes("data")?,
            },
            "error" => Message::Error {
                message: fields.text("message")?,
            },
            "remote-subscription-change" | "remote-heads-changed" => Message::Unsupported { message_type },
            other => {
                return Err(invalid(&format!("unknown message type {:?}", truncate(other))));
            }
        };
        Ok(message)
    }

    /// Encodes the message as the CBOR bytes of one binary frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut map: Vec<(Value, Value)> = vec![entry("type", text(self.message_type()))];
        match self {
            Message::Join {
                sender_id,
                supported_protocol_versions,
                metadata,
            } => {
                map.push(entry("senderId", text(sender_id)));
                let versions = supported_protocol_versions.iter().map(|v| text(v)).collect();
                map.push(entry("supportedProtocolVersions", Value::Array(versions)));
                push_metadata(&mut map, metadata);
            }
            Message::Peer {
                sender_id,
                selected_protocol_version,
                target_id,
                metadata,
            } => {
                map.push(entry("senderId", text(sender_id)));
                map.push(entry("selectedProtocolVersion", text(selected_protocol_version)));
                map.push(entry("targetId", text(target_id)));
                push_metadata(&mut map, metadata);
            }
            Message::Leave { sender_id } => map.push(entry("senderId", text(sender_id))),
            Message::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
            | Message::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            } => {
                map.push(entry("senderId", text(sender_id)));
                map.push(entry("targetId", text(target_id)));
                map.push(entry("documentId", text(&document_id.to_string())));
                map.push(entry("data", Value::Bytes(data.clone())));
            }
            Message::DocUnavailable {
                sender_id,
                target_id,
                document_id,
            } => {
                map.push(entry("senderId", text(sender_id)));
                map.push(entry("targetId", text(target_id)));
                map.push(entry("documentId", text(&document_id.to_string())));
            }
            Message::Ephemeral {
                sender_id,
                target_id,
                document_id,
                count,
                session_id,
                data,
            } => {
                map.push(entry("senderId", text(sender_id)));
                map.push(entry("targetId", text(target_id)));
                map.push(entry("documentId", text(&document_id.to_string())));
                map.push(entry("count", Value::Integer((*count).into())));
                map.push(entry("sessionId", text(session_id)));
                map.push(entry("data", Value::Bytes(data.clone())));
            }
            Message::Error { message } => map.push(entry("message", text(message))),
            Message::Unsupported { .. } => {}
        }

        let mut bytes = Vec::new();
        // Writing a Value into a Vec cannot fail: the only error source is the writer.
        let _ = ciborium::into_writer(&Value::Map(map), &mut bytes);
        bytes
    }
}

/// The fields of a decoded CBOR map, read by name.
struct Fields(Vec<(Value, Value)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(key, _)| matches!(key, Value::Text(key) if key == name))
            .map(|(_, value)| value)
    }

    fn required(&self, name: &str) -> Result<&Value> {
        self.get(name).ok_or_else(|| invalid(&format!("missing field {name}")))
    }

    fn text(&self, name: &str) -> Result<String> {
        match self.required(name)? {
            Value::Text(text) => Ok(text.clone()),
            _ => Err(invalid(&format!("field {name} must be a text string"))),
        }
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>> {
        match self.required(name)? {
            Value::Bytes(bytes) => Ok(bytes.clone()),
            _ => Err(invalid(&format!("field {name} must be a byte string"))),
        }
    }

    fn unsigned(&self, name: &str) -> Result<u64> {
        match self.required(name)? {
            Value::Integer(integer) => {
                u64::try_from(*integer).map_err(|_| invalid(&format!("field {name} must be a non-negative integer")))
            }
            _ => Err(invalid(&format!("field {name} must be an integer"))),
        }
    }

    fn text_list(&self, name: &str) -> Result<Vec<String>> {
        match self.required(name)? {
            Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    Value::Text(text) => Ok(text.clone()),
                    _ => Err(invalid(&format!("field {name} must list text strings"))),
                })
                .collect(),
            // Some clients send a single version as a plain string.
            Value::Text(text) => Ok(vec![text.clone()]),
            _ => Err(invalid(&format!("field {name} must be an array of text strings"))),
        }
    }

    fn document_id(&self) -> Result<DocumentId> {
        self.text("documentId")?.parse()
    }

    /// Reads the peer metadata. The protocol's README names the field `metadata`, while the
    /// JavaScript automerge-repo 2.x client sends `peerMetadata`, so both are accepted.
    fn metadata(&self) -> Result<Option<PeerMetadata>> {
        let Some(value) = self.get("metadata").or_else(|| self.get("peerMetadata")) else {
            return Ok(None);
        };
        let Value::Map(entries) = value else {
            return Err(invalid("field metadata must be a map"));
        };
        let metadata = Fields(entries.clone());
        let storage_id = match metadata.get("storageId") {
            Some(Value::Text(text)) => Some(text.clone()),
            // JavaScript clients send `undefined` (CBOR 0xf7), which decodes as null.
            Some(Value::Null) | None => None,
            Some(_) => return Err(invalid("field metadata.storageId must be a text string")),
        };
        let is_ephemeral = matches!(metadata.get("isEphemeral"), Some(Value::Bool(true)));
        Ok(Some(PeerMetadata {
            storage_id,
            is_ephemeral,
        }))
    }
}

fn push_metadata(map: &mut Vec<(Value, Value)>, metadata: &Option<PeerMetadata>) {
    let Some(metadata) = metadata else { return };
    let mut fields = Vec::new();
    if let Some(storage_id) = &metadata.storage_id {
        fields.push(entry("storageId", text(storage_id)));
    }
    fields.push(entry("isEphemeral", Value::Bool(metadata.is_ephemeral)));
    map.push(entry("metadata", Value::Map(fields)));
}

fn entry(key: &str, value: Value) -> (Value, Value) {
    (text(key), value)
}

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

fn invalid(reason: &str) -> DocumentError {
    DocumentError::InvalidMessage(reason.to_owned())
}

fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use dms_domain::CartId;

    use super::*;

    fn document_id() -> DocumentId {
        DocumentId::for_cart(CartId::generate())
    }

    #[test]
    fn every_message_round_trips() {
        let id = document_id();
        let messages = vec![
            Message::Join {
                sender_id: "device-1".into(),
                supported_protocol_versions: vec!["1".into()],
                metadata: Some(PeerMetadata {
                    storage_id: Some("store-1".into()),
                    is_ephemeral: false,
                }),
            },
            Message::Peer {
                sender_id: "server".into(),
                selected_protocol_version: "1".into(),
                target_id: "device-1".into(),
                metadata: None,
            },
            Message::Request {
                sender_id: "device-1".into(),
                target_id: "server".into(),
                document_id: id,
                data: vec![0x42, 1, 2],
            },
            Message::Sync {
                sender_id: "server".into(),
                target_id: "device-1".into(),
                document_id: id,
                data: vec![0x42],
            },
            Message::DocUnavailable {
                sender_id: "server".into(),
                target_id: "device-1".into(),
                document_id: id,
            },
            Message::Ephemeral {
                sender_id: "a".into(),
                target_id: "b".into(),
                document_id: id,
                count: 7,
                session_id: "s".into(),
                data: vec![9],
            },
            Message::Leave {
                sender_id: "device-1".into(),
            },
            Message::Error {
                message: "bad token".into(),
            },
        ];
        for message in messages {
            let decoded = Message::decode(&message.encode()).unwrap();
            assert_eq!(decoded, message);
        }
    }

    #[test]
    fn javascript_peer_metadata_field_is_read() {
        // {"type":"join","senderId":"js","supportedProtocolVersions":["1"],
        //  "peerMetadata":{"storageId":undefined,"isEphemeral":true}} as a JavaScript client
        // encodes it, with CBOR `undefined` (0xf7).
        let mut bytes = vec![0xa4];
        for (key, value) in [("type", "join"), ("senderId", "js")] {
            bytes.push(0x60 + key.len() as u8);
            bytes.extend_from_slice(key.as_bytes());
            bytes.push(0x60 + value.len() as u8);
            bytes.extend_from_slice(value.as_bytes());
        }
        bytes.extend_from_slice(&[0x78, 25]); // text longer than 23 bytes: length in the next byte
        bytes.extend_from_slice(b"supportedProtocolVersions");
        bytes.extend_from_slice(&[0x81, 0x61, b'1']);
        bytes.push(0x60 + 12);
        bytes.extend_from_slice(b"peerMetadata");
        bytes.push(0xa2);
        bytes.push(0x60 + 9);
        bytes.extend_from_slice(b"storageId");
        bytes.push(0xf7);
        bytes.push(0x60 + 11);
        bytes.extend_from_slice(b"isEphemeral");
        bytes.push(0xf5);

        let Message::Join { metadata, .. } = Message::decode(&bytes).unwrap() else {
            panic!("expected join");
        };
        assert_eq!(
            metadata,
            Some(PeerMetadata {
                storage_id: None,
                is_ephemeral: true
            })
        );
    }

    #[test]
    fn non_cbor_frame_is_rejected() {
        let error = Message::decode(b"\xff\xff\x00hello").unwrap_err().to_string();
        assert!(error.contains("not valid CBOR"), "{error}");
    }

    #[test]
    fn oversized_frame_is_rejected_before_decoding() {
        let frame = vec![0u8; MAX_MESSAGE_BYTES + 1];
        let error = Message::decode(&frame).unwrap_err();
        assert!(matches!(error, DocumentError::MessageTooLarge { .. }), "{error}");
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let mut bytes = Vec::new();
        let map = Value::Map(vec![entry("type", text("sync")), entry("senderId", text("a"))]);
        ciborium::into_writer(&map, &mut bytes).unwrap();
        let error = Message::decode(&bytes).unwrap_err().to_string();
        assert!(error.contains("missing field targetId"), "{error}");

        let mut bytes = Vec::new();
        let map = Value::Map(vec![
            entry("type", text("sync")),
            entry("senderId", text("a")),
            entry("targetId", text("b")),
            entry("documentId", text(&document_id().to_string())),
            entry("data", text("not bytes")),
        ]);
        ciborium::into_writer(&map, &mut bytes).unwrap();
        let error = Message::decode(&bytes).unwrap_err().to_string();
        assert!(error.contains("field data must be a byte string"), "{error}");
    }

    #[test]
    fn unknown_type_is_rejected_and_gossip_is_tolerated() {
        let mut bytes = Vec::new();
        ciborium::into_writer(&Value::Map(vec![entry("type", text("launch"))]), &mut bytes).unwrap();
        assert!(
            Message::decode(&bytes)
                .unwrap_err()
                .to_string()
                .contains("unknown message type")
        );

        let mut bytes = Vec::new();
        let map = Value::Map(vec![entry("type", text("remote-heads-changed"))]);
        ciborium::into_writer(&map, &mut bytes).unwrap();
        assert_eq!(
            Message::decode(&bytes).unwrap(),
            Message::Unsupported {
                message_type: "remote-heads-changed".into()
            }
        );
    }

    #[test]
    fn invalid_document_id_is_rejected() {
        let mut bytes = Vec::new();
        let map = Value::Map(vec![
            entry("type", text("doc-unavailable")),
            entry("senderId", text("a")),
            entry("targetId", text("b")),
            entry("documentId", text("not-a-document")),
        ]);
        ciborium::into_writer(&map, &mut bytes).unwrap();
        assert!(matches!(
            Message::decode(&bytes).unwrap_err(),
            DocumentError::InvalidDocumentId { .. }
        ));
    }
}
