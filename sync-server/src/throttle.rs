//! Rate limiting of failed logins, per login name and per client address, in memory.
//!
//! After [`ACCOUNT_LIMIT`] failures for one login name, or [`ADDRESS_LIMIT`] from one
//! address, within [`WINDOW`], further attempts are refused with `too_many_attempts` until
//! the oldest failure leaves the window, even with the right password. The address limit is
//! higher because many phones can share one carrier address. The counts live in memory, so a
//! restart clears them and several server processes would each count on their own.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::tenant::lock;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const ACCOUNT_LIMIT: usize = 5;
pub const ADDRESS_LIMIT: usize = 20;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// Returns the seconds to wait if either key is over its limit.
    pub fn check(&self, login: &str, address: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = lock(&self.failures);
        let mut wait = 0;
        for (key, limit) in keys(login, address) {
            let Some(times) = failures.get_mut(&key) else { continue };
            while times.front().is_some_and(|time| now.duration_since(*time) >= WINDOW) {
                times.pop_front();
            }
            let oldest = times.front().filter(|_| times.len() >= limit);
            if let Some(oldest) = oldest {
                let remaining = WINDOW.saturating_sub(now.duration_since(*oldest)).as_secs().max(1);
                wait = wait.max(remaining);
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, login: &str, address: IpAddr) {
        let now = Instant::now();
        let mut failures = lock(&self.failures);
        for (key, _) in keys(login, address) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets the login name's failures after a successful login.
    pub fn record_success(&self, login: &str) {
        lock(&self.failures).remove(&account_key(login));
    }
}

fn account_key(login: &str) -> String {
    format!("login:{}", login.trim().to_ascii_lowercase())
}

fn keys(login: &str, address: IpAddr) -> [(String, usize); 2] {
    [
        (account_key(login), ACCOUNT_LIMIT),
        (format!("address:{address}"), ADDRESS_LIMIT),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixth_attempt_on_one_account_is_refused() {
        let throttle = LoginThrottle::default();
        let address: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..ACCOUNT_LIMIT {
            assert_eq!(throttle.check("asha", address), Ok(()));
            throttle.record_failure("asha", address);
        }
        assert!(throttle.check("ASHA", address).is_err());
        assert_eq!(throttle.check("mohan", "10.0.0.2".parse().unwrap()), Ok(()));
    }
}
