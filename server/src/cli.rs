//! `mmlabd`'s options: every flag has an environment variable, and no option is needed to start
//! (127.0.0.1:50051, in memory, one anonymous tenant).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::limits::Limits;
use crate::persist::Fsync;

/// When journal writes reach the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FsyncArg {
    /// fsync after every batch, before the call answers
    Always,
    /// fsync every --fsync-interval-ms
    Interval,
    /// never fsync (a clean shutdown still does)
    Never,
}

/// The mmlab gRPC server: hosts modeled Linux memory managers.
#[derive(Parser, Debug, Clone)]
#[command(name = "mmlabd", version, about, long_about = None)]
pub struct Options {
    /// Address to serve gRPC on (port 0 picks a free port; the address is printed on stdout)
    #[arg(long, env = "MMLAB_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Address to serve Prometheus metrics on (HTTP GET /metrics); off when not given
    #[arg(long, env = "MMLAB_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Directory for journals and snapshots; without it, state lives in memory only
    #[arg(long, env = "MMLAB_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Journal fsync policy
    #[arg(long, env = "MMLAB_FSYNC", value_enum, default_value = "interval")]
    pub fsync: FsyncArg,
    /// Interval of the `interval` fsync policy, in milliseconds
    #[arg(long, env = "MMLAB_FSYNC_INTERVAL_MS", default_value_t = 100)]
    pub fsync_interval_ms: u64,
    /// Seconds between snapshots of machines with new operations (0 = only at shutdown)
    #[arg(long, env = "MMLAB_SNAPSHOT_INTERVAL_SECS", default_value_t = 300)]
    pub snapshot_interval_secs: u64,
    /// Seconds to wait for open calls and connections after SIGTERM/SIGINT before closing them
    #[arg(long, env = "MMLAB_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
    /// Token file: lines `TOKEN TENANT`; calls must then carry `authorization: Bearer TOKEN`
    #[arg(long, env = "MMLAB_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Allow listening beyond loopback without a token file
    #[arg(long, env = "MMLAB_ALLOW_INSECURE_PUBLIC")]
    pub allow_insecure_public: bool,
    /// TLS certificate chain (PEM); with --tls-key, serve TLS
    #[arg(long, env = "MMLAB_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, env = "MMLAB_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Log filter (tracing EnvFilter syntax: error, warn, info, debug, mmlab_server=debug, ...)
    #[arg(long, env = "MMLAB_LOG", default_value = "info")]
    pub log: String,
    /// Machines one tenant may hold
    #[arg(long, env = "MMLAB_MAX_MACHINES_PER_TENANT", default_value_t = Limits::default().machines_per_tenant)]
    pub max_machines_per_tenant: usize,
    /// Modeled memory of one machine in bytes (nodes x node_bytes + swap_bytes)
    #[arg(long, env = "MMLAB_MAX_MACHINE_BYTES", default_value_t = Limits::default().machine_bytes)]
    pub max_machine_bytes: u64,
    /// Resident pages of one machine; operations that can add pages are refused at this level
    #[arg(long, env = "MMLAB_MAX_RESIDENT_PAGES", default_value_t = Limits::default().resident_pages)]
    pub max_resident_pages: u64,
    /// Operations in one Execute call or Session message
    #[arg(long, env = "MMLAB_MAX_BATCH_OPS", default_value_t = Limits::default().batch_ops)]
    pub max_batch_ops: usize,
    /// Operations one machine's journal may hold
    #[arg(long, env = "MMLAB_MAX_JOURNAL_OPS", default_value_t = Limits::default().journal_ops)]
    pub max_journal_ops: u64,
    /// Largest gRPC message received or sent, in bytes
    #[arg(long, env = "MMLAB_MAX_MESSAGE_BYTES", default_value_t = Limits::default().message_bytes)]
    pub max_message_bytes: usize,
    /// Longest a call may run, in milliseconds (a shorter client deadline wins)
    #[arg(long, env = "MMLAB_MAX_CALL_MS", default_value_t = Limits::default().call_duration.as_millis() as u64)]
    pub max_call_ms: u64,
    /// Calls working on machines at once, server-wide; more are refused with RESOURCE_EXHAUSTED
    #[arg(long, env = "MMLAB_MAX_CONCURRENT_CALLS", default_value_t = Limits::default().concurrent_calls)]
    pub max_concurrent_calls: usize,
    /// Tokio worker threads (default: one per CPU)
    #[arg(long, env = "MMLAB_WORKER_THREADS")]
    pub worker_threads: Option<usize>,
}

impl Options {
    /// The limits these options set.
    pub fn limits(&self) -> Limits {
        Limits {
            machines_per_tenant: self.max_machines_per_tenant,
            machine_bytes: self.max_machine_bytes,
            resident_pages: self.max_resident_pages,
            batch_ops: self.max_batch_ops,
            journal_ops: self.max_journal_ops,
            message_bytes: self.max_message_bytes,
            call_duration: Duration::from_millis(self.max_call_ms),
            concurrent_calls: self.max_concurrent_calls.max(1),
        }
    }

    /// The fsync policy these options set.
    pub fn fsync_policy(&self) -> Fsync {
        match self.fsync {
            FsyncArg::Always => Fsync::Always,
            FsyncArg::Interval => Fsync::Interval(Duration::from_millis(self.fsync_interval_ms.max(1))),
            FsyncArg::Never => Fsync::Never,
        }
    }
}
