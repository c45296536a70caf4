//! Helpers shared by the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Run a command that must succeed; its stdout (stderr in the panic).
pub fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Write `bytes` to `path`, creating its directory.
pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// `bytes` gzipped.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The shared real-world corpus, read-only, beside the project.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/real-cloudtrail")
        .canonicalize()
        .expect("../shared/real-cloudtrail is beside the project")
}

pub fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

pub fn bin() -> Command {
    Command::cargo_bin("backtrail").expect("the backtrail binary is built")
}

/// Run `backtrail ingest ... --json` and return (exit code, summary).
pub fn ingest(paths: &[&Path], lake: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut cmd = bin();
    cmd.arg("ingest");
    for p in paths {
        cmd.arg(p);
    }
    cmd.arg("--lake").arg(lake).arg("--json").args(extra);
    let out = cmd.output().expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "summary is JSON ({e}); stdout: {stdout}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, summary)
}

/// Every record the lake exports, with its source reference.
pub fn export_with_source(lake: &Path) -> Vec<serde_json::Value> {
    let out = bin()
        .args(["export", "--with-source", "--lake"])
        .arg(lake)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// Records of a file as backtrail's decoder sees them, by index.
pub fn decoded_records(path: &Path) -> std::collections::BTreeMap<u64, String> {
    struct Collect(std::collections::BTreeMap<u64, String>);
    impl backtrail::formats::Sink for Collect {
        fn record(&mut self, text: &str, index: u64, _at: backtrail::formats::Location) {
            self.0.insert(index, text.to_string());
        }
        fn reject(
            &mut self,
            _b: &[u8],
            _i: Option<u64>,
            _at: backtrail::formats::Location,
            _r: String,
        ) {
        }
    }
    let mut c = Collect(Default::default());
    backtrail::formats::decode_file(path, &Default::default(), &mut c).expect("decodes");
    c.0
}

/// A lake with one sample-data scenario ingested, made once per test binary.
pub fn sample_lake(scenario: &str) -> PathBuf {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static LAKES: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut lakes = LAKES.get_or_init(Default::default).lock().unwrap();
    lakes
        .entry(scenario.to_string())
        .or_insert_with(|| {
            let lake = tempfile::tempdir().unwrap().keep().join("lake");
            let (code, s) = ingest(&[&sample_data().join(scenario)], &lake, &[]);
            assert_eq!(code, 0, "{s}");
            lake
        })
        .clone()
}
