//! Kernel paths as tasks (model/src/task.rs) and the interleaving explorer
//! (model/src/script/explore.rs): errnos of misuse, a task run alone equals the plain
//! operation, and exact exploration figures for the swap-in scenarios.

use mmlab_model::script::{ExploreOptions, ExploreReport, FailingSchedule, RunOptions, explore, parse, run};
use mmlab_model::*;

fn assert_passes(text: &str) {
    let r = run(&parse(text).unwrap_or_else(|e| panic!("{e}\n{text}")), &RunOptions::default());
    if let Some(f) = &r.failure {
        panic!("{}\n{}", f.render("tasks.mms"), r.text());
    }
}

fn scenario(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Explores scenario `name`, which no schedule may fail.
fn explore_passing(name: &str) -> ExploreReport {
    let r = explore(&scenario(name), &ExploreOptions::default()).unwrap();
    assert!(r.failure.is_none() && r.prefix_failure.is_none(), "{name}: {:?}", r.failure);
    r
}

/// Scenario `name` (a quirk's) passes as a script, `mmlab explore` finds a failing schedule in
/// it, and the printed schedule fails under run: the schedule, the report and run's message.
fn explore_quirk(name: &str) -> (FailingSchedule, ExploreReport, String) {
    let text = scenario(name);
    assert_passes(&text);
    let mut r = explore(&text, &ExploreOptions::default()).unwrap();
    let f = r.failure.take().unwrap_or_else(|| panic!("{name}: no schedule fails"));
    let again = run(&parse(&f.script).unwrap(), &RunOptions::default());
    let message = again.failure.expect("the printed schedule fails under run").message;
    (f, r, message)
}

const SWAPPED: &str = "machine swap=64M\np = spawn\na = mmap p 0 8p rw private,anonymous\n\
                       write p a 0x11\nmadvise p a 8p pageout\n";

#[test]
fn misuse_gets_an_errno() {
    assert_passes(&format!(
        "{SWAPPED}step 1 => ESRCH\nio_complete 7 => ESRCH\ntask fault 9 a read => ESRCH\n\
         task fallocate p 3 0 1p 0 => EINVAL\n\
         t = task fault p a read\nio_complete t => EINVAL\nstep t => ran\nstep t => waits(io)\n\
         step t => waits(io)\nio_complete t\nio_complete t => EINVAL\nstep t => ran\nstep t => done\n\
         step t => EINVAL\nexpect task t latency == 14\nexpect task t waited == 10\n\
         expect vmstat vma_lock_retry == 1\nexpect vmstat pswpin == 1\nexpect value p a value == 0x11\n"
    ));
}

#[test]
fn a_fault_on_a_present_page_takes_two_steps() {
    assert_passes(
        "p = spawn\na = mmap p 0 4p rw private,anonymous\nt = task fault p a+1p write\nstep t => ran\n\
         step t => done\nexpect smaps p a Rss == 4 kB\nexpect vmstat vma_lock_success == 0\n\
         expect vmstat vma_lock_abort == 1\nu = task fault p a+1p read\nstep u => ran\nstep u => done\n\
         expect vmstat vma_lock_success == 1\nexpect tasks faults_completed == 2\n",
    );
}

#[test]
fn a_writer_run_alone_is_the_plain_operation() {
    let plain = Machine::new(MachineConfig::default()).map(|mut m| {
        let p = match m.apply(&Op::Spawn) {
            Ok(Outcome::Pid(p)) => p,
            r => panic!("{r:?}"),
        };
        let flags = MapFlags::PRIVATE | MapFlags::ANONYMOUS;
        let Ok(Outcome::Addr(a)) = m.apply(&Op::Mmap {
            pid: p,
            addr: 0,
            len: 8 * PAGE_SIZE,
            prot: Prot::READ | Prot::WRITE,
            flags,
            fd: -1,
            offset: 0,
        }) else {
            panic!("mmap")
        };
        m.apply(&Op::Touch { pid: p, addr: a, len: 8 * PAGE_SIZE, access: Access::Write }).unwrap();
        (m, p, a)
    });
    let (mut m1, p, a) = plain.unwrap();
    let mut m2 = m1.clone();
    let op = Op::Mprotect { pid: p, addr: a + PAGE_SIZE, len: PAGE_SIZE, prot: Prot::READ };
    assert_eq!(m1.apply(&op), Ok(Outcome::Done));
    assert_eq!(m2.apply(&Op::TaskStart { task: TaskKind::Writer(Box::new(op)) }), Ok(Outcome::Task(1)));
    assert_eq!(m2.apply(&Op::RunUntilIdle), Ok(Outcome::Count(3)));
    assert_eq!(m1.smaps(p), m2.smaps(p));
    assert_eq!(m1.status(p), m2.status(p));
    assert_eq!(m1.meminfo(), m2.meminfo());
    let bad = Op::Mprotect { pid: p, addr: a + 1, len: PAGE_SIZE, prot: Prot::READ };
    assert_eq!(m2.apply(&Op::TaskStart { task: TaskKind::Writer(Box::new(bad)) }), Ok(Outcome::Task(2)));
    // The unaligned range overlaps two of the VMAs the first mprotect made: both are write-locked.
    assert_eq!(m2.apply(&Op::RunUntilIdle), Ok(Outcome::Count(4)));
    let t = m2.tasks().into_iter().find(|t| t.id == 2).unwrap();
    assert_eq!((t.done, t.errno, t.kind.as_str()), (true, Errno::EINVAL.number(), "mprotect"));
    assert!(m2.check_invariants().is_empty());
}

#[test]
fn the_policy_scenarios_pass() {
    for name in ["110-swapin-vma-lock-retry.mms", "111-swapin-vma-lock-wait.mms", "112-swapin-interleavings.mms"] {
        assert_passes(&scenario(name));
    }
}

#[test]
fn every_interleaving_of_the_swapin_scenario_keeps_the_invariants() {
    let text = scenario("112-swapin-interleavings.mms");
    let wait = explore(&text, &ExploreOptions::default()).unwrap();
    assert!(wait.failure.is_none() && wait.prefix_failure.is_none(), "{:?}", wait.failure);
    assert_eq!((wait.line, wait.schedules, wait.states, wait.pruned, wait.bounded), (Some(20), 8, 1344, 1876, false));
    let retry =
        explore(&text.replace("swapin_policy=wait", "swapin_policy=retry"), &ExploreOptions::default()).unwrap();
    assert!(retry.failure.is_none());
    assert_eq!((retry.schedules, retry.states, retry.pruned), (14, 2922, 3955));
}

#[test]
fn a_schedule_dependent_figure_fails_in_some_schedule_and_the_script_reproduces_it() {
    // 110's latencies hold for the default order only: the explorer finds an order where they
    // differ and prints it as a script that fails the same way.
    let r = explore(&scenario("110-swapin-vma-lock-retry.mms"), &ExploreOptions::default()).unwrap();
    let f = r.failure.expect("some schedule changes a latency");
    let again = run(&parse(&f.script).unwrap(), &RunOptions::default());
    assert_eq!(again.failure.as_ref().map(|x| &x.message), f.report.failure.as_ref().map(|x| &x.message));
    assert!(again.failure.unwrap().message.starts_with("expect task"), "{}", f.script);
    assert!(f.script.contains("# schedule found by mmlab explore"));
}

#[test]
fn bounds_stop_the_search() {
    let text = scenario("112-swapin-interleavings.mms");
    let r = explore(&text, &ExploreOptions { max_states: 100, ..ExploreOptions::default() }).unwrap();
    assert!(r.bounded);
    assert_eq!(r.states, 100);
    let none = explore("p = spawn\nexit p\n", &ExploreOptions::default()).unwrap();
    assert_eq!((none.line, none.schedules), (None, 1));
}

#[test]
fn the_task_table_is_bounded() {
    let mut m = Machine::new(MachineConfig::default()).unwrap();
    let Ok(Outcome::Pid(p)) = m.apply(&Op::Spawn) else { panic!("spawn") };
    let fault = Op::TaskStart { task: TaskKind::Fault { pid: p, addr: 0x1000, access: Access::Read } };
    for i in 1..=task::MAX_TASKS as u32 {
        assert_eq!(m.apply(&fault), Ok(Outcome::Task(i)));
    }
    assert_eq!(m.apply(&fault), Err(Errno::EAGAIN));
    // No VMA at 0x1000: each fault aborts its VMA lock, takes mmap_lock and gets SIGSEGV.
    assert_eq!(m.apply(&Op::RunUntilIdle), Ok(Outcome::Count(2 * task::MAX_TASKS as u64)));
    assert_eq!(m.apply(&fault), Ok(Outcome::Task(task::MAX_TASKS as u32 + 1)));
    assert_eq!(m.tasks().len(), task::MAX_TASKS);
    assert_eq!(m.tasks().first().map(|t| t.id), Some(2));
    assert!(m.check_invariants().is_empty());
}

#[test]
fn reclaim_and_truncation_tasks_run_alone() {
    // Reclaim of a clean shared memfd page mapped twice: two walk steps unmap both PTEs, the
    // last finds none and drops the page (shmem, never written: no swap needed).
    assert_passes(
        "p = spawn\nfd = memfd_create p m\nftruncate p fd 2p\na = mmap p 0 2p r shared fd=fd\nread p a => 0\n\
         c = fork p\nread c a => 0\nexpect meminfo Shmem == 4 kB\nr = task reclaim p a\nstep r => ran\n\
         step r => ran\nexpect smaps p a Rss == 0 kB\nexpect smaps c a Rss == 4 kB\n\
         step r => ran\nexpect smaps c a Rss == 0 kB\nexpect meminfo Shmem == 4 kB\nstep r => done\nexpect task r errno == 0\n\
         expect meminfo Shmem == 0 kB\nexpect invariants violations == 0\n\
         n = task reclaim p a+1p\nstep n => done\nexpect task n errno == 11\n\
         task reclaim 9 a => ESRCH\n\
         t = task ftruncate p fd 0\nstep t => ran\nstep t => done\nexpect task t errno == 0\n\
         u = task ftruncate p 42 0\nstep u => done\nexpect task u errno == 9\n\
         v = task fallocate p fd keep_size,punch_hole 1 1\nstep v => done\nexpect task v errno == 0\n\
         task fallocate p fd 0 0 1p => EINVAL\nexpect invariants violations == 0\n",
    );
}

#[test]
fn truncation_waits_for_the_page_reclaim_holds() {
    assert_passes(
        "p = spawn\nfd = memfd_create p m\nftruncate p fd 2p\na = mmap p 0 2p rw shared fd=fd\n\
         write p a 1\nwrite p a+1p 2\nr = task reclaim p a+1p\nstep r => ran\nt = task ftruncate p fd 0\n\
         step t => ran\nexpect smaps p a Rss == 0 kB\nstep t => ran\nexpect meminfo Shmem == 4 kB\n\
         step t => waits(folio)\nstep r => done\nexpect meminfo Shmem == 4 kB\n\
         step t => ran\nstep t => done\nexpect meminfo Shmem == 0 kB\nexpect invariants violations == 0\n",
    );
}

#[test]
fn truncation_racing_reclaim_on_a_locked_vma_never_frees_a_mlocked_page() {
    let r = explore_passing("113-reclaim-truncate-mlocked.mms");
    assert_eq!((r.line, r.schedules, r.states, r.pruned), (Some(34), 6, 107, 41));
}

#[test]
fn the_trylock_quirk_schedule_is_found_and_reproduces() {
    let (_, r, message) = explore_quirk("114-reclaim-truncate-trylock-quirk.mms");
    assert_eq!(r.schedules, 2);
    assert!(
        message.contains("mlocked-iff-locked-mapping: pfn 0x1001: PG_mlocked true with 0 VM_LOCKED mappings"),
        "{message}"
    );
    assert!(message.starts_with("invariant violated after step 20 (step 2)"), "{message}");
}

#[test]
fn migration_task_steps_and_waits() {
    assert_passes(
        "machine nodes=2\np = spawn\na = mmap p 0 4p rw private,anonymous\nwrite p a 7\nwrite p a+1p 8\n\
         task migrate p a 2 => ok\nexpect task 1 errno == 0\nstep 1 => done\nexpect task 1 errno == 19\n\
         n = task migrate p a+2p 1\nstep n => done\nexpect task n errno == 2\n\
         s = task migrate p a 0\nstep s => done\nexpect task s errno == 0\n\
         m = task migrate p a 1\nstep m => ran\nstep m => ran\nexpect smaps p a Rss == 8 kB\n\
         f = task fault p a read\nstep f => ran\nstep f => waits(folio)\n\
         w = task mprotect p a 4p r\nstep w => ran\nstep w => waits(vma_lock)\n\
         expect invariants violations == 0\nstep m => done\nstep f => done\nrun_until_idle\n\
         expect task w done == 1\nexpect value p a value == 7\nmove_pages p a => [1]\n\
         expect task m errno == 0\nm2 = task migrate p a+1p 1\nstep m2 => ran\nstep m2 => ran\n\
         w2 = task mprotect p a 4p rw\nstep w2 => ran\nstep w2 => ran\nstep w2 => waits(folio)\n\
         step m2 => done\nstep w2 => done\nmove_pages p a+1p => [1]\n\
         m3 = task migrate p a+1p 0\nstep m3 => ran\nstep m3 => ran\n\
         read p a+1p => 8\nexpect task m3 done == 1\nmove_pages p a+1p => [0]\n\
         expect invariants violations == 0\n",
    );
}

#[test]
fn migration_racing_truncation_keeps_shmem_counters() {
    let r = explore_passing("115-migrate-truncate-shmem.mms");
    assert_eq!((r.line, r.schedules, r.states, r.pruned), (Some(29), 191, 3813, 3849));
}

#[test]
fn the_zap_quirk_schedule_with_a_migration_in_flight_is_found() {
    let (_, _, message) = explore_quirk("116-migrate-truncate-zap-quirk.mms");
    assert!(message.contains("pte-beyond-eof: pid 1 addr 0x7efffffff000: page 3 of a file of 1 pages"), "{message}");
}

/// Runs `op` plain on one copy of `m` and as a writer task on another; every view must agree.
fn assert_task_alone_is_plain(m: &Machine, op: Op, pids: &[Pid]) -> Machine {
    let (mut plain, mut task) = (m.clone(), m.clone());
    let want = plain.apply(&op);
    let Ok(Outcome::Task(id)) = task.apply(&Op::TaskStart { task: TaskKind::Writer(Box::new(op.clone())) }) else {
        panic!("start {op:?}")
    };
    task.apply(&Op::RunUntilIdle).unwrap();
    let t = task.tasks().into_iter().find(|t| t.id == id).unwrap();
    assert_eq!(t.errno, want.err().map_or(0, |e| e.number()), "{op:?}");
    for &p in pids {
        assert_eq!(plain.smaps(p), task.smaps(p), "{op:?}");
        assert_eq!(plain.status(p), task.status(p), "{op:?}");
    }
    assert_eq!(plain.meminfo(), task.meminfo(), "{op:?}");
    assert!(task.check_invariants().is_empty(), "{:?}", task.check_invariants());
    task
}

#[test]
fn page_walk_writers_run_alone_are_the_plain_operations() {
    let mut m = Machine::new(MachineConfig::default()).unwrap();
    let Ok(Outcome::Pid(p)) = m.apply(&Op::Spawn) else { panic!() };
    let len = 1500 * PAGE_SIZE;
    let flags = MapFlags::PRIVATE | MapFlags::ANONYMOUS;
    let Ok(Outcome::Addr(a)) =
        m.apply(&Op::Mmap { pid: p, addr: 0, len, prot: Prot::READ | Prot::WRITE, flags, fd: -1, offset: 0 })
    else {
        panic!("mmap")
    };
    m.apply(&Op::Touch { pid: p, addr: a, len: 1000 * PAGE_SIZE, access: Access::Write }).unwrap();
    let m = assert_task_alone_is_plain(&m, Op::Mlock { pid: p, addr: a + 3 * PAGE_SIZE, len: 1200 * PAGE_SIZE }, &[p]);
    // 1200 pages locked and populated, split out of the 1500-page VMA in three.
    assert_eq!(m.status(p).unwrap().vm_lck, 4800);
    let m =
        assert_task_alone_is_plain(&m, Op::Munlock { pid: p, addr: a + 700 * PAGE_SIZE, len: 600 * PAGE_SIZE }, &[p]);
    assert_eq!(m.status(p).unwrap().vm_lck, 2788);
    let m = assert_task_alone_is_plain(&m, Op::Mlockall { pid: p, flags: MclFlags::CURRENT }, &[p]);
    let m = assert_task_alone_is_plain(&m, Op::Munlockall { pid: p }, &[p]);
    assert_eq!(m.meminfo().mlocked, 0);
    let m = assert_task_alone_is_plain(&m, Op::Munmap { pid: p, addr: a + 5 * PAGE_SIZE, len: 1000 * PAGE_SIZE }, &[p]);
    // mlockall populated all 1500 pages; 500 are left.
    assert_eq!(m.status(p).unwrap().vm_rss, 500 * 4);
    // A hole makes mlock ENOMEM after locking what comes before it; an unaligned munmap is EINVAL.
    let m = assert_task_alone_is_plain(&m, Op::Mlock { pid: p, addr: a, len: 100 * PAGE_SIZE }, &[p]);
    assert_eq!(m.status(p).unwrap().vm_lck, 20);
    assert_task_alone_is_plain(&m, Op::Munmap { pid: p, addr: a + 1, len: PAGE_SIZE }, &[p]);
}

#[test]
fn munmap_zaps_one_page_table_a_step() {
    // 1024 pages from a 2 MB boundary: two page tables, so two zap steps after the split.
    assert_passes(
        "p = spawn\na = mmap p 0x600000000000 1030p rw private,anonymous,fixed_noreplace => 0x600000000000\n\
         touch p a 1030p write\nexpect status p VmRSS == 4120 kB\nu = task munmap p a+2p 1026p\n\
         step u => ran\nstep u => ran\nstep u => ran\nexpect status p VmRSS == 4120 kB\n\
         expect smaps_rollup p Rss == 4120 kB\nstep u => ran\nexpect status p VmRSS == 2080 kB\n\
         expect invariants violations == 0\nstep u => ran\nexpect status p VmRSS == 32 kB\n\
         expect smaps_rollup p Rss == 32 kB\nstep u => done\nexpect status p VmRSS == 16 kB\n\
         expect smaps p a Rss == 8 kB\nexpect smaps p a+1028p Rss == 8 kB\nexpect task u errno == 0\n\
         expect invariants violations == 0\n",
    );
}

#[test]
fn mlock_walk_racing_reclaim_counts_each_page_once() {
    let r = explore_passing("117-mlock-walk-reclaim.mms");
    assert_eq!((r.line, r.schedules, r.states, r.pruned), (Some(21), 4, 29, 11));
}

#[test]
fn the_vm_io_quirk_double_count_is_found_and_outlives_munlock() {
    let (f, r, message) = explore_quirk("118-mlock-walk-reclaim-quirk.mms");
    assert_eq!(r.schedules, 2);
    assert!(message.contains("mlock_count: pfn 0x1001: mlock_count 1 != 0 VM_LOCKED mappings"), "{message}");
    // Run on without invariant checks: the walk counts the page again (mlock_count 2 for one
    // mapping), munlock takes one count back and the page stays mlocked and unevictable with no
    // VM_LOCKED mapping (mlock_count and mlocked-iff-locked-mapping).
    let opts = RunOptions { check_invariants: false, ..RunOptions::default() };
    let rest = f.script.replace(
        "expect meminfo Mlocked == 8 kB\nexpect meminfo Unevictable == 8 kB\nexpect invariants violations == 0\n\
         munlock p a 2p\nexpect meminfo Mlocked == 0 kB\nexpect meminfo Unevictable == 0 kB\n\
         exit p\nexpect invariants violations == 0\n",
        "expect meminfo Mlocked == 8 kB\nexpect invariants violations == 1\nmunlock p a 2p\n\
         expect meminfo Mlocked == 4 kB\nexpect meminfo Unevictable == 4 kB\nexpect invariants violations == 2\n\
         exit p\nexpect vmstat unevictable_pgs_cleared == 1\nexpect meminfo Mlocked == 0 kB\n\
         expect invariants violations == 1\n",
    );
    assert_ne!(rest, f.script);
    let r = run(&parse(&rest).unwrap(), &opts);
    assert!(r.failure.is_none(), "{:?}\n{}", r.failure, r.text());
}

#[test]
fn munlock_walk_racing_a_punch_frees_pages_still_mlocked() {
    let r = explore_passing("119-munlock-walk-punch.mms");
    let text = scenario("119-munlock-walk-punch.mms");
    assert_eq!((r.line, r.schedules, r.states, r.pruned), (Some(24), 3, 66, 38));
    // The schedule where the punch's unmap pass runs between munlock's two page tables.
    let raced = text.replace(
        "run_until_idle\n",
        "step u => ran\nstep u => ran\nstep u => ran\nexpect smaps p a Locked == 0 kB\n\
         expect meminfo Mlocked == 4096 kB\nstep u => ran\nexpect meminfo Mlocked == 2048 kB\nstep h => ran\n\
         expect meminfo Mlocked == 2048 kB\nexpect invariants violations == 0\nrun_until_idle\n\
         expect vmstat unevictable_pgs_cleared == 4\n",
    );
    assert_ne!(raced, text);
    assert_passes(&raced);
}

#[test]
fn a_plain_operation_waits_for_the_locks_of_its_mm() {
    // A plain write behind an mprotect task holding mmap_lock for write runs after it (and is
    // refused by the new protection); a plain mprotect waits for the fault holding the VMA's
    // read lock; another process's operations wait for nothing.
    assert_passes(
        "p = spawn\na = mmap p 0 4p rw private,anonymous\nw = task mprotect p a 1p r\nstep w => ran\n\
         write p a 1 => SIGSEGV(ACCERR)\nexpect task w done == 1\nf = task fault p a+1p write\nstep f => ran\n\
         q = spawn\nb = mmap q 0 1p rw private,anonymous\nwrite q b 2\nexpect task f done == 0\n\
         mprotect p a+2p 1p r\nexpect task f done == 1\nexpect tasks faults_completed == 1\n\
         read p a+1p => 0\nexpect invariants violations == 0\n",
    );
}

#[test]
fn a_fault_waits_for_the_vma_an_mlock_walk_split_off() {
    // mlock of the middle of a VMA splits it in three; the split-off VMA keeps the write lock,
    // so a fault there falls back to mmap_lock and waits for the walk (three page tables: the
    // range crosses two 2 MB boundaries) instead of mapping a page the walk passed already.
    assert_passes(
        "p = spawn\na = mmap p 0x600000000000 1030p rw private,anonymous,fixed_noreplace => 0x600000000000\n\
         touch p a 10p write\nm = task mlock p a+2p 1026p\nstep m => ran\nstep m => ran\nstep m => ran\n\
         expect maps p count == 3\nstep m => ran\nexpect meminfo Mlocked == 32 kB\n\
         f = task fault p a+100p write\nstep f => waits(mmap_lock)\nexpect invariants violations == 0\n\
         step m => ran\nstep m => done\nexpect task m done == 1\nexpect smaps p a+2p Locked == 4104 kB\nstep f => done\n\
         expect meminfo Mlocked == 4104 kB\nexpect invariants violations == 0\n",
    );
}

#[test]
fn an_mlock_that_meets_a_migration_entry_leaves_the_new_page_unevictable_not_active() {
    // The fault marks the page accessed (active) and the mlock walk finds the migration entry
    // in its place; remove_migration_ptes mlocks the new page, and putback's lru_add clears
    // PG_active of the unevictable folio (found by the interleave fuzz target).
    assert_passes(
        "machine nodes=3\np = spawn\na = mmap p 0 1p rw private,anonymous,populate\n\
         f = task fault p a write\nm = task migrate p a 2\nstep m => ran\nstep f => ran\n\
         mlock2 p a 1p 0\nrun_until_idle => 1\nexpect pagemap p a present == 1\n\
         expect kpageflags p a mlocked == 1\nexpect kpageflags p a unevictable == 1\n\
         expect kpageflags p a active == 0\nmove_pages p a => [2]\nexpect invariants violations == 0\n",
    );
}

#[test]
fn a_migration_unmap_munlocks_a_page_mlocked_after_the_task_locked_it() {
    // mlock2(MLOCK_ONFAULT) mlocks the present shmem page the migration task holds locked;
    // try_to_migrate's folio_remove_rmap_pte munlocks it through the VM_LOCKED mapping, and
    // remove_migration_pte mlocks the new page (found by the interleave fuzz target).
    assert_passes(
        "machine nodes=2\np = spawn\na = mmap p 0 1p rw shared,anonymous\nwrite p a 7\n\
         m = task migrate p a 1\nstep m => ran\nmlock2 p a 1p onfault\nexpect meminfo Mlocked == 4 kB\n\
         step m => ran\nexpect meminfo Mlocked == 0 kB\nexpect invariants violations == 0\n\
         run_until_idle => 1\nexpect meminfo Mlocked == 4 kB\nexpect kpageflags p a mlocked == 1\n\
         expect kpageflags p a unevictable == 1\nmove_pages p a => [1]\nread p a => 7\n\
         expect invariants violations == 0\n",
    );
}

#[test]
fn mprotect_makes_a_writable_migration_entry_readable() {
    // change_pte_range turns the writable migration entry into a readable one, so the new page
    // is mapped read-only in the PROT_READ VMA (found by the interleave fuzz target).
    assert_passes(
        "machine nodes=3\np = spawn\na = mmap p 0 1p rw private,anonymous\nwrite p a 3\n\
         f = task fault p a write\nm = task migrate p a 2\nstep m => ran\nstep f => ran\nmprotect p a 1p r\n\
         expect task m done == 0\nexpect pagemap p a present == 0\nexpect invariants violations == 0\n\
         run_until_idle => 1\nexpect invariants violations == 0\n\
         read p a => 3\nwrite p a 4 => SIGSEGV(ACCERR)\nmprotect p a 1p rw\nwrite p a 4\nread p a => 4\n\
         move_pages p a => [2]\n",
    );
}

#[test]
fn a_migration_that_fails_mlocks_the_restored_page_again() {
    // The unmap munlocks the page of the VM_LOCKED VMA; the target node is full, so
    // migrate_pages fails and remove_migration_ptes maps the old page again, mlocked (found by
    // the interleave fuzz target).
    assert_passes(
        "machine nodes=2 node_mem=2M\np = spawn\na = mmap p 0 1p rw private,anonymous\nwrite p a 9\n\
         q = spawn\nb = mmap q 0 1020p rw private,anonymous\ntouch q b 1020p write\nexpect meminfo MemFree == 0 kB\n\
         m = task migrate p a 1\nstep m => ran\nmlock p a 1p\nexpect meminfo Mlocked == 4 kB\nstep m => ran\n\
         expect meminfo Mlocked == 0 kB\n\
         step m => done\nexpect task m errno == 12\nexpect vmstat pgmigrate_fail == 1\nexpect meminfo Mlocked == 4 kB\n\
         expect kpageflags p a mlocked == 1\nmove_pages p a => [0]\nread p a => 9\n\
         expect invariants violations == 0\n",
    );
}
