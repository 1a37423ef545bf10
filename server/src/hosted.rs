//! A hosted machine: the model, its journal of applied operations, and its persistent store.
//!
//! The journal keeps every applied operation as a length-delimited `mmlab.v1.Op` (about 15 bytes
//! an operation). Because the model is deterministic, the configuration plus the journal fix the
//! machine's whole state: snapshots, clones' histories, recovery after a crash and the `.mms`
//! rendering of a machine's history are all built from it.

use std::time::Instant;

use mmlab_api::v1 as pb;
use mmlab_model::script::{Literal, MachineSpec, OpExpr, ResultSpec, Script, SignalSpec, Stmt, StmtKind};
use mmlab_model::{Errno, Machine, MachineConfig, Op, OpResult, Outcome};
use prost::Message;

use crate::convert;
use crate::limits::may_grow;
use crate::persist::MachineStore;

/// Applied operations, encoded.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    bytes: Vec<u8>,
    len: u64,
}

impl Journal {
    /// A journal from encoded bytes holding `len` operations.
    pub fn from_parts(bytes: Vec<u8>, len: u64) -> Journal {
        Journal { bytes, len }
    }

    /// Appends one operation.
    pub fn push(&mut self, op: &pb::Op) {
        // Encoding into a Vec cannot fail.
        let _ = op.encode_length_delimited(&mut self.bytes);
        self.len += 1;
    }

    /// Number of operations.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no operation was applied yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The encoded operations from byte `from` on.
    pub fn bytes_from(&self, from: usize) -> &[u8] {
        &self.bytes[from..]
    }

    /// Encoded size in bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Every operation, decoded.
    pub fn ops(&self) -> Vec<pb::Op> {
        decode_ops(&self.bytes).0
    }
}

/// Decodes length-delimited operations; stops at the first record that does not decode (a torn
/// tail) and returns the operations with the number of bytes they span.
pub fn decode_ops(mut bytes: &[u8]) -> (Vec<pb::Op>, usize) {
    let total = bytes.len();
    let mut ops = Vec::new();
    let mut good = 0;
    while !bytes.is_empty() {
        match pb::Op::decode_length_delimited(&mut bytes) {
            Ok(op) => {
                ops.push(op);
                good = total - bytes.len();
            }
            Err(_) => break,
        }
    }
    (ops, good)
}

/// Why a batch stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The call's deadline passed.
    Deadline,
    /// The machine holds this many resident pages, at or over its limit.
    Resident(u64),
    /// The journal is full.
    Journal,
}

/// Limits one batch runs under.
#[derive(Clone, Copy, Debug)]
pub struct BatchLimits {
    pub deadline: Instant,
    pub resident_pages: u64,
    pub journal_ops: u64,
}

/// A machine as the server hosts it.
#[derive(Debug)]
pub struct Hosted {
    pub machine: Machine,
    pub journal: Journal,
    pub store: Option<MachineStore>,
}

impl Hosted {
    /// A fresh machine.
    pub fn new(config: MachineConfig) -> Result<Hosted, Errno> {
        Ok(Hosted { machine: Machine::new(config)?, journal: Journal::default(), store: None })
    }

    /// Pages in use: frames and page tables.
    pub fn resident_pages(&self) -> u64 {
        let m = self.machine.meminfo();
        m.mem_total.saturating_sub(m.mem_free) / 4
    }

    /// Applies `ops` (with their protocol forms, which the journal keeps) in order, appending one
    /// result per applied operation to `results`. Stops early, leaving the rest unapplied, when
    /// a limit says so.
    pub fn apply_batch(
        &mut self,
        ops: &[Op],
        protos: &[pb::Op],
        limits: &BatchLimits,
        results: &mut Vec<pb::OpResult>,
    ) -> Result<(), Stop> {
        for (op, proto) in ops.iter().zip(protos) {
            if self.journal.len() >= limits.journal_ops {
                return Err(Stop::Journal);
            }
            if may_grow(op) {
                let resident = self.resident_pages();
                if resident >= limits.resident_pages {
                    return Err(Stop::Resident(resident));
                }
            }
            let r = self.machine.apply(op);
            self.journal.push(proto);
            results.push(convert::result_to_proto(&r));
            if Instant::now() >= limits.deadline {
                return Err(Stop::Deadline);
            }
        }
        Ok(())
    }
}

/// Replays a journal on a fresh machine of `config`: every operation with its result, in order.
pub fn replay_results(config: &MachineConfig, journal: &Journal) -> Vec<(pb::Op, OpResult)> {
    let Ok(mut m) = Machine::new(config.clone()) else { return Vec::new() };
    journal
        .ops()
        .into_iter()
        .map(|p| {
            let r = convert::op_from_proto(&p).map(|op| m.apply(&op)).unwrap_or(Err(Errno::EINVAL));
            (p, r)
        })
        .collect()
}

/// The journal as a `.mms` script: the `machine` line, then one line per operation, with
/// `=> ERRNO` or `=> SIGNAL` where the operation did not simply succeed, so `mmlab run` replays it
/// and checks every result.
pub fn journal_script(config: &MachineConfig, entries: &[(Op, OpResult)]) -> String {
    let default = MachineConfig::default();
    let knob = |v: u32, d: u32| (v != d).then(|| Literal::dec(u64::from(v)));
    let machine = MachineSpec {
        line: 1,
        nodes: Some(Literal::dec(u64::from(config.nodes))),
        node_mem: Some(Literal::hex(config.node_bytes)),
        swap: Some(Literal::hex(config.swap_bytes)),
        memlock: Some(Literal::hex(config.memlock_bytes)),
        thp: Some(config.thp),
        quirks: (!config.quirks.is_empty()).then(|| config.quirks.clone()),
        // khugepaged's limits only where they differ from Linux's defaults.
        max_ptes_none: knob(config.max_ptes_none, default.max_ptes_none),
        max_ptes_swap: knob(config.max_ptes_swap, default.max_ptes_swap),
        max_ptes_shared: knob(config.max_ptes_shared, default.max_ptes_shared),
        promotion_threshold: config.promotion_threshold.map(|t| Literal::dec(u64::from(t))),
        read_ahead_kb: knob(config.read_ahead_kb, default.read_ahead_kb),
        swapin_policy: (config.swapin_policy != default.swapin_policy).then_some(config.swapin_policy),
        comment: None,
    };
    let statements = entries
        .iter()
        .enumerate()
        .map(|(i, (op, r))| Stmt {
            line: i + 2,
            kind: StmtKind::Op { bind: None, op: OpExpr::from_op(op), result: result_spec(r) },
            comment: None,
        })
        .collect();
    Script { machine: Some(machine), statements }.to_string()
}

fn result_spec(r: &OpResult) -> Option<ResultSpec> {
    match r {
        Err(e) => Some(ResultSpec::Errno(*e)),
        Ok(Outcome::Signal(s)) => Some(ResultSpec::Signal(SignalSpec::exact(*s))),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mmlab_model::{MapFlags, Prot};
    use std::time::Duration;

    fn limits() -> BatchLimits {
        BatchLimits {
            deadline: Instant::now() + Duration::from_secs(600),
            resident_pages: u64::MAX,
            journal_ops: u64::MAX,
        }
    }

    fn run(h: &mut Hosted, ops: &[Op], l: &BatchLimits) -> (Vec<OpResult>, Result<(), Stop>) {
        let protos: Vec<pb::Op> = ops.iter().map(convert::op_to_proto).collect();
        let mut out = Vec::new();
        let stop = h.apply_batch(ops, &protos, l, &mut out);
        (out.iter().map(|r| convert::result_from_proto(r).unwrap()).collect(), stop)
    }

    #[test]
    fn journal_script_replays_with_mmlab_run() {
        let mut h = Hosted::new(MachineConfig::default()).unwrap();
        let mmap = Op::Mmap {
            pid: 1,
            addr: 0,
            len: 4 << 12,
            prot: Prot::READ | Prot::WRITE,
            flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
            fd: -1,
            offset: 0,
        };
        let ops = [Op::Spawn, mmap, Op::Munmap { pid: 1, addr: 1, len: 4096 }, Op::Read { pid: 1, addr: 0x10 }];
        let (results, stop) = run(&mut h, &ops, &limits());
        assert_eq!(stop, Ok(()));
        assert_eq!(results[2], Err(Errno::EINVAL));
        assert_eq!(results[3], Ok(Outcome::Signal(mmlab_model::Signal::SegvMaperr)));
        let entries: Vec<(Op, OpResult)> = replay_results(h.machine.config(), &h.journal)
            .into_iter()
            .map(|(p, r)| (convert::op_from_proto(&p).unwrap(), r))
            .collect();
        assert_eq!(entries.iter().map(|e| e.1.clone()).collect::<Vec<_>>(), results);
        let text = journal_script(h.machine.config(), &entries);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "machine nodes=1 node_mem=0x40000000 swap=0x0 memlock=0x800000 thp=never");
        assert_eq!(lines[3], "munmap 1 0x1 0x1000 => EINVAL");
        assert_eq!(lines[4], "read 1 0x10 => SIGSEGV(MAPERR)");
        let script = mmlab_model::script::parse(&text).unwrap();
        let report = mmlab_model::script::run(&script, &mmlab_model::script::RunOptions::default());
        assert!(report.passed(), "{}", report.text());
    }

    #[test]
    fn batches_stop_at_the_resident_and_journal_limits() {
        let mut h = Hosted::new(MachineConfig::default()).unwrap();
        let mmap = Op::Mmap {
            pid: 1,
            addr: 0,
            len: 64 << 12,
            prot: Prot::READ | Prot::WRITE,
            flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
            fd: -1,
            offset: 0,
        };
        let (r, _) = run(&mut h, &[Op::Spawn, mmap], &limits());
        let Ok(Outcome::Addr(a)) = r[1] else { panic!("{r:?}") };
        let touch = |i: u64| Op::Write { pid: 1, addr: a + i * 4096, value: i };
        let ops: Vec<Op> = (0..20).map(touch).collect();
        let l = BatchLimits { resident_pages: 8, ..limits() };
        let (r, stop) = run(&mut h, &ops, &l);
        // Each write faults one anon page; the first one also allocates a page-table page.
        assert_eq!(stop, Err(Stop::Resident(8)));
        assert_eq!(h.resident_pages(), 8);
        assert_eq!(r.len(), 7);
        // Operations that only free memory still run.
        let (_, stop) = run(&mut h, &[Op::Munmap { pid: 1, addr: a, len: 64 << 12 }], &l);
        assert_eq!(stop, Ok(()));
        let l = BatchLimits { journal_ops: h.journal.len() + 1, ..limits() };
        let (r, stop) = run(&mut h, &[Op::Spawn, Op::Spawn], &l);
        assert_eq!((r.len(), stop), (1, Err(Stop::Journal)));
    }
}
