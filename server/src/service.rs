//! The `mmlab.v1.MachineService` implementation: thin handlers over the [`Registry`].
//!
//! Every handler takes the caller's tenant (put in the request by the auth interceptor), a
//! deadline (the client's `grpc-timeout`, capped by the server's call limit) and, for calls that
//! work on a machine, one of the server-wide call permits; a full server refuses at once with
//! RESOURCE_EXHAUSTED instead of queueing. Batches run inline when they are light and through
//! `block_in_place` when they may be long, so a slow machine never stalls the others.

use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mmlab_api::v1 as pb;
use mmlab_api::v1::machine_service_server::MachineService;
use mmlab_model::{MachineConfig, Op};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_stream::{Stream, StreamExt, wrappers::ReceiverStream};
use tonic::{Request, Response, Status, Streaming};

use crate::auth::Tenant;
use crate::convert::{self, Invalid};
use crate::digest::digest;
use crate::hosted::{BatchLimits, Hosted, Journal, Stop, journal_script, replay_results};
use crate::limits::{is_light, modeled_bytes};
use crate::persist;
use crate::read;
use crate::registry::{Registry, Slot, blocking};

/// The service.
#[derive(Clone)]
pub struct Service {
    registry: Arc<Registry>,
    permits: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
}

/// When a call's headers arrived (set by the interceptor, before the body is decoded): the
/// transport counts the client's deadline from there.
#[derive(Clone, Copy, Debug)]
pub struct Arrival(pub Instant);

/// What a call may use: whose it is, until when, and its permit.
struct Call {
    tenant: Tenant,
    deadline: Instant,
    /// None inside a session, which holds one permit for its whole life.
    _permit: Option<OwnedSemaphorePermit>,
}

/// Parses a `grpc-timeout` value: up to 8 digits and a unit (H M S m u n).
fn parse_grpc_timeout(v: &str) -> Option<Duration> {
    if v.len() < 2 || v.len() > 9 {
        return None;
    }
    let (digits, unit) = v.split_at(v.len() - 1);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

fn stop_status(stop: Stop, slot: &Slot, applied: usize, asked: usize, limits: &crate::limits::Limits) -> Status {
    let done = format!("after applying {applied} of {asked} operations");
    match stop {
        Stop::Deadline => Status::deadline_exceeded(format!("deadline exceeded {done}")),
        Stop::Resident(n) => Status::resource_exhausted(format!(
            "machine {} holds {n} resident pages, at its limit of {}; stopped {done} (operations that only free \
             memory are still accepted)",
            slot.id, limits.resident_pages
        )),
        Stop::Journal => Status::resource_exhausted(format!(
            "machine {} has applied {} operations, its journal limit; stopped {done} (clone or export it, or \
             delete it)",
            slot.id, limits.journal_ops
        )),
    }
}

fn config_status(c: &MachineConfig, limits: &crate::limits::Limits) -> Result<(), Status> {
    if let Err(e) = c.validate() {
        return Err(Status::invalid_argument(format!(
            "config: the model refuses it ({e}): nodes must be 1..=64, node_bytes a multiple of 4096 from 64 KiB to \
             1 TiB, swap_bytes a multiple of 4096 up to 1 TiB, quirks known names (none exist yet)"
        )));
    }
    let bytes = modeled_bytes(c);
    if bytes > limits.machine_bytes {
        return Err(Status::resource_exhausted(format!(
            "config: {bytes} bytes of modeled memory (nodes x node_bytes + swap_bytes) exceed this server's limit \
             of {} per machine",
            limits.machine_bytes
        )));
    }
    Ok(())
}

impl Service {
    pub fn new(registry: Arc<Registry>, shutdown: watch::Receiver<bool>) -> Service {
        let permits = Arc::new(Semaphore::new(registry.limits.concurrent_calls));
        Service { registry, permits, shutdown }
    }

    fn permit(&self) -> Result<OwnedSemaphorePermit, Status> {
        self.permits.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "server busy: {} calls already in flight; retry with backoff",
                self.registry.limits.concurrent_calls
            ))
        })
    }

    /// Tenant, deadline and permit of a call.
    fn begin<T>(&self, req: &Request<T>) -> Result<Call, Status> {
        let tenant = req.extensions().get::<Tenant>().cloned().unwrap_or_else(Tenant::anonymous);
        let cap = self.registry.limits.call_duration;
        let client = req.metadata().get("grpc-timeout").and_then(|v| v.to_str().ok()).and_then(parse_grpc_timeout);
        // Stop an eighth before the client's deadline, so that the answer (DEADLINE_EXCEEDED, with
        // what was applied) reaches the client before its transport gives up on the call.
        let budget = client.map(|d| d.saturating_sub(d / 8)).map_or(cap, |d| d.min(cap));
        let arrived = req.extensions().get::<Arrival>().map_or_else(Instant::now, |a| a.0);
        Ok(Call { tenant, deadline: arrived + budget, _permit: Some(self.permit()?) })
    }

    async fn lock<'a>(&self, slot: &'a Slot, call: &Call) -> Result<tokio::sync::MutexGuard<'a, Hosted>, Status> {
        // An idle machine is taken at once, without arming a deadline timer.
        if let Some(r) = slot.try_lock() {
            return r;
        }
        tokio::time::timeout_at(call.deadline.into(), slot.lock())
            .await
            .map_err(|_| Status::deadline_exceeded("deadline exceeded while waiting for the machine"))?
    }

    fn info(slot: &Slot, hosted: Option<&Hosted>) -> pb::Machine {
        use std::sync::atomic::Ordering::Relaxed;
        pb::Machine {
            id: slot.id.clone(),
            config: Some(convert::config_to_proto(&slot.config)),
            ops_applied: slot.ops_applied.load(Relaxed),
            resident_pages: slot.resident.load(Relaxed),
            pids: hosted.map(|h| h.machine.pids()).unwrap_or_default(),
        }
    }

    /// Applies one batch to a machine: the heart of Execute and Session. With `check`, also runs
    /// the invariant checker on the result, under the same lock.
    async fn run_batch(
        &self,
        call: &Call,
        id: &str,
        protos: &[pb::Op],
        check: bool,
    ) -> Result<(Vec<pb::OpResult>, u64, Vec<pb::Violation>), Status> {
        let limits = &self.registry.limits;
        if protos.len() > limits.batch_ops {
            return Err(Status::resource_exhausted(format!(
                "a batch of {} operations exceeds this server's limit of {} per batch",
                protos.len(),
                limits.batch_ops
            )));
        }
        let ops = convert::ops_from_proto(protos)?;
        let slot = self.registry.get(&call.tenant, id)?;
        let mut guard = self.lock(&slot, call).await?;
        let hosted = &mut *guard;
        let start = hosted.journal.byte_len();
        let batch = BatchLimits {
            deadline: call.deadline,
            resident_pages: limits.resident_pages,
            journal_ops: limits.journal_ops,
        };
        let mut results = Vec::with_capacity(ops.len());
        let stop = if is_light(&ops) {
            hosted.apply_batch(&ops, protos, &batch, &mut results)
        } else {
            blocking(|| hosted.apply_batch(&ops, protos, &batch, &mut results))
        };
        if let Some(store) = &hosted.store {
            let bytes = hosted.journal.bytes_from(start);
            blocking(|| store.append(bytes)).map_err(|e| {
                tracing::error!(machine = %slot.id, error = %e, "journal write failed");
                Status::internal(format!("the operations were applied but the journal write failed: {e:#}"))
            })?;
        }
        slot.update(hosted, &self.registry.metrics);
        self.registry.metrics.count_ops(ops[..results.len()].iter().map(Op::name));
        let violations = if check && stop.is_ok() {
            blocking(|| hosted.machine.check_invariants()).iter().map(convert::violation_to_proto).collect()
        } else {
            Vec::new()
        };
        match stop {
            Ok(()) => Ok((results, hosted.journal.len(), violations)),
            Err(s) => Err(stop_status(s, &slot, results.len(), ops.len(), limits)),
        }
    }

    /// Builds a machine from a configuration and a history, within the limits and the deadline.
    fn build(&self, call: &Call, config: MachineConfig, protos: &[pb::Op]) -> Result<Hosted, Status> {
        let limits = &self.registry.limits;
        config_status(&config, limits)?;
        if protos.len() as u64 > limits.journal_ops {
            return Err(Status::resource_exhausted(format!(
                "the snapshot holds {} operations, more than this server's journal limit of {}",
                protos.len(),
                limits.journal_ops
            )));
        }
        let ops = convert::ops_from_proto(protos).map_err(|e| e.within("snapshot"))?;
        let mut hosted = Hosted::new(config).map_err(|e| Status::invalid_argument(format!("config: {e}")))?;
        let batch = BatchLimits {
            deadline: call.deadline,
            resident_pages: limits.resident_pages,
            journal_ops: limits.journal_ops,
        };
        let mut results = Vec::with_capacity(ops.len());
        blocking(|| hosted.apply_batch(&ops, protos, &batch, &mut results)).map_err(|s| match s {
            Stop::Deadline => Status::deadline_exceeded("deadline exceeded while replaying the snapshot"),
            Stop::Resident(n) => Status::resource_exhausted(format!(
                "replaying the snapshot reaches {n} resident pages, this server's limit per machine"
            )),
            Stop::Journal => Status::resource_exhausted("the snapshot exceeds the journal limit"),
        })?;
        Ok(hosted)
    }

    /// Runs a handler, recording its latency and status code.
    async fn timed<T>(
        &self,
        method: &'static str,
        f: impl Future<Output = Result<T, Status>>,
    ) -> Result<Response<T>, Status> {
        let started = Instant::now();
        let r = f.await;
        let code = r.as_ref().map_or_else(|e| e.code(), |_| tonic::Code::Ok);
        self.registry.metrics.observe(method, started, code);
        if let Err(e) = &r {
            tracing::debug!(method, code = ?e.code(), message = e.message(), "call failed");
        }
        r.map(Response::new)
    }
}

type SessionStream = Pin<Box<dyn Stream<Item = Result<pb::SessionResponse, Status>> + Send>>;

#[tonic::async_trait]
impl MachineService for Service {
    async fn create_machine(&self, req: Request<pb::CreateMachineRequest>) -> Result<Response<pb::Machine>, Status> {
        self.timed("CreateMachine", async {
            let call = self.begin(&req)?;
            let config = convert::config_from_proto(req.get_ref().config.as_ref())?;
            config_status(&config, &self.registry.limits)?;
            let hosted = Hosted::new(config).map_err(|e| Status::invalid_argument(format!("config: {e}")))?;
            let slot = self.registry.insert(&call.tenant, hosted)?;
            tracing::info!(machine = %slot.id, tenant = call.tenant.as_str(), "created");
            Ok(Self::info(&slot, None))
        })
        .await
    }

    async fn get_machine(&self, req: Request<pb::GetMachineRequest>) -> Result<Response<pb::Machine>, Status> {
        self.timed("GetMachine", async {
            let call = self.begin(&req)?;
            let slot = self.registry.get(&call.tenant, &req.get_ref().machine_id)?;
            let g = self.lock(&slot, &call).await?;
            Ok(Self::info(&slot, Some(&g)))
        })
        .await
    }

    async fn list_machines(
        &self,
        req: Request<pb::ListMachinesRequest>,
    ) -> Result<Response<pb::ListMachinesResponse>, Status> {
        self.timed("ListMachines", async {
            let call = self.begin(&req)?;
            let machines = self.registry.list(&call.tenant)?.iter().map(|s| Self::info(s, None)).collect();
            Ok(pb::ListMachinesResponse { machines })
        })
        .await
    }

    async fn delete_machine(
        &self,
        req: Request<pb::DeleteMachineRequest>,
    ) -> Result<Response<pb::DeleteMachineResponse>, Status> {
        self.timed("DeleteMachine", async {
            let call = self.begin(&req)?;
            self.registry.delete(&call.tenant, &req.get_ref().machine_id).await?;
            Ok(pb::DeleteMachineResponse {})
        })
        .await
    }

    async fn clone_machine(&self, req: Request<pb::CloneMachineRequest>) -> Result<Response<pb::Machine>, Status> {
        self.timed("CloneMachine", async {
            let call = self.begin(&req)?;
            let slot = self.registry.get(&call.tenant, &req.get_ref().machine_id)?;
            let copy = {
                let g = self.lock(&slot, &call).await?;
                Hosted { machine: g.machine.clone(), journal: g.journal.clone(), store: None }
            };
            let new = self.registry.insert(&call.tenant, copy)?;
            Ok(Self::info(&new, None))
        })
        .await
    }

    async fn export_snapshot(&self, req: Request<pb::ExportSnapshotRequest>) -> Result<Response<pb::Snapshot>, Status> {
        self.timed("ExportSnapshot", async {
            let call = self.begin(&req)?;
            let slot = self.registry.get(&call.tenant, &req.get_ref().machine_id)?;
            let (journal, d) = {
                let g = self.lock(&slot, &call).await?;
                (g.journal.clone(), blocking(|| digest(&g.machine)))
            };
            Ok(persist::snapshot(&slot.config, &journal, &d))
        })
        .await
    }

    async fn import_snapshot(&self, req: Request<pb::ImportSnapshotRequest>) -> Result<Response<pb::Machine>, Status> {
        self.timed("ImportSnapshot", async {
            let call = self.begin(&req)?;
            let snap = req.get_ref().snapshot.as_ref().ok_or_else(|| Invalid::new("snapshot", "not set"))?;
            if snap.version != 1 {
                return Err(
                    Invalid::new("snapshot.version", format!("unknown version {} (expected 1)", snap.version)).into()
                );
            }
            let config = convert::config_from_proto(snap.config.as_ref()).map_err(|e| e.within("snapshot"))?;
            let hosted = self.build(&call, config, &snap.ops)?;
            let got = blocking(|| digest(&hosted.machine));
            if !snap.digest.is_empty() && got != snap.digest {
                return Err(Status::failed_precondition(format!(
                    "snapshot digest {} does not match the replayed state {got}",
                    snap.digest
                )));
            }
            let slot = self.registry.insert(&call.tenant, hosted)?;
            Ok(Self::info(&slot, None))
        })
        .await
    }

    async fn execute(&self, req: Request<pb::ExecuteRequest>) -> Result<Response<pb::ExecuteResponse>, Status> {
        self.timed("Execute", async {
            let call = self.begin(&req)?;
            let r = req.get_ref();
            let (results, ops_applied, violations) =
                self.run_batch(&call, &r.machine_id, &r.ops, r.check_invariants).await?;
            Ok(pb::ExecuteResponse { results, ops_applied, violations })
        })
        .await
    }

    type SessionStream = SessionStream;

    async fn session(
        &self,
        req: Request<Streaming<pb::SessionRequest>>,
    ) -> Result<Response<Self::SessionStream>, Status> {
        // A session holds one call permit for its whole life.
        let permit = self.permit()?;
        let tenant = req.extensions().get::<Tenant>().cloned().unwrap_or_else(Tenant::anonymous);
        let inbound = req.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let this = self.clone();
        tokio::spawn(async move {
            this.session_loop(tenant, inbound, &tx).await;
            // Free the permit before the client sees the stream end.
            drop(permit);
            drop(tx);
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn read_view(&self, req: Request<pb::ReadViewRequest>) -> Result<Response<pb::ReadViewResponse>, Status> {
        self.timed("ReadView", async {
            let call = self.begin(&req)?;
            let r = req.get_ref();
            let slot = self.registry.get(&call.tenant, &r.machine_id)?;
            let g = self.lock(&slot, &call).await?;
            Ok(blocking(|| read::read_view(&g.machine, r.view.as_ref(), r.text))?)
        })
        .await
    }

    async fn check_invariants(
        &self,
        req: Request<pb::CheckInvariantsRequest>,
    ) -> Result<Response<pb::CheckInvariantsResponse>, Status> {
        self.timed("CheckInvariants", async {
            let call = self.begin(&req)?;
            let slot = self.registry.get(&call.tenant, &req.get_ref().machine_id)?;
            let g = self.lock(&slot, &call).await?;
            let v = blocking(|| g.machine.check_invariants());
            Ok(pb::CheckInvariantsResponse { violations: v.iter().map(convert::violation_to_proto).collect() })
        })
        .await
    }

    async fn get_journal(&self, req: Request<pb::GetJournalRequest>) -> Result<Response<pb::Journal>, Status> {
        self.timed("GetJournal", async {
            let call = self.begin(&req)?;
            let slot = self.registry.get(&call.tenant, &req.get_ref().machine_id)?;
            let journal: Journal = self.lock(&slot, &call).await?.journal.clone();
            let replayed = blocking(|| replay_results(&slot.config, &journal));
            let entries: Vec<(Op, mmlab_model::OpResult)> = replayed
                .iter()
                .map(|(p, r)| convert::op_from_proto(p).map(|op| (op, r.clone())))
                .collect::<Result<_, _>>()
                .map_err(|e| Status::internal(format!("journal: {e}")))?;
            Ok(pb::Journal {
                config: Some(convert::config_to_proto(&slot.config)),
                script: journal_script(&slot.config, &entries),
                results: entries.iter().map(|(_, r)| convert::result_to_proto(r)).collect(),
                ops: replayed.into_iter().map(|(p, _)| p).collect(),
            })
        })
        .await
    }

    async fn get_digest(&self, req: Request<pb::GetDigestRequest>) -> Result<Response<pb::Digest>, Status> {
        self.timed("GetDigest", async {
            let call = self.begin(&req)?;
            let slot = self.registry.get(&call.tenant, &req.get_ref().machine_id)?;
            let g = self.lock(&slot, &call).await?;
            Ok(pb::Digest { digest: blocking(|| digest(&g.machine)), ops_applied: g.journal.len() })
        })
        .await
    }
}

impl Service {
    /// Serves a session's messages in order until the client ends the stream, a batch fails, or
    /// the server shuts down.
    async fn session_loop(
        &self,
        tenant: Tenant,
        mut inbound: Streaming<pb::SessionRequest>,
        tx: &tokio::sync::mpsc::Sender<Result<pb::SessionResponse, Status>>,
    ) {
        let mut machine = String::new();
        let mut shutdown = self.shutdown.clone();
        loop {
            let next = tokio::select! {
                m = inbound.next() => Some(m),
                _ = shutdown.wait_for(|s| *s) => None,
            };
            let Some(msg) = next else {
                let _ = tx.send(Err(Status::unavailable("the server is shutting down"))).await;
                return;
            };
            let Some(msg) = msg else { return };
            let r = match msg {
                Ok(m) => self.session_batch(&tenant, &mut machine, m).await,
                Err(e) => Err(e),
            };
            let failed = r.is_err();
            if tx.send(r).await.is_err() || failed {
                return;
            }
        }
    }

    /// One Session message: a batch on the session's machine, with its own deadline and permit.
    async fn session_batch(
        &self,
        tenant: &Tenant,
        machine: &mut String,
        m: pb::SessionRequest,
    ) -> Result<pb::SessionResponse, Status> {
        let started = Instant::now();
        if !m.machine_id.is_empty() {
            *machine = m.machine_id;
        }
        if machine.is_empty() {
            return Err(Invalid::new("machine_id", "the first Session message must name a machine").into());
        }
        let call =
            Call { tenant: tenant.clone(), deadline: started + self.registry.limits.call_duration, _permit: None };
        let r = self.run_batch(&call, machine, &m.ops, false).await;
        let code = r.as_ref().map_or_else(|e| e.code(), |_| tonic::Code::Ok);
        self.registry.metrics.observe("Session", started, code);
        let (results, ops_applied, _) = r?;
        Ok(pb::SessionResponse { tag: m.tag, results, ops_applied })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse() {
        assert_eq!(parse_grpc_timeout("5S"), Some(Duration::from_secs(5)));
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_grpc_timeout("10u"), Some(Duration::from_micros(10)));
        assert_eq!(parse_grpc_timeout("S"), None);
        assert_eq!(parse_grpc_timeout("123456789S"), None);
        assert_eq!(parse_grpc_timeout("5x"), None);
    }
}
