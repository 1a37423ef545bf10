//! mmlab-oracle: the live Linux kernel as a differential oracle for the mmlab model.
//!
//! [`Oracle::run`] runs a `.mms` script on a fresh model machine and, in parallel, on this
//! kernel: each script process is a real servant process (`servant.rs`, `kernel.rs`), each
//! operation the real syscall or memory access. After every operation both sides are read
//! (`observe.rs`) into the same shape (`snapshot.rs`), with kernel addresses relocated to the
//! model's (`reloc.rs`), and compared field by field (`compare.rs`). Accepted differences are
//! listed with their reasons in `known-divergences.toml` (`known.rs`); what the kernel cannot
//! do here is detected at start (`caps.rs`) and skipped with a message. `random.rs` draws
//! seeded random scripts from the kernel-observable operations, and `minimize.rs` shrinks a
//! divergent script while its divergence persists.

pub mod caps;
pub mod compare;
pub mod kernel;
pub mod known;
pub mod minimize;
pub mod observe;
pub mod random;
pub mod reloc;
pub mod runner;
pub mod servant;
pub mod snapshot;
pub mod zram;

pub use caps::Caps;
pub use compare::Divergence;
pub use known::Known;
pub use runner::{DEFAULT_WORK_ROOT, Oracle, ScriptReport, StepDivergence, Verdict};
