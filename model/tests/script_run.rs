//! The .mms runner: results, expectations, failure messages, determinism.
//!
//! Tests marked "needs the model" depend on the model behaving like Linux (they check real
//! values); the others only depend on the runner.

mod script {
    use mmlab_model::script::{
        FailureKind, MachineSpec, ProcView, RunOptions, RunReport, Script, Stmt, StmtKind, parse, run,
    };

    fn run_text(text: &str) -> RunReport {
        run_with(text, &RunOptions::default())
    }

    fn run_with(text: &str, opts: &RunOptions) -> RunReport {
        let script = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        run(&script, opts)
    }

    fn assert_passes(text: &str) -> RunReport {
        let r = run_text(text);
        if let Some(f) = &r.failure {
            panic!("{}\n{}", f.render("test.mms"), r.text());
        }
        r
    }

    fn failure(text: &str) -> mmlab_model::script::Failure {
        let r = run_text(text);
        match r.failure {
            Some(f) => f,
            None => panic!("expected a failure:\n{}", r.text()),
        }
    }

    // ---- runner-only behaviour ----

    #[test]
    fn script_run_empty_and_invariants_only() {
        let r = assert_passes("# nothing\n\nexpect invariants violations == 0\n");
        assert_eq!(r.lines, vec!["   3  expect invariants violations == 0 => 0".to_string()]);
        assert_eq!((r.ops, r.expects), (0, 1));
    }

    #[test]
    fn script_run_wrong_expectation_message() {
        let f = failure("\n\nexpect invariants violations == 1\nexpect invariants violations == 0\n");
        assert_eq!(f.line, Some(3));
        assert_eq!(f.kind, FailureKind::Expect);
        assert_eq!(f.message, "expect invariants violations == 1: got 0");
        assert_eq!(f.render("scenarios/x.mms"), "scenarios/x.mms:3: expect invariants violations == 1: got 0");
        assert_eq!(f.to_string(), "line 3: expect invariants violations == 1: got 0");
    }

    #[test]
    fn script_run_machine_line_is_reported() {
        let r = assert_passes("machine swap=64M nodes=2\nexpect invariants violations == 0\n");
        assert_eq!(r.lines[0], "   1  machine nodes=2 swap=64M");
    }

    #[test]
    fn script_run_refused_machine() {
        // Built by hand: the parser refuses nodes=0 itself.
        let script = Script {
            machine: Some(MachineSpec {
                line: 2,
                nodes: Some(mmlab_model::script::Literal::dec(0)),
                ..Default::default()
            }),
            statements: vec![Stmt { line: 1, kind: StmtKind::Blank, comment: Some(" x".into()) }],
        };
        let r = run(&script, &RunOptions::default());
        let f = r.failure.unwrap();
        assert_eq!((f.line, f.kind), (Some(2), FailureKind::Machine));
        assert!(f.message.contains("EINVAL"), "{}", f.message);
    }

    // ---- with the model (needs the model: spawn, mmap, faults, /proc walkers) ----

    #[test]
    fn script_run_unaligned_munmap_is_einval() {
        // needs the model
        let r = assert_passes("p = spawn\nmunmap p 0x1001 4096 => EINVAL\n");
        assert!(r.lines[0].starts_with("   1  p = spawn => "), "{:?}", r.lines);
        assert_eq!(r.lines[1], "   2  munmap p 0x1001 4096 => EINVAL");
    }

    #[test]
    fn script_run_expected_success_got_errno() {
        // needs the model
        let f = failure("p = spawn\n\nmunmap p 0x1001 4p\nexpect invariants violations == 1\n");
        assert_eq!(f.line, Some(3));
        assert_eq!(f.kind, FailureKind::Result);
        assert_eq!(f.render("scenarios/x.mms"), "scenarios/x.mms:3: munmap p 0x1001 4p: expected success, got EINVAL");
    }

    #[test]
    fn script_run_expected_errno_got_success() {
        // needs the model
        let f = failure("p = spawn\na = mmap p 0 4p rw private,anonymous\nmunmap p a 4p => EINVAL\n");
        assert_eq!(f.message, "munmap p a 4p: expected EINVAL, got ok");
        let f = failure("p = spawn\na = mmap p 0 4p rw private,anonymous => p\n");
        assert_eq!((f.line, f.kind), (Some(2), FailureKind::Result));
        assert!(
            f.message.starts_with("a = mmap p 0 4p rw private,anonymous: expected p = 0x1, got 0x"),
            "{}",
            f.message
        );
    }

    #[test]
    fn script_run_signals() {
        // needs the model
        let text = "p = spawn\n\
                    read p 0x1000 => SIGSEGV\n\
                    read p 0x1000 => SIGSEGV(MAPERR)\n\
                    a = mmap p 0 1p r private,anonymous\n\
                    write p a 1 => SIGSEGV(ACCERR)\n\
                    write p a 1 => SIGSEGV\n";
        let r = assert_passes(text);
        assert_eq!(r.lines[1], "   2  read p 0x1000 => SIGSEGV(MAPERR)");
        let f = failure("p = spawn\nread p 0x1000\n");
        assert_eq!(f.message, "read p 0x1000: expected success, got SIGSEGV(MAPERR)");
        let f = failure("p = spawn\nread p 0x1000 => ok\n");
        assert_eq!(f.message, "read p 0x1000: expected ok, got SIGSEGV(MAPERR)");
        let f = failure("p = spawn\nread p 0x1000 => SIGBUS\n");
        assert_eq!(f.message, "read p 0x1000: expected SIGBUS, got SIGSEGV(MAPERR)");
    }

    #[test]
    fn script_run_values_names_and_views() {
        // needs the model
        let text = "p = spawn\n\
                    a = mmap p 0 16p rw private,anonymous\n\
                    write p a+1p 0x41\n\
                    v = read p a+1p => 0x41\n\
                    read p a+1p => v\n\
                    read p a => 0\n\
                    expect value p a+1p value == v\n\
                    expect value p a+2p value == 0\n\
                    expect vma p a+5p start == a\n\
                    expect vma p a end == a+16p\n\
                    expect vma p a offset == 0\n\
                    expect maps p count == 1\n\
                    expect pagemap p a+1p present == 1\n\
                    expect pagemap p a+1p exclusive == 1\n\
                    expect pagemap p a+3p present == 0\n\
                    expect kpagecount p a+1p count == 1\n\
                    expect kpageflags p a+1p ANON == 1\n\
                    expect kpageflags p a ZERO_PAGE == 1\n\
                    expect smaps p a Rss == 4 kB\n\
                    expect smaps p a Size == 64 kB\n\
                    expect smaps p a VmFlags has wr\n\
                    expect smaps p a VmFlags lacks lo\n\
                    expect smaps_rollup p Pss_Anon == 4 kB\n\
                    expect status p RssAnon == 4 kB\n\
                    expect status p VmSize >= 64 kB\n\
                    expect meminfo AnonPages >= 4 kB\n\
                    expect meminfo node=0 MemTotal == 1048576 kB\n\
                    expect vmstat pgfault > 0\n\
                    expect invariants violations == 0\n";
        let r = assert_passes(text);
        assert_eq!(r.ops, 6);
        assert_eq!(r.lines[3], "   4  v = read p a+1p => 0x41");
        assert_eq!(
            r.lines[8],
            "   9  expect vma p a+5p start == a => ".to_string() + &r.lines[1][r.lines[1].len() - 14..]
        );
        assert!(r.lines[20].starts_with("  21  expect smaps p a VmFlags has wr => VmFlags: rd wr"), "{}", r.lines[20]);
    }

    #[test]
    fn script_run_fork_pss() {
        // needs the model (docs/mms-format.md's example; munmap of an unaligned address fails)
        let text = "p = spawn\n\
                    a = mmap p 0 16p rw private,anonymous\n\
                    touch p a 10p write\n\
                    c = fork p\n\
                    expect smaps p a Rss == 40 kB\n\
                    expect smaps p a Pss == 20 kB\n\
                    write c a 0x41\n\
                    expect smaps p a Pss == 22 kB\n\
                    read c a => 0x41\n\
                    read p a => 0\n\
                    munmap p a+1 4096 => EINVAL\n";
        assert_passes(text);
        let f = failure(&text.replace("Pss == 22 kB", "Pss == 24 kB"));
        assert_eq!(f.line, Some(8));
        assert_eq!(f.message, "expect smaps p a Pss == 24 kB: got 22 kB");
    }

    #[test]
    fn script_run_expect_messages() {
        // needs the model
        let f = failure("p = spawn\na = mmap p 0 1p rw private,anonymous\nexpect vma p a start == a+1p\n");
        assert!(f.message.starts_with("expect vma p a start == a+1p: got 0x"), "{}", f.message);
        assert!(f.message.contains("(a+1p = 0x"), "{}", f.message);
        let f = failure("p = spawn\nexpect smaps p 0x1000 Rss == 0\n");
        assert_eq!(f.message, "expect smaps p 0x1000 Rss == 0: no VMA of pid 1 contains 0x1000");
        let f = failure("p = spawn\na = mmap p 0 1p rw private,anonymous\nexpect kpagecount p a count == 1\n");
        assert!(f.message.contains("no page is present"), "{}", f.message);
        let f = failure("p = spawn\nexpect vmstat no_such_item == 0\n");
        assert!(f.message.contains("/proc/vmstat has no item 'no_such_item'"), "{}", f.message);
        let f = failure("p = spawn\nexpect smaps p 0 VmFlags has lo\n");
        assert_eq!(f.kind, FailureKind::Expect);
    }

    #[test]
    fn script_run_out_of_range_values() {
        // needs the model (spawn)
        let f = failure("p = spawn\nfork p+4294967295\n");
        assert_eq!((f.line, f.kind), (Some(2), FailureKind::Eval));
        assert!(f.message.contains("out of range for PID"), "{}", f.message);
        let f = failure("p = spawn\nmunmap p 0-1 1p\n");
        assert!(f.message.contains("-1 is out of range for ADDR"), "{}", f.message);
    }

    #[test]
    fn script_run_stops_at_first_failure() {
        // needs the model
        let r = run_text("p = spawn\nmunmap p 1 1p\nexpect invariants violations == 5\nspawn\n");
        assert_eq!(r.failure.as_ref().unwrap().line, Some(2));
        assert_eq!(r.lines.len(), 2);
        assert_eq!(r.ops, 2);
    }

    #[test]
    fn script_run_is_deterministic_with_views() {
        // needs the model
        let text = "p = spawn\n\
                    a = mmap p 0 16p rw private,anonymous\n\
                    touch p a 3p write\n\
                    c = fork p\n\
                    exit p\n";
        let opts = RunOptions { proc_views: ProcView::ALL.to_vec(), ..RunOptions::default() };
        let one = run_with(text, &opts);
        let two = run_with(text, &opts);
        assert!(one.passed(), "{}", one.text());
        assert_eq!(one, two);
        let t = one.text();
        assert!(t.contains("      --- /proc/1/maps\n"), "{t}");
        assert!(t.contains("      --- /proc/2/smaps_rollup\n"), "{t}");
        assert!(t.contains("      --- /proc/meminfo\n"), "{t}");
        assert!(t.contains("      --- /sys/devices/system/node/node0/meminfo\n"), "{t}");
        assert!(t.contains("      --- /proc/vmstat\n"), "{t}");
        // After `exit p` only the child is listed.
        let after_exit = &t[t.find("   5  exit p").unwrap()..];
        assert!(!after_exit.contains("/proc/1/"), "{after_exit}");
        // Without views the report is one line per step.
        assert_eq!(run_text(text).lines.len(), 5);
    }

    // ---- mlock, move_pages, reclaim ----

    #[test]
    fn script_run_new_ops_out_of_range() {
        // needs the model (spawn)
        let f = failure("p = spawn\nmove_pages p 0 nodes=p+4294967295\n");
        assert_eq!((f.line, f.kind), (Some(2), FailureKind::Eval));
        assert_eq!(f.message, "move_pages p 0 nodes=p+4294967295: 4294967296 is out of range for NODE");
        let f = failure("p = spawn\nreclaim p+4294967295 1\n");
        assert_eq!(f.message, "reclaim p+4294967295 1: 4294967296 is out of range for NID");
        let f = failure("p = spawn\nmove_pages p p-2\n");
        assert_eq!(f.message, "move_pages p p-2: -1 is out of range for ADDR");
        let f = failure("p = spawn\nsetrlimit_memlock p 0-p\n");
        assert_eq!(f.message, "setrlimit_memlock p 0-p: -1 is out of range for BYTES");
    }

    #[test]
    fn script_run_move_pages_statuses() {
        // needs the model (move_pages status query: node, -ENOENT for a page not present, -EFAULT
        // outside any VMA)
        let text = "p = spawn\n\
                    a = mmap p 0 4p rw private,anonymous\n\
                    touch p a 1p write\n\
                    move_pages p a,a+1p,0x1000 => [0,-ENOENT,-EFAULT]\n\
                    move_pages p a,a+1p,0x1000 => [0,-2,-14]\n\
                    move_pages p a,a+1p,0x1000\n\
                    move_pages p a => ok\n\
                    move_pages p [] => []\n";
        let r = assert_passes(text);
        assert_eq!(r.lines[3], "   4  move_pages p a,a+1p,0x1000 => [0,-2,-14]");
        assert_eq!(r.lines[7], "   8  move_pages p [] => []");
        let prefix = "p = spawn\na = mmap p 0 4p rw private,anonymous\ntouch p a 1p write\n";
        let f = failure(&format!("{prefix}move_pages p a,a+1p,0x1000 => [0,-ENOENT,0]\n"));
        assert_eq!((f.line, f.kind), (Some(4), FailureKind::Result));
        assert_eq!(f.message, "move_pages p a,a+1p,0x1000: expected [0,-ENOENT,0] = [0,-2,0], got [0,-2,-14]");
        let f = failure(&format!("{prefix}move_pages p a,a+1p => [0]\n"));
        assert_eq!(f.message, "move_pages p a,a+1p: expected [0], got [0,-2]");
        // A status list is not a number.
        let f = failure(&format!("{prefix}move_pages p a => 0\n"));
        assert_eq!(f.message, "move_pages p a: expected 0, got [0]");
        let f = failure(&format!("{prefix}move_pages p a => EINVAL\n"));
        assert_eq!(f.message, "move_pages p a: expected EINVAL, got [0]");
    }

    #[test]
    fn script_run_mlock() {
        // needs the model (mlock, RLIMIT_MEMLOCK, CAP_IPC_LOCK)
        let text = "p = spawn\n\
                    a = mmap p 0 4p rw private,anonymous\n\
                    mlock p a 4p\n\
                    expect status p VmLck == 16 kB\n\
                    expect smaps p a VmFlags has lo\n\
                    munlock p a 4p\n\
                    expect status p VmLck == 0 kB\n\
                    mlock2 p a 1p onfault\n\
                    munlockall p\n\
                    setrlimit_memlock p 0\n\
                    mlock p a 1p => EPERM\n\
                    cap_ipc_lock p on\n\
                    mlock p a 1p\n\
                    cap_ipc_lock p off\n\
                    setrlimit_memlock p unlimited\n\
                    mlockall p current,future\n\
                    expect status p VmLck == 16 kB\n\
                    munlockall p\n";
        let r = assert_passes(text);
        assert_eq!(r.lines[14], "  15  setrlimit_memlock p unlimited => ok");
    }

    #[test]
    fn script_run_reclaim_count() {
        // needs the model (reclaim: nothing to reclaim on a fresh machine)
        let r = assert_passes("n = reclaim 0 16 => 0\nreclaim n 0 => n\nexpect invariants violations == n\n");
        assert_eq!(r.lines[0], "   1  n = reclaim 0 16 => 0");
        let f = failure("reclaim 0 16 => 3\n");
        assert_eq!(f.message, "reclaim 0 16: expected 3, got 0");
    }
}
