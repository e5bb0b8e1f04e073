//! Argon2id password hashes (PHC strings), the constant-work check for unknown users, and the one
//! gate every hash and verification on a request path goes through ([`bounded`]).
//!
//! Each argon2 run fills 19 MiB and keeps a core busy, so at most one run per core happens at
//! once; a caller waits a bounded time for its turn or is told to come back later (503 with
//! `Retry-After`, RELIABILITY.md "Password hashing"). The runs fill memory from a small pool of
//! buffers kept between runs, so a burst of hashes does not leave the allocator holding one
//! 19 MiB block per thread that ever hashed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::platform::error::{AppError, RetryLater};

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

/// The `debug` event every argon2 run logs (target `gatehouse_server::platform::password`): the
/// hashing test counts these lines from the real binary to prove refused requests hash nothing.
pub const ARGON2_RUN_EVENT: &str = "argon2 run";

/// How long a request waits for an argon2 turn before it is answered 503.
pub const WAIT_FOR_TURN: Duration = Duration::from_secs(5);

/// The `Retry-After` (seconds) of a request that found every argon2 turn taken.
pub const RETRY_AFTER_BUSY_SECS: u64 = 1;

/// The message of that 503 (Boom on Kibana's routes, Elasticsearch's shape in the console).
pub fn busy_message(retry_after_secs: u64) -> String {
    format!("Too many password checks are running. Try again in {retry_after_secs} seconds.")
}

/// Why a bounded argon2 run did not happen or did not finish.
#[derive(Debug)]
pub enum PasswordWorkError {
    /// Every turn stayed taken for [`WAIT_FOR_TURN`], or too many requests were already waiting:
    /// answer 503 with `Retry-After` of this many seconds.
    Busy { retry_after_secs: u64 },
    /// The run itself failed (a panic on the blocking thread, or argon2 refused its input).
    Failed(anyhow::Error),
}

/// The turns: one argon2 run per core, and a cap on how many requests may queue for one (each
/// queued request holds its connection; beyond this they are answered 503 at once).
struct Turns {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

fn turns() -> &'static Turns {
    static TURNS: OnceLock<Turns> = OnceLock::new();
    TURNS.get_or_init(|| Turns {
        permits: Arc::new(Semaphore::new(cores())),
        waiting: AtomicUsize::new(0),
        max_waiting: cores() * 32,
    })
}

/// Counts a queued request for as long as it waits.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs `work` (which hashes or verifies with the sync functions below) on a blocking thread once
/// an argon2 turn is free. Every request path that hashes or verifies a password comes through
/// here, so the bound holds for login, password changes and user creation alike.
pub async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordWorkError> {
    let turns = turns();
    let busy = PasswordWorkError::Busy {
        retry_after_secs: RETRY_AFTER_BUSY_SECS,
    };
    let permit = {
        if turns.waiting.fetch_add(1, Ordering::AcqRel) >= turns.max_waiting {
            turns.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(busy);
        }
        let _waiting = Waiting(&turns.waiting);
        match tokio::time::timeout(WAIT_FOR_TURN, turns.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            // Timed out, or the semaphore was closed (it never is).
            _ => return Err(busy),
        }
    };
    tokio::task::spawn_blocking(move || {
        let _turn = permit;
        work()
    })
    .await
    .map_err(|e| PasswordWorkError::Failed(e.into()))
}

impl PasswordWorkError {
    /// What the caller is told: busy is a 503 to retry later; a failed run is the server's fault.
    pub fn retry_later(self) -> Result<RetryLater, anyhow::Error> {
        match self {
            PasswordWorkError::Busy { retry_after_secs } => {
                Ok(RetryLater::password_busy(retry_after_secs))
            }
            PasswordWorkError::Failed(e) => Err(e),
        }
    }
}

/// Kibana's routes answer a busy server in Boom's shape, with `Retry-After`.
impl From<PasswordWorkError> for AppError {
    fn from(e: PasswordWorkError) -> Self {
        e.retry_later()
            .map_or_else(AppError::Internal, AppError::RetryLater)
    }
}

/// [`bounded`] [`hash_password`].
pub async fn hash(password: String) -> Result<String, PasswordWorkError> {
    bounded(move || hash_password(&password))
        .await?
        .map_err(PasswordWorkError::Failed)
}

/// [`bounded`] [`verify_password`].
pub async fn verify(stored_hash: String, password: String) -> Result<bool, PasswordWorkError> {
    bounded(move || verify_password(&stored_hash, &password)).await
}

// ---------------------------------------------------------------------------------------------
// The argon2 runs (sync; request paths call them through `bounded`)
// ---------------------------------------------------------------------------------------------

/// Argon2's memory, reused between runs: at most one buffer per turn is kept.
fn memory_pool() -> &'static Mutex<Vec<Vec<Block>>> {
    static POOL: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());
    &POOL
}

/// Runs `fill` with `blocks` blocks of argon2 memory from the pool (a fresh buffer when the pool
/// is empty or its buffers are too small), then gives the buffer back.
fn with_memory<T>(blocks: usize, fill: impl FnOnce(&mut [Block]) -> T) -> T {
    let pooled = {
        let mut pool = memory_pool().lock().unwrap_or_else(|p| p.into_inner());
        pool.iter()
            .position(|b| b.len() >= blocks)
            .map(|i| pool.swap_remove(i))
    };
    let mut buffer = pooled.unwrap_or_else(|| vec![Block::default(); blocks]);
    let result = fill(&mut buffer[..blocks]);
    let mut pool = memory_pool().lock().unwrap_or_else(|p| p.into_inner());
    if pool.len() < cores() {
        pool.push(buffer);
    }
    result
}

fn count_run() {
    tracing::debug!(ARGON2_RUN_EVENT);
}

/// A new argon2id hash of `password` with the default parameters and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("encoding salt: {e}"))?;
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    count_run();
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), &salt_bytes, &mut out, memory)
    })
    .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("encoding parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("encoding hash: {e}"))?),
    };
    Ok(phc.to_string())
}

/// False for a wrong password and for a stored hash that does not parse.
pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    #[cfg(test)]
    VERIFICATIONS.with(|c| c.set(c.get() + 1));
    let setup = (|| {
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        Some((Argon2::new(algorithm, version, params), expected))
    })();
    let (Some((argon2, expected)), Some(salt)) = (setup, parsed.salt) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    count_run();
    let ran = with_memory(argon2.params().block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
    });
    // `Output`'s equality is constant-time.
    ran.is_ok() && Output::new(&out).is_ok_and(|computed| computed == expected)
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
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

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

    /// Our pooled-memory runs agree with the argon2 crate's own hashing and verification, both
    /// ways, so hashes stored before (and after) stay valid.
    #[test]
    fn hashes_agree_with_the_argon2_crate() {
        let ours = hash_password("changeme").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"changeme", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"wrong", &parsed)
            .is_err());
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"changeme", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password(&theirs, "changeme"));
        assert!(!verify_password(&theirs, "changem"));
        // A hash with other parameters (less memory, more passes) still verifies.
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"changeme", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password(&other, "changeme"));
        assert!(!verify_password(&other, "nope"));
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

    #[test]
    fn the_memory_pool_keeps_at_most_one_buffer_per_turn() {
        std::thread::scope(|scope| {
            for _ in 0..(cores() + 3) {
                scope.spawn(|| hash_password("changeme").unwrap());
            }
        });
        let kept = memory_pool().lock().unwrap().len();
        assert!(kept <= cores(), "{kept} buffers kept for {} cores", cores());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounded_runs_at_most_one_argon2_run_per_core() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..cores() * 3)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(bounded(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap().is_ok(), "every run got a turn in time");
        }
        let most = most.load(Ordering::SeqCst);
        assert!((1..=cores()).contains(&most), "{most} at once");
    }
}
