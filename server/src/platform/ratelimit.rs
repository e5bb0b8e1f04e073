//! Password-guess limiting: failed password checks are counted per username and per client
//! address in a fixed window; once either count reaches its limit, further attempts answer 429
//! with `Retry-After` (without checking the password, so a locked account is no password oracle).
//!
//! One limiter counts every place a password is checked: login, and the current password asked
//! when changing your own (the Kibana route and the console's `_password`), so wrong guesses on
//! any of them count together (docs/sessions-and-capabilities.md#login-limits).
//!
//! Each attempt is counted *before* the password is verified (so parallel guesses cannot slip
//! past the limit); a successful login clears the username's count and takes its attempt back from
//! the address count. The tables live in memory and are bounded: when full, the entry whose window
//! started first is evicted.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The 429 message, Kibana's login text, for every password check the limiter refuses.
pub fn too_many_attempts_message(retry_after_secs: u64) -> String {
    format!("Too many failed login attempts. Try again in {retry_after_secs} seconds.")
}

/// Thresholds and window of the password-guess limiter.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Failed logins per username within `window` before further attempts are refused.
    pub per_user: u32,
    /// Failed logins per client address within `window` (any usernames).
    pub per_address: u32,
    /// How long failures count.
    pub window: Duration,
    /// Most usernames / addresses tracked at once (each table).
    pub capacity: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_user: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            capacity: 10_000,
        }
    }
}

/// The limiter's notion of now: the monotonic clock plus an offset tests can advance, so window
/// expiry is testable without sleeping.
#[derive(Debug, Clone)]
pub struct Clock {
    base: Instant,
    offset_ms: Arc<AtomicU64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            base: Instant::now(),
            offset_ms: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Clock {
    pub fn now(&self) -> Duration {
        self.base.elapsed() + Duration::from_millis(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    window_start: Duration,
    failures: u32,
}

#[derive(Debug, Default)]
struct Table {
    entries: HashMap<String, Entry>,
}

impl Table {
    /// The live entry for `key` (expired ones are dropped).
    fn live(&mut self, key: &str, now: Duration, window: Duration) -> Option<Entry> {
        match self.entries.get(key) {
            Some(e) if now.saturating_sub(e.window_start) < window => Some(*e),
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }

    fn record(&mut self, key: &str, now: Duration, window: Duration, capacity: usize) {
        if self.live(key, now, window).is_none() && self.entries.len() >= capacity.max(1) {
            self.entries
                .retain(|_, e| now.saturating_sub(e.window_start) < window);
            if self.entries.len() >= capacity.max(1) {
                if let Some(oldest) = self
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.window_start)
                    .map(|(k, _)| k.clone())
                {
                    self.entries.remove(&oldest);
                }
            }
        }
        self.entries
            .entry(key.to_string())
            .and_modify(|e| e.failures = e.failures.saturating_add(1))
            .or_insert(Entry {
                window_start: now,
                failures: 1,
            });
    }

    fn forgive(&mut self, key: &str) {
        if let Some(e) = self.entries.get_mut(key) {
            e.failures = e.failures.saturating_sub(1);
            if e.failures == 0 {
                self.entries.remove(key);
            }
        }
    }
}

#[derive(Debug, Default)]
struct Tables {
    users: Table,
    addresses: Table,
}

/// An admitted attempt; report its outcome with [`LoginLimiter::succeeded`] (or
/// [`LoginLimiter::not_checked`] when no password was checked after all).
#[derive(Debug)]
pub struct Attempt {
    username: String,
    address: Option<String>,
}

#[derive(Debug)]
pub struct LoginLimiter {
    limits: LoginLimits,
    clock: Clock,
    tables: Mutex<Tables>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits, clock: Clock) -> Self {
        Self {
            limits,
            clock,
            tables: Mutex::new(Tables::default()),
        }
    }

    /// Admits an attempt (counting it as a failure until [`Self::succeeded`]) or refuses it with
    /// the whole seconds until the blocking window ends (at least 1).
    pub fn begin(&self, username: &str, address: Option<IpAddr>) -> Result<Attempt, u64> {
        let now = self.clock.now();
        let LoginLimits {
            per_user,
            per_address,
            window,
            capacity,
        } = self.limits.clone();
        let address = address.map(|a| a.to_string());
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let mut retry_after: Option<Duration> = None;
        let mut block = |entry: Option<Entry>, limit: u32| {
            if let Some(e) = entry.filter(|e| e.failures >= limit) {
                let left = (e.window_start + window).saturating_sub(now);
                retry_after = Some(retry_after.map_or(left, |r| r.max(left)));
            }
        };
        block(tables.users.live(username, now, window), per_user);
        if let Some(address) = &address {
            block(tables.addresses.live(address, now, window), per_address);
        }
        if let Some(left) = retry_after {
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(secs.max(1));
        }
        tables.users.record(username, now, window, capacity);
        if let Some(address) = &address {
            tables.addresses.record(address, now, window, capacity);
        }
        Ok(Attempt {
            username: username.to_string(),
            address,
        })
    }

    /// The attempt logged in: the username starts afresh, the address gets its attempt back.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        tables.users.entries.remove(&attempt.username);
        if let Some(address) = &attempt.address {
            tables.addresses.forgive(address);
        }
    }

    /// The attempt never reached the password check (the server was too busy to run it): it
    /// is taken back from both counts, so a 503 does not count as a wrong guess.
    pub fn not_checked(&self, attempt: Attempt) {
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        tables.users.forgive(&attempt.username);
        if let Some(address) = &attempt.address {
            tables.addresses.forgive(address);
        }
    }

    /// How many usernames and addresses are tracked (for tests of the bound).
    #[cfg(test)]
    fn tracked(&self) -> (usize, usize) {
        let tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        (tables.users.entries.len(), tables.addresses.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(capacity: usize) -> (LoginLimiter, Clock) {
        let clock = Clock::default();
        let limits = LoginLimits {
            per_user: 5,
            per_address: 20,
            window: Duration::from_secs(900),
            capacity,
        };
        (LoginLimiter::new(limits, clock.clone()), clock)
    }

    const ADDR: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn five_failures_lock_the_username_until_the_window_ends() {
        let (l, clock) = limiter(100);
        for _ in 0..5 {
            l.begin("bob", ADDR).expect("admitted");
        }
        let retry = l.begin("bob", ADDR).expect_err("sixth refused");
        assert!((899..=900).contains(&retry), "{retry}");
        // Another user from the same address is still admitted (5 < 20).
        l.begin("alice", ADDR).expect("other user admitted");
        clock.advance(Duration::from_secs(901));
        l.begin("bob", ADDR).expect("admitted after the window");
    }

    /// A limiter where bob has begun four attempts that are still counted, and his fifth.
    fn bob_at_his_fifth_attempt() -> (LoginLimiter, Attempt) {
        let (l, _) = limiter(100);
        for _ in 0..4 {
            l.begin("bob", ADDR).unwrap();
        }
        let fifth = l.begin("bob", ADDR).unwrap();
        (l, fifth)
    }

    #[test]
    fn success_resets_the_username() {
        let (l, fifth) = bob_at_his_fifth_attempt();
        l.succeeded(fifth);
        for _ in 0..5 {
            l.begin("bob", ADDR).expect("fresh count");
        }
        assert!(l.begin("bob", ADDR).is_err());
    }

    #[test]
    fn the_address_limit_covers_every_username() {
        let (l, _) = limiter(100);
        for i in 0..20 {
            l.begin(&format!("user{i}"), ADDR).unwrap();
        }
        assert!(l.begin("fresh", ADDR).is_err());
        // Another address is unaffected.
        l.begin("fresh", Some("10.0.0.1".parse().unwrap()))
            .expect("other address");
    }

    #[test]
    fn an_unchecked_attempt_is_given_back() {
        let (l, fifth) = bob_at_his_fifth_attempt();
        l.not_checked(fifth);
        l.begin("bob", ADDR)
            .expect("the fifth attempt is still free");
        assert!(l.begin("bob", ADDR).is_err());
    }

    #[test]
    fn tables_stay_bounded() {
        let (l, _) = limiter(50);
        for i in 0..1000 {
            let addr: IpAddr = format!("10.0.{}.{}", i / 256, i % 256).parse().unwrap();
            let _ = l.begin(&format!("u{i}"), Some(addr));
        }
        let (users, addresses) = l.tracked();
        assert!(users <= 50 && addresses <= 50, "{users} {addresses}");
    }
}
