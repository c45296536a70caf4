//! Embeds the query library (queries/*.sql) in the binary, so `backtrail
//! query NAME` and the analyses work from any directory.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=queries");
    // Read when the script runs, not baked in when it is compiled: a build
    // script binary reused from another checkout sharing the target
    // directory would otherwise read that checkout's queries, or none.
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("queries");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the query library {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    assert!(
        !entries.is_empty(),
        "no .sql files in the query library {}",
        dir.display()
    );
    entries.sort();
    let mut out = String::from(
        "/// The query library, as (file stem, SQL text).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for p in entries {
        println!("cargo:rerun-if-changed={}", p.display());
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        out.push_str(&format!(
            "    ({stem:?}, include_str!({:?})),\n",
            p.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("queries.rs");
    std::fs::write(dest, out).expect("write queries.rs");
}
