//! The seed discussion's worst case, measured as the number of waiting faults grows: N faults
//! of one large VMA wait on swap-in when a thread mprotects one page of it, and N more faults
//! arrive behind the mprotect. Under `retry` the faults hold no lock while they wait, so the
//! writer goes through at once, but every fault retries under mmap_lock; under `wait` each fault
//! keeps its VMA read lock across the I/O, so the writer waits for the reads and the faults that
//! arrive after it queue behind it on mmap_lock.

use mmlab_model::*;

#[derive(Debug, PartialEq, Eq)]
struct Figures {
    writer_latency: u64,
    writer_waited: u64,
    fault_latency_max: u64,
    fault_latency_total: u64,
    blocked_behind_writer: u64,
    vma_lock_success: u64,
    vma_lock_retry: u64,
}

fn apply(m: &mut Machine, op: Op) -> Outcome {
    m.apply(&op).unwrap_or_else(|e| panic!("{op:?}: {e:?}"))
}

fn step_until_blocked(m: &mut Machine, task: TaskId) {
    while let Outcome::Step(StepState::Ran) = apply(m, Op::TaskStep { task }) {}
}

fn measure(n: u64, policy: SwapinPolicy) -> Figures {
    let config = MachineConfig { swap_bytes: 64 << 20, swapin_policy: policy, ..MachineConfig::default() };
    let mut m = Machine::new(config).unwrap();
    let Outcome::Pid(pid) = apply(&mut m, Op::Spawn) else { panic!() };
    let pages = 2 * n + 8;
    let len = pages * PAGE_SIZE;
    let (prot, flags) = (Prot::READ | Prot::WRITE, MapFlags::PRIVATE | MapFlags::ANONYMOUS);
    let Outcome::Addr(a) = apply(&mut m, Op::Mmap { pid, addr: 0, len, prot, flags, fd: -1, offset: 0 }) else {
        panic!()
    };
    apply(&mut m, Op::Touch { pid, addr: a, len, access: Access::Write });
    apply(&mut m, Op::Madvise { pid, addr: a, len, advice: Advice::PAGEOUT });
    let fault = |m: &mut Machine, page: u64| {
        let Outcome::Task(t) =
            apply(m, Op::TaskStart { task: TaskKind::Fault { pid, addr: a + page * PAGE_SIZE, access: Access::Read } })
        else {
            panic!()
        };
        step_until_blocked(m, t);
    };
    for i in 0..n {
        fault(&mut m, i);
    }
    let mprotect = Op::Mprotect { pid, addr: a + (n + 4) * PAGE_SIZE, len: PAGE_SIZE, prot: Prot::READ };
    let Outcome::Task(w) = apply(&mut m, Op::TaskStart { task: TaskKind::Writer(Box::new(mprotect)) }) else {
        panic!()
    };
    step_until_blocked(&mut m, w);
    for i in 0..n {
        fault(&mut m, n + 8 + i);
    }
    apply(&mut m, Op::RunUntilIdle);
    assert!(m.check_invariants().is_empty(), "{:?}", m.check_invariants());
    let writer = m.tasks().into_iter().find(|t| t.id == w).unwrap();
    let s = m.task_stats().clone();
    let vmstat = m.vmstat();
    let ev = |name: &str| vmstat.items.iter().find(|(k, _)| k == name).map_or(0, |(_, v)| *v);
    Figures {
        writer_latency: writer.latency,
        writer_waited: writer.waited,
        fault_latency_max: s.fault_latency_max,
        fault_latency_total: s.fault_latency_total,
        blocked_behind_writer: s.faults_blocked_behind_writer,
        vma_lock_success: ev("vma_lock_success"),
        vma_lock_retry: ev("vma_lock_retry"),
    }
}

/// (N, policy, writer latency, writer waited, fault latency max, fault latency total, faults
/// blocked behind the writer, vma_lock_success, vma_lock_retry), in time units.
const TABLE: &[(u64, SwapinPolicy, [u64; 7])] = &[
    (1, SwapinPolicy::Retry, [3, 0, 14, 28, 0, 0, 2]),
    (1, SwapinPolicy::Wait, [12, 8, 23, 36, 1, 1, 0]),
    (4, SwapinPolicy::Retry, [3, 0, 21, 156, 0, 0, 8]),
    (4, SwapinPolicy::Wait, [12, 8, 26, 153, 4, 4, 0]),
    (16, SwapinPolicy::Retry, [3, 0, 69, 2160, 0, 0, 32]),
    (16, SwapinPolicy::Wait, [35, 31, 66, 1632, 16, 16, 0]),
    (64, SwapinPolicy::Retry, [3, 0, 261, 33216, 0, 0, 128]),
    (64, SwapinPolicy::Wait, [131, 127, 258, 24960, 64, 64, 0]),
];

#[test]
fn the_worst_case_grows_with_the_waiting_faults() {
    eprintln!("N policy writer_latency writer_waited fault_max fault_total blocked_behind_writer success retry");
    for &(n, policy, want) in TABLE {
        let f = measure(n, policy);
        let got = [
            f.writer_latency,
            f.writer_waited,
            f.fault_latency_max,
            f.fault_latency_total,
            f.blocked_behind_writer,
            f.vma_lock_success,
            f.vma_lock_retry,
        ];
        eprintln!("{n} {} {got:?}", policy.name());
        assert_eq!(got, want, "N = {n}, {}", policy.name());
    }
}
