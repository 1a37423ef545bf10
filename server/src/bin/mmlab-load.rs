//! `mmlab-load`: a load generator for `mmlabd`.
//!
//! Creates N machines (each: one process, one 256-page anonymous mapping), then for a fixed time
//! drives them with page writes in one of three ways and reports modeled operations per second
//! and call latency percentiles (HdrHistogram):
//!
//! - `unary`: one operation per Execute call, `--concurrency` calls in flight per machine;
//! - `batch`: `--batch` operations per Execute call;
//! - `stream`: one Session per machine, `--batch` operations per message, `--window` messages in
//!   flight.
//!
//! `--idle N` instead creates N idle machines and reports the server's resident memory before and
//! after (`--server-pid`, read from /proc). Bounded in count and time; meant for loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use mmlab_api::v1 as pb;
use mmlab_api::v1::machine_service_client::MachineServiceClient;
use mmlab_model::{MapFlags, Op, Outcome, Prot};
use mmlab_server::convert;
use tonic::transport::{Channel, Endpoint};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    Unary,
    Batch,
    Stream,
    All,
}

/// Load generator for mmlabd: ops/s and latency percentiles.
#[derive(Parser, Debug, Clone)]
#[command(name = "mmlab-load", version, about)]
struct Args {
    /// Server address
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    /// Bearer token, when the server has a token file
    #[arg(long, env = "MMLAB_TOKEN")]
    token: Option<String>,
    /// Workload
    #[arg(long, value_enum, default_value = "all")]
    mode: Mode,
    /// Concurrent machines
    #[arg(long, default_value_t = 4)]
    machines: usize,
    /// Calls in flight per machine (unary and batch)
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Operations per call (batch) or per session message (stream)
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Session messages in flight per machine (stream)
    #[arg(long, default_value_t = 8)]
    window: usize,
    /// Seconds per workload
    #[arg(long, default_value_t = 5.0)]
    secs: f64,
    /// HTTP/2 connections to spread the machines over
    #[arg(long, default_value_t = 2)]
    connections: usize,
    /// Create this many idle machines and report the server's memory instead
    #[arg(long)]
    idle: Option<usize>,
    /// The server's pid, for --idle (reads /proc/PID/status)
    #[arg(long)]
    server_pid: Option<u32>,
}

const PAGES: u64 = 256;

fn request<T>(msg: T, token: &Option<String>) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    if let Some(t) = token
        && let Ok(v) = format!("Bearer {t}").parse()
    {
        r.metadata_mut().insert("authorization", v);
    }
    r
}

/// A machine ready for writes: its id and the mapping's address.
async fn setup(c: &mut MachineServiceClient<Channel>, token: &Option<String>) -> anyhow::Result<(String, u64)> {
    let m = c.create_machine(request(pb::CreateMachineRequest { config: None }, token)).await?.into_inner();
    let mmap = Op::Mmap {
        pid: 1,
        addr: 0,
        len: PAGES * 4096,
        prot: Prot::READ | Prot::WRITE,
        flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
        fd: -1,
        offset: 0,
    };
    let ops = vec![convert::op_to_proto(&Op::Spawn), convert::op_to_proto(&mmap)];
    let r = c
        .execute(request(pb::ExecuteRequest { machine_id: m.id.clone(), ops, check_invariants: false }, token))
        .await?
        .into_inner();
    match convert::result_from_proto(&r.results[1]) {
        Ok(Ok(Outcome::Addr(a))) => Ok((m.id, a)),
        other => anyhow::bail!("setup mmap failed: {other:?}"),
    }
}

/// `n` page writes starting at write number `seq`.
fn writes(base: u64, seq: u64, n: usize) -> Vec<pb::Op> {
    (0..n as u64)
        .map(|i| {
            let k = seq + i;
            convert::op_to_proto(&Op::Write { pid: 1, addr: base + (k % PAGES) * 4096, value: k })
        })
        .collect()
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

struct Report {
    name: &'static str,
    ops: u64,
    calls: u64,
    elapsed: Duration,
    lat: Histogram<u64>,
}

impl Report {
    fn print(&self) {
        let s = self.elapsed.as_secs_f64();
        let q = |p: f64| self.lat.value_at_quantile(p) as f64 / 1000.0;
        println!(
            "{:<7} {:>12.0} ops/s {:>10.0} calls/s  latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}  ({} ops, {} calls, {:.1} s)",
            self.name,
            self.ops as f64 / s,
            self.calls as f64 / s,
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            self.lat.max() as f64 / 1000.0,
            self.ops,
            self.calls,
            s
        );
    }
}

/// Unary or batched Execute: `concurrency` loops per machine.
async fn run_execute(
    args: &Args,
    name: &'static str,
    per_call: usize,
    machines: &[(MachineServiceClient<Channel>, String, u64)],
) -> Report {
    let until = Instant::now() + Duration::from_secs_f64(args.secs);
    let ops = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let started = Instant::now();
    for (c, id, base) in machines {
        for t in 0..args.concurrency {
            let (mut c, id, base, ops, token) = (c.clone(), id.clone(), *base, ops.clone(), args.token.clone());
            tasks.push(tokio::spawn(async move {
                let mut h = histogram();
                let mut calls = 0u64;
                let mut seq = t as u64 * 1_000_000_007;
                while Instant::now() < until {
                    let req = pb::ExecuteRequest {
                        machine_id: id.clone(),
                        ops: writes(base, seq, per_call),
                        check_invariants: false,
                    };
                    let t0 = Instant::now();
                    match c.execute(request(req, &token)).await {
                        Ok(r) => {
                            let _ = h.record(t0.elapsed().as_micros() as u64);
                            ops.fetch_add(r.into_inner().results.len() as u64, Ordering::Relaxed);
                            calls += 1;
                        }
                        Err(e) => {
                            eprintln!("{name}: {e}");
                            break;
                        }
                    }
                    seq += per_call as u64;
                }
                (h, calls)
            }));
        }
    }
    let mut lat = histogram();
    let mut calls = 0;
    for t in tasks {
        if let Ok((h, c)) = t.await {
            let _ = lat.add(&h);
            calls += c;
        }
    }
    Report { name, ops: ops.load(Ordering::Relaxed), calls, elapsed: started.elapsed(), lat }
}

/// One session per machine, `window` messages in flight.
async fn run_stream(args: &Args, machines: &[(MachineServiceClient<Channel>, String, u64)]) -> Report {
    let until = Instant::now() + Duration::from_secs_f64(args.secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, id, base) in machines {
        let (mut c, id, base, args) = (c.clone(), id.clone(), *base, args.clone());
        tasks.push(tokio::spawn(async move {
            let (tx, rx) = tokio::sync::mpsc::channel::<pb::SessionRequest>(args.window.max(1));
            let window = Arc::new(tokio::sync::Semaphore::new(args.window.max(1)));
            let sent_at = Arc::new(std::sync::Mutex::new(std::collections::HashMap::<u64, Instant>::new()));
            let mut out = match c.session(request(tokio_stream::wrappers::ReceiverStream::new(rx), &args.token)).await {
                Ok(r) => r.into_inner(),
                Err(e) => {
                    eprintln!("stream: {e}");
                    return (histogram(), 0u64, 0u64);
                }
            };
            let (w, s) = (window.clone(), sent_at.clone());
            let sender = tokio::spawn(async move {
                let mut tag = 0u64;
                while Instant::now() < until {
                    let Ok(p) = w.clone().acquire_owned().await else { break };
                    p.forget();
                    let ops = writes(base, tag * args.batch as u64, args.batch);
                    if let Ok(mut m) = s.lock() {
                        m.insert(tag, Instant::now());
                    }
                    let first = if tag == 0 { id.clone() } else { String::new() };
                    if tx.send(pb::SessionRequest { machine_id: first, ops, tag }).await.is_err() {
                        break;
                    }
                    tag += 1;
                }
            });
            let (mut h, mut ops, mut calls) = (histogram(), 0u64, 0u64);
            loop {
                match out.message().await {
                    Ok(Some(r)) => {
                        if let Some(t0) = sent_at.lock().ok().and_then(|mut m| m.remove(&r.tag)) {
                            let _ = h.record(t0.elapsed().as_micros() as u64);
                        }
                        ops += r.results.len() as u64;
                        calls += 1;
                        window.add_permits(1);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("stream: {e}");
                        break;
                    }
                }
            }
            let _ = sender.await;
            (h, ops, calls)
        }));
    }
    let (mut lat, mut ops, mut calls) = (histogram(), 0, 0);
    for t in tasks {
        if let Ok((h, o, c)) = t.await {
            let _ = lat.add(&h);
            ops += o;
            calls += c;
        }
    }
    Report { name: "stream", ops, calls, elapsed: started.elapsed(), lat }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

async fn run_idle(args: &Args, c: &mut MachineServiceClient<Channel>, n: usize) -> anyhow::Result<()> {
    let before = args.server_pid.and_then(rss_kib);
    let t0 = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(
            c.create_machine(request(pb::CreateMachineRequest { config: None }, &args.token)).await?.into_inner().id,
        );
    }
    let created = t0.elapsed();
    let after = args.server_pid.and_then(rss_kib);
    println!("idle    created {n} machines in {:.2} s", created.as_secs_f64());
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "idle    server RSS {:.1} MiB before, {:.1} MiB after: {:.1} MiB for {n} machines ({:.0} bytes each)",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            (a - b) as f64 / 1024.0,
            (a.saturating_sub(b)) as f64 * 1024.0 / n as f64
        );
    }
    for id in ids {
        c.delete_machine(request(pb::DeleteMachineRequest { machine_id: id }, &args.token)).await?;
    }
    Ok(())
}

async fn main_async(args: Args) -> anyhow::Result<()> {
    let mut channels = Vec::new();
    for _ in 0..args.connections.max(1) {
        let ch = Endpoint::from_shared(args.addr.clone())?.tcp_nodelay(true).connect().await?;
        channels.push(MachineServiceClient::new(ch).max_decoding_message_size(64 << 20));
    }
    if let Some(n) = args.idle {
        return run_idle(&args, &mut channels[0].clone(), n).await;
    }
    let mut machines = Vec::new();
    for i in 0..args.machines.max(1) {
        let mut c = channels[i % channels.len()].clone();
        let (id, base) = setup(&mut c, &args.token).await?;
        machines.push((c, id, base));
    }
    println!(
        "{} machines, {} calls in flight per machine (unary/batch), batch {} ops, window {}, {} connections, {:.1} s each",
        machines.len(),
        args.concurrency,
        args.batch,
        args.window,
        channels.len(),
        args.secs
    );
    if matches!(args.mode, Mode::Unary | Mode::All) {
        run_execute(&args, "unary", 1, &machines).await.print();
    }
    if matches!(args.mode, Mode::Batch | Mode::All) {
        run_execute(&args, "batch", args.batch, &machines).await.print();
    }
    if matches!(args.mode, Mode::Stream | Mode::All) {
        run_stream(&args, &machines).await.print();
    }
    for (mut c, id, _) in machines {
        c.delete_machine(request(pb::DeleteMachineRequest { machine_id: id }, &args.token)).await?;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mmlab-load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(main_async(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mmlab-load: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
