//! Helpers shared by the document tests: devices with fixed actor ids and the in-memory
//! two-peer sync loop.

use automerge::sync::{State, SyncDoc};
use automerge::{ActorId, Automerge};

const SYNC_ROUND_LIMIT: usize = 20;

pub fn device(actor: &str) -> Automerge {
    Automerge::new().with_actor(ActorId::from(actor.as_bytes()))
}

/// Runs the two-peer sync loop until neither side has anything to send.
pub fn sync(a: &mut Automerge, b: &mut Automerge) {
    let mut a_state = State::new();
    let mut b_state = State::new();
    for _ in 0..SYNC_ROUND_LIMIT {
        let a_to_b = a.generate_sync_message(&mut a_state);
        let b_to_a = b.generate_sync_message(&mut b_state);
        if a_to_b.is_none() && b_to_a.is_none() {
            assert_eq!(a.get_heads(), b.get_heads(), "sync stopped before converging");
            return;
        }
        if let Some(message) = a_to_b {
            b.receive_sync_message(&mut b_state, message)
                .expect("apply sync message");
        }
        if let Some(message) = b_to_a {
            a.receive_sync_message(&mut a_state, message)
                .expect("apply sync message");
        }
    }
    panic!("sync did not converge within {SYNC_ROUND_LIMIT} rounds");
}
