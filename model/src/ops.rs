//! The operation vocabulary: one enum for every syscall, fault and kernel action the model applies.
//!
//! Argument encodings follow the Linux UAPI (include/uapi/asm-generic/mman-common.h, mman.h,
//! linux/memfd.h, linux/falloc.h) so that unknown bits reach the model and get Linux's errno.

use serde::{Deserialize, Serialize};

use crate::errno::Errno;
pub use crate::task::{Blocked, StepState, SwapinPolicy, TaskId, TaskKind, WRITER_OP_NAMES};

/// A modeled process id.
pub type Pid = u32;
/// A file descriptor number inside one process.
pub type Fd = i32;

/// Size of a base page.
pub const PAGE_SIZE: u64 = 4096;
/// log2(PAGE_SIZE).
pub const PAGE_SHIFT: u32 = 12;

bitflags::bitflags! {
    /// `PROT_*` bits of mmap(2) and mprotect(2). Unknown bits are kept so the model can reject them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct Prot: u32 {
        const READ = 0x1;
        const WRITE = 0x2;
        const EXEC = 0x4;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MAP_*` flags of mmap(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct MapFlags: u32 {
        const SHARED = 0x01;
        const PRIVATE = 0x02;
        const FIXED = 0x10;
        const ANONYMOUS = 0x20;
        const GROWSDOWN = 0x0100;
        const DENYWRITE = 0x0800;
        const EXECUTABLE = 0x1000;
        const LOCKED = 0x2000;
        const NORESERVE = 0x4000;
        const POPULATE = 0x8000;
        const NONBLOCK = 0x10000;
        const STACK = 0x20000;
        const HUGETLB = 0x40000;
        const SYNC = 0x80000;
        const FIXED_NOREPLACE = 0x100000;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MREMAP_*` flags of mremap(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct MremapFlags: u32 {
        const MAYMOVE = 1;
        const FIXED = 2;
        const DONTUNMAP = 4;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MFD_*` flags of memfd_create(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct MemfdFlags: u32 {
        const CLOEXEC = 0x1;
        const ALLOW_SEALING = 0x2;
        const HUGETLB = 0x4;
        const NOEXEC_SEAL = 0x8;
        const EXEC = 0x10;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `FALLOC_FL_*` mode bits of fallocate(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct FallocMode: u32 {
        const KEEP_SIZE = 0x01;
        const PUNCH_HOLE = 0x02;
        const COLLAPSE_RANGE = 0x08;
        const ZERO_RANGE = 0x10;
        const INSERT_RANGE = 0x20;
        const UNSHARE_RANGE = 0x40;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// open(2) flags the model understands (`O_ACCMODE` values plus `O_CREAT`, `O_TRUNC`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct OpenFlags: u32 {
        const WRONLY = 0o1;
        const RDWR = 0o2;
        const CREAT = 0o100;
        const TRUNC = 0o1000;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MLOCK_*` flags of mlock2(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct MlockFlags: u32 {
        const ONFAULT = 0x1;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MCL_*` flags of mlockall(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct MclFlags: u32 {
        const CURRENT = 0x1;
        const FUTURE = 0x2;
        const ONFAULT = 0x4;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MPOL_MF_*` flags of move_pages(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct MpolFlags: u32 {
        const MOVE = 0x2;
        const MOVE_ALL = 0x4;
        const _ = !0;
    }
}

/// madvise(2) advice, as the raw number so unknown values reach the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Advice(pub i32);

macro_rules! advices {
    ($($name:ident = $num:expr, $text:expr;)*) => {
        impl Advice {
            $(pub const $name: Advice = Advice($num);)*
            /// Every advice value with a name, in numeric order.
            pub const NAMED: &'static [(Advice, &'static str)] = &[$((Advice($num), $text)),*];
        }
    };
}

advices! {
    NORMAL = 0, "normal";
    RANDOM = 1, "random";
    SEQUENTIAL = 2, "sequential";
    WILLNEED = 3, "willneed";
    DONTNEED = 4, "dontneed";
    FREE = 8, "free";
    REMOVE = 9, "remove";
    DONTFORK = 10, "dontfork";
    DOFORK = 11, "dofork";
    MERGEABLE = 12, "mergeable";
    UNMERGEABLE = 13, "unmergeable";
    HUGEPAGE = 14, "hugepage";
    NOHUGEPAGE = 15, "nohugepage";
    DONTDUMP = 16, "dontdump";
    DODUMP = 17, "dodump";
    WIPEONFORK = 18, "wipeonfork";
    KEEPONFORK = 19, "keeponfork";
    COLD = 20, "cold";
    PAGEOUT = 21, "pageout";
    POPULATE_READ = 22, "populate_read";
    POPULATE_WRITE = 23, "populate_write";
    DONTNEED_LOCKED = 24, "dontneed_locked";
    COLLAPSE = 25, "collapse";
}

impl Advice {
    /// The script name of this advice, if it has one.
    pub fn name(self) -> Option<&'static str> {
        Self::NAMED.iter().find(|(a, _)| *a == self).map(|(_, n)| *n)
    }

    /// Looks an advice up by its script name.
    pub fn from_name(name: &str) -> Option<Advice> {
        Self::NAMED.iter().find(|(_, n)| *n == name).map(|(a, _)| *a)
    }
}

/// How a `touch` faults pages in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Access {
    Read,
    Write,
}

/// One operation applied to a machine.
///
/// Syscall-like operations return an [`Errno`] on failure; access operations report a signal in
/// their [`Outcome`] instead (the modeled process survives it, as if it had a handler).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// A new process with an empty mm. Returns [`Outcome::Pid`].
    Spawn,
    /// fork(2). Returns the child's [`Outcome::Pid`].
    Fork { pid: Pid },
    /// exit(2): every VMA is zapped and every fd closed.
    Exit { pid: Pid },
    /// mmap(2). Returns [`Outcome::Addr`].
    Mmap { pid: Pid, addr: u64, len: u64, prot: Prot, flags: MapFlags, fd: Fd, offset: u64 },
    /// munmap(2).
    Munmap { pid: Pid, addr: u64, len: u64 },
    /// mprotect(2).
    Mprotect { pid: Pid, addr: u64, len: u64, prot: Prot },
    /// mremap(2). Returns [`Outcome::Addr`].
    Mremap { pid: Pid, old_addr: u64, old_len: u64, new_len: u64, flags: MremapFlags, new_addr: u64 },
    /// madvise(2).
    Madvise { pid: Pid, addr: u64, len: u64, advice: Advice },
    /// A load from one page. Returns [`Outcome::Value`] or [`Outcome::Signal`].
    Read { pid: Pid, addr: u64 },
    /// A store of a whole-page value. Returns [`Outcome::Done`] or [`Outcome::Signal`].
    Write { pid: Pid, addr: u64, value: u64 },
    /// Faults every page of a range in, as loads or stores (stores keep the page's value).
    Touch { pid: Pid, addr: u64, len: u64, access: Access },
    /// memfd_create(2). Returns [`Outcome::Fd`].
    MemfdCreate { pid: Pid, name: String, flags: MemfdFlags },
    /// open(2) of a regular disk-backed file. Returns [`Outcome::Fd`].
    Open { pid: Pid, path: String, flags: OpenFlags },
    /// pwrite(2) of one page value at a page-aligned offset (through the page cache).
    Pwrite { pid: Pid, fd: Fd, offset: u64, value: u64 },
    /// pread(2) of one page value at a page-aligned offset. Returns [`Outcome::Value`].
    Pread { pid: Pid, fd: Fd, offset: u64 },
    /// ftruncate(2).
    Ftruncate { pid: Pid, fd: Fd, len: u64 },
    /// fallocate(2).
    Fallocate { pid: Pid, fd: Fd, mode: FallocMode, offset: u64, len: u64 },
    /// close(2).
    Close { pid: Pid, fd: Fd },
    /// mlock(2).
    Mlock { pid: Pid, addr: u64, len: u64 },
    /// mlock2(2).
    Mlock2 { pid: Pid, addr: u64, len: u64, flags: MlockFlags },
    /// munlock(2).
    Munlock { pid: Pid, addr: u64, len: u64 },
    /// mlockall(2).
    Mlockall { pid: Pid, flags: MclFlags },
    /// munlockall(2).
    Munlockall { pid: Pid },
    /// setrlimit(RLIMIT_MEMLOCK) with soft = hard = `bytes` (u64::MAX = RLIM_INFINITY). A setup
    /// knob: it always succeeds (Linux refuses to raise the hard limit without CAP_SYS_RESOURCE).
    SetMemlockLimit { pid: Pid, bytes: u64 },
    /// Gives the process CAP_IPC_LOCK (`on`) or drops it.
    SetCapIpcLock { pid: Pid, on: bool },
    /// move_pages(2) of the pages at `addrs`: to `nodes` (one per page), or a status query when
    /// `nodes` is empty. Returns [`Outcome::Statuses`]. The caller is taken to have
    /// CAP_SYS_NICE, so MPOL_MF_MOVE_ALL is allowed.
    MovePages { pid: Pid, addrs: Vec<u64>, nodes: Vec<u32>, flags: MpolFlags },
    /// Reclaims up to `pages` pages from node `nid`'s LRU lists, as kswapd would
    /// (`shrink_node`). Returns [`Outcome::Count`] of pages reclaimed.
    Reclaim { nid: u32, pages: u64 },
    /// One full khugepaged scan (`khugepaged_do_scan` until every registered mm was scanned
    /// once): every aligned 2 MiB range of every process's THP-eligible VMAs (by the sysfs
    /// mode) that passes the machine's `max_ptes_none/swap/shared` is collapsed into a THP.
    /// Returns [`Outcome::Count`] of THPs collapsed (khugepaged's `pages_collapsed`).
    Khugepaged,
    /// Starts a kernel path as an interleavable task (crate::task). Returns [`Outcome::Task`].
    TaskStart { task: TaskKind },
    /// One step of a task. Returns [`Outcome::Step`].
    TaskStep { task: TaskId },
    /// Delivers the completion of a task's read I/O.
    IoComplete { task: TaskId },
    /// Steps every task until all are done or none can progress, completing reads when nothing
    /// else can advance. Returns [`Outcome::Count`] of steps.
    RunUntilIdle,
}

/// Matches every operation variant that acts in a process, binding its `pid`.
macro_rules! match_pid {
    ($op:expr, |$pid:ident| $some:expr, $none:expr) => {
        match $op {
            Op::Spawn
            | Op::Reclaim { .. }
            | Op::Khugepaged
            | Op::TaskStart { .. }
            | Op::TaskStep { .. }
            | Op::IoComplete { .. }
            | Op::RunUntilIdle => $none,
            Op::Fork { pid: $pid }
            | Op::Exit { pid: $pid }
            | Op::Mmap { pid: $pid, .. }
            | Op::Munmap { pid: $pid, .. }
            | Op::Mprotect { pid: $pid, .. }
            | Op::Mremap { pid: $pid, .. }
            | Op::Madvise { pid: $pid, .. }
            | Op::Read { pid: $pid, .. }
            | Op::Write { pid: $pid, .. }
            | Op::Touch { pid: $pid, .. }
            | Op::MemfdCreate { pid: $pid, .. }
            | Op::Open { pid: $pid, .. }
            | Op::Pwrite { pid: $pid, .. }
            | Op::Pread { pid: $pid, .. }
            | Op::Ftruncate { pid: $pid, .. }
            | Op::Fallocate { pid: $pid, .. }
            | Op::Close { pid: $pid, .. }
            | Op::Mlock { pid: $pid, .. }
            | Op::Mlock2 { pid: $pid, .. }
            | Op::Munlock { pid: $pid, .. }
            | Op::Mlockall { pid: $pid, .. }
            | Op::Munlockall { pid: $pid }
            | Op::SetMemlockLimit { pid: $pid, .. }
            | Op::SetCapIpcLock { pid: $pid, .. }
            | Op::MovePages { pid: $pid, .. } => $some,
        }
    };
}

impl Op {
    /// Whether the operation starts, steps or drives tasks.
    pub fn is_task_op(&self) -> bool {
        matches!(self, Op::TaskStart { .. } | Op::TaskStep { .. } | Op::IoComplete { .. } | Op::RunUntilIdle)
    }

    /// The operation's name as scripts write it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Spawn => "spawn",
            Op::Fork { .. } => "fork",
            Op::Exit { .. } => "exit",
            Op::Mmap { .. } => "mmap",
            Op::Munmap { .. } => "munmap",
            Op::Mprotect { .. } => "mprotect",
            Op::Mremap { .. } => "mremap",
            Op::Madvise { .. } => "madvise",
            Op::Read { .. } => "read",
            Op::Write { .. } => "write",
            Op::Touch { .. } => "touch",
            Op::MemfdCreate { .. } => "memfd_create",
            Op::Open { .. } => "open",
            Op::Pwrite { .. } => "pwrite",
            Op::Pread { .. } => "pread",
            Op::Ftruncate { .. } => "ftruncate",
            Op::Fallocate { .. } => "fallocate",
            Op::Close { .. } => "close",
            Op::Mlock { .. } => "mlock",
            Op::Mlock2 { .. } => "mlock2",
            Op::Munlock { .. } => "munlock",
            Op::Mlockall { .. } => "mlockall",
            Op::Munlockall { .. } => "munlockall",
            Op::SetMemlockLimit { .. } => "setrlimit_memlock",
            Op::SetCapIpcLock { .. } => "cap_ipc_lock",
            Op::MovePages { .. } => "move_pages",
            Op::Reclaim { .. } => "reclaim",
            Op::Khugepaged => "khugepaged",
            Op::TaskStart { .. } => "task",
            Op::TaskStep { .. } => "step",
            Op::IoComplete { .. } => "io_complete",
            Op::RunUntilIdle => "run_until_idle",
        }
    }

    /// The process the operation acts in, if any (a started task's process for a task start).
    pub fn pid(&self) -> Option<Pid> {
        if let Op::TaskStart { task } = self {
            return task.pid();
        }
        match_pid!(*self, |pid| Some(pid), None)
    }

    /// The process the operation acts in, for retargeting it.
    pub fn pid_mut(&mut self) -> Option<&mut Pid> {
        if let Op::TaskStart { task } = self {
            return task.pid_mut();
        }
        match_pid!(self, |pid| Some(pid), None)
    }
}

/// A signal delivered to a process by a modeled access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Signal {
    /// SIGSEGV with SEGV_MAPERR: no VMA covers the address.
    SegvMaperr,
    /// SIGSEGV with SEGV_ACCERR: the VMA's protection forbids the access.
    SegvAccerr,
    /// SIGBUS with BUS_ADRERR: the page lies beyond the end of the mapped file.
    Bus,
    /// SIGKILL from the OOM killer: the faulting process itself was chosen as the victim.
    Kill,
}

impl Signal {
    /// The signal's name as scripts and run reports write it, with the si_code of SIGSEGV.
    pub fn name(self) -> &'static str {
        match self {
            Signal::SegvMaperr => "SIGSEGV(MAPERR)",
            Signal::SegvAccerr => "SIGSEGV(ACCERR)",
            Signal::Bus => "SIGBUS",
            Signal::Kill => "SIGKILL",
        }
    }
}

/// What a successful operation returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Returned 0.
    Done,
    /// A process id (spawn, fork).
    Pid(Pid),
    /// An address (mmap, mremap).
    Addr(u64),
    /// A file descriptor (memfd_create, open).
    Fd(Fd),
    /// A page's value (read, pread).
    Value(u64),
    /// The access raised a signal.
    Signal(Signal),
    /// Per-page statuses (move_pages): a node id, or a negative errno.
    Statuses(Vec<i32>),
    /// A count of pages (reclaim), THPs (khugepaged) or steps (run_until_idle).
    Count(u64),
    /// The id of a started task.
    Task(TaskId),
    /// What one step of a task did.
    Step(StepState),
}

/// The result of applying one operation.
pub type OpResult = Result<Outcome, Errno>;
