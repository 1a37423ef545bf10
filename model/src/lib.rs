//! mmlab-model: a pure, deterministic model of the Linux memory manager.
//!
//! [`Machine::apply`] applies one [`Op`] and returns what Linux would return; the /proc views
//! ([`Machine::smaps`], [`Machine::status`], [`Machine::meminfo`], ...) report what Linux would
//! report; [`Machine::check_invariants`] recounts everything from first principles.

pub mod config;
pub mod errno;
pub mod machine;
pub mod ops;
pub mod proc;
pub mod script;
pub mod views;

pub use config::{MachineConfig, ThpMode};
pub use errno::Errno;
pub use machine::Machine;
pub use ops::*;
pub use views::*;
