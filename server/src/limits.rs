//! Service limits: what one tenant, one machine and one call may use, and which operations can
//! add resident pages (the resident-page limit refuses only those, so a machine over its limit
//! can still free memory).

use std::time::Duration;

use mmlab_model::{Advice, FallocMode, MachineConfig, Op};

/// Every limit the server enforces.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Machines one tenant may hold.
    pub machines_per_tenant: usize,
    /// Modeled memory of one machine: nodes × node bytes + swap bytes.
    pub machine_bytes: u64,
    /// Resident pages (frames and page tables) of one machine; operations that can add pages are
    /// refused while the machine holds this many.
    pub resident_pages: u64,
    /// Operations in one Execute call or one Session message.
    pub batch_ops: usize,
    /// Operations one machine's journal may hold.
    pub journal_ops: u64,
    /// Largest message, in bytes, received or sent.
    pub message_bytes: usize,
    /// Longest a call may run (a shorter client deadline wins).
    pub call_duration: Duration,
    /// Calls working on machines at once, server-wide; more are refused with RESOURCE_EXHAUSTED.
    pub concurrent_calls: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            machines_per_tenant: 100_000,
            machine_bytes: 256 << 30,
            resident_pages: 1 << 20,
            batch_ops: 100_000,
            journal_ops: 50_000_000,
            message_bytes: 16 << 20,
            call_duration: Duration::from_secs(60),
            concurrent_calls: 512,
        }
    }
}

/// Modeled bytes of a configuration (saturating).
pub fn modeled_bytes(c: &MachineConfig) -> u64 {
    u64::from(c.nodes).saturating_mul(c.node_bytes).saturating_add(c.swap_bytes)
}

/// Whether an operation can add resident pages (fault, populate, copy, cache or lock memory).
pub fn may_grow(op: &Op) -> bool {
    match op {
        Op::Spawn
        | Op::Exit { .. }
        | Op::Munmap { .. }
        | Op::Mprotect { .. }
        | Op::MemfdCreate { .. }
        | Op::Open { .. }
        | Op::Ftruncate { .. }
        | Op::Close { .. }
        | Op::Munlock { .. }
        | Op::Munlockall { .. }
        | Op::SetMemlockLimit { .. }
        | Op::SetCapIpcLock { .. }
        | Op::MovePages { .. }
        | Op::Reclaim { .. }
        | Op::IoComplete { .. } => false,
        Op::Madvise { advice, .. } => {
            ![Advice::DONTNEED, Advice::FREE, Advice::REMOVE, Advice::COLD, Advice::PAGEOUT, Advice::DONTNEED_LOCKED]
                .contains(advice)
        }
        Op::Fallocate { mode, .. } => !mode.contains(FallocMode::PUNCH_HOLE),
        Op::Fork { .. }
        | Op::Mmap { .. }
        | Op::Mremap { .. }
        | Op::Read { .. }
        | Op::Write { .. }
        | Op::Touch { .. }
        | Op::Pwrite { .. }
        | Op::Pread { .. }
        | Op::Mlock { .. }
        | Op::Mlock2 { .. }
        | Op::Mlockall { .. }
        | Op::Khugepaged
        | Op::TaskStart { .. }
        | Op::TaskStep { .. }
        | Op::RunUntilIdle => true,
    }
}

/// Whether a batch is cheap enough to run on the async worker without handing the worker's other
/// tasks away first: a few operations, none of which walks a large range or a whole mm.
pub fn is_light(ops: &[Op]) -> bool {
    const PAGES: u64 = 64 * 4096;
    ops.len() <= 32
        && ops.iter().all(|op| match op {
            Op::Fork { .. }
            | Op::Exit { .. }
            | Op::Mlockall { .. }
            | Op::Munlockall { .. }
            | Op::Reclaim { .. }
            | Op::Khugepaged => false,
            Op::Mmap { len, .. }
            | Op::Munmap { len, .. }
            | Op::Mprotect { len, .. }
            | Op::Madvise { len, .. }
            | Op::Touch { len, .. }
            | Op::Ftruncate { len, .. }
            | Op::Fallocate { len, .. }
            | Op::Mlock { len, .. }
            | Op::Mlock2 { len, .. }
            | Op::Munlock { len, .. } => *len <= PAGES,
            Op::Mremap { old_len, new_len, .. } => *old_len <= PAGES && *new_len <= PAGES,
            Op::MovePages { addrs, .. } => addrs.len() <= 64,
            _ => true,
        })
}
