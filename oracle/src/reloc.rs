//! Address relocation between the kernel and the model.
//!
//! The kernel and the model place mappings at different addresses. Every address a script binds
//! comes from an mmap or mremap that returned on both sides; each such pair is an anchor
//! `(model base, kernel base, length)`. A kernel address inside an anchor's kernel range maps to
//! the same offset from its model base (the newest anchor wins, because a range can be unmapped
//! and reused). Addresses outside every anchor (literal addresses in a script) map to
//! themselves. A fork child starts with its parent's anchors.

/// One mapping that exists on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub model: u64,
    pub kernel: u64,
    pub len: u64,
}

/// The anchors of one address space.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reloc {
    anchors: Vec<Anchor>,
}

impl Reloc {
    /// Records a mapping both sides made.
    pub fn add(&mut self, model: u64, kernel: u64, len: u64) {
        if len > 0 {
            self.anchors.push(Anchor { model, kernel, len });
        }
    }

    /// The model address standing for kernel address `k`.
    pub fn to_model(&self, k: u64) -> u64 {
        self.anchors
            .iter()
            .rev()
            .find(|a| k >= a.kernel && k - a.kernel < a.len)
            .map_or(k, |a| a.model.wrapping_add(k - a.kernel))
    }

    /// The model end address standing for the kernel end (exclusive) address `k`.
    pub fn end_to_model(&self, k: u64) -> u64 {
        self.to_model(k.wrapping_sub(1)).wrapping_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_inside_anchors_and_keeps_other_addresses() {
        let mut r = Reloc::default();
        r.add(0x7f00_0000_0000, 0x7ffd_1234_5000, 0x4000);
        assert_eq!(r.to_model(0x7ffd_1234_6000), 0x7f00_0000_1000);
        assert_eq!(r.end_to_model(0x7ffd_1234_9000), 0x7f00_0000_4000);
        assert_eq!(r.to_model(0x10000), 0x10000);
    }

    #[test]
    fn the_newest_anchor_wins() {
        let mut r = Reloc::default();
        r.add(0x1000_0000, 0x5000_0000, 0x10000);
        r.add(0x2000_0000, 0x5000_4000, 0x1000);
        assert_eq!(r.to_model(0x5000_4000), 0x2000_0000);
        assert_eq!(r.to_model(0x5000_5000), 0x1000_5000);
    }
}
