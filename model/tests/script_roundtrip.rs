//! Property tests: `parse_op(print_op(op)) == op` for every `Op`, and parse(print(script)) ==
//! script for generated scripts.

mod script {
    use mmlab_model::script::{
        Cmp, Expect, Expr, Literal, MachineSpec, NumStyle, OpExpr, PagemapField, Query, ResultSpec, Rlimit, Script,
        Sign, SignalSpec, StatusItem, Stmt, StmtKind, Term, VmaField, parse, parse_op, print_op,
    };
    use mmlab_model::{
        Access, Advice, Errno, FallocMode, MapFlags, MclFlags, MemfdFlags, MlockFlags, MpolFlags, MremapFlags, Op,
        OpenFlags, Prot, ThpMode,
    };
    use proptest::prelude::*;

    // ---- Op values ----

    /// Addresses and lengths: anything, plus the values where printing is most likely wrong.
    fn u64_arg() -> impl Strategy<Value = u64> {
        prop_oneof![
            any::<u64>(),
            Just(0u64),
            Just(u64::MAX),
            Just(1u64 << 63),
            (0u64..1 << 24).prop_map(|p| p << 12),
            0u64..10_000,
        ]
    }

    fn pid_arg() -> impl Strategy<Value = u32> {
        prop_oneof![any::<u32>(), Just(0u32), Just(u32::MAX), 0u32..10]
    }

    fn fd_arg() -> impl Strategy<Value = i32> {
        prop_oneof![any::<i32>(), Just(-1i32), Just(i32::MIN), Just(i32::MAX), -3i32..10]
    }

    fn string_arg() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ a-z\"\\\\#=>,\t\r\n\u{0}\u{7f}\u{a0}\u{2028}é中]{0,12}",
            Just(String::new()),
            Just("=>".to_string()),
            Just("=".to_string()),
            Just("\"".to_string()),
            Just("0".to_string()),
            Just("cloexec".to_string()),
            Just("to=0".to_string()),
            Just("-1".to_string()),
        ]
    }

    fn bits() -> impl Strategy<Value = u32> {
        prop_oneof![any::<u32>(), 0u32..0x200, Just(0u32), Just(u32::MAX), (0u32..32).prop_map(|b| 1 << b)]
    }

    fn advice() -> impl Strategy<Value = Advice> {
        prop_oneof![
            any::<i32>().prop_map(Advice),
            (-2i32..40).prop_map(Advice),
            prop::sample::select(Advice::NAMED.iter().map(|(a, _)| *a).collect::<Vec<_>>()),
        ]
    }

    fn prot() -> impl Strategy<Value = Prot> {
        prop_oneof![bits(), 0u32..8].prop_map(Prot::from_bits_retain)
    }

    fn access() -> impl Strategy<Value = Access> {
        prop_oneof![Just(Access::Read), Just(Access::Write)]
    }

    /// Every variant, every field over its whole range (a writer task wraps a writer operation).
    pub fn any_op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => plain_op(),
            1 => (pid_arg(), u64_arg(), access())
                .prop_map(|(pid, addr, access)| Op::TaskStart { task: mmlab_model::TaskKind::Fault { pid, addr, access } }),
            // `task OP` takes only the writers (`task reclaim PID ADDR` is the reclaim task).
            1 => plain_op()
                .prop_filter("task OP takes a writer", |op| mmlab_model::WRITER_OP_NAMES.contains(&op.name()))
                .prop_map(|op| Op::TaskStart { task: mmlab_model::TaskKind::Writer(Box::new(op)) }),
            1 => (pid_arg(), u64_arg(), pid_arg())
                .prop_map(|(pid, addr, node)| Op::TaskStart { task: mmlab_model::TaskKind::Migrate { pid, addr, node } }),
            1 => (pid_arg(), u64_arg()).prop_map(|(pid, addr)| Op::TaskStart { task: mmlab_model::TaskKind::Reclaim { pid, addr } }),
            1 => pid_arg().prop_map(|task| Op::TaskStep { task }),
            1 => pid_arg().prop_map(|task| Op::IoComplete { task }),
            1 => Just(Op::RunUntilIdle),
        ]
    }

    fn plain_op() -> impl Strategy<Value = Op> {
        let u = u64_arg;
        prop_oneof![
            Just(Op::Spawn),
            pid_arg().prop_map(|pid| Op::Fork { pid }),
            pid_arg().prop_map(|pid| Op::Exit { pid }),
            (pid_arg(), u(), u(), prot(), bits(), fd_arg(), u()).prop_map(|(pid, addr, len, prot, f, fd, offset)| {
                Op::Mmap { pid, addr, len, prot, flags: MapFlags::from_bits_retain(f), fd, offset }
            }),
            (pid_arg(), u(), u()).prop_map(|(pid, addr, len)| Op::Munmap { pid, addr, len }),
            (pid_arg(), u(), u(), prot()).prop_map(|(pid, addr, len, prot)| Op::Mprotect { pid, addr, len, prot }),
            (pid_arg(), u(), u(), u(), bits(), u()).prop_map(|(pid, old_addr, old_len, new_len, f, new_addr)| {
                Op::Mremap { pid, old_addr, old_len, new_len, flags: MremapFlags::from_bits_retain(f), new_addr }
            }),
            (pid_arg(), u(), u(), advice()).prop_map(|(pid, addr, len, advice)| Op::Madvise { pid, addr, len, advice }),
            (pid_arg(), u()).prop_map(|(pid, addr)| Op::Read { pid, addr }),
            (pid_arg(), u(), u()).prop_map(|(pid, addr, value)| Op::Write { pid, addr, value }),
            (pid_arg(), u(), u(), access()).prop_map(|(pid, addr, len, access)| Op::Touch { pid, addr, len, access }),
            (pid_arg(), string_arg(), bits()).prop_map(|(pid, name, f)| Op::MemfdCreate {
                pid,
                name,
                flags: MemfdFlags::from_bits_retain(f)
            }),
            (pid_arg(), string_arg(), bits()).prop_map(|(pid, path, f)| Op::Open {
                pid,
                path,
                flags: OpenFlags::from_bits_retain(f)
            }),
            (pid_arg(), fd_arg(), u(), u()).prop_map(|(pid, fd, offset, value)| Op::Pwrite { pid, fd, offset, value }),
            (pid_arg(), fd_arg(), u()).prop_map(|(pid, fd, offset)| Op::Pread { pid, fd, offset }),
            (pid_arg(), fd_arg(), u()).prop_map(|(pid, fd, len)| Op::Ftruncate { pid, fd, len }),
            (pid_arg(), fd_arg(), bits(), u(), u()).prop_map(|(pid, fd, m, offset, len)| Op::Fallocate {
                pid,
                fd,
                mode: FallocMode::from_bits_retain(m),
                offset,
                len
            }),
            (pid_arg(), fd_arg()).prop_map(|(pid, fd)| Op::Close { pid, fd }),
            (pid_arg(), u(), u()).prop_map(|(pid, addr, len)| Op::Mlock { pid, addr, len }),
            (pid_arg(), u(), u(), bits()).prop_map(|(pid, addr, len, f)| Op::Mlock2 {
                pid,
                addr,
                len,
                flags: MlockFlags::from_bits_retain(f)
            }),
            (pid_arg(), u(), u()).prop_map(|(pid, addr, len)| Op::Munlock { pid, addr, len }),
            (pid_arg(), bits()).prop_map(|(pid, f)| Op::Mlockall { pid, flags: MclFlags::from_bits_retain(f) }),
            pid_arg().prop_map(|pid| Op::Munlockall { pid }),
            (pid_arg(), prop_oneof![u(), Just(u64::MAX - 1)])
                .prop_map(|(pid, bytes)| Op::SetMemlockLimit { pid, bytes }),
            (pid_arg(), any::<bool>()).prop_map(|(pid, on)| Op::SetCapIpcLock { pid, on }),
            (
                pid_arg(),
                prop::collection::vec(u(), 0..5),
                prop_oneof![Just(Vec::new()), prop::collection::vec(pid_arg(), 0..5)],
                bits()
            )
                .prop_map(|(pid, addrs, nodes, f)| Op::MovePages {
                    pid,
                    addrs,
                    nodes,
                    flags: MpolFlags::from_bits_retain(f)
                }),
            (pid_arg(), u()).prop_map(|(nid, pages)| Op::Reclaim { nid, pages }),
            Just(Op::Khugepaged),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        #[test]
        fn script_op_print_parse_round_trip(op in any_op()) {
            let text = print_op(&op);
            prop_assert!(!text.contains('\n'), "printed op spans lines: {text:?}");
            prop_assert_eq!(parse_op(&text), Ok(op.clone()), "text: {}", text);
            // The printed op is also a valid script line that evaluates to the same op.
            let script = parse(&format!("{text}\n")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(script.to_string(), format!("{text}\n"));
        }
    }

    // ---- whole scripts ----

    /// Names the generated scripts bind in their prologue.
    const NAMES: &[&str] = &["p", "c", "a", "b_2", "fd"];

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            any::<u64>().prop_map(Literal::dec),
            any::<u64>().prop_map(Literal::hex),
            (0u64..1 << 20, 0usize..4).prop_map(|(n, s)| {
                let style = [NumStyle::Kilo, NumStyle::Mega, NumStyle::Giga, NumStyle::Pages][s];
                Literal { value: n * style.unit(), style }
            }),
        ]
    }

    fn term() -> impl Strategy<Value = Term> {
        prop_oneof![literal().prop_map(Term::Lit), prop::sample::select(NAMES).prop_map(|n| Term::Name(n.into()))]
    }

    fn sign() -> impl Strategy<Value = Sign> {
        prop_oneof![Just(Sign::Plus), Just(Sign::Minus)]
    }

    /// An expression; negative first terms only when `signed`.
    fn expr_with(signed: bool) -> impl Strategy<Value = Expr> {
        (sign(), term(), prop::collection::vec((sign(), term()), 0..3)).prop_map(move |(s, t, rest)| {
            let s = if signed { s } else { Sign::Plus };
            let mut terms = vec![(s, t)];
            terms.extend(rest);
            Expr { terms }
        })
    }

    fn expr() -> impl Strategy<Value = Expr> {
        expr_with(false)
    }

    /// An optional argument as the parser stores it: `None` for the default literal.
    fn opt_expr(signed: bool, default: i128) -> impl Strategy<Value = Option<Expr>> {
        prop::option::of(expr_with(signed)).prop_map(move |e| e.filter(|e| e.literal_value() != Some(default)))
    }

    fn op_expr() -> impl Strategy<Value = OpExpr> {
        let e = expr;
        let fd = || expr_with(true);
        prop_oneof![
            Just(OpExpr::Spawn),
            e().prop_map(|pid| OpExpr::Fork { pid }),
            e().prop_map(|pid| OpExpr::Exit { pid }),
            (e(), e(), e(), prot(), bits(), opt_expr(true, -1), opt_expr(false, 0)).prop_map(
                |(pid, addr, len, prot, f, fd, offset)| OpExpr::Mmap {
                    pid,
                    addr,
                    len,
                    prot,
                    flags: MapFlags::from_bits_retain(f),
                    fd,
                    offset
                }
            ),
            (e(), e(), e()).prop_map(|(pid, addr, len)| OpExpr::Munmap { pid, addr, len }),
            (e(), e(), e(), prot()).prop_map(|(pid, addr, len, prot)| OpExpr::Mprotect { pid, addr, len, prot }),
            (e(), e(), e(), e(), bits(), opt_expr(false, 0)).prop_map(
                |(pid, old_addr, old_len, new_len, f, new_addr)| OpExpr::Mremap {
                    pid,
                    old_addr,
                    old_len,
                    new_len,
                    flags: MremapFlags::from_bits_retain(f),
                    new_addr
                }
            ),
            (e(), e(), e(), advice()).prop_map(|(pid, addr, len, advice)| OpExpr::Madvise { pid, addr, len, advice }),
            (e(), e()).prop_map(|(pid, addr)| OpExpr::Read { pid, addr }),
            (e(), e(), e()).prop_map(|(pid, addr, value)| OpExpr::Write { pid, addr, value }),
            (e(), e(), e(), access()).prop_map(|(pid, addr, len, access)| OpExpr::Touch { pid, addr, len, access }),
            (e(), string_arg(), bits()).prop_map(|(pid, name, f)| OpExpr::MemfdCreate {
                pid,
                name,
                flags: MemfdFlags::from_bits_retain(f)
            }),
            (e(), string_arg(), bits()).prop_map(|(pid, path, f)| OpExpr::Open {
                pid,
                path,
                flags: OpenFlags::from_bits_retain(f)
            }),
            (e(), fd(), e(), e()).prop_map(|(pid, fd, offset, value)| OpExpr::Pwrite { pid, fd, offset, value }),
            (e(), fd(), e()).prop_map(|(pid, fd, offset)| OpExpr::Pread { pid, fd, offset }),
            (e(), fd(), e()).prop_map(|(pid, fd, len)| OpExpr::Ftruncate { pid, fd, len }),
            (e(), fd(), bits(), e(), e()).prop_map(|(pid, fd, m, offset, len)| OpExpr::Fallocate {
                pid,
                fd,
                mode: FallocMode::from_bits_retain(m),
                offset,
                len
            }),
            (e(), fd()).prop_map(|(pid, fd)| OpExpr::Close { pid, fd }),
            (e(), e(), e()).prop_map(|(pid, addr, len)| OpExpr::Mlock { pid, addr, len }),
            (e(), e(), e(), bits()).prop_map(|(pid, addr, len, f)| OpExpr::Mlock2 {
                pid,
                addr,
                len,
                flags: MlockFlags::from_bits_retain(f)
            }),
            (e(), e(), e()).prop_map(|(pid, addr, len)| OpExpr::Munlock { pid, addr, len }),
            (e(), bits()).prop_map(|(pid, f)| OpExpr::Mlockall { pid, flags: MclFlags::from_bits_retain(f) }),
            e().prop_map(|pid| OpExpr::Munlockall { pid }),
            (e(), prop::option::of(e())).prop_map(|(pid, b)| OpExpr::SetMemlockLimit {
                pid,
                bytes: b.map_or(Rlimit::Unlimited, Rlimit::Bytes)
            }),
            (e(), any::<bool>()).prop_map(|(pid, on)| OpExpr::SetCapIpcLock { pid, on }),
            (e(), prop::collection::vec(e(), 0..4), prop::collection::vec(e(), 0..4), bits()).prop_map(
                |(pid, addrs, nodes, f)| OpExpr::MovePages { pid, addrs, nodes, flags: MpolFlags::from_bits_retain(f) }
            ),
            (e(), e()).prop_map(|(nid, pages)| OpExpr::Reclaim { nid, pages }),
            Just(OpExpr::Khugepaged),
        ]
    }

    fn result_spec() -> impl Strategy<Value = ResultSpec> {
        prop_oneof![
            Just(ResultSpec::Ok),
            prop::sample::select(Errno::ALL.to_vec()).prop_map(ResultSpec::Errno),
            prop::sample::select(vec![
                SignalSpec::Segv,
                SignalSpec::SegvMaperr,
                SignalSpec::SegvAccerr,
                SignalSpec::Bus
            ])
            .prop_map(ResultSpec::Signal),
            expr().prop_map(ResultSpec::Value),
            statuses().prop_map(ResultSpec::Statuses),
        ]
    }

    fn statuses() -> impl Strategy<Value = Vec<StatusItem>> {
        let item = prop_oneof![
            any::<i32>().prop_map(StatusItem::Num),
            (-20i32..4).prop_map(StatusItem::Num),
            prop::sample::select(Errno::ALL.to_vec()).prop_map(StatusItem::Errno),
        ];
        prop::collection::vec(item, 0..5)
    }

    /// An operation statement, binding a name only where the parser allows it.
    fn op_stmt() -> impl Strategy<Value = StmtKind> {
        (op_expr(), prop::option::of(result_spec()), prop::option::of(prop::sample::select(NAMES))).prop_map(
            |(op, result, bind)| {
                let value_op = matches!(
                    op,
                    OpExpr::Spawn
                        | OpExpr::Fork { .. }
                        | OpExpr::Mmap { .. }
                        | OpExpr::Mremap { .. }
                        | OpExpr::Read { .. }
                        | OpExpr::MemfdCreate { .. }
                        | OpExpr::Open { .. }
                        | OpExpr::Pread { .. }
                        | OpExpr::Reclaim { .. }
                        | OpExpr::Khugepaged
                );
                // Only move_pages returns a status list.
                let result = result.map(|r| match (r, &op) {
                    (ResultSpec::Statuses(_), op) if !matches!(op, OpExpr::MovePages { .. }) => ResultSpec::Ok,
                    (r, _) => r,
                });
                let may_bind = value_op && !matches!(result, Some(ResultSpec::Errno(_) | ResultSpec::Signal(_)));
                StmtKind::Op { bind: bind.filter(|_| may_bind).map(String::from), op, result }
            },
        )
    }

    fn field(names: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::sample::select(names).prop_map(String::from)
    }

    fn query() -> impl Strategy<Value = Query> {
        let e = expr;
        prop_oneof![
            (e(), field(&["Rss", "Pss", "Pss_Anon", "Pss_Shmem", "Swap", "Locked"]))
                .prop_map(|(pid, field)| Query::SmapsRollup { pid, field }),
            (e(), e(), field(&["Size", "Rss", "Pss", "Anonymous", "Swap"]))
                .prop_map(|(pid, addr, field)| Query::Smaps { pid, addr, field }),
            (e(), field(&["VmSize", "VmLck", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap"]))
                .prop_map(|(pid, field)| Query::Status { pid, field }),
            e().prop_map(|pid| Query::MapsCount { pid }),
            (e(), e(), prop::sample::select(VmaField::ALL.to_vec())).prop_map(|(pid, addr, field)| Query::Vma {
                pid,
                addr,
                field
            }),
            (prop::option::of(e()), field(&["MemTotal", "AnonPages", "Shmem", "Mlocked"]))
                .prop_map(|(node, field)| Query::Meminfo { node, field }),
            "[a-z_]{1,12}".prop_map(|field| Query::Vmstat { field }),
            (e(), e(), prop::sample::select(PagemapField::ALL.to_vec()))
                .prop_map(|(pid, addr, field)| Query::Pagemap { pid, addr, field }),
            (e(), e()).prop_map(|(pid, addr)| Query::Kpagecount { pid, addr }),
            (e(), e(), field(&["ANON", "MLOCKED", "ZERO_PAGE", "LRU"]))
                .prop_map(|(pid, addr, flag)| Query::Kpageflags { pid, addr, flag }),
            (e(), e()).prop_map(|(pid, addr)| Query::Value { pid, addr }),
            Just(Query::Invariants),
        ]
    }

    fn expect() -> impl Strategy<Value = Expect> {
        prop_oneof![
            (query(), prop::sample::select(Cmp::ALL.to_vec()), expr(), any::<bool>())
                .prop_map(|(query, cmp, value, kb)| Expect::Compare { query, cmp, value, kb }),
            (expr(), expr(), any::<bool>(), field(&["rd", "wr", "lo", "mr", "ac"]))
                .prop_map(|(pid, addr, has, flag)| Expect::VmFlags { pid, addr, has, flag }),
        ]
    }

    /// A comment as the parser stores it: one line, trailing white space removed.
    fn comment() -> impl Strategy<Value = Option<String>> {
        prop::option::of("[^\n\r]{0,20}".prop_map(|s| s.trim_end().to_string()))
    }

    fn stmt_kind() -> impl Strategy<Value = StmtKind> {
        prop_oneof![1 => Just(StmtKind::Blank), 4 => op_stmt(), 2 => expect().prop_map(StmtKind::Expect)]
    }

    fn machine() -> impl Strategy<Value = MachineSpec> {
        let size = |min: u64, max: u64| {
            prop::option::of((min..=max, 0usize..4).prop_map(|(pages, s)| {
                let style = [NumStyle::Dec, NumStyle::Hex, NumStyle::Pages, NumStyle::Kilo][s];
                Literal { value: pages * 4096, style }
            }))
        };
        (
            prop::option::of((1u64..=64).prop_map(Literal::dec)),
            size(16, 1 << 20),
            size(0, 1 << 20),
            prop::option::of(literal()),
            prop::option::of(prop::sample::select(vec![ThpMode::Never, ThpMode::Madvise, ThpMode::Always])),
            prop::option::of(Just(Vec::<String>::new())),
            comment(),
            prop::array::uniform3(prop::option::of((0u64..=511).prop_map(Literal::dec))),
            prop::option::of((1u64..=512).prop_map(Literal::dec)),
            prop::option::of((0u64..=1 << 20).prop_map(Literal::dec)),
        )
            .prop_map(
                |(nodes, node_mem, swap, memlock, thp, quirks, comment, [none, swp, shared], threshold, ra)| {
                    MachineSpec {
                        line: 0,
                        nodes,
                        node_mem,
                        swap,
                        memlock,
                        thp,
                        quirks,
                        max_ptes_none: none,
                        max_ptes_swap: swp,
                        max_ptes_shared: shared,
                        promotion_threshold: threshold,
                        read_ahead_kb: ra,
                        swapin_policy: None,
                        comment,
                    }
                },
            )
    }

    fn any_script() -> impl Strategy<Value = Script> {
        (prop::option::of(machine()), prop::collection::vec((stmt_kind(), comment()), 0..12), 0usize..3, comment())
            .prop_map(|(machine, body, blank_before, c0)| {
                let mut statements = Vec::new();
                let mut line = 0;
                for _ in 0..blank_before {
                    line += 1;
                    statements.push(Stmt { line, kind: StmtKind::Blank, comment: c0.clone() });
                }
                let machine = machine.map(|mut m| {
                    line += 1;
                    m.line = line;
                    m
                });
                // Bind every name first so that any later statement may use it.
                for n in NAMES {
                    line += 1;
                    let kind = StmtKind::Op { bind: Some(n.to_string()), op: OpExpr::Spawn, result: None };
                    statements.push(Stmt { line, kind, comment: None });
                }
                for (kind, comment) in body {
                    line += 1;
                    statements.push(Stmt { line, kind, comment });
                }
                Script { machine, statements }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        #[test]
        fn script_print_parse_round_trip(script in any_script()) {
            let text = script.to_string();
            let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&parsed, &script, "text:\n{}", text);
            prop_assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn script_scenarios_round_trip() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|x| x == "mms")) {
            let text = std::fs::read_to_string(&path).unwrap();
            let script = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let printed = script.to_string();
            let again = parse(&printed).unwrap_or_else(|e| panic!("{} reprinted: {e}\n{printed}", path.display()));
            assert_eq!(again, script, "{}", path.display());
            assert_eq!(again.to_string(), printed, "{}", path.display());
        }
    }
}
