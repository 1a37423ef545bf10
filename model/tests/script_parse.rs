//! The .mms parser and printer: error messages, canonical printing, round trips of whole scripts.

mod script {
    use mmlab_model::script::{
        Cmp, Expect, Expr, Literal, NumStyle, OpExpr, ParseError, Query, ResultSpec, SignalSpec, StmtKind, parse,
        parse_op, print_op,
    };
    use mmlab_model::{Advice, Errno, MapFlags, Op, Prot, ThpMode};

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
}
