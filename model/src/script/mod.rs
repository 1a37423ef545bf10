//! The `.mms` scenario format (docs/mms-format.md): the AST, the parser, the canonical printer and
//! the runner.
//!
//! - [`parse`] turns a script's text into a [`Script`]; errors carry a line and a column.
//! - `impl Display for Script` prints the canonical form. Printing keeps every source line (blank
//!   lines and comments included) on its line number, so `parse(&script.to_string())` gives back
//!   the same [`Script`], line numbers included.
//! - [`print_op`] and [`parse_op`] convert between one literal [`Op`](crate::Op) and its canonical text; for
//!   every `Op`, `parse_op(&print_op(&op)) == Ok(op)`.
//! - [`run`] executes a script on a fresh [`Machine`](crate::Machine) and checks every result and
//!   expectation. It is pure: no I/O, no clock, same input, same report.

use std::fmt;

use crate::config::ThpMode;
use crate::errno::Errno;
use crate::ops::{
    Access, Advice, FallocMode, MapFlags, MclFlags, MemfdFlags, MlockFlags, MpolFlags, MremapFlags, OpenFlags, Prot,
};

mod explore;
mod parse;
mod print;
mod run;

pub use explore::{Choice, ExploreOptions, ExploreReport, FailingSchedule, explore};
pub use parse::{parse, parse_op};
pub use print::print_op;
pub use run::{
    EvalError, Failure, FailureKind, OpenError, ProcView, RunOptions, RunReport, Target, eval_op, result_text, run,
    run_on, run_prefix,
};

/// A parse error: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters) of the offending token.
    pub column: usize,
    /// What is wrong, e.g. "unknown advice 'dontneeed' (did you mean 'dontneed'?)".
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A parsed script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    /// The `machine` line, if the script has one.
    pub machine: Option<MachineSpec>,
    /// Every other line, in order: operations, expectations, and blank or comment-only lines
    /// ([`StmtKind::Blank`]) so that printing keeps the layout.
    pub statements: Vec<Stmt>,
}

impl Script {
    /// The statements that do something (operations and expectations).
    pub fn steps(&self) -> impl Iterator<Item = &Stmt> {
        self.statements.iter().filter(|s| !matches!(s.kind, StmtKind::Blank))
    }
}

/// The `machine` line. `None` keys keep their default ([`MachineConfig::default`]).
///
/// [`MachineConfig::default`]: crate::MachineConfig::default
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineSpec {
    pub line: usize,
    /// `nodes=`: number of NUMA nodes.
    pub nodes: Option<Literal>,
    /// `node_mem=`: bytes per node.
    pub node_mem: Option<Literal>,
    /// `swap=`: swap bytes.
    pub swap: Option<Literal>,
    /// `memlock=`: RLIMIT_MEMLOCK bytes.
    pub memlock: Option<Literal>,
    /// `thp=`.
    pub thp: Option<ThpMode>,
    /// `quirks=a,b`.
    pub quirks: Option<Vec<String>>,
    /// `max_ptes_none=`, `max_ptes_swap=`, `max_ptes_shared=`: khugepaged's sysfs limits.
    pub max_ptes_none: Option<Literal>,
    pub max_ptes_swap: Option<Literal>,
    pub max_ptes_shared: Option<Literal>,
    /// `promotion_threshold=`: THP reservations on, with this promotion threshold.
    pub promotion_threshold: Option<Literal>,
    /// `read_ahead_kb=`: the disk's readahead window.
    pub read_ahead_kb: Option<Literal>,
    /// `swapin_policy=retry|wait`.
    pub swapin_policy: Option<crate::task::SwapinPolicy>,
    /// Trailing comment (the text after `#`).
    pub comment: Option<String>,
}

impl MachineSpec {
    /// The machine configuration this line describes (defaults for omitted keys). Values that do
    /// not fit a field saturate, and [`MachineConfig::validate`](crate::MachineConfig::validate)
    /// rejects them.
    pub fn config(&self) -> crate::MachineConfig {
        let mut c = crate::MachineConfig::default();
        if let Some(n) = &self.nodes {
            c.nodes = u32::try_from(n.value).unwrap_or(u32::MAX);
        }
        if let Some(n) = &self.node_mem {
            c.node_bytes = n.value;
        }
        if let Some(n) = &self.swap {
            c.swap_bytes = n.value;
        }
        if let Some(n) = &self.memlock {
            c.memlock_bytes = n.value;
        }
        if let Some(t) = self.thp {
            c.thp = t;
        }
        if let Some(q) = &self.quirks {
            c.quirks = q.clone();
        }
        let knob = |l: &Literal| u32::try_from(l.value).unwrap_or(u32::MAX);
        if let Some(n) = &self.max_ptes_none {
            c.max_ptes_none = knob(n);
        }
        if let Some(n) = &self.max_ptes_swap {
            c.max_ptes_swap = knob(n);
        }
        if let Some(n) = &self.max_ptes_shared {
            c.max_ptes_shared = knob(n);
        }
        if let Some(n) = &self.promotion_threshold {
            c.promotion_threshold = Some(knob(n));
        }
        if let Some(n) = &self.read_ahead_kb {
            c.read_ahead_kb = knob(n);
        }
        if let Some(p) = self.swapin_policy {
            c.swapin_policy = p;
        }
        c
    }
}

/// How a number literal was written; the printer writes it back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumStyle {
    /// `4096`
    Dec,
    /// `0x1000`
    Hex,
    /// `4K` (×1024)
    Kilo,
    /// `4M` (×1024²)
    Mega,
    /// `4G` (×1024³)
    Giga,
    /// `4p` (×4096)
    Pages,
}

impl NumStyle {
    /// The multiplier of a suffix style (1 for `Dec` and `Hex`).
    pub fn unit(self) -> u64 {
        match self {
            NumStyle::Dec | NumStyle::Hex => 1,
            NumStyle::Kilo => 1 << 10,
            NumStyle::Mega => 1 << 20,
            NumStyle::Giga => 1 << 30,
            NumStyle::Pages => crate::ops::PAGE_SIZE,
        }
    }
}

/// A non-negative number literal: its value (suffix applied) and how it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Literal {
    pub value: u64,
    pub style: NumStyle,
}

impl Literal {
    pub fn dec(value: u64) -> Literal {
        Literal { value, style: NumStyle::Dec }
    }
    pub fn hex(value: u64) -> Literal {
        Literal { value, style: NumStyle::Hex }
    }
}

/// `+` or `-` in front of a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sign {
    Plus,
    Minus,
}

/// One term of an expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    Lit(Literal),
    Name(String),
}

/// A number expression: terms added and subtracted left to right, e.g. `a+3p-1`, `16p`, `-1`.
///
/// `terms` is never empty. The first term's sign is [`Sign::Plus`] unless the expression starts
/// with `-` (only allowed where a negative value makes sense: fds).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expr {
    pub terms: Vec<(Sign, Term)>,
}

impl Expr {
    /// A single literal.
    pub fn lit(l: Literal) -> Expr {
        Expr { terms: vec![(Sign::Plus, Term::Lit(l))] }
    }
    /// A single name.
    pub fn name(n: impl Into<String>) -> Expr {
        Expr { terms: vec![(Sign::Plus, Term::Name(n.into()))] }
    }
    /// A signed value written in decimal (`-1`, `3`).
    pub fn signed_dec(v: i64) -> Expr {
        let sign = if v < 0 { Sign::Minus } else { Sign::Plus };
        Expr { terms: vec![(sign, Term::Lit(Literal::dec(v.unsigned_abs())))] }
    }
    /// The value of an expression made of literals only.
    pub fn literal_value(&self) -> Option<i128> {
        let mut v: i128 = 0;
        for (s, t) in &self.terms {
            let Term::Lit(l) = t else { return None };
            match s {
                Sign::Plus => v += i128::from(l.value),
                Sign::Minus => v -= i128::from(l.value),
            }
        }
        Some(v)
    }
    /// Evaluates the expression, looking names up with `lookup`.
    pub fn eval<E>(&self, mut lookup: impl FnMut(&str) -> Result<i128, E>) -> Result<i128, E> {
        let mut v: i128 = 0;
        for (s, t) in &self.terms {
            let x = match t {
                Term::Lit(l) => i128::from(l.value),
                Term::Name(n) => lookup(n)?,
            };
            // Terms are at most 2^64 and a line holds few of them: no overflow in i128.
            match s {
                Sign::Plus => v = v.saturating_add(x),
                Sign::Minus => v = v.saturating_sub(x),
            }
        }
        Ok(v)
    }
    /// The names the expression uses.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().filter_map(|(_, t)| match t {
            Term::Name(n) => Some(n.as_str()),
            Term::Lit(_) => None,
        })
    }
}

/// An operation whose numeric arguments are expressions. Mirrors [`Op`](crate::Op) field by field;
/// optional script arguments are `Option` (`None` = omitted = the default value). An empty
/// `MovePages::nodes` is an omitted `nodes=` (a status query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpExpr {
    Spawn,
    Fork {
        pid: Expr,
    },
    Exit {
        pid: Expr,
    },
    Mmap {
        pid: Expr,
        addr: Expr,
        len: Expr,
        prot: Prot,
        flags: MapFlags,
        fd: Option<Expr>,
        offset: Option<Expr>,
    },
    Munmap {
        pid: Expr,
        addr: Expr,
        len: Expr,
    },
    Mprotect {
        pid: Expr,
        addr: Expr,
        len: Expr,
        prot: Prot,
    },
    Mremap {
        pid: Expr,
        old_addr: Expr,
        old_len: Expr,
        new_len: Expr,
        flags: MremapFlags,
        new_addr: Option<Expr>,
    },
    Madvise {
        pid: Expr,
        addr: Expr,
        len: Expr,
        advice: Advice,
    },
    Read {
        pid: Expr,
        addr: Expr,
    },
    Write {
        pid: Expr,
        addr: Expr,
        value: Expr,
    },
    Touch {
        pid: Expr,
        addr: Expr,
        len: Expr,
        access: Access,
    },
    MemfdCreate {
        pid: Expr,
        name: String,
        flags: MemfdFlags,
    },
    Open {
        pid: Expr,
        path: String,
        flags: OpenFlags,
    },
    Pwrite {
        pid: Expr,
        fd: Expr,
        offset: Expr,
        value: Expr,
    },
    Pread {
        pid: Expr,
        fd: Expr,
        offset: Expr,
    },
    Ftruncate {
        pid: Expr,
        fd: Expr,
        len: Expr,
    },
    Fallocate {
        pid: Expr,
        fd: Expr,
        mode: FallocMode,
        offset: Expr,
        len: Expr,
    },
    Close {
        pid: Expr,
        fd: Expr,
    },
    Mlock {
        pid: Expr,
        addr: Expr,
        len: Expr,
    },
    Mlock2 {
        pid: Expr,
        addr: Expr,
        len: Expr,
        flags: MlockFlags,
    },
    Munlock {
        pid: Expr,
        addr: Expr,
        len: Expr,
    },
    Mlockall {
        pid: Expr,
        flags: MclFlags,
    },
    Munlockall {
        pid: Expr,
    },
    SetMemlockLimit {
        pid: Expr,
        bytes: Rlimit,
    },
    SetCapIpcLock {
        pid: Expr,
        on: bool,
    },
    MovePages {
        pid: Expr,
        addrs: Vec<Expr>,
        nodes: Vec<Expr>,
        flags: MpolFlags,
    },
    Reclaim {
        nid: Expr,
        pages: Expr,
    },
    Khugepaged,
    /// `task fault PID ADDR read|write`.
    TaskFault {
        pid: Expr,
        addr: Expr,
        access: Access,
    },
    /// `task reclaim PID ADDR`.
    TaskReclaim {
        pid: Expr,
        addr: Expr,
    },
    /// `task migrate PID ADDR NODE`.
    TaskMigrate {
        pid: Expr,
        addr: Expr,
        node: Expr,
    },
    /// `task OP ARGS...`: an mmap_lock writer or a truncation.
    TaskWriter(Box<OpExpr>),
    /// `step TASK`.
    TaskStep {
        task: Expr,
    },
    /// `io_complete TASK`.
    IoComplete {
        task: Expr,
    },
    /// `run_until_idle`.
    RunUntilIdle,
}

/// A resource limit argument: `unlimited` (RLIM_INFINITY, `u64::MAX`) or a number of bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rlimit {
    Unlimited,
    Bytes(Expr),
}

/// What an operation line expects (`=> RESULT`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResultSpec {
    /// `=> ok`: any success (a signal is not a success).
    Ok,
    /// `=> EINVAL`.
    Errno(Errno),
    /// `=> SIGSEGV`, `=> SIGSEGV(ACCERR)`, ...
    Signal(SignalSpec),
    /// `=> 0x41`, `=> a+1p`: the returned value, pid, address, fd or count (0 for a plain success).
    Value(Expr),
    /// `=> [0,-2,-EFAULT]`: the per-page statuses of move_pages, exactly.
    Statuses(Vec<StatusItem>),
    /// `=> ran`, `=> done`, `=> waits(mmap_lock)`: what a task step did.
    Step(crate::task::StepState),
}

/// One element of an expected status list: a number (a node id, or a negative errno written as
/// a number) or `-ERRNO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusItem {
    /// `0`, `1`, `-2`.
    Num(i32),
    /// `-ENOENT`: the errno's number, negated.
    Errno(Errno),
}

impl StatusItem {
    /// The status this item stands for.
    pub fn value(self) -> i32 {
        match self {
            StatusItem::Num(n) => n,
            StatusItem::Errno(e) => -e.number(),
        }
    }
}

/// An expected signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignalSpec {
    /// `SIGSEGV`: either si_code.
    Segv,
    /// `SIGSEGV(MAPERR)` (an extension of the spec: the address is not mapped).
    SegvMaperr,
    /// `SIGSEGV(ACCERR)`.
    SegvAccerr,
    /// `SIGBUS`.
    Bus,
    /// `SIGKILL` (the OOM killer chose the faulting process).
    Kill,
}

impl SignalSpec {
    pub fn name(self) -> &'static str {
        match self {
            SignalSpec::Segv => "SIGSEGV",
            SignalSpec::SegvMaperr => "SIGSEGV(MAPERR)",
            SignalSpec::SegvAccerr => "SIGSEGV(ACCERR)",
            SignalSpec::Bus => "SIGBUS",
            SignalSpec::Kill => "SIGKILL",
        }
    }
    pub fn from_name(s: &str) -> Option<SignalSpec> {
        [SignalSpec::Segv, SignalSpec::SegvMaperr, SignalSpec::SegvAccerr, SignalSpec::Bus, SignalSpec::Kill]
            .into_iter()
            .find(|x| x.name() == s)
    }
    /// The exact expectation a delivered signal satisfies.
    pub fn exact(s: crate::ops::Signal) -> SignalSpec {
        use crate::ops::Signal;
        match s {
            Signal::SegvMaperr => SignalSpec::SegvMaperr,
            Signal::SegvAccerr => SignalSpec::SegvAccerr,
            Signal::Bus => SignalSpec::Bus,
            Signal::Kill => SignalSpec::Kill,
        }
    }
    /// Whether a delivered signal satisfies this expectation.
    pub fn matches(self, s: crate::ops::Signal) -> bool {
        use crate::ops::Signal;
        matches!(
            (self, s),
            (SignalSpec::Segv, Signal::SegvMaperr | Signal::SegvAccerr)
                | (SignalSpec::SegvMaperr, Signal::SegvMaperr)
                | (SignalSpec::SegvAccerr, Signal::SegvAccerr)
                | (SignalSpec::Bus, Signal::Bus)
                | (SignalSpec::Kill, Signal::Kill)
        )
    }
}

/// A comparison operator of an `expect` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub const ALL: [Cmp; 6] = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge];
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
    pub fn from_symbol(s: &str) -> Option<Cmp> {
        Cmp::ALL.into_iter().find(|c| c.symbol() == s)
    }
    pub fn holds<T: Ord>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// `vma PID ADDR start|end|offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VmaField {
    Start,
    End,
    Offset,
}

impl VmaField {
    pub const ALL: [VmaField; 3] = [VmaField::Start, VmaField::End, VmaField::Offset];
    pub fn name(self) -> &'static str {
        match self {
            VmaField::Start => "start",
            VmaField::End => "end",
            VmaField::Offset => "offset",
        }
    }
}

/// `pagemap PID ADDR present|swap|file|exclusive|pfn|swap_offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PagemapField {
    Present,
    Swap,
    File,
    Exclusive,
    Pfn,
    /// The swap offset of a swapped entry (0 otherwise).
    SwapOffset,
}

impl PagemapField {
    pub const ALL: [PagemapField; 6] = [
        PagemapField::Present,
        PagemapField::Swap,
        PagemapField::File,
        PagemapField::Exclusive,
        PagemapField::Pfn,
        PagemapField::SwapOffset,
    ];
    pub fn name(self) -> &'static str {
        match self {
            PagemapField::Present => "present",
            PagemapField::Swap => "swap",
            PagemapField::File => "file",
            PagemapField::Exclusive => "exclusive",
            PagemapField::Pfn => "pfn",
            PagemapField::SwapOffset => "swap_offset",
        }
    }
}

/// What an `expect` line measures: the view, its selectors and the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// `smaps_rollup PID FIELD`
    SmapsRollup { pid: Expr, field: String },
    /// `smaps PID ADDR FIELD` (the VMA containing ADDR)
    Smaps { pid: Expr, addr: Expr, field: String },
    /// `status PID FIELD`
    Status { pid: Expr, field: String },
    /// `maps PID count`
    MapsCount { pid: Expr },
    /// `vma PID ADDR start|end|offset`
    Vma { pid: Expr, addr: Expr, field: VmaField },
    /// `meminfo [node=N] FIELD`
    Meminfo { node: Option<Expr>, field: String },
    /// `vmstat FIELD`
    Vmstat { field: String },
    /// `pagemap PID ADDR FIELD`
    Pagemap { pid: Expr, addr: Expr, field: PagemapField },
    /// `kpagecount PID ADDR count`
    Kpagecount { pid: Expr, addr: Expr },
    /// `kpageflags PID ADDR FLAG`
    Kpageflags { pid: Expr, addr: Expr, flag: String },
    /// `value PID ADDR value`
    Value { pid: Expr, addr: Expr },
    /// `invariants violations`
    Invariants,
    /// `task TASK latency|waited|done|errno`
    Task { task: Expr, field: TaskField },
    /// `tasks FIELD` (the machine-wide task figures, `TaskStats::FIELDS`)
    Tasks { field: String },
}

/// `task TASK latency|waited|done|errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskField {
    Latency,
    Waited,
    Done,
    Errno,
}

impl TaskField {
    pub const ALL: [TaskField; 4] = [TaskField::Latency, TaskField::Waited, TaskField::Done, TaskField::Errno];
    pub fn name(self) -> &'static str {
        match self {
            TaskField::Latency => "latency",
            TaskField::Waited => "waited",
            TaskField::Done => "done",
            TaskField::Errno => "errno",
        }
    }
}

/// An `expect` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `expect QUERY CMP VALUE [kB]`.
    Compare {
        query: Query,
        cmp: Cmp,
        value: Expr,
        /// Whether a trailing `kB` was written (it changes nothing but the printing).
        kb: bool,
    },
    /// `expect smaps PID ADDR VmFlags has|lacks FLAG`.
    VmFlags { pid: Expr, addr: Expr, has: bool, flag: String },
}

/// One source line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    /// 1-based line number.
    pub line: usize,
    pub kind: StmtKind,
    /// Comment text after `#` (trailing white space removed), if the line has one.
    pub comment: Option<String>,
}

/// What a line does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    /// A blank or comment-only line.
    Blank,
    /// `[NAME =] OP ARGS... [=> RESULT]`.
    Op { bind: Option<String>, op: OpExpr, result: Option<ResultSpec> },
    /// `expect ...`.
    Expect(Expect),
}

/// Words that cannot be names: they would be ambiguous where a name may stand.
pub fn is_keyword(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "machine",
        "expect",
        "ok",
        "kB",
        "spawn",
        "fork",
        "exit",
        "mmap",
        "munmap",
        "mprotect",
        "mremap",
        "madvise",
        "read",
        "write",
        "touch",
        "memfd_create",
        "open",
        "pwrite",
        "pread",
        "ftruncate",
        "fallocate",
        "close",
        "mlock",
        "mlock2",
        "munlock",
        "mlockall",
        "munlockall",
        "setrlimit_memlock",
        "cap_ipc_lock",
        "move_pages",
        "reclaim",
        "khugepaged",
        "task",
        "step",
        "io_complete",
        "run_until_idle",
        "ran",
        "done",
        "unlimited",
        "SIGSEGV",
        "SIGBUS",
        "SIGKILL",
    ];
    WORDS.contains(&s) || Errno::from_name(s).is_some()
}

/// Whether `s` is a valid name: `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(s)
}

/// Flag names of each flags argument, in bit order (the printer's order).
pub(crate) mod names {
    use crate::ops::{FallocMode, MapFlags, MclFlags, MemfdFlags, MlockFlags, MpolFlags, MremapFlags, OpenFlags};

    pub const MMAP: &[(&str, u32)] = &[
        ("shared", MapFlags::SHARED.bits()),
        ("private", MapFlags::PRIVATE.bits()),
        ("fixed", MapFlags::FIXED.bits()),
        ("anonymous", MapFlags::ANONYMOUS.bits()),
        ("growsdown", MapFlags::GROWSDOWN.bits()),
        ("denywrite", MapFlags::DENYWRITE.bits()),
        ("executable", MapFlags::EXECUTABLE.bits()),
        ("locked", MapFlags::LOCKED.bits()),
        ("noreserve", MapFlags::NORESERVE.bits()),
        ("populate", MapFlags::POPULATE.bits()),
        ("nonblock", MapFlags::NONBLOCK.bits()),
        ("stack", MapFlags::STACK.bits()),
        ("hugetlb", MapFlags::HUGETLB.bits()),
        ("sync", MapFlags::SYNC.bits()),
        ("fixed_noreplace", MapFlags::FIXED_NOREPLACE.bits()),
    ];
    pub const MREMAP: &[(&str, u32)] = &[
        ("maymove", MremapFlags::MAYMOVE.bits()),
        ("fixed", MremapFlags::FIXED.bits()),
        ("dontunmap", MremapFlags::DONTUNMAP.bits()),
    ];
    pub const MEMFD: &[(&str, u32)] = &[
        ("cloexec", MemfdFlags::CLOEXEC.bits()),
        ("allow_sealing", MemfdFlags::ALLOW_SEALING.bits()),
        ("hugetlb", MemfdFlags::HUGETLB.bits()),
        ("noexec_seal", MemfdFlags::NOEXEC_SEAL.bits()),
        ("exec", MemfdFlags::EXEC.bits()),
    ];
    pub const OPEN: &[(&str, u32)] = &[
        ("wronly", OpenFlags::WRONLY.bits()),
        ("rdwr", OpenFlags::RDWR.bits()),
        ("creat", OpenFlags::CREAT.bits()),
        ("trunc", OpenFlags::TRUNC.bits()),
    ];
    pub const FALLOC: &[(&str, u32)] = &[
        ("keep_size", FallocMode::KEEP_SIZE.bits()),
        ("punch_hole", FallocMode::PUNCH_HOLE.bits()),
        ("collapse_range", FallocMode::COLLAPSE_RANGE.bits()),
        ("zero_range", FallocMode::ZERO_RANGE.bits()),
        ("insert_range", FallocMode::INSERT_RANGE.bits()),
        ("unshare_range", FallocMode::UNSHARE_RANGE.bits()),
    ];
    pub const MLOCK: &[(&str, u32)] = &[("onfault", MlockFlags::ONFAULT.bits())];
    pub const MCL: &[(&str, u32)] = &[
        ("current", MclFlags::CURRENT.bits()),
        ("future", MclFlags::FUTURE.bits()),
        ("onfault", MclFlags::ONFAULT.bits()),
    ];
    pub const MPOL: &[(&str, u32)] = &[("move", MpolFlags::MOVE.bits()), ("move_all", MpolFlags::MOVE_ALL.bits())];
}
