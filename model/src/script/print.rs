//! The canonical printer: `Display` for the AST, and [`print_op`].

use std::fmt::{self, Display, Formatter, Write as _};

use super::names;
use super::{
    Expect, Expr, Literal, MachineSpec, NumStyle, OpExpr, Query, ResultSpec, Rlimit, Script, Sign, StatusItem, Stmt,
    StmtKind, Term,
};
use crate::ops::{Advice, Op, Prot, TaskKind};

/// The canonical text of one literal operation, e.g. `mmap 1 0x0 0x10000 rw private,anonymous`.
///
/// Pids, fds, node ids, page counts and unnamed advice are decimal; addresses, lengths, offsets,
/// values and byte limits are hex (`unlimited` for RLIM_INFINITY); an empty address list is `[]`.
/// `parse_op(&print_op(op)) == Ok(op.clone())` for every `Op`.
pub fn print_op(op: &Op) -> String {
    OpExpr::from_op(op).to_string()
}

impl OpExpr {
    /// The literal expression form of an operation, in the canonical number styles.
    pub fn from_op(op: &Op) -> OpExpr {
        let pid = |p: u32| Expr::lit(Literal::dec(u64::from(p)));
        let hex = |v: u64| Expr::lit(Literal::hex(v));
        let fd = |f: i32| Expr::signed_dec(i64::from(f));
        match op.clone() {
            Op::Spawn => OpExpr::Spawn,
            Op::Fork { pid: p } => OpExpr::Fork { pid: pid(p) },
            Op::Exit { pid: p } => OpExpr::Exit { pid: pid(p) },
            Op::Mmap { pid: p, addr, len, prot, flags, fd: f, offset } => OpExpr::Mmap {
                pid: pid(p),
                addr: hex(addr),
                len: hex(len),
                prot,
                flags,
                fd: (f != -1).then(|| fd(f)),
                offset: (offset != 0).then(|| hex(offset)),
            },
            Op::Munmap { pid: p, addr, len } => OpExpr::Munmap { pid: pid(p), addr: hex(addr), len: hex(len) },
            Op::Mprotect { pid: p, addr, len, prot } => {
                OpExpr::Mprotect { pid: pid(p), addr: hex(addr), len: hex(len), prot }
            }
            Op::Mremap { pid: p, old_addr, old_len, new_len, flags, new_addr } => OpExpr::Mremap {
                pid: pid(p),
                old_addr: hex(old_addr),
                old_len: hex(old_len),
                new_len: hex(new_len),
                flags,
                new_addr: (new_addr != 0).then(|| hex(new_addr)),
            },
            Op::Madvise { pid: p, addr, len, advice } => {
                OpExpr::Madvise { pid: pid(p), addr: hex(addr), len: hex(len), advice }
            }
            Op::Read { pid: p, addr } => OpExpr::Read { pid: pid(p), addr: hex(addr) },
            Op::Write { pid: p, addr, value } => OpExpr::Write { pid: pid(p), addr: hex(addr), value: hex(value) },
            Op::Touch { pid: p, addr, len, access } => {
                OpExpr::Touch { pid: pid(p), addr: hex(addr), len: hex(len), access }
            }
            Op::MemfdCreate { pid: p, name, flags } => OpExpr::MemfdCreate { pid: pid(p), name, flags },
            Op::Open { pid: p, path, flags } => OpExpr::Open { pid: pid(p), path, flags },
            Op::Pwrite { pid: p, fd: f, offset, value } => {
                OpExpr::Pwrite { pid: pid(p), fd: fd(f), offset: hex(offset), value: hex(value) }
            }
            Op::Pread { pid: p, fd: f, offset } => OpExpr::Pread { pid: pid(p), fd: fd(f), offset: hex(offset) },
            Op::Ftruncate { pid: p, fd: f, len } => OpExpr::Ftruncate { pid: pid(p), fd: fd(f), len: hex(len) },
            Op::Fallocate { pid: p, fd: f, mode, offset, len } => {
                OpExpr::Fallocate { pid: pid(p), fd: fd(f), mode, offset: hex(offset), len: hex(len) }
            }
            Op::Close { pid: p, fd: f } => OpExpr::Close { pid: pid(p), fd: fd(f) },
            Op::Mlock { pid: p, addr, len } => OpExpr::Mlock { pid: pid(p), addr: hex(addr), len: hex(len) },
            Op::Mlock2 { pid: p, addr, len, flags } => {
                OpExpr::Mlock2 { pid: pid(p), addr: hex(addr), len: hex(len), flags }
            }
            Op::Munlock { pid: p, addr, len } => OpExpr::Munlock { pid: pid(p), addr: hex(addr), len: hex(len) },
            Op::Mlockall { pid: p, flags } => OpExpr::Mlockall { pid: pid(p), flags },
            Op::Munlockall { pid: p } => OpExpr::Munlockall { pid: pid(p) },
            Op::SetMemlockLimit { pid: p, bytes } => OpExpr::SetMemlockLimit {
                pid: pid(p),
                bytes: if bytes == u64::MAX { Rlimit::Unlimited } else { Rlimit::Bytes(hex(bytes)) },
            },
            Op::SetCapIpcLock { pid: p, on } => OpExpr::SetCapIpcLock { pid: pid(p), on },
            Op::MovePages { pid: p, addrs, nodes, flags } => OpExpr::MovePages {
                pid: pid(p),
                addrs: addrs.into_iter().map(hex).collect(),
                nodes: nodes.into_iter().map(pid).collect(),
                flags,
            },
            Op::Reclaim { nid, pages } => OpExpr::Reclaim { nid: pid(nid), pages: Expr::lit(Literal::dec(pages)) },
            Op::Khugepaged => OpExpr::Khugepaged,
            Op::TaskStart { task: TaskKind::Fault { pid: p, addr, access } } => {
                OpExpr::TaskFault { pid: pid(p), addr: hex(addr), access }
            }
            Op::TaskStart { task: TaskKind::Reclaim { pid: p, addr } } => {
                OpExpr::TaskReclaim { pid: pid(p), addr: hex(addr) }
            }
            Op::TaskStart { task: TaskKind::Migrate { pid: p, addr, node } } => {
                OpExpr::TaskMigrate { pid: pid(p), addr: hex(addr), node: Expr::lit(Literal::dec(node as u64)) }
            }
            Op::TaskStart { task: TaskKind::Writer(op) } => OpExpr::TaskWriter(Box::new(OpExpr::from_op(&op))),
            Op::TaskStep { task } => OpExpr::TaskStep { task: pid(task) },
            Op::IoComplete { task } => OpExpr::IoComplete { task: pid(task) },
            Op::RunUntilIdle => OpExpr::RunUntilIdle,
        }
    }

    /// The operation's name as scripts write it.
    pub fn name(&self) -> &'static str {
        match self {
            OpExpr::Spawn => "spawn",
            OpExpr::Fork { .. } => "fork",
            OpExpr::Exit { .. } => "exit",
            OpExpr::Mmap { .. } => "mmap",
            OpExpr::Munmap { .. } => "munmap",
            OpExpr::Mprotect { .. } => "mprotect",
            OpExpr::Mremap { .. } => "mremap",
            OpExpr::Madvise { .. } => "madvise",
            OpExpr::Read { .. } => "read",
            OpExpr::Write { .. } => "write",
            OpExpr::Touch { .. } => "touch",
            OpExpr::MemfdCreate { .. } => "memfd_create",
            OpExpr::Open { .. } => "open",
            OpExpr::Pwrite { .. } => "pwrite",
            OpExpr::Pread { .. } => "pread",
            OpExpr::Ftruncate { .. } => "ftruncate",
            OpExpr::Fallocate { .. } => "fallocate",
            OpExpr::Close { .. } => "close",
            OpExpr::Mlock { .. } => "mlock",
            OpExpr::Mlock2 { .. } => "mlock2",
            OpExpr::Munlock { .. } => "munlock",
            OpExpr::Mlockall { .. } => "mlockall",
            OpExpr::Munlockall { .. } => "munlockall",
            OpExpr::SetMemlockLimit { .. } => "setrlimit_memlock",
            OpExpr::SetCapIpcLock { .. } => "cap_ipc_lock",
            OpExpr::MovePages { .. } => "move_pages",
            OpExpr::Reclaim { .. } => "reclaim",
            OpExpr::Khugepaged => "khugepaged",
            OpExpr::TaskFault { .. }
            | OpExpr::TaskReclaim { .. }
            | OpExpr::TaskMigrate { .. }
            | OpExpr::TaskWriter(_) => "task",
            OpExpr::TaskStep { .. } => "step",
            OpExpr::IoComplete { .. } => "io_complete",
            OpExpr::RunUntilIdle => "run_until_idle",
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let suffix = match self.style {
            NumStyle::Dec => return write!(f, "{}", self.value),
            NumStyle::Hex => return write!(f, "{:#x}", self.value),
            NumStyle::Kilo => 'K',
            NumStyle::Mega => 'M',
            NumStyle::Giga => 'G',
            NumStyle::Pages => 'p',
        };
        let unit = self.style.unit();
        if self.value.is_multiple_of(unit) {
            write!(f, "{}{}", self.value / unit, suffix)
        } else {
            write!(f, "{:#x}", self.value)
        }
    }
}

impl Display for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Term::Lit(l) => l.fmt(f),
            Term::Name(n) => f.write_str(n),
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, (sign, term)) in self.terms.iter().enumerate() {
            match sign {
                Sign::Minus => f.write_char('-')?,
                Sign::Plus if i > 0 => f.write_char('+')?,
                Sign::Plus => {}
            }
            term.fmt(f)?;
        }
        Ok(())
    }
}

/// `none`, letters `rwx` in that order, or hex when unknown bits are set.
pub(crate) fn fmt_prot(p: Prot) -> String {
    if p.is_empty() {
        return "none".into();
    }
    if !(p - Prot::READ - Prot::WRITE - Prot::EXEC).is_empty() {
        return format!("{:#x}", p.bits());
    }
    let mut s = String::new();
    for (bit, c) in [(Prot::READ, 'r'), (Prot::WRITE, 'w'), (Prot::EXEC, 'x')] {
        if p.contains(bit) {
            s.push(c);
        }
    }
    s
}

/// `0`, or the known names in bit order followed by one hex item for the unknown bits.
pub(crate) fn fmt_flags(bits: u32, table: &[(&str, u32)]) -> String {
    if bits == 0 {
        return "0".into();
    }
    let mut items: Vec<String> = Vec::new();
    let mut known = 0;
    for &(name, bit) in table {
        known |= bit;
        if bits & bit != 0 {
            items.push(name.into());
        }
    }
    if bits & !known != 0 {
        items.push(format!("{:#x}", bits & !known));
    }
    items.join(",")
}

pub(crate) fn fmt_advice(a: Advice) -> String {
    match a.name() {
        Some(n) => n.into(),
        None => a.0.to_string(),
    }
}

/// A string argument: bare when that parses back to the same string, else double-quoted with
/// `\"`, `\\`, `\n`, `\r`, `\t` and `\u{HEX}` (other control characters) escapes.
pub(crate) fn fmt_string(s: &str) -> String {
    let bare = !s.is_empty()
        && s != "=>"
        && s.chars().all(|c| !(c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\' | '#')));
    if bare {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comma-separated list of expressions; `[]` when empty.
pub(crate) fn fmt_list(items: &[Expr]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

fn access_name(a: crate::ops::Access) -> &'static str {
    match a {
        crate::ops::Access::Read => "read",
        crate::ops::Access::Write => "write",
    }
}

/// `ran`, `done` or `waits(WHAT)`.
pub(crate) fn step_text(s: crate::task::StepState) -> String {
    match s {
        crate::task::StepState::Ran => "ran".into(),
        crate::task::StepState::Done => "done".into(),
        crate::task::StepState::Waits(b) => format!("waits({})", b.name()),
    }
}

/// Whether an optional argument holds its default literal value (the printer omits it).
fn is_default(e: &Option<Expr>, default: i128) -> bool {
    match e {
        None => true,
        Some(e) => e.literal_value() == Some(default),
    }
}

impl Display for OpExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            OpExpr::Spawn | OpExpr::Khugepaged | OpExpr::RunUntilIdle => Ok(()),
            OpExpr::TaskFault { pid, addr, access } => write!(f, " fault {pid} {addr} {}", access_name(*access)),
            OpExpr::TaskReclaim { pid, addr } => write!(f, " reclaim {pid} {addr}"),
            OpExpr::TaskMigrate { pid, addr, node } => write!(f, " migrate {pid} {addr} {node}"),
            OpExpr::TaskWriter(op) => write!(f, " {op}"),
            OpExpr::TaskStep { task } | OpExpr::IoComplete { task } => write!(f, " {task}"),
            OpExpr::Fork { pid } | OpExpr::Exit { pid } => write!(f, " {pid}"),
            OpExpr::Mmap { pid, addr, len, prot, flags, fd, offset } => {
                write!(f, " {pid} {addr} {len} {} {}", fmt_prot(*prot), fmt_flags(flags.bits(), names::MMAP))?;
                if let Some(fd) = fd.as_ref().filter(|_| !is_default(fd, -1)) {
                    write!(f, " fd={fd}")?;
                }
                if let Some(off) = offset.as_ref().filter(|_| !is_default(offset, 0)) {
                    write!(f, " off={off}")?;
                }
                Ok(())
            }
            OpExpr::Munmap { pid, addr, len } => write!(f, " {pid} {addr} {len}"),
            OpExpr::Mprotect { pid, addr, len, prot } => write!(f, " {pid} {addr} {len} {}", fmt_prot(*prot)),
            OpExpr::Mremap { pid, old_addr, old_len, new_len, flags, new_addr } => {
                write!(f, " {pid} {old_addr} {old_len} {new_len}")?;
                if !flags.is_empty() {
                    write!(f, " {}", fmt_flags(flags.bits(), names::MREMAP))?;
                }
                if let Some(to) = new_addr.as_ref().filter(|_| !is_default(new_addr, 0)) {
                    write!(f, " to={to}")?;
                }
                Ok(())
            }
            OpExpr::Madvise { pid, addr, len, advice } => write!(f, " {pid} {addr} {len} {}", fmt_advice(*advice)),
            OpExpr::Read { pid, addr } => write!(f, " {pid} {addr}"),
            OpExpr::Write { pid, addr, value } => write!(f, " {pid} {addr} {value}"),
            OpExpr::Touch { pid, addr, len, access } => write!(f, " {pid} {addr} {len} {}", access_name(*access)),
            OpExpr::MemfdCreate { pid, name, flags } => {
                write!(f, " {pid} {}", fmt_string(name))?;
                if !flags.is_empty() {
                    write!(f, " {}", fmt_flags(flags.bits(), names::MEMFD))?;
                }
                Ok(())
            }
            OpExpr::Open { pid, path, flags } => {
                write!(f, " {pid} {} {}", fmt_string(path), fmt_flags(flags.bits(), names::OPEN))
            }
            OpExpr::Pwrite { pid, fd, offset, value } => write!(f, " {pid} {fd} {offset} {value}"),
            OpExpr::Pread { pid, fd, offset } => write!(f, " {pid} {fd} {offset}"),
            OpExpr::Ftruncate { pid, fd, len } => write!(f, " {pid} {fd} {len}"),
            OpExpr::Fallocate { pid, fd, mode, offset, len } => {
                write!(f, " {pid} {fd} {} {offset} {len}", fmt_flags(mode.bits(), names::FALLOC))
            }
            OpExpr::Close { pid, fd } => write!(f, " {pid} {fd}"),
            OpExpr::Mlock { pid, addr, len } | OpExpr::Munlock { pid, addr, len } => {
                write!(f, " {pid} {addr} {len}")
            }
            OpExpr::Mlock2 { pid, addr, len, flags } => {
                write!(f, " {pid} {addr} {len} {}", fmt_flags(flags.bits(), names::MLOCK))
            }
            OpExpr::Mlockall { pid, flags } => write!(f, " {pid} {}", fmt_flags(flags.bits(), names::MCL)),
            OpExpr::Munlockall { pid } => write!(f, " {pid}"),
            OpExpr::SetMemlockLimit { pid, bytes } => match bytes {
                Rlimit::Unlimited => write!(f, " {pid} unlimited"),
                Rlimit::Bytes(b) => write!(f, " {pid} {b}"),
            },
            OpExpr::SetCapIpcLock { pid, on } => write!(f, " {pid} {}", if *on { "on" } else { "off" }),
            OpExpr::MovePages { pid, addrs, nodes, flags } => {
                write!(f, " {pid} {}", fmt_list(addrs))?;
                if !nodes.is_empty() {
                    write!(f, " nodes={}", fmt_list(nodes))?;
                }
                if !flags.is_empty() {
                    write!(f, " {}", fmt_flags(flags.bits(), names::MPOL))?;
                }
                Ok(())
            }
            OpExpr::Reclaim { nid, pages } => write!(f, " {nid} {pages}"),
        }
    }
}

impl Display for ResultSpec {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ResultSpec::Ok => f.write_str("ok"),
            ResultSpec::Errno(e) => f.write_str(e.name()),
            ResultSpec::Signal(s) => f.write_str(s.name()),
            ResultSpec::Value(e) => e.fmt(f),
            ResultSpec::Step(s) => f.write_str(&step_text(*s)),
            ResultSpec::Statuses(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    match item {
                        StatusItem::Num(n) => write!(f, "{n}")?,
                        StatusItem::Errno(e) => write!(f, "-{}", e.name())?,
                    }
                }
                f.write_char(']')
            }
        }
    }
}

impl Query {
    /// The view's name (first word after `expect`).
    pub fn view(&self) -> &'static str {
        match self {
            Query::SmapsRollup { .. } => "smaps_rollup",
            Query::Smaps { .. } => "smaps",
            Query::Status { .. } => "status",
            Query::MapsCount { .. } => "maps",
            Query::Vma { .. } => "vma",
            Query::Meminfo { .. } => "meminfo",
            Query::Vmstat { .. } => "vmstat",
            Query::Pagemap { .. } => "pagemap",
            Query::Kpagecount { .. } => "kpagecount",
            Query::Kpageflags { .. } => "kpageflags",
            Query::Value { .. } => "value",
            Query::Invariants => "invariants",
            Query::Task { .. } => "task",
            Query::Tasks { .. } => "tasks",
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.view())?;
        match self {
            Query::SmapsRollup { pid, field } | Query::Status { pid, field } => write!(f, " {pid} {field}"),
            Query::Smaps { pid, addr, field } => write!(f, " {pid} {addr} {field}"),
            Query::MapsCount { pid } => write!(f, " {pid} count"),
            Query::Vma { pid, addr, field } => write!(f, " {pid} {addr} {}", field.name()),
            Query::Meminfo { node, field } => {
                if let Some(n) = node {
                    write!(f, " node={n}")?;
                }
                write!(f, " {field}")
            }
            Query::Vmstat { field } => write!(f, " {field}"),
            Query::Pagemap { pid, addr, field } => write!(f, " {pid} {addr} {}", field.name()),
            Query::Kpagecount { pid, addr } => write!(f, " {pid} {addr} count"),
            Query::Kpageflags { pid, addr, flag } => write!(f, " {pid} {addr} {flag}"),
            Query::Value { pid, addr } => write!(f, " {pid} {addr} value"),
            Query::Invariants => f.write_str(" violations"),
            Query::Task { task, field } => write!(f, " {task} {}", field.name()),
            Query::Tasks { field } => write!(f, " {field}"),
        }
    }
}

impl Display for Expect {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Compare { query, cmp, value, kb } => {
                write!(f, "expect {query} {} {value}", cmp.symbol())?;
                if *kb {
                    f.write_str(" kB")?;
                }
                Ok(())
            }
            Expect::VmFlags { pid, addr, has, flag } => {
                write!(f, "expect smaps {pid} {addr} VmFlags {} {flag}", if *has { "has" } else { "lacks" })
            }
        }
    }
}

impl Stmt {
    /// The statement without its comment; with `with_result == false`, also without `=> RESULT`.
    pub fn body(&self, with_result: bool) -> String {
        match &self.kind {
            StmtKind::Blank => String::new(),
            StmtKind::Op { bind, op, result } => {
                let mut s = String::new();
                if let Some(b) = bind {
                    s.push_str(b);
                    s.push_str(" = ");
                }
                let _ = write!(s, "{op}");
                if let (Some(r), true) = (result, with_result) {
                    let _ = write!(s, " => {r}");
                }
                s
            }
            StmtKind::Expect(e) => e.to_string(),
        }
    }
}

fn write_with_comment(f: &mut Formatter<'_>, body: &str, comment: &Option<String>) -> fmt::Result {
    f.write_str(body)?;
    if let Some(c) = comment {
        if !body.is_empty() {
            f.write_str("  ")?;
        }
        write!(f, "#{c}")?;
    }
    Ok(())
}

impl Display for Stmt {
    /// One line, without the newline.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_with_comment(f, &self.body(true), &self.comment)
    }
}

impl MachineSpec {
    /// The line without its comment.
    pub fn body(&self) -> String {
        let mut s = String::from("machine");
        let mut kv = |k: &str, v: &dyn Display| {
            let _ = write!(s, " {k}={v}");
        };
        if let Some(v) = &self.nodes {
            kv("nodes", v);
        }
        if let Some(v) = &self.node_mem {
            kv("node_mem", v);
        }
        if let Some(v) = &self.swap {
            kv("swap", v);
        }
        if let Some(v) = &self.memlock {
            kv("memlock", v);
        }
        if let Some(v) = &self.thp {
            kv("thp", &v.name());
        }
        if let Some(v) = &self.quirks {
            kv("quirks", &v.join(","));
        }
        if let Some(v) = &self.max_ptes_none {
            kv("max_ptes_none", v);
        }
        if let Some(v) = &self.max_ptes_swap {
            kv("max_ptes_swap", v);
        }
        if let Some(v) = &self.max_ptes_shared {
            kv("max_ptes_shared", v);
        }
        if let Some(v) = &self.promotion_threshold {
            kv("promotion_threshold", v);
        }
        if let Some(v) = &self.read_ahead_kb {
            kv("read_ahead_kb", v);
        }
        if let Some(v) = &self.swapin_policy {
            kv("swapin_policy", &v.name());
        }
        s
    }
}

impl Display for MachineSpec {
    /// One line, without the newline: `machine` and the keys present, in the canonical order
    /// `nodes node_mem swap memlock thp quirks max_ptes_none max_ptes_swap max_ptes_shared
    /// promotion_threshold read_ahead_kb`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_with_comment(f, &self.body(), &self.comment)
    }
}

impl Display for Script {
    /// The canonical text: one line per statement, each ending in a newline, the machine line
    /// at its original place.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut machine = self.machine.as_ref();
        for s in &self.statements {
            if let Some(m) = machine.filter(|m| m.line <= s.line) {
                writeln!(f, "{m}")?;
                machine = None;
            }
            writeln!(f, "{s}")?;
        }
        if let Some(m) = machine {
            writeln!(f, "{m}")?;
        }
        Ok(())
    }
}
