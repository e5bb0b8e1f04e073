//! Recent answers of the leads find route, so that a page many analysts read is built once.
//!
//! An answer is reused only while it is still exactly what the database would give: nothing has
//! been written through the server's [`Db`](crate::platform::db::Db) since it was read (its generation is
//! unchanged) and no lead on the page has crossed a staleness boundary (fresh → stale → expired)
//! since. The body depends on who asks only through the document- and field-level security of
//! their grants, which is part of the key; callers check the asker's privileges first, every time. Like the principal cache, writes by other processes are not seen.
//!
//! An answer read again is also kept gzip-compressed for the clients that accept it (browsers
//! do): 100 leads are about 134 KiB of JSON and 12 KiB compressed. It is compressed the
//! first time it is asked for again, so a page read once costs no compression.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;

use gatehouse_api::leads::FindLeadsQuery;

/// Distinct (index, query) answers kept at once: at 100 leads a page about 140 KB each.
pub const CAPACITY: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    index: String,
    query: FindLeadsQuery,
    /// Whose view of the index: `None` for every lead with every field, else the
    /// `DocumentAccess::key` of the grants that filtered it.
    view: Option<String>,
}

struct Entry {
    answer: Arc<Answer>,
    /// The first millisecond at which a lead on the page has another staleness.
    valid_until_ms: i64,
}

/// A kept answer: its JSON, and the same gzip-compressed once a client that accepts it asks.
pub struct Answer {
    body: Bytes,
    gzip: OnceLock<Bytes>,
}

impl Answer {
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body gzip-compressed if that is already made.
    pub fn gzip_made(&self) -> Option<Bytes> {
        self.gzip.get().cloned()
    }

    /// The body gzip-compressed, made on the first call (`None` if that failed: send the JSON).
    /// Two first calls at once may both compress; the bytes are the same and one is kept.
    pub fn gzip(&self) -> Option<Bytes> {
        if let Some(gzip) = self.gzip.get() {
            return Some(gzip.clone());
        }
        let compressed = Bytes::from(gzip(&self.body).ok()?);
        Some(self.gzip.get_or_init(|| compressed).clone())
    }
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    // Level 6 (zlib's default): a few ms for a page of 100 leads, once per kept answer.
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::default(),
    );
    encoder.write_all(data)?;
    encoder.finish()
}

#[derive(Default)]
struct Entries {
    generation: u64,
    by_key: HashMap<Key, Entry>,
    /// Keys in insertion order: the oldest is dropped first when full.
    order: VecDeque<Key>,
}

/// The leads one view lets through, by rowid, whatever their status: what a restricted find pages
/// through (its SQL filters by status) and counts.
pub struct VisibleLeads {
    pub rowids: std::collections::HashSet<i64>,
    /// How many of `rowids` have each status.
    pub by_status: HashMap<String, usize>,
    /// The first millisecond at which a lead may pass or stop passing by age alone
    /// (`i64::MAX` when no query tests `staleness`).
    pub valid_until_ms: i64,
}

impl VisibleLeads {
    /// How many visible leads have `status` (all of them for `None`).
    pub fn total(&self, status: Option<&str>) -> usize {
        match status {
            None => self.rowids.len(),
            Some(status) => self.by_status.get(status).copied().unwrap_or(0),
        }
    }
}

/// Distinct (index, view) sets of visible leads kept at once (about 16 bytes a lead).
pub const VISIBLE_CAPACITY: usize = 8;

type VisibleKey = (String, String);

#[derive(Default)]
struct VisibleEntries {
    generation: u64,
    by_key: HashMap<VisibleKey, Arc<VisibleLeads>>,
    /// One lock per (index, view) being read: requests that miss together wait for one read of
    /// every lead instead of each doing it (after a write, every restricted reader misses at once).
    reading: HashMap<VisibleKey, Arc<Mutex<()>>>,
}

#[derive(Default)]
pub struct FindCache {
    entries: Mutex<Entries>,
    visible: Mutex<VisibleEntries>,
}

impl FindCache {
    /// The answer for `query` on `index` read at `generation`, if it is still current at `now_ms`.
    pub fn get(
        &self,
        index: &str,
        query: &FindLeadsQuery,
        view: Option<&str>,
        generation: u64,
        now_ms: i64,
    ) -> Option<Arc<Answer>> {
        let entries = self.lock();
        if entries.generation != generation {
            return None;
        }
        let key = Key {
            index: index.to_string(),
            query: query.clone(),
            view: view.map(str::to_string),
        };
        entries
            .by_key
            .get(&key)
            .filter(|e| now_ms < e.valid_until_ms)
            .map(|e| e.answer.clone())
    }

    /// Keeps `body`, read after the database's generation was `generation`. An answer read before
    /// a later write is dropped, since it may already be out of date.
    pub fn put(
        &self,
        index: &str,
        query: &FindLeadsQuery,
        view: Option<&str>,
        generation: u64,
        valid_until_ms: i64,
        body: Bytes,
    ) {
        let mut entries = self.lock();
        if generation < entries.generation {
            return;
        }
        if generation > entries.generation {
            entries.generation = generation;
            entries.by_key.clear();
            entries.order.clear();
        }
        let key = Key {
            index: index.to_string(),
            query: query.clone(),
            view: view.map(str::to_string),
        };
        let entry = Entry {
            answer: Arc::new(Answer {
                body,
                gzip: OnceLock::new(),
            }),
            valid_until_ms,
        };
        if entries.by_key.insert(key.clone(), entry).is_none() {
            entries.order.push_back(key);
        }
        while entries.order.len() > CAPACITY {
            if let Some(oldest) = entries.order.pop_front() {
                entries.by_key.remove(&oldest);
            }
        }
    }

    /// The leads of `index` that the view `view` lets through, as read at `generation`, if
    /// still exact at `now_ms`.
    pub fn visible(
        &self,
        index: &str,
        view: &str,
        generation: u64,
        now_ms: i64,
    ) -> Option<Arc<VisibleLeads>> {
        let entries = self.lock_visible();
        if entries.generation != generation {
            return None;
        }
        let key = (index.to_string(), view.to_string());
        entries
            .by_key
            .get(&key)
            .filter(|v| now_ms < v.valid_until_ms)
            .cloned()
    }

    /// Keeps a set of visible leads read after the database's generation was `generation`.
    pub fn keep_visible(&self, index: &str, view: &str, generation: u64, leads: Arc<VisibleLeads>) {
        let mut entries = self.lock_visible();
        if generation < entries.generation {
            return;
        }
        if generation > entries.generation || entries.by_key.len() >= VISIBLE_CAPACITY {
            entries.generation = generation;
            entries.by_key.clear();
        }
        entries
            .by_key
            .insert((index.to_string(), view.to_string()), leads);
    }

    /// The lock held while the leads `view` lets through in `index` are read (see
    /// `VisibleEntries::reading`). Locks of views no one is reading are dropped here.
    pub fn reading_lock(&self, index: &str, view: &str) -> Arc<Mutex<()>> {
        let mut entries = self.lock_visible();
        entries
            .reading
            .retain(|_, lock| Arc::strong_count(lock) > 1);
        entries
            .reading
            .entry((index.to_string(), view.to_string()))
            .or_default()
            .clone()
    }

    fn lock_visible(&self) -> std::sync::MutexGuard<'_, VisibleEntries> {
        self.visible.lock().unwrap_or_else(|poisoned| {
            let mut entries = poisoned.into_inner();
            *entries = VisibleEntries::default();
            entries
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves nothing half-done worth keeping: start afresh.
        self.entries.lock().unwrap_or_else(|poisoned| {
            let mut entries = poisoned.into_inner();
            *entries = Entries::default();
            entries
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::unfiltered_find;

    /// The kept JSON, if an answer is kept.
    fn kept(answer: Option<Arc<Answer>>) -> Option<Bytes> {
        answer.map(|a| a.body().clone())
    }

    fn page(n: u32) -> FindLeadsQuery {
        FindLeadsQuery {
            page: n,
            ..unfiltered_find()
        }
    }

    #[test]
    fn an_answer_is_reused_until_a_write_or_its_expiry() {
        let cache = FindCache::default();
        cache.put("i", &page(1), None, 5, 1_000, Bytes::from_static(b"one"));
        assert_eq!(
            kept(cache.get("i", &page(1), None, 5, 999)),
            Some(Bytes::from_static(b"one"))
        );
        for (index, page_number, generation, now_ms, why) in [
            ("i", 1, 5, 1_000, "a lead changed staleness"),
            ("i", 1, 6, 10, "written since"),
            ("i", 2, 5, 10, "another page"),
            ("j", 1, 5, 10, "another space's index"),
        ] {
            assert_eq!(
                kept(cache.get(index, &page(page_number), None, generation, now_ms)),
                None,
                "{why}"
            );
        }
    }

    #[test]
    fn an_answer_filtered_for_some_grants_is_given_only_to_the_same_grants() {
        let cache = FindCache::default();
        cache.put(
            "i",
            &page(1),
            Some("hosts"),
            1,
            i64::MAX,
            Bytes::from_static(b"hosts"),
        );
        assert_eq!(
            kept(cache.get("i", &page(1), None, 1, 0)),
            None,
            "not to an unrestricted reader"
        );
        assert_eq!(kept(cache.get("i", &page(1), Some("users"), 1, 0)), None);
        assert_eq!(
            kept(cache.get("i", &page(1), Some("hosts"), 1, 0)).as_deref(),
            Some(&b"hosts"[..])
        );
    }

    #[test]
    fn an_answer_read_before_a_write_is_not_kept() {
        let cache = FindCache::default();
        cache.put("i", &page(1), None, 7, i64::MAX, Bytes::from_static(b"new"));
        cache.put("i", &page(2), None, 6, i64::MAX, Bytes::from_static(b"old"));
        assert_eq!(kept(cache.get("i", &page(2), None, 7, 0)), None);
        assert_eq!(
            kept(cache.get("i", &page(1), None, 7, 0)).as_deref(),
            Some(&b"new"[..])
        );
    }

    #[test]
    fn the_oldest_answer_goes_first_when_full() {
        let cache = FindCache::default();
        for n in 1..=CAPACITY as u32 + 1 {
            cache.put("i", &page(n), None, 1, i64::MAX, Bytes::from(n.to_string()));
        }
        assert_eq!(kept(cache.get("i", &page(1), None, 1, 0)), None);
        assert_eq!(
            kept(cache.get("i", &page(2), None, 1, 0)).as_deref(),
            Some(&b"2"[..])
        );
        let last = CAPACITY as u32 + 1;
        assert_eq!(
            kept(cache.get("i", &page(last), None, 1, 0)),
            Some(Bytes::from(last.to_string()))
        );
    }

    #[test]
    fn an_answer_asked_for_compressed_is_the_same_json_gzipped_and_made_once() {
        use std::io::Read;
        let cache = FindCache::default();
        let json = format!(
            "[{}]",
            vec!["{\"id\":\"lead\",\"score\":0.5}"; 200].join(",")
        );
        cache.put("i", &page(1), None, 1, i64::MAX, Bytes::from(json.clone()));
        let Some(answer) = cache.get("i", &page(1), None, 1, 0) else {
            panic!("the answer is kept");
        };
        let gz = answer.gzip().expect("compressed");
        assert!(
            gz.len() * 10 < json.len(),
            "{} of {} bytes",
            gz.len(),
            json.len()
        );
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut plain)
            .expect("valid gzip");
        assert_eq!(plain, json);
        let again = cache.get("i", &page(1), None, 1, 0).and_then(|a| a.gzip());
        assert_eq!(
            again.map(|b| b.as_ptr()),
            Some(gz.as_ptr()),
            "the copy is kept, not made again"
        );
    }
}
