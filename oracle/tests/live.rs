//! The oracle against this machine's kernel: only meaningful on Linux as root, where it runs a
//! small script end to end; elsewhere it says so and returns.

use mmlab_oracle::{Known, Oracle, Verdict};

fn oracle() -> Option<Oracle> {
    // SAFETY: geteuid has no preconditions.
    if !cfg!(target_os = "linux") || unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: the kernel oracle needs Linux and root");
        return None;
    }
    Some(
        Oracle::new(
            Known::parse(mmlab_oracle::known::DEFAULT_KNOWN).unwrap(),
            std::path::Path::new(mmlab_oracle::DEFAULT_WORK_ROOT),
        )
        .expect("oracle"),
    )
}

#[test]
fn anonymous_faults_agree_field_by_field() {
    let Some(mut o) = oracle() else { return };
    let s = mmlab_model::script::parse(
        "p = spawn\nr = mmap p 0 6p none private,anonymous\na = mmap p r+1p 4p rw private,fixed,anonymous\n\
         touch p a 3p write\nread p a+3p\nread p a+5p\nmunmap p a+1p 1p\nexit p\n",
    )
    .unwrap();
    let r = o.run(&s, "live.mms");
    assert_eq!(r.verdict, Verdict::Agree, "{:?}", r.divergences);
    assert_eq!(r.compared, 8);
}

#[test]
fn a_reclaim_step_stops_the_comparison_with_its_reason() {
    let Some(mut o) = oracle() else { return };
    let s = mmlab_model::script::parse("p = spawn\nreclaim 0 10\nexit p\n").unwrap();
    let r = o.run(&s, "live.mms");
    assert_eq!(r.compared, 1);
    let (line, why) = r.skip.expect("a skip");
    assert_eq!(line, Some(2));
    assert!(why.contains("reclaim"), "{why}");
}

#[test]
fn a_swap_script_gets_its_own_zram_swap_and_leaves_none_behind() {
    let Some(mut o) = oracle() else { return };
    if let Some(why) = mmlab_oracle::zram::unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    if o.caps.swap {
        eprintln!("skipped: this kernel has swap active already");
        return;
    }
    let swaps = || std::fs::read_to_string("/proc/swaps").unwrap();
    let before = swaps();
    let s = mmlab_model::script::parse(
        "machine swap=1M\np = spawn\na = mmap p 0 4p rw private,anonymous\ntouch p a 4p write\n\
         madvise p a 4p pageout\nread p a+1p\nexit p\n",
    )
    .unwrap();
    let r = o.run(&s, "live-swap.mms");
    assert_eq!(r.verdict, Verdict::Agree, "{:?} {:?} {:?}", r.divergences, r.skip, r.error);
    assert_eq!(r.compared, 6);
    assert_eq!(swaps(), before, "the zram swap area is gone again");
}

#[test]
fn a_khugepaged_step_stops_the_comparison_with_its_reason() {
    let Some(mut o) = oracle() else { return };
    let s = mmlab_model::script::parse("p = spawn\nkhugepaged => 0\nexit p\n").unwrap();
    let r = o.run(&s, "live.mms");
    assert_eq!(r.compared, 1);
    let (line, why) = r.skip.expect("a skip");
    assert_eq!(line, Some(2));
    assert!(why.contains("khugepaged"), "{why}");
}
