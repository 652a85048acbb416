//! Replays every saved input through its check: the seeds each fuzz run starts from, and
//! every input a fuzz run found that once broke a parser (kept in regressions/ after the
//! fix). A target with no seeds fails, so a new target cannot be left untested.

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

fn saved_inputs(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut inputs: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            Some((e.path().display().to_string(), bytes))
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_saved_input_passes_its_check() {
    for target in dignity_fuzz::TARGETS {
        let seeds = saved_inputs("seeds", target);
        assert!(!seeds.is_empty(), "seeds/{target} has no inputs");
        for (path, bytes) in seeds.iter().chain(&saved_inputs("regressions", target)) {
            let outcome = std::panic::catch_unwind(|| dignity_fuzz::check(target, bytes));
            assert!(outcome.is_ok(), "{path} breaks the {target} check");
        }
    }
}
