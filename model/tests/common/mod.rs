//! A machine wrapper for the integration tests: every operation is followed by the invariant
//! checker, and the common setup steps are one call each.
#![allow(dead_code)]

use mmlab_model::*;

pub const RW: Prot = Prot::READ.union(Prot::WRITE);

pub struct M(pub Machine);

impl M {
    pub fn new() -> M {
        M::with(MachineConfig::default())
    }

    pub fn with(config: MachineConfig) -> M {
        M(Machine::new(config).unwrap())
    }

    /// Applies an operation and asserts that every invariant still holds.
    pub fn op(&mut self, op: Op) -> OpResult {
        let r = self.0.apply(&op);
        let v = self.0.check_invariants();
        assert!(v.is_empty(), "after {op:?} -> {r:?}: {v:#?}");
        r
    }

    /// Applies an operation that must return 0.
    pub fn ok(&mut self, op: Op) {
        let r = self.op(op.clone());
        assert!(matches!(r, Ok(Outcome::Done)), "{op:?} -> {r:?}");
    }

    pub fn spawn(&mut self) -> Pid {
        match self.op(Op::Spawn) {
            Ok(Outcome::Pid(p)) => p,
            r => panic!("{r:?}"),
        }
    }

    pub fn fork(&mut self, pid: Pid) -> Pid {
        match self.op(Op::Fork { pid }) {
            Ok(Outcome::Pid(p)) => p,
            r => panic!("{r:?}"),
        }
    }

    /// An anonymous mapping of `pages` pages.
    pub fn mmap(&mut self, pid: Pid, pages: u64, prot: Prot, flags: MapFlags) -> Result<u64, Errno> {
        let flags = flags | MapFlags::ANONYMOUS;
        let op = Op::Mmap { pid, addr: 0, len: pages * PAGE_SIZE, prot, flags, fd: -1, offset: 0 };
        self.op(op).map(|o| match o {
            Outcome::Addr(a) => a,
            o => panic!("{o:?}"),
        })
    }

    /// A private read-write anonymous mapping.
    pub fn anon(&mut self, pid: Pid, pages: u64) -> u64 {
        self.mmap(pid, pages, RW, MapFlags::PRIVATE).unwrap()
    }

    pub fn write(&mut self, pid: Pid, addr: u64, value: u64) {
        assert_eq!(self.op(Op::Write { pid, addr, value }), Ok(Outcome::Done));
    }

    pub fn read(&mut self, pid: Pid, addr: u64) -> OpResult {
        self.op(Op::Read { pid, addr })
    }

    /// Write-faults `pages` pages from `addr`.
    pub fn touch(&mut self, pid: Pid, addr: u64, pages: u64) {
        self.ok(Op::Touch { pid, addr, len: pages * PAGE_SIZE, access: Access::Write });
    }

    /// The smaps entry of the VMA containing `addr`.
    pub fn smaps_at(&self, pid: Pid, addr: u64) -> SmapsEntry {
        self.0.smaps(pid).unwrap().into_iter().find(|e| e.map.start <= addr && addr < e.map.end).unwrap()
    }

    pub fn vmstat(&self, name: &str) -> u64 {
        self.0.vmstat().get(name).unwrap()
    }
}

/// A Pss-style fixed-point value in kB, as smaps prints it.
pub fn pss_kb(fixed: u64) -> u64 {
    (fixed >> PSS_SHIFT) >> 10
}
