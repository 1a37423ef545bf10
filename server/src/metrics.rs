//! Prometheus metrics and the tiny HTTP endpoint that serves them (`GET /metrics` on the
//! `--metrics-listen` address): operations by kind, RPC latency by method and outcome, machines,
//! resident modeled pages.

use std::time::Instant;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry as PromRegistry, TextEncoder,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Every metric the server keeps.
pub struct Metrics {
    registry: PromRegistry,
    /// `mmlab_ops_total{op}`: operations applied, by kind.
    pub ops: IntCounterVec,
    /// `mmlab_rpc_duration_seconds{method,code}`: RPC latency.
    pub rpc_seconds: HistogramVec,
    /// `mmlab_machines`: hosted machines.
    pub machines: IntGauge,
    /// `mmlab_resident_pages`: resident modeled pages over all machines.
    pub resident_pages: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = PromRegistry::new();
        let ops = IntCounterVec::new(Opts::new("mmlab_ops_total", "Operations applied, by kind"), &["op"])
            .expect("valid metric");
        let buckets = vec![25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 0.1, 0.5, 2.0, 10.0];
        let rpc_seconds = HistogramVec::new(
            HistogramOpts::new("mmlab_rpc_duration_seconds", "RPC latency").buckets(buckets),
            &["method", "code"],
        )
        .expect("valid metric");
        let machines = IntGauge::new("mmlab_machines", "Hosted machines").expect("valid metric");
        let resident_pages =
            IntGauge::new("mmlab_resident_pages", "Resident modeled pages over all machines").expect("valid metric");
        for c in [Box::new(ops.clone()) as Box<dyn prometheus::core::Collector>, Box::new(rpc_seconds.clone())] {
            registry.register(c).expect("unique metric");
        }
        registry.register(Box::new(machines.clone())).expect("unique metric");
        registry.register(Box::new(resident_pages.clone())).expect("unique metric");
        Metrics { registry, ops, rpc_seconds, machines, resident_pages }
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Records one RPC's latency.
    pub fn observe(&self, method: &str, started: Instant, code: tonic::Code) {
        let code = format!("{code:?}");
        self.rpc_seconds.with_label_values(&[method, &code]).observe(started.elapsed().as_secs_f64());
    }

    /// Counts a batch's operations by kind (consecutive runs of one kind cost one lookup).
    pub fn count_ops<'a>(&self, names: impl Iterator<Item = &'a str>) {
        let mut run: Option<(&str, u64)> = None;
        for name in names {
            match &mut run {
                Some((n, c)) if *n == name => *c += 1,
                _ => {
                    if let Some((n, c)) = run.replace((name, 1)) {
                        self.ops.with_label_values(&[n]).inc_by(c);
                    }
                }
            }
        }
        if let Some((n, c)) = run {
            self.ops.with_label_values(&[n]).inc_by(c);
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Serves `GET /metrics` (any path answers the metrics) until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: std::sync::Arc<Metrics>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { continue };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let mut got = 0;
            // Read the request head (bounded); the body, if any, is ignored.
            while got < buf.len() {
                match sock.read(&mut buf[got..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got += n,
                }
                if buf[..got].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let body = metrics.render();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(body.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}
