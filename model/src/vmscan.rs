//! Reclaim (mm/vmscan.c). Being written.

use crate::errno::Errno;
use crate::machine::Machine;
use crate::ops::OpResult;

impl Machine {
    pub(crate) fn reclaim(&mut self, _nid: u32, _pages: u64) -> OpResult {
        Err(Errno::ENOSYS)
    }
}
