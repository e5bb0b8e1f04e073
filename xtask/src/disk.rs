//! The free space on the disk that holds the build, so that `cargo xtask test` can say when it
//! is too little before the linker fails on it.

/// Free space, in bytes, on the disk that holds `path`, from `df -Pk` (POSIX output, on Linux and
/// macOS alike); `None` when `df` is missing or says something else.
pub fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .arg("-Pk")
        .arg(path)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| available_kib_of_df(&String::from_utf8_lossy(&out.stdout)))
        .flatten()
        .map(|kib| kib * 1024)
}

/// The `Available` column of `df -P`'s one data line, in KiB.
fn available_kib_of_df(stdout: &str) -> Option<u64> {
    // A long device name may not wrap under -P, but the mount point may hold spaces: count
    // columns from the left, where the first is the device.
    stdout
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

/// "21.4 GB" for a number of bytes (1 GB = 10⁹ bytes, as `df -H` and disk makers count).
pub fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_posix_output_gives_the_available_column() {
        let out = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                   /dev/vda        263174212 17825792  78643200      19% /\n";
        assert_eq!(available_kib_of_df(out), Some(78_643_200));
    }

    #[test]
    fn df_output_without_a_data_line_gives_nothing() {
        assert_eq!(available_kib_of_df("Filesystem 1024-blocks Used\n"), None);
        assert_eq!(available_kib_of_df("df: /nowhere: No such file\n"), None);
    }
}
