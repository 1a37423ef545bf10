//! The machine: NUMA nodes of page frames, files, processes, and the apply loop.

use crate::config::MachineConfig;
use crate::errno::Errno;
use crate::ops::{Op, OpResult, Pid};
use crate::views::*;

/// One modeled machine.
#[derive(Clone, Debug)]
pub struct Machine {
    config: MachineConfig,
}

impl Machine {
    pub fn new(config: MachineConfig) -> Result<Machine, Errno> {
        config.validate()?;
        Ok(Machine { config })
    }
    pub fn config(&self) -> &MachineConfig { &self.config }
    pub fn apply(&mut self, _op: &Op) -> OpResult { Err(Errno::EINVAL) }
    pub fn pids(&self) -> Vec<Pid> { Vec::new() }
    pub fn maps(&self, _pid: Pid) -> Result<Vec<MapsEntry>, Errno> { Err(Errno::ESRCH) }
    pub fn smaps(&self, _pid: Pid) -> Result<Vec<SmapsEntry>, Errno> { Err(Errno::ESRCH) }
    pub fn smaps_rollup(&self, _pid: Pid) -> Result<SmapsRollup, Errno> { Err(Errno::ESRCH) }
    pub fn status(&self, _pid: Pid) -> Result<Status, Errno> { Err(Errno::ESRCH) }
    pub fn pagemap(&self, _pid: Pid, _addr: u64, _pages: u64) -> Result<Vec<PagemapEntry>, Errno> { Err(Errno::ESRCH) }
    pub fn peek(&self, _pid: Pid, _addr: u64) -> Result<u64, Errno> { Err(Errno::ESRCH) }
    pub fn meminfo(&self) -> Meminfo { Meminfo::default() }
    pub fn node_meminfo(&self, _nid: u32) -> Result<Meminfo, Errno> { Err(Errno::EINVAL) }
    pub fn vmstat(&self) -> Vmstat { Vmstat::default() }
    pub fn kpage(&self, pfn: u64) -> Kpage { Kpage { pfn, ..Default::default() } }
    pub fn check_invariants(&self) -> Vec<Violation> { Vec::new() }
}
