//! The backtrail CLI on the system allocator, for heap profilers that
//! intercept `malloc` (`heaptrack`, valgrind's massif): the binary's
//! mimalloc takes its memory straight from the kernel, so they see
//! nothing of it. Peak RSS differs from the binary's (another allocator);
//! what is live at the peak, and who allocated it, does not.
//!
//! ```sh
//! cargo build --release --example sysalloc
//! heaptrack target/release/examples/sysalloc ingest DIR --lake L -q
//! heaptrack_print -f heaptrack.sysalloc.*.zst | less
//! ```

fn main() -> std::process::ExitCode {
    backtrail::cli::main()
}
