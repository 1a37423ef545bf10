//! Replays every committed input through the target functions the fuzzers run (no nightly, no
//! cargo-fuzz): seeds and regression inputs must pass; each quirk's inputs must fail with the
//! quirk on (and pass without it).

use mmlab_fuzz::{corpus, targets};
use mmlab_model::config::{INVARIANT_QUIRKS, KNOWN_QUIRKS};

type Target = fn(&[u8], &[String]) -> Result<(), mmlab_fuzz::oracle::Failure>;

const TARGETS: [(&str, Target); 4] = [
    ("ops", targets::ops),
    ("roundtrip", targets::roundtrip),
    ("differential", targets::differential),
    ("interleave", targets::interleave),
];

#[test]
fn seeds_and_regressions_pass() {
    for (name, target) in TARGETS {
        let inputs = corpus::target_inputs(name);
        assert!(inputs.len() >= 8, "{name}: only {} committed inputs", inputs.len());
        for (path, data) in inputs {
            assert_eq!(target(&data, &[]), Ok(()), "{}", path.display());
        }
    }
}

#[test]
fn service_seeds_and_regressions_pass() {
    let inputs = corpus::target_inputs("service");
    assert!(inputs.len() >= 8, "service: only {} committed inputs", inputs.len());
    for (path, data) in inputs {
        assert_eq!(mmlab_fuzz::service::service(&data), Ok(()), "{}", path.display());
    }
}

#[test]
fn quirk_inputs_fail_only_with_their_quirk() {
    for quirk in INVARIANT_QUIRKS {
        let inputs = corpus::quirk_inputs(quirk);
        assert!(!inputs.is_empty(), "no input for quirk {quirk} under fuzz/quirks/");
        for (path, data) in inputs {
            assert_eq!(targets::ops(&data, &[]), Ok(()), "{} without the quirk", path.display());
            let err = targets::ops(&data, &[quirk.to_string()]).expect_err("fails with the quirk");
            assert!(matches!(err.kind, mmlab_fuzz::oracle::FailureKind::Invariant(_)), "{}: {err}", path.display());
        }
    }
}

/// Each quirk input minimizes to a script that fails under the runner with an invariant
/// violation at its last operation.
#[test]
fn quirk_inputs_minimize_to_failing_scripts() {
    for quirk in INVARIANT_QUIRKS {
        for (path, data) in corpus::quirk_inputs(quirk) {
            let r = mmlab_fuzz::repro::from_ops_input(&data, &[quirk.to_string()], "test").expect("fails");
            assert!(r.verified, "{}:\n{}", path.display(), r.script);
            // The zap quirk needs at least seven operations (spawn, memfd, ftruncate, mmap, write,
            // pageout, ftruncate); spawns that only fix pids are kept by the minimizer.
            assert!(r.ops.len() <= r.original_ops && r.ops.len() <= 12, "{} ops:\n{}", r.ops.len(), r.script);
            assert!(r.script.contains(&format!("quirks={quirk}")), "{}", r.script);
            assert_eq!(r.failure.op_index, Some(r.ops.len() - 1));
        }
    }
}

/// Every quirk is either caught by the invariant checker (and has fuzz inputs) or is measured by
/// a scenario that enables it.
#[test]
fn every_quirk_is_covered() {
    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let texts: Vec<String> = std::fs::read_dir(&scenarios)
        .expect("scenarios/")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    for quirk in KNOWN_QUIRKS {
        let fuzzed = INVARIANT_QUIRKS.contains(quirk) && !corpus::quirk_inputs(quirk).is_empty();
        let scripted = texts.iter().any(|t| t.contains(&format!("quirks={quirk}")));
        assert!(fuzzed || scripted, "quirk {quirk} has neither fuzz inputs nor a scenario");
    }
}
