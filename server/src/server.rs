//! Wiring: options to a running server. Binds the listeners, refuses an open public listener,
//! recovers the data directory, serves the machine service (behind the auth interceptor, with
//! message size limits), gRPC health and reflection (v1 and v1alpha), optionally over TLS, plus
//! the metrics endpoint and the persistence background tasks; on shutdown it stops accepting,
//! lets in-flight calls finish, ends open sessions, and syncs every journal.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mmlab_api::v1::machine_service_server::MachineServiceServer;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};

use crate::auth::Auth;
use crate::cli::Options;
use crate::digest::digest;
use crate::metrics::{self, Metrics};
use crate::persist::{DataDir, Fsync, snapshot_bytes};
use crate::registry::Registry;
use crate::service::{Arrival, Service};

/// Refuses to serve beyond loopback without tokens unless explicitly allowed.
fn check_exposure(opts: &Options, auth: &Auth) -> Result<()> {
    if !opts.listen.ip().is_loopback() && !auth.required() && !opts.allow_insecure_public {
        bail!(
            "refusing to listen on {} without a token file: anyone who reaches it could use every machine; \
             give --token-file, listen on loopback, or pass --allow-insecure-public",
            opts.listen
        );
    }
    Ok(())
}

fn tls_config(opts: &Options) -> Result<Option<ServerTlsConfig>> {
    let (Some(cert), Some(key)) = (&opts.tls_cert, &opts.tls_key) else { return Ok(None) };
    let cert = std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?;
    let key = std::fs::read(key).with_context(|| format!("reading {}", key.display()))?;
    Ok(Some(ServerTlsConfig::new().identity(Identity::from_pem(cert, key))))
}

/// Snapshots every machine with operations past its last snapshot.
pub async fn snapshot_all(registry: &Registry) {
    for slot in registry.all() {
        let pending = {
            let mut g = slot.state.lock().await;
            let n = g.journal.len();
            let Some(store) = g.store.as_mut() else { continue };
            if n == store.snapshot_ops {
                continue;
            }
            let pending = match store.rotate(n) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(machine = %slot.id, error = %e, "cannot rotate the journal");
                    continue;
                }
            };
            store.snapshot_ops = n;
            (pending, g.journal.clone(), digest(&g.machine))
        };
        let (pending, journal, d) = pending;
        let config = slot.config.clone();
        let id = slot.id.clone();
        let r = tokio::task::spawn_blocking(move || pending.finish(&snapshot_bytes(&config, &journal, &d))).await;
        match r {
            Ok(Ok(())) => tracing::debug!(machine = %id, "snapshot written"),
            Ok(Err(e)) => tracing::error!(machine = %id, error = %e, "snapshot failed"),
            Err(e) => tracing::error!(machine = %id, error = %e, "snapshot task failed"),
        }
    }
}

fn spawn_background(opts: &Options, registry: &Arc<Registry>, data: &Arc<DataDir>) {
    if let Fsync::Interval(every) = data.fsync() {
        let data = data.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let d = data.clone();
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || d.sync_all()).await {
                    tracing::error!(error = %e, "journal fsync failed");
                }
            }
        });
    }
    if opts.snapshot_interval_secs > 0 {
        let registry = registry.clone();
        let every = Duration::from_secs(opts.snapshot_interval_secs);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                snapshot_all(&registry).await;
            }
        });
    }
}

/// Runs the server until `shutdown` completes, then drains and syncs. Prints
/// `mmlabd listening on ADDR` (and `mmlabd metrics on ADDR`) on stdout once it accepts calls.
pub async fn run(opts: Options, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    let auth = match &opts.token_file {
        Some(path) => Auth::from_file(path)?,
        None => Auth::anonymous(),
    };
    check_exposure(&opts, &auth)?;
    let tls = tls_config(&opts)?;
    let limits = opts.limits();
    let metrics = Arc::new(Metrics::new());
    let data = match &opts.data_dir {
        Some(dir) => Some(DataDir::open(dir, opts.fsync_policy())?),
        None => None,
    };
    let registry = Arc::new(Registry::new(limits.clone(), data.clone(), metrics.clone()));
    if let Some(data) = &data {
        let recovered = data.recover()?;
        tracing::info!(machines = recovered.len(), dir = %data_dir_name(&opts), "recovered");
        registry.restore(recovered);
        spawn_background(&opts, &registry, data);
    }

    let listener = TcpListener::bind(opts.listen).await.with_context(|| format!("binding {}", opts.listen))?;
    let addr = listener.local_addr()?;
    if let Some(m) = opts.metrics_listen {
        let ml = TcpListener::bind(m).await.with_context(|| format!("binding {m}"))?;
        println!("mmlabd metrics on {}", ml.local_addr()?);
        tokio::spawn(metrics::serve(ml, metrics.clone()));
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_rx_grace = stop_rx.clone();
    let service = Service::new(registry.clone(), stop_rx);
    let svc = MachineServiceServer::new(service)
        .max_decoding_message_size(limits.message_bytes)
        .max_encoding_message_size(limits.message_bytes);
    let interceptor_auth = auth.clone();
    let svc = tonic::service::interceptor::InterceptedService::new(svc, move |mut req: tonic::Request<()>| {
        let tenant = interceptor_auth.tenant(&req)?;
        req.extensions_mut().insert(tenant);
        req.extensions_mut().insert(Arrival(std::time::Instant::now()));
        Ok(req)
    });
    let (health, health_svc) = tonic_health::server::health_reporter();
    health.set_serving::<MachineServiceServer<Service>>().await;
    let reflection = |b: tonic_reflection::server::Builder<'static>| {
        b.register_encoded_file_descriptor_set(mmlab_api::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let refl_v1 = reflection(tonic_reflection::server::Builder::configure()).build_v1()?;
    let refl_v1alpha = reflection(tonic_reflection::server::Builder::configure()).build_v1alpha()?;

    let mut builder = Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    println!("mmlabd listening on {addr}");
    tracing::info!(%addr, tls = opts.tls_cert.is_some(), auth = auth.required(), data_dir = %data_dir_name(&opts), "serving");
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: no new calls; finishing calls in flight");
        let _ = stop_tx.send(true);
        let _ = health;
    };
    let serve = builder
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .add_service(health_svc)
        .add_service(refl_v1)
        .add_service(refl_v1alpha)
        .add_service(svc)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener).with_nodelay(Some(true)), signal);
    let mut stopping = stop_rx_grace;
    let grace = Duration::from_secs(opts.shutdown_grace_secs);
    let grace_expired = async move {
        let _ = stopping.wait_for(|s| *s).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        r = serve => r?,
        _ = grace_expired => tracing::warn!(?grace, "connections still open after the grace period; closing them"),
    }

    if let Some(data) = &data {
        snapshot_all(&registry).await;
        data.sync_all()?;
    }
    tracing::info!("stopped cleanly");
    Ok(())
}

fn data_dir_name(opts: &Options) -> String {
    opts.data_dir.as_ref().map_or_else(|| "(memory only)".to_string(), |d| d.display().to_string())
}
