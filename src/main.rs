//! The backtrail binary: its allocator, then `cli::main` (parse, dispatch,
//! map errors to exit codes).

use std::process::ExitCode;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's option API (mimalloc.h, v3 enum `mi_option_e`). Always
// present in the linked C library; the Rust bindings lack these options.
unsafe extern "C" {
    safe fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    safe fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}
const MI_OPTION_ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
const MI_OPTION_ALLOW_THP: std::ffi::c_int = 43;

// Linux's prctl(2), as mimalloc itself calls it when `MIMALLOC_ALLOW_THP=0`
// is set before it starts. Setting that option from `main` changes nothing:
// mimalloc's first arena is already advised for huge pages by then. (Read
// below only to recognise mimalloc's defaults.)
#[cfg(target_os = "linux")]
unsafe extern "C" {
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: std::ffi::c_int = 41;

/// Give freed memory back to the OS soon: ingest frees on one thread what
/// another allocated, and with mimalloc's defaults (arenas committed
/// eagerly, purges delayed 1 s) peak RSS was 40 % higher (1M events: 458
/// MiB against 322 MiB) for no measurable speed. A delay of 100 ms instead
/// of 500 ms cost the kernel twice the page faults (1M events: 4.1 to 6.0 s
/// of system time against 2.8 to 3.2 s) for no lower peak.
///
/// No transparent huge pages: memory freed and allocated again (each slice
/// of an incident's window, each chunk of an ingest) came back as fresh
/// 2 MiB pages the kernel zeroes whole (perf: a fifth to a quarter of the
/// incident analysis' CPU in `clear_page_erms` under
/// `do_huge_pmd_anonymous_page`). Measured with `MIMALLOC_ALLOW_THP=0`
/// on the development machine: the incident in 5M events from 2.3 to 3.3 s
/// of system time down to 1.5 to 1.6 s (wall 5.4 to 6.0 s against 4.9 to
/// 5.1 s), the ingest of 1M events from 3.0 to 3.1 s down to 2.2 s.
///
/// Only done when the options read as the defaults of the mimalloc this
/// was written against, so a changed enum or the user's own `MIMALLOC_*`
/// settings are left alone.
fn tune_allocator() {
    if mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT) == 2
        && mi_option_get(MI_OPTION_PURGE_DELAY) == 1000
        && mi_option_get(MI_OPTION_ALLOW_THP) == 1
    {
        mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        mi_option_set(MI_OPTION_PURGE_DELAY, 500);
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_THP_DISABLE takes four integers and sets a flag of
        // the process; no memory of ours is read or written. On failure
        // (an old kernel) huge pages stay on, as before.
        unsafe {
            let off: std::ffi::c_ulong = 0;
            prctl(PR_SET_THP_DISABLE, 1 as std::ffi::c_ulong, off, off, off);
        }
    }
}

fn main() -> ExitCode {
    tune_allocator();
    backtrail::cli::main()
}
