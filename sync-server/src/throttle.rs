//! Rate limiting of failed logins, per account and per client address, in memory.
//!
//! Three counters of failures within [`WINDOW`] decide whether a login may be tried:
//!
//! - per (login name, address) pair, limit [`PAIR_LIMIT`]: the strict per-account limit. It
//!   stops one address from guessing one account's password, and it cannot lock the account
//!   for anyone at another address.
//! - per login name across all addresses, limit [`ACCOUNT_LIMIT`]: a ceiling on guesses
//!   against one account from many addresses.
//! - per address across all login names, limit [`ADDRESS_LIMIT`]: stops one address from
//!   spraying many accounts. It is above the pair limit because many phones can share one
//!   carrier address.
//!
//! Over any limit, attempts are rejected with `too_many_attempts` until the oldest failure
//! leaves the window, even with the right password, and the same way for login names that
//! do not exist, so the response never reveals whether an account exists.
//!
//! Why not a strict limit per login name alone: anyone who knows a login name could then
//! lock that user out by failing five times. The cost of this choice: an attacker with many
//! addresses gets up to [`ACCOUNT_LIMIT`] guesses per account per window instead of five
//! (9,600 a day), and one with `ACCOUNT_LIMIT / PAIR_LIMIT` addresses (20) can still lock
//! the account for everyone for a window.
//!
//! The counts live in memory, so a restart clears them and several server processes would
//! each count on their own.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::tenant::lock;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed for one login name from one address.
pub const PAIR_LIMIT: usize = 5;
/// Failures allowed for one login name from all addresses together.
pub const ACCOUNT_LIMIT: usize = 100;
/// Failures allowed from one address for all login names together.
pub const ADDRESS_LIMIT: usize = 20;

/// Above this many keys, recording a failure first drops the keys whose failures have all
/// left the window, so that sprayed login names cannot grow the map without bound.
const PRUNE_ABOVE_KEYS: usize = 10_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// Returns the seconds to wait if any counter for this login name and address is over
    /// its limit.
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
        if failures.len() > PRUNE_ABOVE_KEYS {
            failures.retain(|_, times| times.back().is_some_and(|time| now.duration_since(*time) < WINDOW));
        }
        for (key, _) in keys(login, address) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets this address's failures for the login name after a successful login. The
    /// account-wide and address-wide counts stay until they leave the window, so a user who
    /// logs in often does not reset the count of guesses made against the account elsewhere.
    pub fn record_success(&self, login: &str, address: IpAddr) {
        lock(&self.failures).remove(&pair_key(login, address));
    }
}

fn normalized(login: &str) -> String {
    login.trim().to_ascii_lowercase()
}

fn pair_key(login: &str, address: IpAddr) -> String {
    format!("pair:{address}:{}", normalized(login))
}

fn keys(login: &str, address: IpAddr) -> [(String, usize); 3] {
    [
        (pair_key(login, address), PAIR_LIMIT),
        (format!("login:{}", normalized(login)), ACCOUNT_LIMIT),
        (format!("address:{address}"), ADDRESS_LIMIT),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn sixth_attempt_from_same_address_is_rejected() {
        let throttle = LoginThrottle::default();
        let address = ip("127.0.0.1");
        for _ in 0..PAIR_LIMIT {
            assert_eq!(throttle.check("asha", address), Ok(()));
            throttle.record_failure("asha", address);
        }
        assert!(throttle.check("ASHA", address).is_err());
        assert_eq!(throttle.check("mohan", ip("10.0.0.2")), Ok(()));
    }

    #[test]
    fn failures_elsewhere_do_not_lock_account() {
        let throttle = LoginThrottle::default();
        for _ in 0..PAIR_LIMIT {
            throttle.record_failure("asha", ip("203.0.113.7"));
        }
        assert!(throttle.check("asha", ip("203.0.113.7")).is_err());
        assert_eq!(throttle.check("asha", ip("198.51.100.4")), Ok(()));
    }

    #[test]
    fn account_limit_spans_addresses() {
        let throttle = LoginThrottle::default();
        for attempt in 0..ACCOUNT_LIMIT {
            let address = IpAddr::from([10, 1, (attempt / 200) as u8, (attempt % 200) as u8]);
            throttle.record_failure("asha", address);
        }
        assert!(throttle.check("asha", ip("192.0.2.1")).is_err());
        assert_eq!(throttle.check("mohan", ip("192.0.2.1")), Ok(()));
    }

    #[test]
    fn address_limit_spans_login_names() {
        let throttle = LoginThrottle::default();
        let address = ip("203.0.113.9");
        for attempt in 0..ADDRESS_LIMIT {
            throttle.record_failure(&format!("user-{attempt}"), address);
        }
        assert!(throttle.check("someone-else", address).is_err());
        assert_eq!(throttle.check("someone-else", ip("203.0.113.10")), Ok(()));
    }

    #[test]
    fn success_clears_only_its_pair() {
        let throttle = LoginThrottle::default();
        let (home, office) = (ip("192.0.2.10"), ip("192.0.2.20"));
        for _ in 0..PAIR_LIMIT {
            throttle.record_failure("asha", home);
            throttle.record_failure("asha", office);
        }
        throttle.record_success("asha", home);
        assert_eq!(throttle.check("asha", home), Ok(()));
        assert!(throttle.check("asha", office).is_err());
    }
}
