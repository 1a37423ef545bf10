//! mmap readahead's miss accounting (mm/filemap.c `do_sync_mmap_readahead`, `mmap_miss`): after
//! more than MMAP_LOTSAMISS (100) faults that missed the cache without hits to pay them back, a
//! fault reads only its own page; each hit pays back one miss. Checked through the script runner
//! with exact page-cache sizes; the same four runs on Linux 6.18.44 (ext4 on a loop device with
//! read_ahead_kb 16) cache 400, 402, 406 and 403 pages.

use mmlab_model::script::{RunOptions, parse, run};

/// A 4-page window (read_ahead_kb=16): a miss at `i` reads `i-2..=i+1`. Shared write faults map
/// only their own page (no fault-around), so nothing pays the misses back.
fn script(misses: u64, then: &str) -> String {
    let mut s = String::from(
        "machine read_ahead_kb=16\np = spawn\nf = open p /data/miss rdwr,creat\nftruncate p f 2000p\n\
         s = mmap p 0 2000p rw shared fd=f\n",
    );
    for k in 0..misses {
        s += &format!("write p s+{}p 1\n", 8 * k + 2);
    }
    s + then
}

fn assert_passes(text: &str) {
    let r = run(&parse(text).unwrap_or_else(|e| panic!("{e}\n{text}")), &RunOptions::default());
    if let Some(f) = &r.failure {
        panic!("{}\n{}", f.render("readahead.mms"), r.text());
    }
}

#[test]
fn misses_up_to_the_limit_read_ahead() {
    // 100 misses: 4 pages each.
    assert_passes(&script(100, "expect meminfo Cached == 1600 kB\nexpect smaps p s Rss == 400 kB\n"));
}

#[test]
fn the_101st_miss_reads_only_its_page() {
    assert_passes(&script(102, "expect meminfo Cached == 1608 kB\nexpect smaps p s Rss == 408 kB\n"));
}

#[test]
fn hits_pay_misses_back() {
    // mmap_miss is 102; three hits (cached, unmarked neighbours of the first faults) bring it to
    // 99, so the next miss counts 100 and still reads ahead.
    let then = "write p s+1p 2\nwrite p s+9p 2\nwrite p s+17p 2\nwrite p s+1900p 3\n\
                expect meminfo Cached == 1624 kB\n";
    assert_passes(&script(102, then));
}

#[test]
fn two_hits_are_not_enough() {
    // 102 - 2 = 100; the next miss makes 101 > 100: one page.
    let then = "write p s+1p 2\nwrite p s+9p 2\nwrite p s+1900p 3\nexpect meminfo Cached == 1612 kB\n";
    assert_passes(&script(102, then));
}
