//! Comments on a shipment, written by the buyer's users or the seller's staff, such as "please
//! deliver after 4 pm" or "two cartons arrived wet". A comment is never edited or deleted.

use dms_domain::{PartyId, ShipmentId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};
use crate::ids::ShipmentCommentId;

/// The maximum length of a comment's text, in characters (Unicode scalar values) after
/// surrounding whitespace is trimmed.
pub const MAX_COMMENT_CHARS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentComment {
    pub id: ShipmentCommentId,
    pub shipment_id: ShipmentId,
    /// User id of the author.
    pub author: UserId,
    /// The party the author wrote for: the buyer's party for a buyer's user, the seller's for
    /// its staff.
    pub party: PartyId,
    /// The text with surrounding whitespace trimmed.
    pub text: String,
    pub at: Timestamp,
}

impl ShipmentComment {
    /// Builds a comment, rejecting text that is blank or longer than [`MAX_COMMENT_CHARS`].
    pub fn new(
        id: ShipmentCommentId,
        shipment_id: ShipmentId,
        author: UserId,
        party: PartyId,
        text: &str,
        at: Timestamp,
    ) -> Result<Self> {
        let text = text.trim();
        let invalid = |reason: String| OrderError::InvalidComment {
            shipment: shipment_id,
            reason,
        };
        if text.is_empty() {
            return Err(invalid("the text is blank; write what the comment says".to_owned()));
        }
        let length = text.chars().count();
        if length > MAX_COMMENT_CHARS {
            return Err(invalid(format!(
                "the text is {length} characters long; at most {MAX_COMMENT_CHARS} are allowed"
            )));
        }
        Ok(Self {
            id,
            shipment_id,
            author,
            party,
            text: text.to_owned(),
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(text: &str) -> Result<ShipmentComment> {
        ShipmentComment::new(
            ShipmentCommentId::generate(),
            ShipmentId::generate(),
            UserId::new("asha").unwrap(),
            PartyId::new("kirana-12").unwrap(),
            text,
            "2026-05-05T10:00:00+05:30".parse().unwrap(),
        )
    }

    #[test]
    fn comment_text_is_trimmed() {
        assert_eq!(comment("  deliver after 4 pm \n").unwrap().text, "deliver after 4 pm");
    }

    #[test]
    fn blank_comment_is_rejected() {
        for blank in ["", "   ", "\n\t"] {
            let error = comment(blank).unwrap_err();
            assert!(matches!(error, OrderError::InvalidComment { .. }), "{error}");
        }
    }

    #[test]
    fn comment_length_limit_counts_characters() {
        // "ā" is two bytes in UTF-8 but one character.
        assert_eq!(comment(&"ā".repeat(2000)).unwrap().text.chars().count(), 2000);
        match comment(&"a".repeat(2001)).unwrap_err() {
            OrderError::InvalidComment { reason, .. } => {
                assert_eq!(reason, "the text is 2001 characters long; at most 2000 are allowed");
            }
            other => panic!("expected an invalid comment, got {other}"),
        }
    }
}
