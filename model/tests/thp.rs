//! THP behaviour the scenario corpus does not hold: a script that needs a quirk (the corpus runs
//! on the live kernel too).

use mmlab_model::script::{self, RunOptions};

#[test]
fn reclaim_culls_a_thp_in_a_locked_vma_without_splitting_it() {
    let script = script::parse(include_str!("thp-reclaim-mlocked.mms")).unwrap();
    let report = script::run(&script, &RunOptions::default());
    assert!(report.passed(), "{}", report.lines.join("\n"));
    assert_eq!(report.expects, 11);
}
