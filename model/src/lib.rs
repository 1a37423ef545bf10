//! mmlab-model: a pure, deterministic model of the Linux memory manager.
//!
//! [`Machine::apply`] applies one [`Op`] and returns what Linux would return; the /proc views
//! ([`Machine::smaps`], [`Machine::status`], [`Machine::meminfo`], ...) report what Linux would
//! report; [`Machine::check_invariants`] recounts everything from first principles.
//!
//! Modules are named after the kernel files whose behaviour they model.

pub mod config;
pub mod errno;
mod filemap;
mod fork;
mod huge_memory;
mod invariants;
mod khugepaged;
pub mod lockdep;
pub mod machine;
mod madvise;
mod memory;
mod migrate;
mod mlock;
mod mm_types;
mod mmap;
pub mod mmap_lock;
mod mprotect;
mod mremap;
mod oom_kill;
pub mod ops;
mod page_alloc;
pub mod proc;
mod readahead;
mod rmap;
pub mod script;
mod shmem;
mod swapfile;
pub mod task;
mod task_mmu;
mod thp_reserve;
pub mod views;
mod vma;
mod vmscan;
pub mod vmstat;

pub use config::{MachineConfig, ThpMode};
pub use errno::Errno;
pub use machine::Machine;
pub use ops::*;
pub use views::*;
