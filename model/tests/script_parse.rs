//! The .mms parser and printer: error messages, canonical printing, round trips of whole scripts.

mod script {
    use mmlab_model::script::{
        Cmp, Expect, Expr, Literal, NumStyle, OpExpr, ParseError, Query, ResultSpec, Rlimit, SignalSpec, StatusItem,
        StmtKind, parse, parse_op, print_op,
    };
    use mmlab_model::{Advice, Errno, MapFlags, MclFlags, MlockFlags, MpolFlags, Op, Prot, TaskKind, ThpMode};

    fn err(text: &str) -> ParseError {
        match parse(text) {
            Ok(s) => panic!("expected a parse error for {text:?}, got {s:?}"),
            Err(e) => e,
        }
    }

    /// Asserts the error's position and that its message contains `needle`.
    fn assert_err(text: &str, line: usize, column: usize, needle: &str) {
        let e = err(text);
        assert_eq!((e.line, e.column), (line, column), "position of {e:?}");
        assert!(e.message.contains(needle), "message {:?} lacks {needle:?}", e.message);
    }

    const SPEC_EXAMPLE: &str = "\
# Fork shares anon pages copy-on-write: Pss halves (checked on Linux 6.18, kernel-oracle.md §2.1)
p = spawn
a = mmap p 0 16p rw private,anonymous
touch p a 10p write
c = fork p
expect smaps p a Rss == 40 kB
expect smaps p a Pss == 20 kB
write c a 0x41
expect smaps p a Pss == 22 kB
read c a => 0x41
read p a => 0
munmap p a 4095 => EINVAL
";

    #[test]
    fn script_spec_example_is_canonical() {
        let s = parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(s.to_string(), SPEC_EXAMPLE);
        assert_eq!(s.steps().count(), 11);
        assert_eq!(s.statements.len(), 12);
        let st = &s.statements[2];
        assert_eq!(st.line, 3);
        let StmtKind::Op { bind, op, result } = &st.kind else { panic!("{st:?}") };
        assert_eq!(bind.as_deref(), Some("a"));
        assert!(result.is_none());
        let OpExpr::Mmap { pid, len, prot, flags, fd, offset, .. } = op else { panic!("{op:?}") };
        assert_eq!(*pid, Expr::name("p"));
        assert_eq!(*len, Expr::lit(Literal { value: 65536, style: NumStyle::Pages }));
        assert_eq!(*prot, Prot::READ | Prot::WRITE);
        assert_eq!(*flags, MapFlags::PRIVATE | MapFlags::ANONYMOUS);
        assert_eq!((fd, offset), (&None, &None));
        let last = s.statements.last().unwrap();
        assert!(matches!(&last.kind, StmtKind::Op { result: Some(ResultSpec::Errno(Errno::EINVAL)), .. }));
    }

    #[test]
    fn script_canonical_printing() {
        let text = "machine  thp=madvise swap=64M nodes=2 node_mem=256m\n\
                    \tp   =   spawn   #  the parent \n\
                    a = mmap p 0X1F000 0x10 rwx shared,0x8000000,fixed fd=-1 off=0\n\
                    b = mmap p 0 1p r private,anonymous off=0x1000 fd=3\n\
                    mremap p a 4k 8K 0 to=0\n\
                    mremap p a 4k 8K maymove to=b\n\
                    madvise p a 1p 4\n\
                    madvise p a 1p 99\n\
                    madvise p a 1p -7\n\
                    memfd_create p x 0 => 3\n\
                    open p \"/tmp/a b\" rdwr,creat => ok\n\
                    read p a => SIGSEGV(ACCERR)\n\
                    expect meminfo node=0 AnonPages >= 4 kB\n\
                    expect smaps p a VmFlags lacks lo\n\
                         # indented comment\n";
        let s = parse(text).unwrap();
        let want = "machine nodes=2 node_mem=256M swap=64M thp=madvise\n\
                    p = spawn  #  the parent\n\
                    a = mmap p 0x1f000 0x10 rwx shared,fixed,0x8000000\n\
                    b = mmap p 0 1p r private,anonymous fd=3 off=0x1000\n\
                    mremap p a 4K 8K\n\
                    mremap p a 4K 8K maymove to=b\n\
                    madvise p a 1p dontneed\n\
                    madvise p a 1p 99\n\
                    madvise p a 1p -7\n\
                    memfd_create p x => 3\n\
                    open p \"/tmp/a b\" rdwr,creat => ok\n\
                    read p a => SIGSEGV(ACCERR)\n\
                    expect meminfo node=0 AnonPages >= 4 kB\n\
                    expect smaps p a VmFlags lacks lo\n\
                    # indented comment\n";
        assert_eq!(s.to_string(), want);
        // Canonical text is a fixed point, and the AST survives printing.
        assert_eq!(parse(want).unwrap(), s);
        let m = s.machine.as_ref().unwrap();
        assert_eq!(m.line, 1);
        assert_eq!(m.thp, Some(ThpMode::Madvise));
        let c = m.config();
        assert_eq!((c.nodes, c.node_bytes, c.swap_bytes, c.memlock_bytes), (2, 256 << 20, 64 << 20, 8 << 20));
    }

    #[test]
    fn script_machine_line_after_comments_keeps_its_place() {
        let text = "# header\n\nmachine swap=0\np = spawn\n";
        let s = parse(text).unwrap();
        assert_eq!(s.machine.as_ref().unwrap().line, 3);
        assert_eq!(s.to_string(), text);
    }

    #[test]
    fn script_crlf_lines() {
        let s = parse("p = spawn\r\nfork p # x \r\nexit p\r").unwrap();
        assert_eq!(s.to_string(), "p = spawn\nfork p  # x\nexit p\n");
    }

    #[test]
    fn script_expressions() {
        let s = parse("p = spawn\na = mmap p 0 16p rw private,anonymous\nwrite p a+3p-1+0x10 a-1\n").unwrap();
        let StmtKind::Op { op: OpExpr::Write { addr, value, .. }, .. } = &s.statements[2].kind else { panic!() };
        assert_eq!(addr.to_string(), "a+3p-1+0x10");
        assert_eq!(value.to_string(), "a-1");
        // Left to right: a - 1 + 1 is a, not a - 2.
        let e = parse("p = spawn\nread p p-1+1\n").unwrap();
        let StmtKind::Op { op: OpExpr::Read { addr, .. }, .. } = &e.statements[1].kind else { panic!() };
        assert_eq!(addr.eval(|_| Ok::<_, ()>(10)), Ok(10));
    }

    #[test]
    fn script_expectations_parse() {
        let text = "p = spawn\n\
                    a = mmap p 0 1p rw private,anonymous\n\
                    expect smaps_rollup p Pss_Anon == 64 kB\n\
                    expect status p VmRSS < 10\n\
                    expect maps p count != 0\n\
                    expect vma p a+1 start == a\n\
                    expect vma p a end > a\n\
                    expect vma p a offset == 0\n\
                    expect meminfo Mlocked <= 0 kB\n\
                    expect vmstat pgfault >= 0\n\
                    expect pagemap p a present == 1\n\
                    expect pagemap p a pfn > 0\n\
                    expect kpagecount p a count == 1\n\
                    expect kpageflags p a ZERO_PAGE == 0\n\
                    expect value p a value == 0x41\n\
                    expect invariants violations == 0\n";
        let s = parse(text).unwrap();
        assert_eq!(s.to_string(), text);
        let StmtKind::Expect(Expect::Compare { query, cmp, value, kb }) = &s.statements[2].kind else { panic!() };
        assert_eq!(*query, Query::SmapsRollup { pid: Expr::name("p"), field: "Pss_Anon".into() });
        assert_eq!((*cmp, kb), (Cmp::Eq, &true));
        assert_eq!(value.literal_value(), Some(64));
    }

    #[test]
    fn script_results() {
        let s = parse(
            "p = spawn => 1\nread p 0 => SIGSEGV\nread p 0 => SIGSEGV(MAPERR)\nread p 0 => SIGBUS\nexit p => ESRCH\n",
        )
        .unwrap();
        let results: Vec<_> = s
            .steps()
            .map(|st| match &st.kind {
                StmtKind::Op { result, .. } => result.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(
            results,
            vec![
                Some(ResultSpec::Value(Expr::lit(Literal::dec(1)))),
                Some(ResultSpec::Signal(SignalSpec::Segv)),
                Some(ResultSpec::Signal(SignalSpec::SegvMaperr)),
                Some(ResultSpec::Signal(SignalSpec::Bus)),
                Some(ResultSpec::Errno(Errno::ESRCH)),
            ]
        );
    }

    #[test]
    fn script_error_unknown_operation() {
        assert_err(
            "p = spawn\nmmapp p 0 1p rw private,anonymous\n",
            2,
            1,
            "unknown operation 'mmapp' (did you mean 'mmap'?)",
        );
        assert_err("p = spawn\nfrobnicate p\n", 2, 1, "unknown operation 'frobnicate' (operations: spawn fork");
        assert_err("p=spawn\n", 1, 1, "spaces around '='");
    }

    #[test]
    fn script_error_task_of_an_operation_that_is_not_a_writer() {
        assert_err("p = spawn\nt = task read p 0x1000\n", 2, 10, "'read' is not a writer task (writers: mmap munmap");
        assert_err("t = task spawn\n", 1, 10, "'spawn' is not a writer task");
        assert_err("p = spawn\nt = task madvise p 0 1p dontneed\n", 2, 10, "'madvise' is not a writer task");
        // `task reclaim PID ADDR` is the reclaim task, never a writer of `reclaim NID PAGES`.
        assert!(matches!(parse_op("task reclaim 1 0x1000"), Ok(Op::TaskStart { task: TaskKind::Reclaim { .. } })));
    }

    #[test]
    fn script_error_unknown_advice_message() {
        let text = "p = spawn\na = mmap p 0 16p rw private,anonymous\n\n\n\n\nmadvise p a 4p dontneeed\n";
        let e = err(text);
        assert_eq!(e.to_string(), "line 7: unknown advice 'dontneeed' (did you mean 'dontneed'?)");
        assert_eq!(e.column, 16);
    }

    #[test]
    fn script_error_bad_number() {
        assert_err("p = spawn\nmunmap p 0x 4096\n", 2, 10, "bad number '0x'");
        assert_err("p = spawn\nmunmap p 0x1000 4q\n", 2, 17, "bad number '4q'");
        assert_err("p = spawn\nmunmap p 0x1000 0x10000000000000000\n", 2, 17, "does not fit in 64 bits");
        assert_err("p = spawn\nmunmap p 0x1000 99999999999999999999G\n", 2, 17, "does not fit in 64 bits");
        assert_err("p = spawn\nmunmap p 0x1000 p+\n", 2, 19, "bad expression 'p+'");
        assert_err("p = spawn\nmunmap p -4096 1p\n", 2, 10, "only an fd may be negative");
        assert_err("p = spawn\nmmap p 0 1p rw private,anonymous fd=-1 off=-1\n", 2, 44, "only an fd may be negative");
        assert_err("machine nodes=0\n", 1, 15, "nodes must be between 1 and 64");
        assert_err("machine node_mem=4097\n", 1, 18, "multiple of the page size");
    }

    #[test]
    fn script_error_unknown_name() {
        assert_err("p = spawn\nmunmap q 0x1000 1p\n", 2, 8, "unknown name 'q'");
        assert_err("pp = spawn\nfork p\n", 2, 6, "unknown name 'p' (did you mean 'pp'?)");
        assert_err("p = spawn\nmunmap p a+1p 1p\n", 2, 10, "unknown name 'a'");
        // A name is bound only after its statement.
        assert_err("c = fork c\n", 1, 10, "unknown name 'c'");
        assert_err("mmap = spawn\n", 1, 1, "bad name 'mmap' (it is a keyword)");
        assert_err("EINVAL = spawn\n", 1, 1, "keyword");
        assert_err("p = spawn\nx = munmap p 0 1p\n", 2, 1, "munmap returns no value to bind to 'x'");
        assert_err("p = spawn\nx = mmap p 0 0 rw private,anonymous => EINVAL\n", 2, 1, "binds nothing");
    }

    #[test]
    fn script_error_missing_argument() {
        assert_err("p = spawn\nmunmap p 0x1000\n", 2, 16, "missing LEN (usage: munmap PID ADDR LEN)");
        assert_err("p = spawn\nmunmap p 0x1000 => EINVAL\n", 2, 17, "missing LEN");
        assert_err("p = spawn\nmunmap p 0x1000 1p 5\n", 2, 20, "unexpected '5'");
        assert_err("p = spawn\nmunmap p 0x1000 1p =>\n", 2, 22, "missing RESULT");
        assert_err("p = spawn\nmunmap p 0x1000 1p => EINVAL ENOMEM\n", 2, 30, "unexpected 'ENOMEM'");
        assert_err(
            "p = spawn\nmunmap p 0x1000 1p => EINVALL\n",
            2,
            23,
            "unknown errno 'EINVALL' (did you mean 'EINVAL'?)",
        );
        assert_err("p =\n", 1, 4, "missing operation");
        assert_err("p = spawn\nexpect smaps p 0 Rss == \n", 2, 25, "missing VALUE");
        assert_err("p = spawn\nexpect smaps p 0 Rsss == 4\n", 2, 18, "unknown smaps field 'Rsss'");
        assert_err("p = spawn\nexpect smaps p 0 VmFlags has zz\n", 2, 30, "unknown VmFlags mnemonic 'zz'");
        assert_err("p = spawn\nexpect smap p Rss == 4\n", 2, 8, "unknown view 'smap' (did you mean 'smaps'?");
        assert_err("p = spawn\nexpect status p VmRSS = 4\n", 2, 23, "bad comparison '='");
        assert_err("expect kpageflags 1 0 FROB == 1\n", 1, 23, "unknown kpageflags flag 'FROB'");
    }

    #[test]
    fn script_error_flags_prot_strings() {
        assert_err(
            "p = spawn\nmmap p 0 1p rw privat,anonymous\n",
            2,
            16,
            "unknown mmap flag 'privat' (did you mean 'private'?)",
        );
        assert_err("p = spawn\nmmap p 0 1p rw private,,anonymous\n", 2, 24, "empty item");
        assert_err("p = spawn\nmmap p 0 1p wr private\n", 2, 13, "bad PROT 'wr'");
        assert_err("p = spawn\nmmap p 0 1p rw private bogus\n", 2, 24, "unexpected 'bogus'");
        assert_err("p = spawn\nmemfd_create p \"abc\n", 2, 16, "unterminated string");
        assert_err("p = spawn\nmemfd_create p \"a\\qb\"\n", 2, 18, "unknown escape");
        assert_err("p = spawn\nmemfd_create p \"ab\"c\n", 2, 20, "expected a space after the closing");
        assert_err("machine thp=sometimes\n", 1, 13, "bad thp mode");
        assert_err("machine quirks=frob\n", 1, 16, "unknown quirk 'frob'");
        assert_err("machine nodes=1 nodes=2\n", 1, 17, "given twice");
        assert_err("p = spawn\nmachine nodes=1\n", 2, 1, "must come before");
    }

    #[test]
    fn script_print_op_canonical_text() {
        let op = Op::Mmap {
            pid: 1,
            addr: 0,
            len: 0x10000,
            prot: Prot::READ | Prot::WRITE,
            flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
            fd: -1,
            offset: 0,
        };
        assert_eq!(print_op(&op), "mmap 1 0x0 0x10000 rw private,anonymous");
        let op = Op::Mmap {
            pid: 7,
            addr: u64::MAX,
            len: 1,
            prot: Prot::from_bits_retain(0x9),
            flags: MapFlags::from_bits_retain(0x8000_0001),
            fd: -5,
            offset: 0x1000,
        };
        assert_eq!(print_op(&op), "mmap 7 0xffffffffffffffff 0x1 0x9 shared,0x80000000 fd=-5 off=0x1000");
        assert_eq!(parse_op(&print_op(&op)), Ok(op));
        let op =
            Op::MemfdCreate { pid: 1, name: "a \"b\"\\ #c\n\u{7}é".into(), flags: mmlab_model::MemfdFlags::empty() };
        assert_eq!(print_op(&op), r#"memfd_create 1 "a \"b\"\\ #c\n\u{7}é""#);
        assert_eq!(parse_op(&print_op(&op)), Ok(op));
        let op = Op::Madvise { pid: 0, addr: 0, len: 0, advice: Advice(-1) };
        assert_eq!(print_op(&op), "madvise 0 0x0 0x0 -1");
        assert_eq!(print_op(&Op::Spawn), "spawn");
        assert_eq!(print_op(&Op::Close { pid: 3, fd: -1 }), "close 3 -1");
    }

    #[test]
    fn script_parse_op_rejects_names_and_ranges() {
        assert_eq!(parse_op("fork 4294967295"), Ok(Op::Fork { pid: u32::MAX }));
        let e = parse_op("fork 4294967296").unwrap_err();
        assert!(e.message.contains("out of range for PID"), "{e}");
        let e = parse_op("close 1 2147483648").unwrap_err();
        assert!(e.message.contains("out of range for FD"), "{e}");
        assert!(parse_op("close 1 -2147483648").is_ok());
        let e = parse_op("fork p").unwrap_err();
        assert!(e.message.contains("unknown name 'p'"), "{e}");
        assert!(parse_op("").is_err());
        assert!(parse_op("spawn\nspawn").is_err());
        assert_eq!(parse_op("munmap 1 0x1000 1p # comment"), Ok(Op::Munmap { pid: 1, addr: 0x1000, len: 4096 }));
    }

    // ---- mlock, move_pages, reclaim ----

    #[test]
    fn script_mlock_ops_canonical_printing() {
        let text = "p = spawn\n\
                    a = mmap p 0 16p rw private,anonymous\n\
                    mlock p a 4p\n\
                    mlock2 p a+4p 4p onfault\n\
                    mlock2 p a 1p 0x0\n\
                    mlock2 p a 1p onfault,0x10\n\
                    munlock p a 16p\n\
                    mlockall p future,current\n\
                    mlockall p 0\n\
                    munlockall p\n\
                    setrlimit_memlock p 64K\n\
                    setrlimit_memlock p unlimited\n\
                    cap_ipc_lock p on\n\
                    cap_ipc_lock p off\n";
        let s = parse(text).unwrap();
        let want = text.replace("a 1p 0x0", "a 1p 0").replace("future,current", "current,future");
        assert_eq!(s.to_string(), want);
        assert_eq!(parse(&want).unwrap(), s);
        let op = |i: usize| match &s.statements[i].kind {
            StmtKind::Op { op, .. } => op.clone(),
            k => panic!("{k:?}"),
        };
        let OpExpr::Mlock2 { flags, .. } = op(5) else { panic!() };
        assert_eq!(flags, MlockFlags::from_bits_retain(0x11));
        let OpExpr::Mlockall { flags, .. } = op(7) else { panic!() };
        assert_eq!(flags, MclFlags::CURRENT | MclFlags::FUTURE);
        assert_eq!(op(11), OpExpr::SetMemlockLimit { pid: Expr::name("p"), bytes: Rlimit::Unlimited });
        assert_eq!(op(13), OpExpr::SetCapIpcLock { pid: Expr::name("p"), on: false });
    }

    #[test]
    fn script_move_pages_and_reclaim_canonical_printing() {
        let text = "p = spawn\n\
                    a = mmap p 0 16p rw private,anonymous\n\
                    move_pages p a,a+1p,0x1000 => [0,-ENOENT,-14]\n\
                    move_pages p [a,a+1p] move nodes=1,0\n\
                    move_pages p a nodes=[] 0\n\
                    move_pages p [] => []\n\
                    move_pages p a nodes=1 move_all,move,0x1\n\
                    n = reclaim 0 16 => 16\n\
                    reclaim n 1K => 0\n";
        let s = parse(text).unwrap();
        let want = "p = spawn\n\
                    a = mmap p 0 16p rw private,anonymous\n\
                    move_pages p a,a+1p,0x1000 => [0,-ENOENT,-14]\n\
                    move_pages p a,a+1p nodes=1,0 move\n\
                    move_pages p a\n\
                    move_pages p [] => []\n\
                    move_pages p a nodes=1 move,move_all,0x1\n\
                    n = reclaim 0 16 => 16\n\
                    reclaim n 1K => 0\n";
        assert_eq!(s.to_string(), want);
        assert_eq!(parse(want).unwrap(), s);
        let StmtKind::Op { op, result, .. } = &s.statements[2].kind else { panic!() };
        let OpExpr::MovePages { addrs, nodes, flags, .. } = op else { panic!("{op:?}") };
        assert_eq!(addrs.iter().map(ToString::to_string).collect::<Vec<_>>(), ["a", "a+1p", "0x1000"]);
        assert!(nodes.is_empty());
        assert!(flags.is_empty());
        assert_eq!(
            result,
            &Some(ResultSpec::Statuses(vec![
                StatusItem::Num(0),
                StatusItem::Errno(Errno::ENOENT),
                StatusItem::Num(-14)
            ]))
        );
        assert_eq!(StatusItem::Errno(Errno::EFAULT).value(), -14);
        let StmtKind::Op { op: OpExpr::MovePages { nodes, flags, .. }, .. } = &s.statements[3].kind else { panic!() };
        assert_eq!(nodes, &vec![Expr::lit(Literal::dec(1)), Expr::lit(Literal::dec(0))]);
        assert_eq!(*flags, MpolFlags::MOVE);
        let StmtKind::Op { op: OpExpr::MovePages { addrs, .. }, result, .. } = &s.statements[5].kind else { panic!() };
        assert!(addrs.is_empty());
        assert_eq!(result, &Some(ResultSpec::Statuses(vec![])));
    }

    #[test]
    fn script_print_op_new_ops() {
        let cases = [
            (Op::Mlock { pid: 1, addr: 0x1000, len: 0x2000 }, "mlock 1 0x1000 0x2000"),
            (Op::Mlock2 { pid: 1, addr: 0, len: 1, flags: MlockFlags::ONFAULT }, "mlock2 1 0x0 0x1 onfault"),
            (Op::Mlock2 { pid: 1, addr: 0, len: 1, flags: MlockFlags::empty() }, "mlock2 1 0x0 0x1 0"),
            (Op::Munlock { pid: 2, addr: 0, len: 0 }, "munlock 2 0x0 0x0"),
            (Op::Mlockall { pid: 1, flags: MclFlags::from_bits_retain(0xf) }, "mlockall 1 current,future,onfault,0x8"),
            (Op::Mlockall { pid: 1, flags: MclFlags::empty() }, "mlockall 1 0"),
            (Op::Munlockall { pid: 3 }, "munlockall 3"),
            (Op::SetMemlockLimit { pid: 1, bytes: u64::MAX }, "setrlimit_memlock 1 unlimited"),
            (Op::SetMemlockLimit { pid: 1, bytes: u64::MAX - 1 }, "setrlimit_memlock 1 0xfffffffffffffffe"),
            (Op::SetMemlockLimit { pid: 1, bytes: 0 }, "setrlimit_memlock 1 0x0"),
            (Op::SetCapIpcLock { pid: 1, on: true }, "cap_ipc_lock 1 on"),
            (Op::SetCapIpcLock { pid: 1, on: false }, "cap_ipc_lock 1 off"),
            (
                Op::MovePages { pid: 1, addrs: vec![0x1000, 0x2000], nodes: vec![], flags: MpolFlags::empty() },
                "move_pages 1 0x1000,0x2000",
            ),
            (
                Op::MovePages { pid: 1, addrs: vec![0x1000], nodes: vec![1, 0], flags: MpolFlags::MOVE_ALL },
                "move_pages 1 0x1000 nodes=1,0 move_all",
            ),
            (Op::MovePages { pid: 1, addrs: vec![], nodes: vec![], flags: MpolFlags::empty() }, "move_pages 1 []"),
            (
                Op::MovePages { pid: 1, addrs: vec![], nodes: vec![7], flags: MpolFlags::from_bits_retain(1) },
                "move_pages 1 [] nodes=7 0x1",
            ),
            (Op::Reclaim { nid: 0, pages: 16 }, "reclaim 0 16"),
            (Op::Reclaim { nid: u32::MAX, pages: u64::MAX }, "reclaim 4294967295 18446744073709551615"),
        ];
        for (op, text) in cases {
            assert_eq!(print_op(&op), text);
            assert_eq!(parse_op(text), Ok(op));
        }
        // Other spellings of the same operations.
        assert_eq!(parse_op("setrlimit_memlock 1 0xffffffffffffffff"), parse_op("setrlimit_memlock 1 unlimited"));
        assert_eq!(parse_op("move_pages 1 [0x1000] nodes=[]"), parse_op("move_pages 1 1p"));
        assert_eq!(parse_op("move_pages 1 1p move nodes=0"), parse_op("move_pages 1 1p nodes=0 move"));
    }

    #[test]
    fn script_new_ops_ranges() {
        let e = parse_op("reclaim 4294967296 1").unwrap_err();
        assert!(e.message.contains("out of range for NID"), "{e}");
        let e = parse_op("move_pages 1 0 nodes=4294967296").unwrap_err();
        assert!(e.message.contains("out of range for NODE"), "{e}");
        let e = parse_op("mlockall 4294967296 0").unwrap_err();
        assert!(e.message.contains("out of range for PID"), "{e}");
        // parse_op takes no result.
        let e = parse_op("move_pages 1 0 => [0]").unwrap_err();
        assert!(e.message.contains("'=>'"), "{e}");
    }

    #[test]
    fn script_error_new_ops() {
        assert_err(
            "p = spawn\nmlockall p curent,future\n",
            2,
            12,
            "unknown mlockall flag 'curent' (did you mean 'current'?) (known: current future onfault)",
        );
        assert_err(
            "p = spawn\nmlockall p current,futur\n",
            2,
            20,
            "unknown mlockall flag 'futur' (did you mean 'future'?)",
        );
        assert_err(
            "p = spawn\nmlock2 p 0 1p onfualt\n",
            2,
            15,
            "unknown mlock2 flag 'onfualt' (did you mean 'onfault'?)",
        );
        assert_err("p = spawn\nmlock2 p 0 1p\n", 2, 14, "missing FLAGS (usage: mlock2 PID ADDR LEN FLAGS)");
        assert_err("p = spawn\nmlockall p\n", 2, 11, "missing FLAGS (usage: mlockall PID FLAGS)");
        assert_err("p = spawn\nmunlockall p 0\n", 2, 14, "unexpected '0'");
        assert_err(
            "p = spawn\nsetrlimit_memlock p unlimted\n",
            2,
            21,
            "bad BYTES 'unlimted' (did you mean 'unlimited'?)",
        );
        assert_err(
            "p = spawn\nsetrlimit_memlock p\n",
            2,
            20,
            "missing BYTES (usage: setrlimit_memlock PID BYTES|unlimited)",
        );
        assert_err("p = spawn\ncap_ipc_lock p yes\n", 2, 16, "expected on|off, found 'yes'");
        assert_err("p = spawn\nmove_pages p\n", 2, 13, "missing ADDR[,ADDR...]");
        assert_err("p = spawn\nmove_pages p 0,,1p\n", 2, 16, "empty address in list '0,,1p'");
        assert_err("p = spawn\nmove_pages p [0, 1p]\n", 2, 14, "missing ']' in '[0,' (a list is one word: no spaces)");
        assert_err("p = spawn\nmove_pages p 0,q\n", 2, 16, "unknown name 'q'");
        assert_err("p = spawn\nmove_pages p 0 nodes=0,-1\n", 2, 24, "negative number '-1'");
        assert_err("p = spawn\nmove_pages p 0 nodes=0 nodes=1\n", 2, 24, "nodes= given twice");
        assert_err(
            "p = spawn\nmove_pages p 0 movee\n",
            2,
            16,
            "unknown move_pages flag 'movee' (did you mean 'move'?)",
        );
        assert_err("p = spawn\nmove_pages p 0 move move\n", 2, 21, "unexpected 'move'");
        assert_err("p = spawn\nx = move_pages p 0\n", 2, 1, "move_pages returns no value to bind to 'x'");
        assert_err("reclaim 0\n", 1, 10, "missing PAGES (usage: reclaim NID PAGES)");
        assert_err("unlimited = spawn\n", 1, 1, "bad name 'unlimited' (it is a keyword)");
        assert_err("reclaim = spawn\n", 1, 1, "bad name 'reclaim' (it is a keyword)");
    }

    #[test]
    fn script_error_status_lists() {
        assert_err("move_pages 1 0 => [0, -2]\n", 1, 19, "missing ']' in '[0,' (a status list is one word");
        assert_err("move_pages 1 0 => [0,,-2]\n", 1, 22, "empty status");
        assert_err("move_pages 1 0 => [0,ENOENT]\n", 1, 22, "write -ENOENT");
        assert_err(
            "move_pages 1 0 => [-ENOENTT]\n",
            1,
            20,
            "bad status '-ENOENTT' (a decimal number or -ERRNO) (did you mean 'ENOENT'?)",
        );
        assert_err("move_pages 1 0 => [0x1]\n", 1, 20, "bad status '0x1'");
        assert_err("move_pages 1 0 => [2147483648]\n", 1, 20, "does not fit in 32 bits");
        assert_err("move_pages 1 0 => [0] x\n", 1, 23, "unexpected 'x' after the result");
        assert_err("reclaim 0 1 => [0]\n", 1, 16, "reclaim returns no status list (only move_pages does)");
        let s = parse("move_pages 1 0 => [-2147483648,2147483647,-0]\n").unwrap();
        assert_eq!(s.to_string(), "move_pages 1 0 => [-2147483648,2147483647,0]\n");
    }
}
