//! The soak's verdict: what was sent and answered, the server's memory over the run, PASS or
//! FAIL with the reasons.

#![cfg(feature = "bench")]

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Result};

use super::run::{Memory, MEMORY_FACTOR, MEMORY_SLACK_MB};
use super::users::Stats;
use crate::machine;

/// KiB (as `/proc` counts them) in MiB.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// `key: count` pairs, as "200: 812, 403: 40".
fn counts<K: std::fmt::Display>(by: &BTreeMap<K, u64>) -> String {
    by.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints the run's figures and its verdict; fails unless it passed.
pub fn report(
    sessions: usize,
    seconds: u64,
    stats: &Stats,
    memory: &Memory,
    load_secs: f64,
    took: Duration,
) -> Result<()> {
    let requests = stats.requests();
    let (statuses, ops) = (counts(&stats.by_status), counts(&stats.by_op));
    let server_errors = stats.server_errors();
    let memory_ok = memory.end <= memory.bound();
    let pass = server_errors == 0
        && stats.lost_updates == 0
        && stats.unexpected == 0
        && stats.transport_errors == 0
        && memory_ok;
    println!("soak: requests by operation: {ops}");
    let mut every_10s = vec![format!("0 s {:.1}", mib(memory.start))];
    let mut mark = 10.0;
    for (t, kib) in &memory.samples {
        if *t >= mark {
            every_10s.push(format!("{mark:.0} s {:.1}", mib(*kib)));
            mark += 10.0;
        }
    }
    println!(
        "soak: server RSS every 10 s of load (MiB): {}",
        every_10s.join(", ")
    );
    for e in &stats.examples {
        println!("soak: ! {e}");
    }
    let (cpus, model) = (machine::cpus(), machine::cpu_model());
    let (load, date) = (machine::load_average(), machine::date());
    println!(
        "soak: {date}; machine: {cpus} CPUs ({model}), load average {load} at the end (other \
         processes share the cores); run took {:.0} s",
        took.as_secs_f64()
    );
    println!(
        "soak: {sessions} sessions × {seconds} s: {requests} requests ({:.0} req/s) {{{statuses}}}; \
         {server_errors} 5xx, {} unexpected answers, {} transport errors; {} lost updates \
         ({} acknowledged writes, {} read-backs verified, {} stale writes refused with 409, \
         {} mode changes); server RSS start {:.1} MiB, warm-up {:.1}, peak {:.1}, end {:.1} \
         (bound {:.1} = {MEMORY_FACTOR}× warm-up + {MEMORY_SLACK_MB}): {}",
        requests as f64 / load_secs,
        stats.unexpected,
        stats.transport_errors,
        stats.lost_updates,
        stats.acked_writes,
        stats.verified_reads,
        stats.stale_refused,
        stats.mode_changes,
        mib(memory.start),
        mib(memory.warm),
        mib(memory.peak()),
        mib(memory.end),
        mib(memory.bound()),
        if pass { "PASS" } else { "FAIL" }
    );
    if pass {
        Ok(())
    } else {
        let mut why = Vec::new();
        if server_errors > 0 {
            why.push(format!("{server_errors} 5xx"));
        }
        if stats.lost_updates > 0 {
            why.push(format!("{} lost updates", stats.lost_updates));
        }
        if stats.unexpected > 0 {
            why.push(format!("{} unexpected answers", stats.unexpected));
        }
        if stats.transport_errors > 0 {
            why.push(format!("{} transport errors", stats.transport_errors));
        }
        if !memory_ok {
            why.push("server memory grew beyond the bound".into());
        }
        bail!("soak failed: {}", why.join(", "))
    }
}
