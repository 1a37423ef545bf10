//! The oracles: what a fuzz target checks.
//!
//! - [`Checked`] applies operations to one machine and runs the invariant checker after each
//!   (the "safety phase" of TigerBeetle's VOPR).
//! - [`check_teardown`] empties the machine (every mapping unmapped, every process exited, every
//!   file truncated and forgotten) and checks that each process's smaps_rollup and status went
//!   to zero before it exited, and that every counter and frame is back to zero/free.
//! - [`Observation`] is everything /proc shows of a machine plus a digest of its whole state,
//!   for comparing two machines.

use std::fmt;

use mmlab_model::*;

use crate::input::{Apply, TASK_SIZE};

/// What kind of failure a target found.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The invariant checker reported violations after an operation (first invariant's name).
    Invariant(String),
    /// Something was not back to zero at teardown (what).
    Teardown(String),
    /// Two machines or two representations that must agree did not (what).
    Mismatch(String),
    /// The model panicked (the panic message), seen only where panics are caught.
    Panic(String),
}

/// The first failure of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// Index of the operation after which it showed (None: at teardown or before any op).
    pub op_index: Option<usize>,
    /// Details for a human.
    pub detail: String,
}

impl Failure {
    /// Whether another failure is "the same" for minimization: same kind, same key.
    pub fn same_as(&self, other: &Failure) -> bool {
        self.kind == other.kind
    }
}

impl Failure {
    /// One line without the details: what broke and where.
    pub fn summary(&self) -> String {
        let at = self.op_index.map_or(String::new(), |i| format!(" after op #{i}"));
        match &self.kind {
            FailureKind::Invariant(n) => format!("invariant {n} broken{at}"),
            FailureKind::Teardown(n) => format!("teardown: {n} not back to zero"),
            FailureKind::Mismatch(n) => format!("mismatch in {n}{at}"),
            FailureKind::Panic(m) => format!("the model panicked{at}: {m}"),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// Applies operations to one machine, keeps the journal, and (when `check` is on) runs the
/// invariant checker after each operation, stopping at the first violation.
pub struct Checked {
    pub machine: Machine,
    pub ops: Vec<Op>,
    pub results: Vec<OpResult>,
    pub check: bool,
    pub failure: Option<Failure>,
}

impl Checked {
    pub fn new(machine: Machine, check: bool) -> Checked {
        Checked { machine, ops: Vec::new(), results: Vec::new(), check, failure: None }
    }
}

impl Apply for Checked {
    fn machine(&self) -> &Machine {
        &self.machine
    }

    fn apply(&mut self, op: Op) -> Result<OpResult, ()> {
        let r = self.machine.apply(&op);
        self.ops.push(op);
        self.results.push(r.clone());
        if self.check
            && let Some(f) = invariant_failure(&self.machine, Some(self.ops.len() - 1))
        {
            self.failure = Some(f);
            return Err(());
        }
        Ok(r)
    }
}

/// The invariant violations of a machine as a failure, if any.
pub fn invariant_failure(m: &Machine, op_index: Option<usize>) -> Option<Failure> {
    let v = m.check_invariants();
    let first = v.first()?;
    let detail: Vec<String> = v.iter().map(|v| v.to_string()).collect();
    Some(Failure { kind: FailureKind::Invariant(first.invariant.clone()), op_index, detail: detail.join("; ") })
}

fn teardown_failure(what: &str, detail: String) -> Failure {
    Failure { kind: FailureKind::Teardown(what.to_string()), op_index: None, detail }
}

/// Checks that a process with no mapping left reports zero everywhere in smaps_rollup and the
/// memory lines of status. VmLck is left out: MREMAP_DONTUNMAP of a locked VMA leaks
/// `locked_vm` in Linux (the model keeps the leak), so it may stay above zero.
fn check_empty_process(m: &Machine, pid: Pid) -> Result<(), Failure> {
    let rollup = m.smaps_rollup(pid).map_err(|e| teardown_failure("smaps_rollup", format!("pid {pid}: {e:?}")))?;
    if rollup.mss != MemSizeStats::default() {
        return Err(teardown_failure("smaps_rollup", format!("pid {pid} with no VMA: {:?}", rollup.mss)));
    }
    let s = m.status(pid).map_err(|e| teardown_failure("status", format!("pid {pid}: {e:?}")))?;
    let fields = [
        ("VmSize", s.vm_size),
        ("VmPin", s.vm_pin),
        ("VmRSS", s.vm_rss),
        ("RssAnon", s.rss_anon),
        ("RssFile", s.rss_file),
        ("RssShmem", s.rss_shmem),
        ("VmSwap", s.vm_swap),
        ("VmPTE", s.vm_pte),
    ];
    match fields.iter().find(|(_, v)| *v != 0) {
        Some((name, v)) => Err(teardown_failure(&format!("status {name}"), format!("pid {pid} with no VMA: {v} kB"))),
        None => Ok(()),
    }
}

/// Unmaps everything of every process (checking each process reads zero), then exits them all
/// and forgets every file; every counter and frame must then be back to zero/free.
pub fn check_teardown(m: &mut Machine) -> Result<(), Failure> {
    for pid in m.pids() {
        if let Err(e) = m.apply(&Op::Munmap { pid, addr: 0, len: TASK_SIZE }) {
            return Err(teardown_failure("munmap", format!("munmap of everything in pid {pid}: {e:?}")));
        }
        check_empty_process(m, pid)?;
    }
    m.teardown();
    if let Some(mut f) = invariant_failure(m, None) {
        f.kind = FailureKind::Teardown(format!("invariants ({})", invariant_name(&f.kind)));
        return Err(f);
    }
    let mi = m.meminfo();
    let meminfo = [("AnonPages", mi.anon_pages), ("Shmem", mi.shmem), ("Mapped", mi.mapped), ("Mlocked", mi.mlocked)];
    if let Some((name, v)) = meminfo.iter().find(|(_, v)| *v != 0) {
        return Err(teardown_failure(&format!("meminfo {name}"), format!("{v} kB")));
    }
    if mi.mem_free != mi.mem_total {
        return Err(teardown_failure("meminfo MemFree", format!("{} kB of {} kB", mi.mem_free, mi.mem_total)));
    }
    let vmstat = m.vmstat();
    match vmstat.items.iter().find(|(n, v)| n.starts_with("nr_") && n != "nr_free_pages" && *v != 0) {
        Some((name, v)) => Err(teardown_failure(&format!("vmstat {name}"), v.to_string())),
        None => Ok(()),
    }
}

fn invariant_name(k: &FailureKind) -> &str {
    match k {
        FailureKind::Invariant(n) | FailureKind::Teardown(n) | FailureKind::Mismatch(n) | FailureKind::Panic(n) => n,
    }
}

/// Everything /proc shows of a machine, and a digest of its whole internal state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub procs: Vec<ProcObservation>,
    pub meminfo: Meminfo,
    pub node_meminfo: Vec<Meminfo>,
    pub vmstat: Vmstat,
    /// FNV-1a of the machine's `Debug` form (every field of every structure).
    pub digest: u64,
}

/// The /proc files of one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcObservation {
    pub pid: Pid,
    pub maps: Vec<MapsEntry>,
    pub smaps: Vec<SmapsEntry>,
    pub rollup: SmapsRollup,
    pub status: Status,
}

/// FNV-1a, 64 bit.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A digest of the machine's whole state.
pub fn digest(m: &Machine) -> u64 {
    fnv1a(format!("{m:?}").as_bytes())
}

/// Observes every view of every process and of the machine.
pub fn observe(m: &Machine) -> Observation {
    let procs = m
        .pids()
        .into_iter()
        .map(|pid| ProcObservation {
            pid,
            maps: m.maps(pid).unwrap_or_default(),
            smaps: m.smaps(pid).unwrap_or_default(),
            rollup: m.smaps_rollup(pid).unwrap_or_default(),
            status: m.status(pid).unwrap_or_default(),
        })
        .collect();
    let node_meminfo = (0..m.config().nodes).map(|n| m.node_meminfo(n).unwrap_or_default()).collect();
    Observation { procs, meminfo: m.meminfo(), node_meminfo, vmstat: m.vmstat(), digest: digest(m) }
}

/// Compares two observations; the first difference as a mismatch failure.
pub fn compare(what: &str, a: &Observation, b: &Observation, op_index: Option<usize>) -> Result<(), Failure> {
    let field = if a.procs.iter().map(|p| p.pid).ne(b.procs.iter().map(|p| p.pid)) {
        "pids"
    } else if let Some((x, _)) = a.procs.iter().zip(&b.procs).find(|(x, y)| x != y) {
        return Err(Failure {
            kind: FailureKind::Mismatch(format!("{what}: /proc/{}", x.pid)),
            op_index,
            detail: format!("{x:?}\n  vs\n{:?}", b.procs.iter().find(|p| p.pid == x.pid)),
        });
    } else if a.meminfo != b.meminfo || a.node_meminfo != b.node_meminfo {
        "meminfo"
    } else if a.vmstat != b.vmstat {
        "vmstat"
    } else if a.digest != b.digest {
        "state digest"
    } else {
        return Ok(());
    };
    Err(Failure { kind: FailureKind::Mismatch(format!("{what}: {field}")), op_index, detail: String::new() })
}
