//! `mmlabd`: the mmlab gRPC server. See `mmlabd --help`; every flag also reads an environment
//! variable (MMLAB_LISTEN, MMLAB_DATA_DIR, MMLAB_TOKEN_FILE, MMLAB_LOG, ...).

use std::process::ExitCode;

use clap::Parser;
use mmlab_server::cli::Options;
use tracing_subscriber::EnvFilter;

/// Completes on SIGTERM or SIGINT.
async fn signalled() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        tracing::error!("cannot install signal handlers");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM"),
        _ = int.recv() => tracing::info!("SIGINT"),
    }
}

fn main() -> ExitCode {
    let opts = Options::parse();
    let filter = match EnvFilter::try_new(&opts.log) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mmlabd: bad --log filter '{}': {e}", opts.log);
            return ExitCode::from(2);
        }
    };
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = opts.worker_threads {
        rt.worker_threads(n.max(1));
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mmlabd: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(mmlab_server::server::run(opts, signalled())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mmlabd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
