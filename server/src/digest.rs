//! The state digest: SHA-256 of the model's complete state.
//!
//! The model is deterministic and keeps its state in ordered containers, so its `Debug` text is a
//! complete, canonical description of a machine (configuration, processes, VMAs, page tables,
//! frames, page values, files, counters). Hashing that text as it is written, without building
//! the string, gives a digest that two machines share exactly when they are in the same state.

use std::fmt::Write as _;

use mmlab_model::Machine;
use sha2::{Digest as _, Sha256};

/// A `fmt::Write` that feeds a hasher.
struct HashWriter(Sha256);

impl std::fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Lower-case hex SHA-256 of the machine's state.
pub fn digest(machine: &Machine) -> String {
    let mut w = HashWriter(Sha256::new());
    let _ = write!(w, "{machine:?}");
    w.0.finalize().iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mmlab_model::{MachineConfig, Op};

    #[test]
    fn equal_states_share_a_digest_and_different_ones_do_not() {
        let mut a = Machine::new(MachineConfig::default()).unwrap();
        let b = a.clone();
        assert_eq!(digest(&a), digest(&b));
        assert_eq!(digest(&a).len(), 64);
        a.apply(&Op::Spawn).unwrap();
        assert_ne!(digest(&a), digest(&b));
        let mut c = Machine::new(MachineConfig::default()).unwrap();
        c.apply(&Op::Spawn).unwrap();
        assert_eq!(digest(&a), digest(&c));
    }
}
