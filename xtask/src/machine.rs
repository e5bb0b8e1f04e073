//! The machine a measurement ran on, for BENCHMARKS.md and the soak's report: other work on
//! it skews every figure, so its size and how busy it was are recorded with them.

use std::process::Command;

/// The trimmed standard output of `program args`, or "unknown".
pub fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

/// `MemTotal` in GiB, e.g. "7.8 GiB".
pub fn memory() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("unknown".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        })
}

/// The first CPU's model name.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown".into(), |m| m.trim().to_string())
}

/// The 1, 5 and 15 minute load averages, e.g. "1.20 0.90 0.70".
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            let w: Vec<&str> = l.split_whitespace().take(3).collect();
            (w.len() == 3).then(|| w.join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Now, as "2026-01-31 12:00 UTC".
pub fn date() -> String {
    output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
}
