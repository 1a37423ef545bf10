//! THP behaviour that the scenario corpus cannot hold: a script that needs a quirk, so runs
//! without the invariant checker after every step (its expectations check the invariants where
//! they must hold).

use mmlab_model::script::{self, RunOptions};

#[test]
fn reclaim_culls_a_thp_in_a_locked_vma_without_splitting_it() {
    let script = script::parse(include_str!("thp-reclaim-mlocked.mms")).unwrap();
    let opts = RunOptions { check_invariants: false, ..RunOptions::default() };
    let report = script::run(&script, &opts);
    assert!(report.passed(), "{}", report.lines.join("\n"));
    assert_eq!(report.expects, 11);
}
