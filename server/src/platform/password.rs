//! Argon2id password hashes (PHC strings) and the constant-work check for unknown users.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

#[cfg(test)]
thread_local! {
    /// Argon2 verifications run on this thread (tests count them to check the login path does
    /// the same work for unknown users as for wrong passwords, without timing anything).
    pub(crate) static VERIFICATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many argon2 verifications this thread has run.
#[cfg(test)]
pub(crate) fn verifications() -> usize {
    VERIFICATIONS.with(|c| c.get())
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("encoding salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

/// False for a wrong password and for a stored hash that does not parse.
pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => {
            #[cfg(test)]
            VERIFICATIONS.with(|c| c.set(c.get() + 1));
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }
        Err(_) => false,
    }
}

/// The hash [`dummy_verify`] checks against: a real argon2id PHC string of a random password,
/// made with the same parameters as every stored hash.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 16] = rand::random();
        hash_password(&crate::hex(&random)).unwrap_or_default()
    })
}

/// Verifies against [`dummy_hash`], so a login for an unknown user does the same argon2 work as
/// one with a wrong password.
pub fn dummy_verify(password: &str) {
    let _ = verify_password(dummy_hash(), password);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_password("changeme").unwrap();
        let b = hash_password("changeme").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password(&a, "changeme"));
        assert!(!verify_password(&a, "changeMe"));
        assert!(!verify_password("not a hash", "changeme"));
    }

    #[test]
    fn the_dummy_hash_is_a_real_hash_with_the_stored_parameters() {
        let dummy = PasswordHash::new(dummy_hash()).expect("dummy hash parses as PHC");
        let real_text = hash_password("changeme").unwrap();
        let real = PasswordHash::new(&real_text).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(
            dummy.hash.map(|h| h.len()),
            real.hash.map(|h| h.len()),
            "same output length"
        );
        let before = verifications();
        dummy_verify("changeme");
        assert_eq!(verifications(), before + 1, "one argon2 verification ran");
    }
}
