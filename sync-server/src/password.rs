//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane,
//! the parameters OWASP's password storage cheat sheet lists first). Both functions are
//! CPU-bound for tens of milliseconds: call them on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{Result, ServerError};

/// Shortest password accepted for a new login.
pub const MIN_PASSWORD_CHARS: usize = 10;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hashes a new password into a PHC string with a random 16-byte salt.
pub fn hash(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServerError::InvalidInput(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| ServerError::Task(format!("no randomness: {error}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| ServerError::Task(format!("salt: {error}")))?;
    let hashed = hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| ServerError::Task(format!("password hashing failed: {error}")))?;
    Ok(hashed.to_string())
}

/// Checks a password against a stored hash. With no stored hash (unknown login), it checks
/// against a fixed dummy hash, so both cases take the same time and give the same answer.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let stored = stored.unwrap_or(DUMMY_HASH);
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let matches = hasher().verify_password(password.as_bytes(), &parsed).is_ok();
    matches && stored != DUMMY_HASH
}

/// Generates a random password for a new login: 16 characters from a 56-letter alphabet
/// without look-alikes (about 93 bits).
pub fn generate() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| ServerError::Task(format!("no randomness: {error}")))?;
    // 256 is not a multiple of 56, so the first letters are slightly likelier; at 16
    // characters that costs well under one bit of the total.
    Ok(bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect())
}

/// The Argon2id hash of a random password nobody knows, with the same parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2L0nQ6Gb5SJ0y4Qyv5mD1b0n3cF6e0hS0nFQYk8hYJ4";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("correct horse battery!", Some(&stored)));
    }

    #[test]
    fn unknown_login_never_verifies() {
        assert!(!verify("anything at all", None));
    }

    #[test]
    fn short_password_is_rejected() {
        assert!(matches!(hash("short"), Err(ServerError::InvalidInput(_))));
    }
}
