//! The live sync sessions of the server, so that revoking a user, a grant or a device can
//! close its open WebSocket sessions at once instead of at their next request.
//!
//! Each session registers itself and gets a `watch` receiver; revocation sends `true` on the
//! matching senders, and the session's loop, which selects on the receiver, closes the
//! connection with a protocol `error`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use dms_domain::{TenantId, UserId};
use tokio::sync::watch;

use crate::tenant::lock;

#[derive(Default)]
pub struct LiveSessions {
    sessions: Mutex<HashMap<u64, LiveSession>>,
    next_id: AtomicU64,
}

struct LiveSession {
    user_id: UserId,
    device_id: Option<String>,
    org: TenantId,
    revoked: watch::Sender<bool>,
}

/// Removes its session from the registry when dropped.
pub struct Registration<'a> {
    sessions: &'a LiveSessions,
    id: u64,
}

impl LiveSessions {
    pub fn register(
        &self,
        user_id: UserId,
        device_id: Option<String>,
        org: TenantId,
    ) -> (Registration<'_>, watch::Receiver<bool>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (revoked, receiver) = watch::channel(false);
        lock(&self.sessions).insert(
            id,
            LiveSession {
                user_id,
                device_id,
                org,
                revoked,
            },
        );
        (Registration { sessions: self, id }, receiver)
    }

    /// Signals every session of `user`, only those in `org` if given. Returns how many.
    pub fn revoke_user(&self, user: &UserId, org: Option<&TenantId>) -> usize {
        self.revoke_where(|session| &session.user_id == user && org.is_none_or(|org| &session.org == org))
    }

    /// Signals every session opened with a token of `device_id`. Returns how many.
    pub fn revoke_device(&self, device_id: &str) -> usize {
        self.revoke_where(|session| session.device_id.as_deref() == Some(device_id))
    }

    pub fn count(&self) -> usize {
        lock(&self.sessions).len()
    }

    fn revoke_where(&self, matches: impl Fn(&LiveSession) -> bool) -> usize {
        let sessions = lock(&self.sessions);
        let mut signalled = 0;
        for session in sessions.values().filter(|session| matches(session)) {
            session.revoked.send_replace(true);
            signalled += 1;
        }
        signalled
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        lock(&self.sessions.sessions).remove(&self.id);
    }
}
