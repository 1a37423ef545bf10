//! Quick checks of the targets on pseudo-random inputs (a fixed xorshift stream, so every run
//! sees the same bytes).

use mmlab_fuzz::targets;

/// `n` pseudo-random inputs of 64..=1087 bytes.
fn inputs(n: usize) -> Vec<Vec<u8>> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n).map(|_| (0..64 + next() % 1024).map(|_| next() as u8).collect()).collect()
}

#[test]
fn targets_hold_on_random_inputs() {
    for (i, data) in inputs(300).iter().enumerate() {
        assert_eq!(targets::ops(data, &[]), Ok(()), "ops input #{i}");
        assert_eq!(targets::roundtrip(data, &[]), Ok(()), "roundtrip input #{i}");
        assert_eq!(targets::differential(data, &[]), Ok(()), "differential input #{i}");
    }
}

/// The service target: no panic, no cross-tenant visibility, on the same pseudo-random inputs.
#[test]
fn service_holds_on_random_inputs() {
    for (i, data) in inputs(150).iter().enumerate() {
        assert_eq!(mmlab_fuzz::service::service(data), Ok(()), "service input #{i}");
    }
}

/// The generator reaches deep states: long sequences whose operations mostly succeed, several
/// processes, and mlocked and shmem pages at the end of many runs.
#[test]
fn generation_reaches_deep_states() {
    use mmlab_fuzz::input::GenOptions;
    let (mut ops, mut ok, mut procs, mut mlocked, mut shmem) = (0, 0, 0, 0, 0);
    let inputs = inputs(300);
    for data in &inputs {
        let run = targets::generate(data, &[], GenOptions::default(), true).expect("valid config");
        ops += run.checked.ops.len();
        ok += run.checked.results.iter().filter(|r| r.is_ok()).count();
        procs += run.checked.machine.pids().len();
        let mi = run.checked.machine.meminfo();
        mlocked += usize::from(mi.mlocked > 0);
        shmem += usize::from(mi.shmem > 0);
    }
    let n = inputs.len();
    assert!(ops >= 25 * n, "{ops} operations for {n} inputs");
    assert!(ok * 10 >= ops * 8, "{ok} of {ops} operations succeeded");
    assert!(procs >= 3 * n, "{procs} live processes at the end of {n} runs");
    assert!(mlocked * 5 >= n && shmem * 2 >= n, "{mlocked} runs end with mlocked pages, {shmem} with shmem");
}
