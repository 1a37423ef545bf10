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

/// Direct reclaim splits a PTE-mapped THP that straddles a VM_LOCKED boundary (its first page is
/// outside the mlocked range): the split mlocks the pages inside, which the active list's batch
/// of the same pass had isolated already; they are off that list now and are not mlocked twice,
/// so the OOM kill that follows frees no page still PG_mlocked (found by the ops fuzz target).
#[test]
fn a_thp_split_by_reclaim_takes_its_pages_off_the_active_batch() {
    let text = "machine nodes=2 node_mem=2M swap=1M thp=always\np = spawn\n\
                a = mmap p 0 4M rw private,anonymous,populate\nexpect meminfo AnonHugePages == 2048 kB\n\
                mlock2 p a+1p 1023p 0 => EAGAIN\nexpect meminfo Mlocked == 2040 kB\n\
                expect invariants violations == 0\ntouch p a+59p 965p write => SIGKILL\n\
                expect vmstat thp_split_page == 1\nexpect vmstat oom_kill == 1\n\
                expect vmstat unevictable_pgs_cleared == 0\nexpect meminfo Mlocked == 0 kB\n\
                expect invariants violations == 0\n";
    let report = script::run(&script::parse(text).unwrap(), &RunOptions::default());
    assert!(report.passed(), "{}", report.lines.join("\n"));
    assert_eq!(report.expects, 8);
}
