//! The direction of dependencies between Dignity's crates, read from `cargo metadata` so it
//! cannot drift from what docs/architecture.md says: each crate depends only on crates in
//! layers below its own, and the pages and the command line reach the store only through
//! the use-cases in `dignity-app`.

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Each workspace crate's layer: a crate may depend only on lower layers.
const LAYERS: &[(&str, u8)] = &[
    ("dignity", 5),
    // The fuzz targets reach every parser, the command line's included.
    ("dignity-fuzz", 6),
    ("dignity-web", 4),
    ("dignity-app", 3),
    ("dignity-store", 2),
    ("dignity-domain", 1),
    ("dignity-crypto", 0),
    ("dignity-engine", 0),
    ("dignity-search", 0),
    ("dignity-poster", 0),
    ("dignity-typeset", 0),
];

/// Crates that must reach the store through `dignity-app`, not directly.
const THROUGH_APP: &[&str] = &["dignity", "dignity-web"];

/// Edges that break the rule today, each to go as its capability moves into `dignity-app`
/// (issue 14). The test fails when one is no longer there, so the list only shrinks.
const NOT_YET: &[(&str, &str)] = &[];

fn workspace_edges() -> Result<BTreeMap<String, BTreeSet<String>>, Box<dyn std::error::Error>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()?;
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let packages = metadata["packages"].as_array().ok_or("no packages")?;
    let ours: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let mut edges = BTreeMap::new();
    for package in packages {
        let name = package["name"].as_str().ok_or("a package without a name")?;
        let depends_on: BTreeSet<String> = package["dependencies"]
            .as_array()
            .ok_or("no dependencies list")?
            .iter()
            // Normal and build dependencies: what ships. Tests may reach further down.
            .filter(|d| d["kind"].as_str() != Some("dev"))
            .filter_map(|d| d["name"].as_str())
            .filter(|d| ours.contains(*d))
            .map(str::to_owned)
            .collect();
        edges.insert(name.to_owned(), depends_on);
    }
    Ok(edges)
}

fn layer(name: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("{name} has no layer: add it to LAYERS and docs/architecture.md"))
}

#[test]
fn every_dependency_points_down_a_layer() -> Result<(), Box<dyn std::error::Error>> {
    let edges = workspace_edges()?;
    let mut broken = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            let upward = layer(to) >= layer(from);
            let around_app = THROUGH_APP.contains(&from.as_str()) && to == "dignity-store";
            let known = NOT_YET.contains(&(from.as_str(), to.as_str()));
            if upward || (around_app && !known) {
                broken.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "dependencies against the layers: {broken:?}"
    );
    for (from, to) in NOT_YET {
        assert!(
            edges.get(*from).is_some_and(|t| t.contains(*to)),
            "{from} no longer depends on {to}: take it off NOT_YET"
        );
    }
    // The use-cases know nothing of HTTP or templates.
    let app = edges.get("dignity-app").ok_or("no dignity-app crate")?;
    assert!(!app.contains("dignity-web"), "{app:?}");
    Ok(())
}

#[test]
fn the_use_cases_carry_no_web_framework() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/Cargo.toml"),
    )?;
    for framework in ["axum", "askama", "tower", "hyper"] {
        assert!(
            !manifest
                .lines()
                .any(|l| l.trim_start().starts_with(framework)),
            "dignity-app depends on {framework}"
        );
    }
    Ok(())
}
