//! The cost of munlock at exit with N mappers of one file (issue 9): `munlock_rmap_steps` (what
//! the pre-5.18 `try_to_munlock` rmap walk would have visited) against `mlock_count_updates`
//! (the reworked `munlock_folio`), for N in 1, 2, 4, 8, 16, 32, in two shapes:
//!
//! - all mlocked: every process mlocks the whole file; they exit in pid order. Each exit but the
//!   last walks its own VMA and stops at the next locker: 2 steps a page. The last exit finds the
//!   page mapped once and skips the walk (`__munlock_isolated_page`). Old = 2·(N-1)·pages,
//!   new = N·pages.
//! - one locker: the first process mlocks, the N-1 others only read the pages; the locker exits
//!   first and its walk visits every mapper without finding a VM_LOCKED one. Old = N·pages (0 for
//!   N = 1, mapped once), new = pages.

use mmlab_model::script::{RunOptions, parse, run};

const PAGES: u64 = 8;
const NS: [u64; 6] = [1, 2, 4, 8, 16, 32];

/// One shape's script for `n` mappers: `lockers` of them (the first ones) mlock, the others read.
/// `expected(k)` gives the (steps, updates) figures after the k-th exit.
fn script(n: u64, lockers: u64, expected: impl Fn(u64) -> (u64, u64)) -> String {
    let mut s = String::from("p1 = spawn\nf1 = open p1 /data/cost rdwr,creat\n");
    for i in 0..PAGES {
        s += &format!("pwrite p1 f1 {i}p {:#x}\n", 0x100 + i);
    }
    for k in 1..=n {
        if k > 1 {
            s += &format!("p{k} = spawn\nf{k} = open p{k} /data/cost 0\n");
        }
        s += &format!("a{k} = mmap p{k} 0 {PAGES}p r shared fd=f{k}\n");
        if k <= lockers {
            s += &format!("mlock p{k} a{k} {PAGES}p\n");
        } else {
            s += &format!("touch p{k} a{k} {PAGES}p read\n");
        }
    }
    s += &format!("expect kpagecount p{n} a{n} count == {n}\n");
    s += &format!("expect meminfo Mlocked == {} kB\n", PAGES * 4);
    for k in 1..=n {
        let (steps, updates) = expected(k);
        s += &format!("exit p{k}\n");
        s += &format!("expect tasks munlock_rmap_steps == {steps}\n");
        s += &format!("expect tasks mlock_count_updates == {updates}\n");
    }
    s += "expect meminfo Mlocked == 0 kB\nexpect meminfo Unevictable == 0 kB\nexpect vmstat nr_mlock == 0\n";
    s += "expect invariants violations == 0\n";
    s
}

/// Runs the script and returns the final (steps, updates) the model reported.
fn run_shape(text: &str) -> (u64, u64) {
    let report = run(&parse(text).unwrap_or_else(|e| panic!("{e}\n{text}")), &RunOptions::default());
    if let Some(f) = &report.failure {
        panic!("{}\n{}", f.render("munlock_cost.mms"), report.text());
    }
    let last = |field: &str| -> u64 {
        let line = report.lines.iter().rev().find(|l| l.contains(&format!("expect tasks {field} "))).expect("field");
        line.rsplit("=> ").next().expect("value").parse().expect("number")
    };
    (last("munlock_rmap_steps"), last("mlock_count_updates"))
}

#[test]
fn munlock_cost_all_mlocked() {
    eprintln!("all mlocked, exit in pid order ({PAGES} pages)\n{:>4} {:>10} {:>10}", "N", "old steps", "new upd");
    for n in NS {
        let text = script(n, n, |k| (2 * k.min(n - 1) * PAGES, k * PAGES));
        let (old, new) = run_shape(&text);
        assert_eq!((old, new), (2 * (n - 1) * PAGES, n * PAGES), "N = {n}");
        eprintln!("{n:>4} {old:>10} {new:>10}");
    }
}

#[test]
fn munlock_cost_one_locker() {
    eprintln!(
        "one mlocker (exits first), N-1 readers ({PAGES} pages)\n{:>4} {:>10} {:>10}",
        "N", "old steps", "new upd"
    );
    for n in NS {
        let walk = if n > 1 { n } else { 0 };
        let text = script(n, 1, |_| (walk * PAGES, PAGES));
        let (old, new) = run_shape(&text);
        assert_eq!((old, new), (walk * PAGES, PAGES), "N = {n}");
        eprintln!("{n:>4} {old:>10} {new:>10}");
    }
}
