//! The one place that translates between the `mmlab.v1` protocol and the model's types: machine
//! configuration, operations, outcomes, errnos and /proc views.
//!
//! Inbound conversions (`*_from_proto`) check everything the protocol cannot express (an unset
//! oneof, an enum number that does not exist) and return an [`Invalid`] naming the field; flag
//! words pass through as raw bits so the model answers unknown bits with Linux's errno. Outbound
//! conversions (`*_to_proto`) are total. The round-trip tests at the bottom cover every `Op`
//! variant, every `Outcome` variant and every `Errno`.

use mmlab_api::v1 as pb;
use mmlab_model::task::{Blocked, StepState, SwapinPolicy, TaskInfo, TaskKind, TaskStats};
use mmlab_model::{
    Access, Advice, Errno, FallocMode, Kpage, KpageFlags, MachineConfig, MapFlags, MapsEntry, MclFlags, MemSizeStats,
    MemfdFlags, Meminfo, MlockFlags, MpolFlags, MremapFlags, Op, OpResult, OpenFlags, Outcome, PagemapEntry, Prot,
    Signal, SmapsEntry, SmapsRollup, Status, ThpMode, Violation, Vmstat,
};
use pb::op::Kind;

/// A malformed message: the path of the offending field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Field path, e.g. `ops[3].touch.access`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid { field: field.into(), message: message.into() }
    }

    /// The same error, its field path prefixed with `outer` (`ops[3]` + `touch.access`).
    pub fn within(self, outer: &str) -> Invalid {
        let field = if self.field.is_empty() { outer.to_string() } else { format!("{outer}.{}", self.field) };
        Invalid { field, message: self.message }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl From<Invalid> for tonic::Status {
    fn from(e: Invalid) -> tonic::Status {
        tonic::Status::invalid_argument(e.to_string())
    }
}

// ---- machine configuration ----

fn thp_from_proto(v: i32) -> Result<ThpMode, Invalid> {
    match pb::ThpMode::try_from(v) {
        Ok(pb::ThpMode::Never) => Ok(ThpMode::Never),
        Ok(pb::ThpMode::Madvise) => Ok(ThpMode::Madvise),
        Ok(pb::ThpMode::Always) => Ok(ThpMode::Always),
        Err(_) => Err(Invalid::new("thp", format!("unknown THP mode {v}"))),
    }
}

fn thp_to_proto(t: ThpMode) -> pb::ThpMode {
    match t {
        ThpMode::Never => pb::ThpMode::Never,
        ThpMode::Madvise => pb::ThpMode::Madvise,
        ThpMode::Always => pb::ThpMode::Always,
    }
}

/// A configuration from the protocol; omitted fields take the model's defaults. The model's own
/// `validate` still judges the values.
pub fn config_from_proto(c: Option<&pb::MachineConfig>) -> Result<MachineConfig, Invalid> {
    let mut m = MachineConfig::default();
    let Some(c) = c else { return Ok(m) };
    m.nodes = c.nodes.unwrap_or(m.nodes);
    m.node_bytes = c.node_bytes.unwrap_or(m.node_bytes);
    m.swap_bytes = c.swap_bytes.unwrap_or(m.swap_bytes);
    m.memlock_bytes = c.memlock_bytes.unwrap_or(m.memlock_bytes);
    if let Some(t) = c.thp {
        m.thp = thp_from_proto(t).map_err(|e| e.within("config"))?;
    }
    m.quirks = c.quirks.clone();
    m.max_ptes_none = c.max_ptes_none.unwrap_or(m.max_ptes_none);
    m.max_ptes_swap = c.max_ptes_swap.unwrap_or(m.max_ptes_swap);
    m.max_ptes_shared = c.max_ptes_shared.unwrap_or(m.max_ptes_shared);
    m.promotion_threshold = c.promotion_threshold;
    m.read_ahead_kb = c.read_ahead_kb.unwrap_or(m.read_ahead_kb);
    if let Some(p) = c.swapin_policy {
        m.swapin_policy = match pb::SwapinPolicy::try_from(p) {
            Ok(pb::SwapinPolicy::Retry) => SwapinPolicy::Retry,
            Ok(pb::SwapinPolicy::Wait) => SwapinPolicy::Wait,
            Err(_) => return Err(Invalid::new("config.swapin_policy", format!("unknown swap-in policy {p}"))),
        };
    }
    Ok(m)
}

/// A configuration with every field filled in.
pub fn config_to_proto(c: &MachineConfig) -> pb::MachineConfig {
    pb::MachineConfig {
        nodes: Some(c.nodes),
        node_bytes: Some(c.node_bytes),
        swap_bytes: Some(c.swap_bytes),
        memlock_bytes: Some(c.memlock_bytes),
        thp: Some(thp_to_proto(c.thp) as i32),
        quirks: c.quirks.clone(),
        max_ptes_none: Some(c.max_ptes_none),
        max_ptes_swap: Some(c.max_ptes_swap),
        max_ptes_shared: Some(c.max_ptes_shared),
        promotion_threshold: c.promotion_threshold,
        read_ahead_kb: Some(c.read_ahead_kb),
        swapin_policy: Some(match c.swapin_policy {
            SwapinPolicy::Retry => pb::SwapinPolicy::Retry as i32,
            SwapinPolicy::Wait => pb::SwapinPolicy::Wait as i32,
        }),
    }
}

// ---- operations ----

fn access_from_proto(v: i32) -> Result<Access, Invalid> {
    match pb::Access::try_from(v) {
        Ok(pb::Access::Read) => Ok(Access::Read),
        Ok(pb::Access::Write) => Ok(Access::Write),
        Err(_) => Err(Invalid::new("access", format!("unknown access {v} (0 = read, 1 = write)"))),
    }
}

fn access_to_proto(a: Access) -> i32 {
    match a {
        Access::Read => pb::Access::Read as i32,
        Access::Write => pb::Access::Write as i32,
    }
}

/// The model operation a protocol operation stands for.
pub fn op_from_proto(op: &pb::Op) -> Result<Op, Invalid> {
    let kind = op.kind.as_ref().ok_or_else(|| Invalid::new("", "operation kind not set (empty Op message)"))?;
    Ok(match kind {
        Kind::Spawn(_) => Op::Spawn,
        Kind::Fork(o) => Op::Fork { pid: o.pid },
        Kind::Exit(o) => Op::Exit { pid: o.pid },
        Kind::Mmap(o) => Op::Mmap {
            pid: o.pid,
            addr: o.addr,
            len: o.len,
            prot: Prot::from_bits_retain(o.prot),
            flags: MapFlags::from_bits_retain(o.flags),
            fd: o.fd,
            offset: o.offset,
        },
        Kind::Munmap(o) => Op::Munmap { pid: o.pid, addr: o.addr, len: o.len },
        Kind::Mprotect(o) => {
            Op::Mprotect { pid: o.pid, addr: o.addr, len: o.len, prot: Prot::from_bits_retain(o.prot) }
        }
        Kind::Mremap(o) => Op::Mremap {
            pid: o.pid,
            old_addr: o.old_addr,
            old_len: o.old_len,
            new_len: o.new_len,
            flags: MremapFlags::from_bits_retain(o.flags),
            new_addr: o.new_addr,
        },
        Kind::Madvise(o) => Op::Madvise { pid: o.pid, addr: o.addr, len: o.len, advice: Advice(o.advice) },
        Kind::Read(o) => Op::Read { pid: o.pid, addr: o.addr },
        Kind::Write(o) => Op::Write { pid: o.pid, addr: o.addr, value: o.value },
        Kind::Touch(o) => Op::Touch {
            pid: o.pid,
            addr: o.addr,
            len: o.len,
            access: access_from_proto(o.access).map_err(|e| e.within("touch"))?,
        },
        Kind::MemfdCreate(o) => {
            Op::MemfdCreate { pid: o.pid, name: o.name.clone(), flags: MemfdFlags::from_bits_retain(o.flags) }
        }
        Kind::Open(o) => Op::Open { pid: o.pid, path: o.path.clone(), flags: OpenFlags::from_bits_retain(o.flags) },
        Kind::Pwrite(o) => Op::Pwrite { pid: o.pid, fd: o.fd, offset: o.offset, value: o.value },
        Kind::Pread(o) => Op::Pread { pid: o.pid, fd: o.fd, offset: o.offset },
        Kind::Ftruncate(o) => Op::Ftruncate { pid: o.pid, fd: o.fd, len: o.len },
        Kind::Fallocate(o) => Op::Fallocate {
            pid: o.pid,
            fd: o.fd,
            mode: FallocMode::from_bits_retain(o.mode),
            offset: o.offset,
            len: o.len,
        },
        Kind::Close(o) => Op::Close { pid: o.pid, fd: o.fd },
        Kind::Mlock(o) => Op::Mlock { pid: o.pid, addr: o.addr, len: o.len },
        Kind::Mlock2(o) => {
            Op::Mlock2 { pid: o.pid, addr: o.addr, len: o.len, flags: MlockFlags::from_bits_retain(o.flags) }
        }
        Kind::Munlock(o) => Op::Munlock { pid: o.pid, addr: o.addr, len: o.len },
        Kind::Mlockall(o) => Op::Mlockall { pid: o.pid, flags: MclFlags::from_bits_retain(o.flags) },
        Kind::Munlockall(o) => Op::Munlockall { pid: o.pid },
        Kind::SetMemlockLimit(o) => Op::SetMemlockLimit { pid: o.pid, bytes: o.bytes },
        Kind::SetCapIpcLock(o) => Op::SetCapIpcLock { pid: o.pid, on: o.on },
        Kind::MovePages(o) => Op::MovePages {
            pid: o.pid,
            addrs: o.addrs.clone(),
            nodes: o.nodes.clone(),
            flags: MpolFlags::from_bits_retain(o.flags),
        },
        Kind::Reclaim(o) => Op::Reclaim { nid: o.nid, pages: o.pages },
        Kind::Khugepaged(_) => Op::Khugepaged,
        Kind::TaskStart(o) => {
            use pb::op::task_start::Kind as T;
            let task = match o.kind.as_ref().ok_or_else(|| Invalid::new("task_start.kind", "not set"))? {
                T::Fault(f) => TaskKind::Fault {
                    pid: f.pid,
                    addr: f.addr,
                    access: access_from_proto(f.access).map_err(|e| e.within("task_start.fault"))?,
                },
                T::Writer(w) => {
                    TaskKind::Writer(Box::new(op_from_proto(w).map_err(|e| e.within("task_start.writer"))?))
                }
                T::Reclaim(r) => TaskKind::Reclaim { pid: r.pid, addr: r.addr },
                T::Migrate(r) => TaskKind::Migrate { pid: r.pid, addr: r.addr, node: r.node },
            };
            Op::TaskStart { task }
        }
        Kind::TaskStep(o) => Op::TaskStep { task: o.task },
        Kind::IoComplete(o) => Op::IoComplete { task: o.task },
        Kind::RunUntilIdle(_) => Op::RunUntilIdle,
    })
}

/// Every operation of a batch, or the first malformed one (named `ops[i]`).
pub fn ops_from_proto(ops: &[pb::Op]) -> Result<Vec<Op>, Invalid> {
    ops.iter().enumerate().map(|(i, op)| op_from_proto(op).map_err(|e| e.within(&format!("ops[{i}]")))).collect()
}

/// The protocol form of a model operation.
pub fn op_to_proto(op: &Op) -> pb::Op {
    use pb::op as o;
    let kind = match op.clone() {
        Op::Spawn => Kind::Spawn(o::Spawn {}),
        Op::Fork { pid } => Kind::Fork(o::Fork { pid }),
        Op::Exit { pid } => Kind::Exit(o::Exit { pid }),
        Op::Mmap { pid, addr, len, prot, flags, fd, offset } => {
            Kind::Mmap(o::Mmap { pid, addr, len, prot: prot.bits(), flags: flags.bits(), fd, offset })
        }
        Op::Munmap { pid, addr, len } => Kind::Munmap(o::Munmap { pid, addr, len }),
        Op::Mprotect { pid, addr, len, prot } => Kind::Mprotect(o::Mprotect { pid, addr, len, prot: prot.bits() }),
        Op::Mremap { pid, old_addr, old_len, new_len, flags, new_addr } => {
            Kind::Mremap(o::Mremap { pid, old_addr, old_len, new_len, flags: flags.bits(), new_addr })
        }
        Op::Madvise { pid, addr, len, advice } => Kind::Madvise(o::Madvise { pid, addr, len, advice: advice.0 }),
        Op::Read { pid, addr } => Kind::Read(o::Read { pid, addr }),
        Op::Write { pid, addr, value } => Kind::Write(o::Write { pid, addr, value }),
        Op::Touch { pid, addr, len, access } => {
            Kind::Touch(o::Touch { pid, addr, len, access: access_to_proto(access) })
        }
        Op::MemfdCreate { pid, name, flags } => Kind::MemfdCreate(o::MemfdCreate { pid, name, flags: flags.bits() }),
        Op::Open { pid, path, flags } => Kind::Open(o::Open { pid, path, flags: flags.bits() }),
        Op::Pwrite { pid, fd, offset, value } => Kind::Pwrite(o::Pwrite { pid, fd, offset, value }),
        Op::Pread { pid, fd, offset } => Kind::Pread(o::Pread { pid, fd, offset }),
        Op::Ftruncate { pid, fd, len } => Kind::Ftruncate(o::Ftruncate { pid, fd, len }),
        Op::Fallocate { pid, fd, mode, offset, len } => {
            Kind::Fallocate(o::Fallocate { pid, fd, mode: mode.bits(), offset, len })
        }
        Op::Close { pid, fd } => Kind::Close(o::Close { pid, fd }),
        Op::Mlock { pid, addr, len } => Kind::Mlock(o::Mlock { pid, addr, len }),
        Op::Mlock2 { pid, addr, len, flags } => Kind::Mlock2(o::Mlock2 { pid, addr, len, flags: flags.bits() }),
        Op::Munlock { pid, addr, len } => Kind::Munlock(o::Munlock { pid, addr, len }),
        Op::Mlockall { pid, flags } => Kind::Mlockall(o::Mlockall { pid, flags: flags.bits() }),
        Op::Munlockall { pid } => Kind::Munlockall(o::Munlockall { pid }),
        Op::SetMemlockLimit { pid, bytes } => Kind::SetMemlockLimit(o::SetMemlockLimit { pid, bytes }),
        Op::SetCapIpcLock { pid, on } => Kind::SetCapIpcLock(o::SetCapIpcLock { pid, on }),
        Op::MovePages { pid, addrs, nodes, flags } => {
            Kind::MovePages(o::MovePages { pid, addrs, nodes, flags: flags.bits() })
        }
        Op::Reclaim { nid, pages } => Kind::Reclaim(o::Reclaim { nid, pages }),
        Op::Khugepaged => Kind::Khugepaged(o::Khugepaged {}),
        Op::TaskStart { task } => {
            use o::task_start::Kind as T;
            let kind = match task {
                TaskKind::Fault { pid, addr, access } => {
                    T::Fault(o::TaskFault { pid, addr, access: access_to_proto(access) })
                }
                TaskKind::Writer(op) => T::Writer(Box::new(op_to_proto(&op))),
                TaskKind::Reclaim { pid, addr } => T::Reclaim(o::TaskReclaim { pid, addr }),
                TaskKind::Migrate { pid, addr, node } => T::Migrate(o::TaskMigrate { pid, addr, node }),
            };
            Kind::TaskStart(Box::new(o::TaskStart { kind: Some(kind) }))
        }
        Op::TaskStep { task } => Kind::TaskStep(o::TaskStep { task }),
        Op::IoComplete { task } => Kind::IoComplete(o::IoComplete { task }),
        Op::RunUntilIdle => Kind::RunUntilIdle(o::RunUntilIdle {}),
    };
    pb::Op { kind: Some(kind) }
}

// ---- results ----

/// The protocol errno of a model errno (the enum's values are the Linux numbers).
pub fn errno_to_proto(e: Errno) -> pb::Errno {
    pb::Errno::try_from(e.number()).unwrap_or(pb::Errno::Unspecified)
}

/// The model errno of a protocol errno number.
pub fn errno_from_proto(v: i32) -> Result<Errno, Invalid> {
    Errno::from_number(v).ok_or_else(|| Invalid::new("errno", format!("unknown errno {v}")))
}

fn signal_to_proto(s: Signal) -> pb::Signal {
    match s {
        Signal::SegvMaperr => pb::Signal::SegvMaperr,
        Signal::SegvAccerr => pb::Signal::SegvAccerr,
        Signal::Bus => pb::Signal::Bus,
        Signal::Kill => pb::Signal::Kill,
    }
}

fn signal_from_proto(v: i32) -> Result<Signal, Invalid> {
    match pb::Signal::try_from(v) {
        Ok(pb::Signal::SegvMaperr) => Ok(Signal::SegvMaperr),
        Ok(pb::Signal::SegvAccerr) => Ok(Signal::SegvAccerr),
        Ok(pb::Signal::Bus) => Ok(Signal::Bus),
        Ok(pb::Signal::Kill) => Ok(Signal::Kill),
        Err(_) => Err(Invalid::new("signal", format!("unknown signal {v}"))),
    }
}

/// The protocol form of an outcome.
pub fn outcome_to_proto(o: &Outcome) -> pb::Outcome {
    use pb::outcome::Kind as K;
    let kind = match o {
        Outcome::Done => K::Done(pb::Done {}),
        Outcome::Pid(p) => K::Pid(*p),
        Outcome::Addr(a) => K::Addr(*a),
        Outcome::Fd(f) => K::Fd(*f),
        Outcome::Value(v) => K::Value(*v),
        Outcome::Signal(s) => K::Signal(signal_to_proto(*s) as i32),
        Outcome::Statuses(s) => K::Statuses(pb::Statuses { status: s.clone() }),
        Outcome::Count(c) => K::Count(*c),
        Outcome::Task(t) => K::Task(*t),
        Outcome::Step(s) => K::Step(step_to_proto(*s)),
    };
    pb::Outcome { kind: Some(kind) }
}

/// The model outcome of a protocol outcome (clients and tests read results back with it).
pub fn outcome_from_proto(o: &pb::Outcome) -> Result<Outcome, Invalid> {
    use pb::outcome::Kind as K;
    Ok(match o.kind.as_ref().ok_or_else(|| Invalid::new("outcome", "kind not set"))? {
        K::Done(_) => Outcome::Done,
        K::Pid(p) => Outcome::Pid(*p),
        K::Addr(a) => Outcome::Addr(*a),
        K::Fd(f) => Outcome::Fd(*f),
        K::Value(v) => Outcome::Value(*v),
        K::Signal(s) => Outcome::Signal(signal_from_proto(*s)?),
        K::Statuses(s) => Outcome::Statuses(s.status.clone()),
        K::Count(c) => Outcome::Count(*c),
        K::Task(t) => Outcome::Task(*t),
        K::Step(s) => Outcome::Step(step_from_proto(s)?),
    })
}

fn step_to_proto(s: StepState) -> pb::StepState {
    use pb::step_state::State;
    let (state, waits) = match s {
        StepState::Ran => (State::Ran, String::new()),
        StepState::Waits(b) => (State::Waits, b.name().to_string()),
        StepState::Done => (State::Done, String::new()),
    };
    pb::StepState { state: state as i32, waits }
}

fn step_from_proto(s: &pb::StepState) -> Result<StepState, Invalid> {
    use pb::step_state::State;
    Ok(match State::try_from(s.state) {
        Ok(State::Ran) => StepState::Ran,
        Ok(State::Done) => StepState::Done,
        Ok(State::Waits) => StepState::Waits(
            Blocked::from_name(&s.waits)
                .ok_or_else(|| Invalid::new("step.waits", format!("unknown wait '{}'", s.waits)))?,
        ),
        Err(_) => return Err(Invalid::new("step.state", format!("unknown step state {}", s.state))),
    })
}

/// The protocol form of the tasks view.
pub fn tasks_to_proto(tasks: &[TaskInfo], s: &TaskStats) -> pb::Tasks {
    let task = |t: &TaskInfo| pb::tasks::Task {
        id: t.id,
        kind: t.kind.clone(),
        done: t.done,
        waits: t.waits.map(|b| b.name().to_string()).unwrap_or_default(),
        latency: t.latency,
        waited: t.waited,
        errno: t.errno,
    };
    pb::Tasks {
        tasks: tasks.iter().map(task).collect(),
        started: s.started,
        completed: s.completed,
        steps: s.steps,
        faults_completed: s.faults_completed,
        fault_latency_total: s.fault_latency_total,
        fault_latency_max: s.fault_latency_max,
        writers_completed: s.writers_completed,
        writer_wait_total: s.writer_wait_total,
        writer_wait_max: s.writer_wait_max,
        faults_blocked_behind_writer: s.faults_blocked_behind_writer,
        munlock_rmap_steps: s.munlock_rmap_steps,
        mlock_count_updates: s.mlock_count_updates,
    }
}

/// The model form of the tasks view (an unknown wait name reads as none).
pub fn tasks_from_proto(p: &pb::Tasks) -> (Vec<TaskInfo>, TaskStats) {
    let task = |t: &pb::tasks::Task| TaskInfo {
        id: t.id,
        kind: t.kind.clone(),
        done: t.done,
        waits: Blocked::from_name(&t.waits),
        latency: t.latency,
        waited: t.waited,
        errno: t.errno,
    };
    let stats = TaskStats {
        started: p.started,
        completed: p.completed,
        steps: p.steps,
        faults_completed: p.faults_completed,
        fault_latency_total: p.fault_latency_total,
        fault_latency_max: p.fault_latency_max,
        writers_completed: p.writers_completed,
        writer_wait_total: p.writer_wait_total,
        writer_wait_max: p.writer_wait_max,
        faults_blocked_behind_writer: p.faults_blocked_behind_writer,
        munlock_rmap_steps: p.munlock_rmap_steps,
        mlock_count_updates: p.mlock_count_updates,
    };
    (p.tasks.iter().map(task).collect(), stats)
}

/// The protocol form of one operation's result.
pub fn result_to_proto(r: &OpResult) -> pb::OpResult {
    use pb::op_result::Result as R;
    let result = match r {
        Ok(o) => R::Ok(outcome_to_proto(o)),
        Err(e) => R::Errno(errno_to_proto(*e) as i32),
    };
    pb::OpResult { result: Some(result) }
}

/// The model result of a protocol result.
pub fn result_from_proto(r: &pb::OpResult) -> Result<OpResult, Invalid> {
    use pb::op_result::Result as R;
    match r.result.as_ref().ok_or_else(|| Invalid::new("result", "not set"))? {
        R::Ok(o) => Ok(Ok(outcome_from_proto(o)?)),
        R::Errno(e) => Ok(Err(errno_from_proto(*e)?)),
    }
}

// ---- views ----

/// /proc/PID/maps entry.
pub fn maps_entry_to_proto(m: &MapsEntry) -> pb::MapsEntry {
    pb::MapsEntry {
        start: m.start,
        end: m.end,
        prot: m.prot.bits(),
        shared: m.shared,
        offset: m.offset,
        dev_major: m.dev_major,
        dev_minor: m.dev_minor,
        inode: m.inode,
        name: m.name.clone(),
    }
}

/// The counters of `struct mem_size_stats`.
pub fn mss_to_proto(s: &MemSizeStats) -> pb::MemSizeStats {
    pb::MemSizeStats {
        resident: s.resident,
        shared_clean: s.shared_clean,
        shared_dirty: s.shared_dirty,
        private_clean: s.private_clean,
        private_dirty: s.private_dirty,
        referenced: s.referenced,
        anonymous: s.anonymous,
        lazyfree: s.lazyfree,
        anonymous_thp: s.anonymous_thp,
        shmem_thp: s.shmem_thp,
        file_thp: s.file_thp,
        swap: s.swap,
        shared_hugetlb: s.shared_hugetlb,
        private_hugetlb: s.private_hugetlb,
        ksm: s.ksm,
        pss: s.pss,
        pss_anon: s.pss_anon,
        pss_file: s.pss_file,
        pss_shmem: s.pss_shmem,
        pss_dirty: s.pss_dirty,
        pss_locked: s.pss_locked,
        swap_pss: s.swap_pss,
    }
}

/// One /proc/PID/smaps entry.
pub fn smaps_entry_to_proto(e: &SmapsEntry) -> pb::SmapsEntry {
    pb::SmapsEntry {
        map: Some(maps_entry_to_proto(&e.map)),
        size: e.size,
        mss: Some(mss_to_proto(&e.mss)),
        thp_eligible: e.thp_eligible,
        vm_flags: e.vm_flags.clone(),
    }
}

/// /proc/PID/smaps_rollup.
pub fn rollup_to_proto(r: &SmapsRollup) -> pb::SmapsRollup {
    pb::SmapsRollup { start: r.start, end: r.end, mss: Some(mss_to_proto(&r.mss)) }
}

/// /proc/PID/status.
pub fn status_to_proto(s: &Status) -> pb::ProcStatus {
    pb::ProcStatus {
        name: s.name.clone(),
        pid: s.pid,
        ppid: s.ppid,
        vm_peak: s.vm_peak,
        vm_size: s.vm_size,
        vm_lck: s.vm_lck,
        vm_pin: s.vm_pin,
        vm_hwm: s.vm_hwm,
        vm_rss: s.vm_rss,
        rss_anon: s.rss_anon,
        rss_file: s.rss_file,
        rss_shmem: s.rss_shmem,
        vm_data: s.vm_data,
        vm_stk: s.vm_stk,
        vm_exe: s.vm_exe,
        vm_lib: s.vm_lib,
        vm_pte: s.vm_pte,
        vm_swap: s.vm_swap,
        hugetlb_pages: s.hugetlb_pages,
    }
}

/// /proc/meminfo or a node's meminfo.
pub fn meminfo_to_proto(m: &Meminfo) -> pb::Meminfo {
    pb::Meminfo {
        mem_total: m.mem_total,
        mem_free: m.mem_free,
        mem_available: m.mem_available,
        buffers: m.buffers,
        cached: m.cached,
        swap_cached: m.swap_cached,
        active: m.active,
        inactive: m.inactive,
        active_anon: m.active_anon,
        inactive_anon: m.inactive_anon,
        active_file: m.active_file,
        inactive_file: m.inactive_file,
        unevictable: m.unevictable,
        mlocked: m.mlocked,
        swap_total: m.swap_total,
        swap_free: m.swap_free,
        dirty: m.dirty,
        writeback: m.writeback,
        anon_pages: m.anon_pages,
        mapped: m.mapped,
        shmem: m.shmem,
        page_tables: m.page_tables,
        anon_huge_pages: m.anon_huge_pages,
        shmem_huge_pages: m.shmem_huge_pages,
        shmem_pmd_mapped: m.shmem_pmd_mapped,
        file_huge_pages: m.file_huge_pages,
        file_pmd_mapped: m.file_pmd_mapped,
    }
}

/// /proc/vmstat.
pub fn vmstat_to_proto(v: &Vmstat) -> pb::Vmstat {
    pb::Vmstat {
        items: v.items.iter().map(|(name, value)| pb::VmstatItem { name: name.clone(), value: *value }).collect(),
    }
}

/// /proc/PID/pagemap entries from `start`.
pub fn pagemap_to_proto(start: u64, entries: &[PagemapEntry]) -> pb::Pagemap {
    pb::Pagemap { start, entries: entries.iter().map(|e| e.0).collect() }
}

/// One pfn's kpagecount and kpageflags.
pub fn kpage_to_proto(k: &Kpage) -> pb::Kpage {
    pb::Kpage { pfn: k.pfn, count: k.count, flags: k.flags.bits() }
}

/// One broken invariant.
pub fn violation_to_proto(v: &Violation) -> pb::Violation {
    pb::Violation { invariant: v.invariant.clone(), detail: v.detail.clone() }
}

// ---- views, inbound (for clients that read views back into the model's types) ----

/// A /proc/PID/maps entry.
pub fn maps_entry_from_proto(m: &pb::MapsEntry) -> MapsEntry {
    MapsEntry {
        start: m.start,
        end: m.end,
        prot: Prot::from_bits_retain(m.prot),
        shared: m.shared,
        offset: m.offset,
        dev_major: m.dev_major,
        dev_minor: m.dev_minor,
        inode: m.inode,
        name: m.name.clone(),
    }
}

/// The counters of `struct mem_size_stats` (all zero when absent).
pub fn mss_from_proto(s: Option<&pb::MemSizeStats>) -> MemSizeStats {
    let Some(s) = s else { return MemSizeStats::default() };
    MemSizeStats {
        resident: s.resident,
        shared_clean: s.shared_clean,
        shared_dirty: s.shared_dirty,
        private_clean: s.private_clean,
        private_dirty: s.private_dirty,
        referenced: s.referenced,
        anonymous: s.anonymous,
        lazyfree: s.lazyfree,
        anonymous_thp: s.anonymous_thp,
        shmem_thp: s.shmem_thp,
        file_thp: s.file_thp,
        swap: s.swap,
        shared_hugetlb: s.shared_hugetlb,
        private_hugetlb: s.private_hugetlb,
        ksm: s.ksm,
        pss: s.pss,
        pss_anon: s.pss_anon,
        pss_file: s.pss_file,
        pss_shmem: s.pss_shmem,
        pss_dirty: s.pss_dirty,
        pss_locked: s.pss_locked,
        swap_pss: s.swap_pss,
    }
}

/// One /proc/PID/smaps entry.
pub fn smaps_entry_from_proto(e: &pb::SmapsEntry) -> Result<SmapsEntry, Invalid> {
    let map = e.map.as_ref().ok_or_else(|| Invalid::new("map", "not set"))?;
    Ok(SmapsEntry {
        map: maps_entry_from_proto(map),
        size: e.size,
        mss: mss_from_proto(e.mss.as_ref()),
        thp_eligible: e.thp_eligible,
        vm_flags: e.vm_flags.clone(),
    })
}

/// /proc/PID/smaps_rollup.
pub fn rollup_from_proto(r: &pb::SmapsRollup) -> SmapsRollup {
    SmapsRollup { start: r.start, end: r.end, mss: mss_from_proto(r.mss.as_ref()) }
}

/// /proc/PID/status.
pub fn status_from_proto(s: &pb::ProcStatus) -> Status {
    Status {
        name: s.name.clone(),
        pid: s.pid,
        ppid: s.ppid,
        vm_peak: s.vm_peak,
        vm_size: s.vm_size,
        vm_lck: s.vm_lck,
        vm_pin: s.vm_pin,
        vm_hwm: s.vm_hwm,
        vm_rss: s.vm_rss,
        rss_anon: s.rss_anon,
        rss_file: s.rss_file,
        rss_shmem: s.rss_shmem,
        vm_data: s.vm_data,
        vm_stk: s.vm_stk,
        vm_exe: s.vm_exe,
        vm_lib: s.vm_lib,
        vm_pte: s.vm_pte,
        vm_swap: s.vm_swap,
        hugetlb_pages: s.hugetlb_pages,
    }
}

/// /proc/meminfo or a node's meminfo.
pub fn meminfo_from_proto(m: &pb::Meminfo) -> Meminfo {
    Meminfo {
        mem_total: m.mem_total,
        mem_free: m.mem_free,
        mem_available: m.mem_available,
        buffers: m.buffers,
        cached: m.cached,
        swap_cached: m.swap_cached,
        active: m.active,
        inactive: m.inactive,
        active_anon: m.active_anon,
        inactive_anon: m.inactive_anon,
        active_file: m.active_file,
        inactive_file: m.inactive_file,
        unevictable: m.unevictable,
        mlocked: m.mlocked,
        swap_total: m.swap_total,
        swap_free: m.swap_free,
        dirty: m.dirty,
        writeback: m.writeback,
        anon_pages: m.anon_pages,
        mapped: m.mapped,
        shmem: m.shmem,
        page_tables: m.page_tables,
        anon_huge_pages: m.anon_huge_pages,
        shmem_huge_pages: m.shmem_huge_pages,
        shmem_pmd_mapped: m.shmem_pmd_mapped,
        file_huge_pages: m.file_huge_pages,
        file_pmd_mapped: m.file_pmd_mapped,
    }
}

/// /proc/vmstat.
pub fn vmstat_from_proto(v: &pb::Vmstat) -> Vmstat {
    Vmstat { items: v.items.iter().map(|i| (i.name.clone(), i.value)).collect() }
}

/// /proc/PID/pagemap entries.
pub fn pagemap_from_proto(p: &pb::Pagemap) -> Vec<PagemapEntry> {
    p.entries.iter().copied().map(PagemapEntry).collect()
}

/// One pfn's kpagecount and kpageflags.
pub fn kpage_from_proto(k: &pb::Kpage) -> Kpage {
    Kpage { pfn: k.pfn, count: k.count, flags: KpageFlags::from_bits_retain(k.flags) }
}

/// One broken invariant.
pub fn violation_from_proto(v: &pb::Violation) -> Violation {
    Violation { invariant: v.invariant.clone(), detail: v.detail.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every `Op` variant, with unknown flag bits where the variant has flags. The
    /// `match` in `variant_index` breaks the build when a variant is added and not listed.
    fn every_op() -> Vec<Op> {
        vec![
            Op::Spawn,
            Op::Fork { pid: 1 },
            Op::Exit { pid: 2 },
            Op::Mmap {
                pid: 1,
                addr: 0x7000_0000,
                len: 1 << 20,
                prot: Prot::from_bits_retain(0x3 | 0x100),
                flags: MapFlags::from_bits_retain(0x22 | 0x800_0000),
                fd: -1,
                offset: 0x2000,
            },
            Op::Munmap { pid: 1, addr: 0x1000, len: 0x2000 },
            Op::Mprotect { pid: 1, addr: 0x1000, len: 0x2000, prot: Prot::READ },
            Op::Mremap {
                pid: 1,
                old_addr: 1,
                old_len: 2,
                new_len: 3,
                flags: MremapFlags::from_bits_retain(7 | 0x40),
                new_addr: 4,
            },
            Op::Madvise { pid: 1, addr: 1, len: 2, advice: Advice(-7) },
            Op::Read { pid: 1, addr: u64::MAX },
            Op::Write { pid: 1, addr: 5, value: u64::MAX },
            Op::Touch { pid: 1, addr: 5, len: 6, access: Access::Write },
            Op::Touch { pid: 1, addr: 5, len: 6, access: Access::Read },
            Op::MemfdCreate { pid: 1, name: "shm \u{e9}\n".into(), flags: MemfdFlags::from_bits_retain(0x3 | 0x1000) },
            Op::Open { pid: 1, path: "/tmp/f".into(), flags: OpenFlags::from_bits_retain(0o102 | 0o4000000) },
            Op::Pwrite { pid: 1, fd: 3, offset: 4096, value: 9 },
            Op::Pread { pid: 1, fd: -5, offset: 4096 },
            Op::Ftruncate { pid: 1, fd: 3, len: 1 << 40 },
            Op::Fallocate { pid: 1, fd: 3, mode: FallocMode::from_bits_retain(0x3 | 0x80), offset: 1, len: 2 },
            Op::Close { pid: 1, fd: i32::MIN },
            Op::Mlock { pid: 1, addr: 1, len: 2 },
            Op::Mlock2 { pid: 1, addr: 1, len: 2, flags: MlockFlags::from_bits_retain(0x1 | 0x8) },
            Op::Munlock { pid: 1, addr: 1, len: 2 },
            Op::Mlockall { pid: 1, flags: MclFlags::from_bits_retain(0x7 | 0x10) },
            Op::Munlockall { pid: u32::MAX },
            Op::SetMemlockLimit { pid: 1, bytes: u64::MAX },
            Op::SetCapIpcLock { pid: 1, on: true },
            Op::MovePages {
                pid: 1,
                addrs: vec![0x1000, 0x2000],
                nodes: vec![1, 0],
                flags: MpolFlags::from_bits_retain(0x2 | 0x1),
            },
            Op::MovePages { pid: 1, addrs: vec![], nodes: vec![], flags: MpolFlags::empty() },
            Op::Reclaim { nid: 3, pages: 100 },
            Op::Khugepaged,
            Op::TaskStart { task: TaskKind::Fault { pid: 2, addr: 0x7000_0000, access: Access::Write } },
            Op::TaskStart {
                task: TaskKind::Writer(Box::new(Op::Mprotect { pid: 2, addr: 0x1000, len: 0x1000, prot: Prot::READ })),
            },
            Op::TaskStart { task: TaskKind::Reclaim { pid: 3, addr: 0x2000 } },
            Op::TaskStart { task: TaskKind::Migrate { pid: 3, addr: 0x3000, node: 1 } },
            Op::TaskStep { task: 3 },
            Op::IoComplete { task: 4 },
            Op::RunUntilIdle,
        ]
    }

    fn variant_index(op: &Op) -> usize {
        match op {
            Op::Spawn => 0,
            Op::Fork { .. } => 1,
            Op::Exit { .. } => 2,
            Op::Mmap { .. } => 3,
            Op::Munmap { .. } => 4,
            Op::Mprotect { .. } => 5,
            Op::Mremap { .. } => 6,
            Op::Madvise { .. } => 7,
            Op::Read { .. } => 8,
            Op::Write { .. } => 9,
            Op::Touch { .. } => 10,
            Op::MemfdCreate { .. } => 11,
            Op::Open { .. } => 12,
            Op::Pwrite { .. } => 13,
            Op::Pread { .. } => 14,
            Op::Ftruncate { .. } => 15,
            Op::Fallocate { .. } => 16,
            Op::Close { .. } => 17,
            Op::Mlock { .. } => 18,
            Op::Mlock2 { .. } => 19,
            Op::Munlock { .. } => 20,
            Op::Mlockall { .. } => 21,
            Op::Munlockall { .. } => 22,
            Op::SetMemlockLimit { .. } => 23,
            Op::SetCapIpcLock { .. } => 24,
            Op::MovePages { .. } => 25,
            Op::Reclaim { .. } => 26,
            Op::Khugepaged => 27,
            Op::TaskStart { .. } => 28,
            Op::TaskStep { .. } => 29,
            Op::IoComplete { .. } => 30,
            Op::RunUntilIdle => 31,
        }
    }

    #[test]
    fn every_op_variant_round_trips_through_the_proto_and_its_bytes() {
        use prost::Message;
        let ops = every_op();
        let mut seen = [false; 32];
        for op in &ops {
            seen[variant_index(op)] = true;
            let p = op_to_proto(op);
            let bytes = p.encode_to_vec();
            let decoded = pb::Op::decode(bytes.as_slice()).expect("decodes");
            assert_eq!(op_from_proto(&decoded), Ok(op.clone()), "{op:?}");
        }
        assert!(seen.iter().all(|s| *s), "every variant is covered: {seen:?}");
        // The proto's oneof numbers follow the model's variant order: field i+1 is variant i.
        for op in &ops {
            let bytes = op_to_proto(op).encode_to_vec();
            let (field, _) = prost::encoding::decode_key(&mut bytes.as_slice()).expect("a field key");
            assert_eq!(field as usize, variant_index(op) + 1, "{op:?}");
        }
    }

    #[test]
    fn every_outcome_and_errno_round_trips() {
        let outcomes = vec![
            Outcome::Done,
            Outcome::Pid(7),
            Outcome::Addr(0x7fff_0000),
            Outcome::Fd(-1),
            Outcome::Value(u64::MAX),
            Outcome::Signal(Signal::SegvMaperr),
            Outcome::Signal(Signal::SegvAccerr),
            Outcome::Signal(Signal::Bus),
            Outcome::Signal(Signal::Kill),
            Outcome::Statuses(vec![0, -2, -14, 1]),
            Outcome::Statuses(vec![]),
            Outcome::Count(12),
            Outcome::Task(3),
            Outcome::Step(StepState::Ran),
            Outcome::Step(StepState::Done),
            Outcome::Step(StepState::Waits(Blocked::MmapLock)),
            Outcome::Step(StepState::Waits(Blocked::VmaLock)),
            Outcome::Step(StepState::Waits(Blocked::Folio)),
            Outcome::Step(StepState::Waits(Blocked::Io)),
        ];
        for o in outcomes {
            let r: OpResult = Ok(o.clone());
            assert_eq!(result_from_proto(&result_to_proto(&r)), Ok(r), "{o:?}");
        }
        for &e in Errno::ALL {
            let p = errno_to_proto(e);
            assert_ne!(p, pb::Errno::Unspecified, "{e} is in the proto");
            assert_eq!(p as i32, e.number());
            let r: OpResult = Err(e);
            assert_eq!(result_from_proto(&result_to_proto(&r)), Ok(r));
        }
    }

    #[test]
    fn malformed_messages_name_the_field() {
        let ops = vec![op_to_proto(&Op::Spawn), pb::Op { kind: None }];
        let e = ops_from_proto(&ops).unwrap_err();
        assert_eq!(e.to_string(), "ops[1]: operation kind not set (empty Op message)");
        let touch = pb::op::Touch { pid: 1, addr: 0, len: 4096, access: 9 };
        let ops = vec![pb::Op { kind: Some(Kind::Touch(touch)) }];
        let e = ops_from_proto(&ops).unwrap_err();
        assert_eq!(e.to_string(), "ops[0].touch.access: unknown access 9 (0 = read, 1 = write)");
        let cfg = pb::MachineConfig { thp: Some(5), ..Default::default() };
        assert_eq!(config_from_proto(Some(&cfg)).unwrap_err().to_string(), "config.thp: unknown THP mode 5");
        assert_eq!(errno_from_proto(0).unwrap_err().to_string(), "errno: unknown errno 0");
    }

    #[test]
    fn config_defaults_and_round_trip() {
        assert_eq!(config_from_proto(None), Ok(MachineConfig::default()));
        assert_eq!(config_from_proto(Some(&pb::MachineConfig::default())), Ok(MachineConfig::default()));
        let c = MachineConfig {
            nodes: 2,
            node_bytes: 64 << 20,
            swap_bytes: 4096,
            memlock_bytes: 1,
            thp: ThpMode::Madvise,
            quirks: vec!["q".into()],
            max_ptes_none: 0,
            max_ptes_swap: 511,
            max_ptes_shared: 7,
            promotion_threshold: Some(64),
            read_ahead_kb: 8192,
            swapin_policy: SwapinPolicy::Wait,
        };
        assert_eq!(config_from_proto(Some(&config_to_proto(&c))), Ok(c));
    }

    #[test]
    fn task_stats_round_trip() {
        let stats = TaskStats {
            started: 1,
            completed: 2,
            steps: 3,
            faults_completed: 4,
            fault_latency_total: 5,
            fault_latency_max: 6,
            writers_completed: 7,
            writer_wait_total: 8,
            writer_wait_max: 9,
            faults_blocked_behind_writer: 10,
            munlock_rmap_steps: 11,
            mlock_count_updates: 12,
        };
        let (tasks, back) = tasks_from_proto(&tasks_to_proto(&[], &stats));
        assert!(tasks.is_empty());
        assert_eq!(back, stats);
    }

    #[test]
    fn views_round_trip() {
        let mut m = mmlab_model::Machine::new(MachineConfig { nodes: 2, ..Default::default() }).unwrap();
        let Ok(Outcome::Pid(p)) = m.apply(&Op::Spawn) else { panic!() };
        let mmap = Op::Mmap {
            pid: p,
            addr: 0,
            len: 8 << 12,
            prot: Prot::READ | Prot::WRITE,
            flags: MapFlags::SHARED | MapFlags::ANONYMOUS,
            fd: -1,
            offset: 0,
        };
        let Ok(Outcome::Addr(a)) = m.apply(&mmap) else { panic!() };
        m.apply(&Op::Touch { pid: p, addr: a, len: 3 << 12, access: Access::Write }).unwrap();
        for e in m.smaps(p).unwrap() {
            assert_eq!(smaps_entry_from_proto(&smaps_entry_to_proto(&e)), Ok(e));
        }
        let r = m.smaps_rollup(p).unwrap();
        assert_eq!(rollup_from_proto(&rollup_to_proto(&r)), r);
        let st = m.status(p).unwrap();
        assert_eq!(status_from_proto(&status_to_proto(&st)), st);
        let mi = m.node_meminfo(1).unwrap();
        assert_eq!(meminfo_from_proto(&meminfo_to_proto(&mi)), mi);
        let v = m.vmstat();
        assert_eq!(vmstat_from_proto(&vmstat_to_proto(&v)), v);
        let pm = m.pagemap(p, a, 4).unwrap();
        assert_eq!(pagemap_from_proto(&pagemap_to_proto(a, &pm)), pm);
        let pfn = pm[0].pfn();
        let k = m.kpage(pfn);
        assert!(k.flags.contains(KpageFlags::SWAPBACKED), "{k:?}");
        assert_eq!(kpage_from_proto(&kpage_to_proto(&k)), k);
        let viol = Violation { invariant: "rss-counter".into(), detail: "x".into() };
        assert_eq!(violation_from_proto(&violation_to_proto(&viol)), viol);
    }
}
