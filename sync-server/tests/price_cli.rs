//! `dms-server price` on the example bundle, and on a bundle with a scheme conflict.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::process::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/pricing/simulation.json");

#[test]
fn price_command_explains_the_example_order() {
    let output = Command::new(env!("CARGO_BIN_EXE_dms-server"))
        .args(["price", EXAMPLE])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("L1 DM-004: 2 case at 3600.00 = 7200.00; OIL-CASE-SLAB:"),
        "{text}"
    );
    assert!(lines[0].ends_with("net 6984.00 (3492.00 per case)"), "{text}");
    assert!(
        lines[2].starts_with("free 2 pack of DM-010 from BISCUIT-24-1"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "tax (IntraState): taxable 7484.00, CGST 219.60, SGST 219.60, IGST 0.00, round-off -0.20, total 7923.00"
    );
}

#[test]
fn price_command_reports_a_scheme_conflict() {
    let mut bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    let mut rival = bundle["schemes"][0].clone();
    rival["id"] = "OIL-RIVAL".into();
    rival["stacking"] = serde_json::Value::Null;
    bundle["schemes"].as_array_mut().unwrap().push(rival);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("conflict.json");
    std::fs::write(&path, bundle.to_string()).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_dms-server"))
        .args(["price", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("OIL-CASE-SLAB") && error.contains("OIL-RIVAL"),
        "{error}"
    );
}

#[test]
fn price_command_names_a_malformed_bundle() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("broken.json");
    std::fs::write(&path, r#"{"catalog": [], "order": {"id": "x"}}"#).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dms-server"))
        .args(["price", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("is not a valid simulation bundle"), "{error}");
}
