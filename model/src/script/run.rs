//! The runner: executes a [`Script`] on a fresh machine and checks it. Pure and deterministic.
//!
//! The machine is a [`Target`]: the embedded [`Machine`], or (in the CLI's `--server` mode) a
//! machine hosted by `mmlabd`, so that a script prints the same lines wherever it runs.

use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{
    Expect, Expr, OpExpr, PagemapField, Query, ResultSpec, Rlimit, Script, StatusItem, Stmt, StmtKind, TaskField, Term,
    VmaField,
};
use crate::errno::Errno;
use crate::machine::Machine;
use crate::ops::{Fd, Op, OpResult, Outcome, PAGE_SIZE, Pid};
use crate::proc as procfs;
use crate::task::{TaskInfo, TaskKind, TaskStats};
use crate::views::{Kpage, MapsEntry, Meminfo, PagemapEntry, SmapsEntry, SmapsRollup, Status, Vmstat};
use crate::{MachineConfig, Violation};

/// A /proc (or /sys) file the runner can print after every operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcView {
    /// /proc/PID/maps of every live process.
    Maps,
    /// /proc/PID/smaps of every live process.
    Smaps,
    /// /proc/PID/smaps_rollup of every live process.
    SmapsRollup,
    /// /proc/PID/status of every live process.
    Status,
    /// /proc/meminfo.
    Meminfo,
    /// /sys/devices/system/node/nodeN/meminfo of every node.
    NodeMeminfo,
    /// /proc/vmstat.
    Vmstat,
}

impl ProcView {
    pub const ALL: [ProcView; 7] = [
        ProcView::Maps,
        ProcView::Smaps,
        ProcView::SmapsRollup,
        ProcView::Status,
        ProcView::Meminfo,
        ProcView::NodeMeminfo,
        ProcView::Vmstat,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ProcView::Maps => "maps",
            ProcView::Smaps => "smaps",
            ProcView::SmapsRollup => "smaps_rollup",
            ProcView::Status => "status",
            ProcView::Meminfo => "meminfo",
            ProcView::NodeMeminfo => "node_meminfo",
            ProcView::Vmstat => "vmstat",
        }
    }
    pub fn from_name(s: &str) -> Option<ProcView> {
        ProcView::ALL.into_iter().find(|v| v.name() == s)
    }
}

impl fmt::Display for ProcView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to run a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Run [`Machine::check_invariants`] after every operation and fail at the first violation.
    pub check_invariants: bool,
    /// Views to print after every operation, in this order.
    pub proc_views: Vec<ProcView>,
    /// Turn a panic of the model into a failure of the step instead of unwinding through `run`.
    pub catch_panics: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { check_invariants: true, proc_views: Vec::new(), catch_panics: false }
    }
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The machine line describes a machine the model refuses.
    Machine,
    /// An operation's result differs from its `=> RESULT` (or it failed without one).
    Result,
    /// An `expect` line does not hold, or its view could not be read.
    Expect,
    /// [`Machine::check_invariants`] found a violation.
    Invariant,
    /// A number could not be computed: a name without a value, a value out of range.
    Eval,
    /// The model panicked (only with [`RunOptions::catch_panics`]).
    Panic,
    /// The service hosting the machine failed (a remote [`Target`] only): the step's output is
    /// dropped, since what it read back cannot be trusted.
    Service,
}

/// The first failure of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The script line (None: before any line, e.g. a default machine the model refuses).
    pub line: Option<usize>,
    pub kind: FailureKind,
    /// Readable message, e.g. "expect smaps_rollup p Pss_Anon == 64 kB: got 60 kB".
    pub message: String,
}

impl Failure {
    /// `FILE:LINE: MESSAGE`, the form the CLI prints.
    pub fn render(&self, file: &str) -> String {
        match self.line {
            Some(l) => format!("{file}:{l}: {}", self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a run did: one line per step (and the requested views), and the first failure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Output lines, without newlines: `   3  a = mmap p 0x0 16p rw private,anonymous => 0x7f0000000000`.
    pub lines: Vec<String>,
    /// Operations applied.
    pub ops: usize,
    /// Expectations checked.
    pub expects: usize,
    /// The failure that stopped the run, if any.
    pub failure: Option<Failure>,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
    /// The lines, each followed by a newline.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// A machine a script runs on, with the [`Machine`] methods the runner calls.
///
/// A target behind a service answers a failed call with a stand-in value and reports the failure
/// from [`Target::service_error`], which the runner asks after every step.
pub trait Target {
    fn apply(&mut self, op: &Op) -> OpResult;
    fn check_invariants(&self) -> Vec<Violation>;
    fn pids(&self) -> Vec<Pid>;
    /// The number of NUMA nodes.
    fn nodes(&self) -> u32;
    fn maps(&self, pid: Pid) -> Result<Vec<MapsEntry>, Errno>;
    fn smaps(&self, pid: Pid) -> Result<Vec<SmapsEntry>, Errno>;
    fn smaps_rollup(&self, pid: Pid) -> Result<SmapsRollup, Errno>;
    fn status(&self, pid: Pid) -> Result<Status, Errno>;
    fn meminfo(&self) -> Meminfo;
    fn node_meminfo(&self, nid: u32) -> Result<Meminfo, Errno>;
    fn vmstat(&self) -> Vmstat;
    fn pagemap(&self, pid: Pid, addr: u64, pages: u64) -> Result<Vec<PagemapEntry>, Errno>;
    fn kpage(&self, pfn: u64) -> Kpage;
    /// The value of the page at `addr`, read without faulting.
    fn peek(&self, pid: Pid, addr: u64) -> Result<u64, Errno>;
    /// The tasks in flight or finished (crate::task), ascending ids.
    fn tasks(&self) -> Vec<TaskInfo>;
    /// The machine-wide task figures.
    fn task_stats(&self) -> TaskStats;
    /// The first failure of the service behind the target since the last call (never, embedded).
    fn service_error(&mut self) -> Option<String> {
        None
    }
}

impl Target for Machine {
    fn apply(&mut self, op: &Op) -> OpResult {
        Machine::apply(self, op)
    }
    fn check_invariants(&self) -> Vec<Violation> {
        Machine::check_invariants(self)
    }
    fn pids(&self) -> Vec<Pid> {
        Machine::pids(self)
    }
    fn nodes(&self) -> u32 {
        self.config().nodes
    }
    fn maps(&self, pid: Pid) -> Result<Vec<MapsEntry>, Errno> {
        Machine::maps(self, pid)
    }
    fn smaps(&self, pid: Pid) -> Result<Vec<SmapsEntry>, Errno> {
        Machine::smaps(self, pid)
    }
    fn smaps_rollup(&self, pid: Pid) -> Result<SmapsRollup, Errno> {
        Machine::smaps_rollup(self, pid)
    }
    fn status(&self, pid: Pid) -> Result<Status, Errno> {
        Machine::status(self, pid)
    }
    fn meminfo(&self) -> Meminfo {
        Machine::meminfo(self)
    }
    fn node_meminfo(&self, nid: u32) -> Result<Meminfo, Errno> {
        Machine::node_meminfo(self, nid)
    }
    fn vmstat(&self) -> Vmstat {
        Machine::vmstat(self)
    }
    fn pagemap(&self, pid: Pid, addr: u64, pages: u64) -> Result<Vec<PagemapEntry>, Errno> {
        Machine::pagemap(self, pid, addr, pages)
    }
    fn kpage(&self, pfn: u64) -> Kpage {
        Machine::kpage(self, pfn)
    }
    fn peek(&self, pid: Pid, addr: u64) -> Result<u64, Errno> {
        Machine::peek(self, pid, addr)
    }
    fn tasks(&self) -> Vec<TaskInfo> {
        Machine::tasks(self)
    }
    fn task_stats(&self) -> TaskStats {
        Machine::task_stats(self).clone()
    }
}

/// Why a target could not be created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The model refuses the configuration.
    Refused(Errno),
    /// The service failed.
    Service(String),
}

/// Runs a script on a fresh machine built from its machine line, stopping at the first failure.
pub fn run(script: &Script, opts: &RunOptions) -> RunReport {
    run_on(script, opts, |c| Machine::new(c).map_err(OpenError::Refused))
}

/// Runs a script on the target `open` makes from the script's machine configuration.
pub fn run_on<T: Target>(
    script: &Script,
    opts: &RunOptions,
    open: impl FnOnce(MachineConfig) -> Result<T, OpenError>,
) -> RunReport {
    let mut r = Runner { opts, machine: None, env: HashMap::new(), report: RunReport::default() };
    let res = r.guard(script.machine.as_ref().map(|m| m.line), |r| r.start(script, open));
    if let Err(f) = res {
        r.report.failure = Some(f);
        return r.report;
    }
    for stmt in script.steps() {
        if let Err(f) = r.guard(Some(stmt.line), |r| r.step(stmt)) {
            r.report.failure = Some(f);
            break;
        }
    }
    r.report
}

/// Runs the statements of `script` before line `before` on a fresh machine and returns the
/// machine, or the report of the failure that stopped it (the explorer's common prefix).
pub fn run_prefix(script: &Script, opts: &RunOptions, before: usize) -> Result<Machine, RunReport> {
    let open = |c| Machine::new(c).map_err(OpenError::Refused);
    let mut r = Runner { opts, machine: None, env: HashMap::new(), report: RunReport::default() };
    if let Err(f) = r.guard(script.machine.as_ref().map(|m| m.line), |r| r.start(script, open)) {
        r.report.failure = Some(f);
        return Err(r.report);
    }
    for stmt in script.steps().filter(|s| s.line < before) {
        if let Err(f) = r.guard(Some(stmt.line), |r| r.step(stmt)) {
            r.report.failure = Some(f);
            return Err(r.report);
        }
    }
    r.machine.ok_or(r.report)
}

// ---- expression evaluation ----

/// Why an operation's arguments could not be computed.
#[derive(Debug)]
pub enum EvalError<E> {
    /// The value does not fit the argument (what, value).
    Range(&'static str, i128),
    /// The name lookup failed.
    Lookup(E),
}

struct Ev<'a, E> {
    lookup: &'a mut dyn FnMut(&str) -> Result<i128, E>,
}

impl<E> Ev<'_, E> {
    fn val(&mut self, e: &Expr) -> Result<i128, EvalError<E>> {
        e.eval(|n| (self.lookup)(n)).map_err(EvalError::Lookup)
    }
    fn u64(&mut self, e: &Expr, what: &'static str) -> Result<u64, EvalError<E>> {
        let v = self.val(e)?;
        u64::try_from(v).map_err(|_| EvalError::Range(what, v))
    }
    fn u32(&mut self, e: &Expr, what: &'static str) -> Result<u32, EvalError<E>> {
        let v = self.val(e)?;
        u32::try_from(v).map_err(|_| EvalError::Range(what, v))
    }
    fn pid(&mut self, e: &Expr) -> Result<Pid, EvalError<E>> {
        let v = self.val(e)?;
        Pid::try_from(v).map_err(|_| EvalError::Range("PID", v))
    }
    fn fd(&mut self, e: &Expr) -> Result<Fd, EvalError<E>> {
        let v = self.val(e)?;
        Fd::try_from(v).map_err(|_| EvalError::Range("FD", v))
    }
    fn opt_u64(&mut self, e: &Option<Expr>, default: u64, what: &'static str) -> Result<u64, EvalError<E>> {
        e.as_ref().map_or(Ok(default), |e| self.u64(e, what))
    }
}

/// Computes an operation's arguments, looking names up with `lookup` (the kernel oracle evaluates
/// each statement once per side, with that side's names).
pub fn eval_op<E>(op: &OpExpr, lookup: &mut dyn FnMut(&str) -> Result<i128, E>) -> Result<Op, EvalError<E>> {
    let mut ev = Ev { lookup };
    Ok(match op {
        OpExpr::Spawn => Op::Spawn,
        OpExpr::Fork { pid } => Op::Fork { pid: ev.pid(pid)? },
        OpExpr::Exit { pid } => Op::Exit { pid: ev.pid(pid)? },
        OpExpr::Mmap { pid, addr, len, prot, flags, fd, offset } => Op::Mmap {
            pid: ev.pid(pid)?,
            addr: ev.u64(addr, "ADDR")?,
            len: ev.u64(len, "LEN")?,
            prot: *prot,
            flags: *flags,
            fd: match fd {
                Some(fd) => ev.fd(fd)?,
                None => -1,
            },
            offset: ev.opt_u64(offset, 0, "OFFSET")?,
        },
        OpExpr::Munmap { pid, addr, len } => {
            Op::Munmap { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")? }
        }
        OpExpr::Mprotect { pid, addr, len, prot } => {
            Op::Mprotect { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")?, prot: *prot }
        }
        OpExpr::Mremap { pid, old_addr, old_len, new_len, flags, new_addr } => Op::Mremap {
            pid: ev.pid(pid)?,
            old_addr: ev.u64(old_addr, "OLD_ADDR")?,
            old_len: ev.u64(old_len, "OLD_LEN")?,
            new_len: ev.u64(new_len, "NEW_LEN")?,
            flags: *flags,
            new_addr: ev.opt_u64(new_addr, 0, "NEW_ADDR")?,
        },
        OpExpr::Madvise { pid, addr, len, advice } => {
            Op::Madvise { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")?, advice: *advice }
        }
        OpExpr::Read { pid, addr } => Op::Read { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")? },
        OpExpr::Write { pid, addr, value } => {
            Op::Write { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, value: ev.u64(value, "VALUE")? }
        }
        OpExpr::Touch { pid, addr, len, access } => {
            Op::Touch { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")?, access: *access }
        }
        OpExpr::MemfdCreate { pid, name, flags } => {
            Op::MemfdCreate { pid: ev.pid(pid)?, name: name.clone(), flags: *flags }
        }
        OpExpr::Open { pid, path, flags } => Op::Open { pid: ev.pid(pid)?, path: path.clone(), flags: *flags },
        OpExpr::Pwrite { pid, fd, offset, value } => Op::Pwrite {
            pid: ev.pid(pid)?,
            fd: ev.fd(fd)?,
            offset: ev.u64(offset, "OFFSET")?,
            value: ev.u64(value, "VALUE")?,
        },
        OpExpr::Pread { pid, fd, offset } => {
            Op::Pread { pid: ev.pid(pid)?, fd: ev.fd(fd)?, offset: ev.u64(offset, "OFFSET")? }
        }
        OpExpr::Ftruncate { pid, fd, len } => {
            Op::Ftruncate { pid: ev.pid(pid)?, fd: ev.fd(fd)?, len: ev.u64(len, "LEN")? }
        }
        OpExpr::Fallocate { pid, fd, mode, offset, len } => Op::Fallocate {
            pid: ev.pid(pid)?,
            fd: ev.fd(fd)?,
            mode: *mode,
            offset: ev.u64(offset, "OFFSET")?,
            len: ev.u64(len, "LEN")?,
        },
        OpExpr::Close { pid, fd } => Op::Close { pid: ev.pid(pid)?, fd: ev.fd(fd)? },
        OpExpr::Mlock { pid, addr, len } => {
            Op::Mlock { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")? }
        }
        OpExpr::Mlock2 { pid, addr, len, flags } => {
            Op::Mlock2 { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")?, flags: *flags }
        }
        OpExpr::Munlock { pid, addr, len } => {
            Op::Munlock { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, len: ev.u64(len, "LEN")? }
        }
        OpExpr::Mlockall { pid, flags } => Op::Mlockall { pid: ev.pid(pid)?, flags: *flags },
        OpExpr::Munlockall { pid } => Op::Munlockall { pid: ev.pid(pid)? },
        OpExpr::SetMemlockLimit { pid, bytes } => Op::SetMemlockLimit {
            pid: ev.pid(pid)?,
            bytes: match bytes {
                Rlimit::Unlimited => u64::MAX,
                Rlimit::Bytes(b) => ev.u64(b, "BYTES")?,
            },
        },
        OpExpr::SetCapIpcLock { pid, on } => Op::SetCapIpcLock { pid: ev.pid(pid)?, on: *on },
        OpExpr::MovePages { pid, addrs, nodes, flags } => Op::MovePages {
            pid: ev.pid(pid)?,
            addrs: addrs.iter().map(|a| ev.u64(a, "ADDR")).collect::<Result<_, _>>()?,
            nodes: nodes.iter().map(|n| ev.u32(n, "NODE")).collect::<Result<_, _>>()?,
            flags: *flags,
        },
        OpExpr::Reclaim { nid, pages } => Op::Reclaim { nid: ev.u32(nid, "NID")?, pages: ev.u64(pages, "PAGES")? },
        OpExpr::Khugepaged => Op::Khugepaged,
        OpExpr::TaskFault { pid, addr, access } => {
            Op::TaskStart { task: TaskKind::Fault { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, access: *access } }
        }
        OpExpr::TaskReclaim { pid, addr } => {
            Op::TaskStart { task: TaskKind::Reclaim { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")? } }
        }
        OpExpr::TaskMigrate { pid, addr, node } => Op::TaskStart {
            task: TaskKind::Migrate { pid: ev.pid(pid)?, addr: ev.u64(addr, "ADDR")?, node: ev.u32(node, "NODE")? },
        },
        OpExpr::TaskWriter(op) => Op::TaskStart { task: TaskKind::Writer(Box::new(eval_op(op, &mut *ev.lookup)?)) },
        OpExpr::TaskStep { task } => Op::TaskStep { task: ev.u32(task, "TASK")? },
        OpExpr::IoComplete { task } => Op::IoComplete { task: ev.u32(task, "TASK")? },
        OpExpr::RunUntilIdle => Op::RunUntilIdle,
    })
}

// ---- formatting ----

/// The number an outcome carries (0 for a plain success), if it is not a signal.
fn outcome_value(o: &Outcome) -> Option<i128> {
    match *o {
        Outcome::Done => Some(0),
        Outcome::Pid(p) => Some(p.into()),
        Outcome::Addr(a) => Some(a.into()),
        Outcome::Fd(f) => Some(f.into()),
        Outcome::Value(v) | Outcome::Count(v) => Some(v.into()),
        Outcome::Task(t) => Some(t.into()),
        Outcome::Signal(_) | Outcome::Statuses(_) | Outcome::Step(_) => None,
    }
}

/// `ok`, a pid, `0x...` address or value, an fd, a signal, or an errno name.
pub fn result_text(r: &OpResult) -> String {
    match r {
        Ok(Outcome::Done) => "ok".into(),
        Ok(Outcome::Pid(p)) => p.to_string(),
        Ok(Outcome::Addr(a)) => format!("{a:#x}"),
        Ok(Outcome::Fd(f)) => f.to_string(),
        Ok(Outcome::Value(v)) => format!("{v:#x}"),
        Ok(Outcome::Signal(s)) => s.name().into(),
        Ok(Outcome::Statuses(v)) => statuses_text(v),
        Ok(Outcome::Count(n)) => n.to_string(),
        Ok(Outcome::Task(t)) => t.to_string(),
        Ok(Outcome::Step(s)) => super::print::step_text(*s),
        Err(e) => e.name().into(),
    }
}

/// `[0,-2,-14]`.
fn statuses_text(v: &[i32]) -> String {
    let items: Vec<String> = v.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(","))
}

fn num_text(v: i128, hex: bool) -> String {
    if hex && v >= 0 { format!("{v:#x}") } else { v.to_string() }
}

/// Whether an expression is a single literal (then its text already says its value).
fn is_plain_literal(e: &Expr) -> bool {
    matches!(e.terms.as_slice(), [(_, Term::Lit(_))])
}

fn step_line(line: usize, text: &str) -> String {
    format!("{line:>4}  {text}")
}

const INDENT: &str = "      ";

// ---- the runner ----

struct Binding {
    value: Option<i128>,
    line: usize,
    got: String,
}

struct Runner<'a, T> {
    opts: &'a RunOptions,
    machine: Option<T>,
    env: HashMap<String, Binding>,
    report: RunReport,
}

type StepResult = Result<(), Failure>;

fn fail(line: usize, kind: FailureKind, message: String) -> Failure {
    Failure { line: Some(line), kind, message }
}

impl<T: Target> Runner<'_, T> {
    /// Runs `f`, turning a panic into a failure when asked to, and a failure of the service into
    /// a failure of the step that prints nothing.
    fn guard(&mut self, line: Option<usize>, f: impl FnOnce(&mut Self) -> StepResult) -> StepResult {
        let printed = self.report.lines.len();
        let res = self.guard_panics(line, f);
        match self.machine.as_mut().and_then(Target::service_error) {
            Some(message) => {
                self.report.lines.truncate(printed);
                Err(Failure { line, kind: FailureKind::Service, message })
            }
            None => res,
        }
    }

    fn guard_panics(&mut self, line: Option<usize>, f: impl FnOnce(&mut Self) -> StepResult) -> StepResult {
        if !self.opts.catch_panics {
            return f(self);
        }
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(r) => r,
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".into());
                Err(Failure { line, kind: FailureKind::Panic, message: format!("the model panicked: {msg}") })
            }
        }
    }

    fn m(&self) -> &T {
        self.machine.as_ref().expect("the machine exists once start succeeded")
    }

    fn start(&mut self, script: &Script, open: impl FnOnce(MachineConfig) -> Result<T, OpenError>) -> StepResult {
        let config = script.machine.as_ref().map(|m| m.config()).unwrap_or_default();
        let line = script.machine.as_ref().map(|m| m.line);
        if let Some(m) = &script.machine {
            self.report.lines.push(step_line(m.line, &m.body()));
        }
        match open(config) {
            Ok(m) => self.machine = Some(m),
            Err(OpenError::Refused(e)) => {
                return Err(Failure {
                    line,
                    kind: FailureKind::Machine,
                    message: format!("the model refuses this machine: {e} ({})", e.message()),
                });
            }
            Err(OpenError::Service(message)) => {
                self.report.lines.clear();
                return Err(Failure { line, kind: FailureKind::Service, message });
            }
        }
        if self.opts.check_invariants {
            let v = self.m().check_invariants();
            if !v.is_empty() {
                let list: Vec<String> = v.iter().map(ToString::to_string).collect();
                return Err(Failure {
                    line,
                    kind: FailureKind::Invariant,
                    message: format!("invariant violated on the new machine: {}", list.join("; ")),
                });
            }
        }
        Ok(())
    }

    fn lookup(&self, name: &str) -> Result<i128, String> {
        match self.env.get(name) {
            None => Err(format!("unknown name '{name}'")),
            Some(Binding { value: Some(v), .. }) => Ok(*v),
            Some(Binding { value: None, line, got }) => {
                Err(format!("name '{name}' has no value (line {line} returned {got})"))
            }
        }
    }

    fn eval(&self, e: &Expr, line: usize) -> Result<i128, Failure> {
        e.eval(|n| self.lookup(n)).map_err(|m| fail(line, FailureKind::Eval, m))
    }

    fn step(&mut self, stmt: &Stmt) -> StepResult {
        match &stmt.kind {
            StmtKind::Blank => Ok(()),
            StmtKind::Op { bind, op, result } => self.op_step(stmt, bind.as_deref(), op, result.as_ref()),
            StmtKind::Expect(e) => self.expect_step(stmt, e),
        }
    }

    fn op_step(&mut self, stmt: &Stmt, bind: Option<&str>, op: &OpExpr, expected: Option<&ResultSpec>) -> StepResult {
        let line = stmt.line;
        let text = stmt.body(false);
        let op = eval_op(op, &mut |n| self.lookup(n)).map_err(|e| {
            let msg = match e {
                EvalError::Range(what, v) => format!("{text}: {v} is out of range for {what}"),
                EvalError::Lookup(m) => format!("{text}: {m}"),
            };
            fail(line, FailureKind::Eval, msg)
        })?;
        let machine = self.machine.as_mut().expect("the machine exists once start succeeded");
        let res = machine.apply(&op);
        self.report.ops += 1;
        let got = result_text(&res);
        self.report.lines.push(step_line(line, &format!("{text} => {got}")));
        self.views();

        let fails = |want: String| fail(line, FailureKind::Result, format!("{text}: expected {want}, got {got}"));
        match (expected, &res) {
            (None, Ok(Outcome::Signal(_)) | Err(_)) => return Err(fails("success".into())),
            (Some(ResultSpec::Ok), Ok(Outcome::Signal(_)) | Err(_)) => return Err(fails("ok".into())),
            (None | Some(ResultSpec::Ok), Ok(_)) => {}
            (Some(ResultSpec::Errno(e)), r) => {
                if *r != Err(*e) {
                    return Err(fails(e.name().into()));
                }
            }
            (Some(ResultSpec::Signal(s)), r) => {
                if !matches!(r, Ok(Outcome::Signal(sig)) if s.matches(*sig)) {
                    return Err(fails(s.name().into()));
                }
            }
            (Some(ResultSpec::Statuses(items)), r) => {
                let want: Vec<i32> = items.iter().map(|i| i.value()).collect();
                if !matches!(r, Ok(Outcome::Statuses(v)) if *v == want) {
                    let spec = ResultSpec::Statuses(items.clone()).to_string();
                    let w = if items.iter().any(|i| matches!(i, StatusItem::Errno(_))) {
                        format!("{spec} = {}", statuses_text(&want))
                    } else {
                        spec
                    };
                    return Err(fails(w));
                }
            }
            (Some(ResultSpec::Step(s)), r) => {
                if *r != Ok(Outcome::Step(*s)) {
                    return Err(fails(super::print::step_text(*s)));
                }
            }
            (Some(ResultSpec::Value(e)), r) => {
                let want = self.eval(e, line)?;
                let actual = r.as_ref().ok().and_then(outcome_value);
                if actual != Some(want) {
                    let hex = matches!(op, Op::Mmap { .. } | Op::Mremap { .. } | Op::Read { .. } | Op::Pread { .. });
                    let w = if is_plain_literal(e) { e.to_string() } else { format!("{e} = {}", num_text(want, hex)) };
                    return Err(fails(w));
                }
            }
        }
        if let Some(name) = bind {
            let value = res.as_ref().ok().and_then(outcome_value);
            self.env.insert(name.to_string(), Binding { value, line, got: got.clone() });
        }
        if self.opts.check_invariants {
            let v = self.m().check_invariants();
            if !v.is_empty() {
                let list: Vec<String> = v.iter().map(ToString::to_string).collect();
                return Err(fail(
                    line,
                    FailureKind::Invariant,
                    format!("invariant violated after step {} ({text}): {}", self.report.ops, list.join("; ")),
                ));
            }
        }
        Ok(())
    }

    /// Appends the requested views.
    fn views(&mut self) {
        if self.opts.proc_views.is_empty() {
            return;
        }
        let m = self.m();
        let mut out: Vec<String> = Vec::new();
        let mut push = |title: String, body: Result<String, Errno>| {
            out.push(format!("{INDENT}--- {title}"));
            match body {
                Ok(text) => {
                    for l in text.lines() {
                        out.push(if l.is_empty() { String::new() } else { format!("{INDENT}{l}") });
                    }
                }
                Err(e) => out.push(format!("{INDENT}{e}")),
            }
        };
        let pids = m.pids();
        for v in &self.opts.proc_views {
            match v {
                ProcView::Maps => {
                    for &p in &pids {
                        push(format!("/proc/{p}/maps"), m.maps(p).map(|e| procfs::render_maps(&e)));
                    }
                }
                ProcView::Smaps => {
                    for &p in &pids {
                        push(format!("/proc/{p}/smaps"), m.smaps(p).map(|e| procfs::render_smaps(&e)));
                    }
                }
                ProcView::SmapsRollup => {
                    for &p in &pids {
                        push(
                            format!("/proc/{p}/smaps_rollup"),
                            m.smaps_rollup(p).map(|r| procfs::render_smaps_rollup(&r)),
                        );
                    }
                }
                ProcView::Status => {
                    for &p in &pids {
                        push(format!("/proc/{p}/status"), m.status(p).map(|s| procfs::render_status(&s)));
                    }
                }
                ProcView::Meminfo => push("/proc/meminfo".into(), Ok(procfs::render_meminfo(&m.meminfo()))),
                ProcView::NodeMeminfo => {
                    for nid in 0..m.nodes() {
                        push(
                            format!("/sys/devices/system/node/node{nid}/meminfo"),
                            m.node_meminfo(nid).map(|mi| procfs::render_node_meminfo(nid, &mi)),
                        );
                    }
                }
                ProcView::Vmstat => push("/proc/vmstat".into(), Ok(procfs::render_vmstat(&m.vmstat()))),
            }
        }
        self.report.lines.extend(out);
    }

    fn expect_step(&mut self, stmt: &Stmt, e: &Expect) -> StepResult {
        let line = stmt.line;
        let text = stmt.body(false);
        self.report.expects += 1;
        let efail = |msg: String| fail(line, FailureKind::Expect, format!("{text}: {msg}"));
        match e {
            Expect::VmFlags { pid, addr, has, flag } => {
                let pid = self.pid(pid, line)?;
                let addr = self.addr(addr, line)?;
                let entries = self.m().smaps(pid).map_err(|e| efail(format!("/proc/{pid}/smaps: {e}")))?;
                let entry = entries
                    .iter()
                    .find(|en| en.map.start <= addr && addr < en.map.end)
                    .ok_or_else(|| efail(format!("no VMA of pid {pid} contains {addr:#x}")))?;
                let actual = format!("VmFlags: {}", entry.vm_flags.join(" "));
                self.report.lines.push(step_line(line, &format!("{text} => {actual}")));
                if entry.vm_flags.iter().any(|f| f == flag) != *has {
                    return Err(efail(format!("got {actual}")));
                }
                Ok(())
            }
            Expect::Compare { query, cmp, value, kb } => {
                let (actual, hex) = self.query(query, line).map_err(efail)?;
                let unit = if *kb { " kB" } else { "" };
                let shown = format!("{}{unit}", num_text(actual.into(), hex));
                self.report.lines.push(step_line(line, &format!("{text} => {shown}")));
                let want = self.eval(value, line)?;
                if !cmp.holds(i128::from(actual), want) {
                    let extra = if is_plain_literal(value) {
                        String::new()
                    } else {
                        format!(" ({value} = {})", num_text(want, hex))
                    };
                    return Err(efail(format!("got {shown}{extra}")));
                }
                Ok(())
            }
        }
    }

    fn pid(&self, e: &Expr, line: usize) -> Result<Pid, Failure> {
        let v = self.eval(e, line)?;
        Pid::try_from(v).map_err(|_| fail(line, FailureKind::Eval, format!("{v} is out of range for a pid")))
    }

    fn addr(&self, e: &Expr, line: usize) -> Result<u64, Failure> {
        let v = self.eval(e, line)?;
        u64::try_from(v).map_err(|_| fail(line, FailureKind::Eval, format!("{v} is out of range for an address")))
    }

    /// The pagemap entry of the page containing `addr`.
    fn pagemap_entry(&self, pid: Pid, addr: u64) -> Result<PagemapEntry, String> {
        let page = addr & !(PAGE_SIZE - 1);
        let entries = self.m().pagemap(pid, page, 1).map_err(|e| format!("/proc/{pid}/pagemap: {e}"))?;
        entries.first().copied().ok_or_else(|| format!("/proc/{pid}/pagemap has no entry for {page:#x}"))
    }

    /// The pfn of the page mapped at `addr`, which must be present.
    fn present_pfn(&self, pid: Pid, addr: u64) -> Result<u64, String> {
        let e = self.pagemap_entry(pid, addr)?;
        if !e.present() {
            return Err(format!("no page is present at {addr:#x} (pagemap present=0)"));
        }
        Ok(e.pfn())
    }

    /// The measured value, and whether to show it in hex. Errors are messages for the expect line.
    fn query(&self, q: &Query, line: usize) -> Result<(u64, bool), String> {
        let m = self.m();
        let pid = |e: &Expr| self.pid(e, line).map_err(|f| f.message);
        let addr = |e: &Expr| self.addr(e, line).map_err(|f| f.message);
        let no_field = |view: &str, f: &str| format!("{view} has no line '{f}'");
        let vma_at = |pid: Pid, addr: u64| -> Result<crate::views::MapsEntry, String> {
            let maps = m.maps(pid).map_err(|e| format!("/proc/{pid}/maps: {e}"))?;
            maps.into_iter()
                .find(|v| v.start <= addr && addr < v.end)
                .ok_or_else(|| format!("no VMA of pid {pid} contains {addr:#x}"))
        };
        Ok(match q {
            Query::SmapsRollup { pid: p, field } => {
                let p = pid(p)?;
                let r = m.smaps_rollup(p).map_err(|e| format!("/proc/{p}/smaps_rollup: {e}"))?;
                (procfs::smaps_rollup_field(&r, field).ok_or_else(|| no_field("smaps_rollup", field))?, false)
            }
            Query::Smaps { pid: p, addr: a, field } => {
                let (p, a) = (pid(p)?, addr(a)?);
                let entries = m.smaps(p).map_err(|e| format!("/proc/{p}/smaps: {e}"))?;
                let entry = entries
                    .iter()
                    .find(|en| en.map.start <= a && a < en.map.end)
                    .ok_or_else(|| format!("no VMA of pid {p} contains {a:#x}"))?;
                (procfs::smaps_field(entry, field).ok_or_else(|| no_field("smaps", field))?, false)
            }
            Query::Status { pid: p, field } => {
                let p = pid(p)?;
                let s = m.status(p).map_err(|e| format!("/proc/{p}/status: {e}"))?;
                (procfs::status_field(&s, field).ok_or_else(|| no_field("status", field))?, false)
            }
            Query::MapsCount { pid: p } => {
                let p = pid(p)?;
                (m.maps(p).map_err(|e| format!("/proc/{p}/maps: {e}"))?.len() as u64, false)
            }
            Query::Vma { pid: p, addr: a, field } => {
                let v = vma_at(pid(p)?, addr(a)?)?;
                let x = match field {
                    VmaField::Start => v.start,
                    VmaField::End => v.end,
                    VmaField::Offset => v.offset,
                };
                (x, true)
            }
            Query::Meminfo { node, field } => {
                let mi = match node {
                    None => m.meminfo(),
                    Some(n) => {
                        let v = self.eval(n, line).map_err(|f| f.message)?;
                        let nid = u32::try_from(v).map_err(|_| format!("{v} is out of range for a node"))?;
                        m.node_meminfo(nid).map_err(|e| format!("node {nid} meminfo: {e}"))?
                    }
                };
                (procfs::meminfo_field(&mi, field).ok_or_else(|| no_field("meminfo", field))?, false)
            }
            Query::Vmstat { field } => {
                (m.vmstat().get(field).ok_or_else(|| format!("/proc/vmstat has no item '{field}'"))?, false)
            }
            Query::Pagemap { pid: p, addr: a, field } => {
                let e = self.pagemap_entry(pid(p)?, addr(a)?)?;
                let x = match field {
                    PagemapField::Present => e.present().into(),
                    PagemapField::Swap => e.swapped().into(),
                    PagemapField::File => e.file_shared().into(),
                    PagemapField::Exclusive => e.exclusive().into(),
                    PagemapField::Pfn => e.pfn(),
                    PagemapField::SwapOffset if e.swapped() => e.pfn() >> crate::proc::PAGEMAP_SWAP_TYPE_BITS,
                    PagemapField::SwapOffset => 0,
                };
                (x, false)
            }
            Query::Kpagecount { pid: p, addr: a } => {
                let pfn = self.present_pfn(pid(p)?, addr(a)?)?;
                (m.kpage(pfn).count, false)
            }
            Query::Kpageflags { pid: p, addr: a, flag } => {
                let pfn = self.present_pfn(pid(p)?, addr(a)?)?;
                let f = procfs::kpageflag_by_name(flag).ok_or_else(|| format!("unknown kpageflags flag '{flag}'"))?;
                (m.kpage(pfn).flags.contains(f).into(), false)
            }
            Query::Value { pid: p, addr: a } => {
                let (p, a) = (pid(p)?, addr(a)?);
                (m.peek(p, a).map_err(|e| format!("peek {p} {a:#x}: {e}"))?, true)
            }
            Query::Invariants => (m.check_invariants().len() as u64, false),
            Query::Task { task, field } => {
                let v = self.eval(task, line).map_err(|f| f.message)?;
                let id = u32::try_from(v).map_err(|_| format!("{v} is out of range for a task"))?;
                let t = m.tasks().into_iter().find(|t| t.id == id).ok_or_else(|| format!("no task {id}"))?;
                let x = match field {
                    TaskField::Latency => t.latency,
                    TaskField::Waited => t.waited,
                    TaskField::Done => t.done.into(),
                    TaskField::Errno => t.errno.unsigned_abs().into(),
                };
                (x, false)
            }
            Query::Tasks { field } => {
                (m.task_stats().field(field).ok_or_else(|| format!("the tasks view has no field '{field}'"))?, false)
            }
        })
    }
}
