//! The `service` target: arbitrary requests into the in-process `MachineService`, served to two
//! tenants (and to a caller with a wrong token), checking that nothing panics and that no tenant
//! ever sees or changes another tenant's machine.
//!
//! Each step picks a caller and an RPC, decodes the request from arbitrary protobuf bytes
//! (malformed bytes give the default request), and then, most of the time, points it at a known
//! machine id (of either tenant) and fills it with well-formed content (model operations through
//! the one translation module, a view selector, a small machine config). The call goes through
//! the same tenant resolution as the server's interceptor and straight into the service. After
//! every step:
//! - a call naming another tenant's machine failed, with the code the same request naming a
//!   missing machine gets (NOT_FOUND once the request is otherwise valid);
//! - a wrong token answered UNAUTHENTICATED;
//! - each tenant's ListMachines is exactly the machines it created, cloned or imported and has
//!   not deleted;
//! - every machine's digest is the one its owner's last call left (others' calls changed
//!   nothing).
//!
//! Session (a bidirectional stream) is not driven here: its batches go through the same
//! `run_batch` as Execute.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use arbitrary::{Arbitrary, Unstructured};
use mmlab_api::v1 as pb;
use mmlab_api::v1::machine_service_server::MachineService;
use mmlab_model::Op;
use mmlab_server::auth::Auth;
use mmlab_server::convert;
use mmlab_server::limits::Limits;
use mmlab_server::metrics::Metrics;
use mmlab_server::registry::Registry;
use mmlab_server::service::Service;
use prost::Message;
use tokio::sync::watch;
use tonic::{Code, Request, Status};

use crate::oracle::{Failure, FailureKind};

/// The tenants, by token: `TOKENS[i]` belongs to `TENANTS[i]`; the last token is unknown.
const TENANTS: [&str; 2] = ["alice", "bob"];
const TOKENS: [&str; 3] = ["token-alice", "token-bob", "token-nobody"];

/// Steps per input.
const MAX_STEPS: usize = 24;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime"))
}

/// Small limits, so that every limit is reachable from short inputs.
fn limits() -> Limits {
    Limits {
        machines_per_tenant: 4,
        machine_bytes: 8 << 20,
        resident_pages: 2048,
        batch_ops: 32,
        journal_ops: 512,
        ..Limits::default()
    }
}

/// One fuzzing world: the service, its tenants' tokens, and what each tenant should see.
struct World {
    svc: Service,
    auth: Auth,
    /// Machine id → owning tenant index.
    owner: BTreeMap<String, usize>,
    /// Machine id → digest after its owner's last call.
    digests: BTreeMap<String, String>,
    _shutdown: watch::Sender<bool>,
}

/// The RPCs a step can call.
#[derive(Arbitrary, Clone, Copy, Debug)]
enum Rpc {
    Create,
    Get,
    List,
    Delete,
    Clone,
    Export,
    Import,
    Execute,
    ReadView,
    CheckInvariants,
    GetJournal,
    GetDigest,
}

fn failure(what: &str, step: usize, detail: String) -> Failure {
    Failure { kind: FailureKind::Mismatch(what.to_string()), op_index: Some(step), detail }
}

impl World {
    fn new() -> World {
        let (tx, rx) = watch::channel(false);
        let registry = Arc::new(Registry::new(limits(), None, Arc::new(Metrics::new())));
        let text: String = TENANTS.iter().zip(TOKENS).map(|(t, k)| format!("{k} {t}\n")).collect();
        let auth = Auth::parse(&text).expect("token table");
        World { svc: Service::new(registry, rx), auth, owner: BTreeMap::new(), digests: BTreeMap::new(), _shutdown: tx }
    }

    /// A request from `caller` (an index into [`TOKENS`]) as the interceptor passes it on: the
    /// tenant resolved from the bearer token, or UNAUTHENTICATED.
    fn request<T>(&self, caller: usize, body: T) -> Result<Request<T>, Status> {
        let mut req = Request::new(body);
        let bearer = format!("Bearer {}", TOKENS[caller]);
        req.metadata_mut().insert("authorization", bearer.parse().expect("ascii"));
        let tenant = self.auth.tenant(&req)?;
        req.extensions_mut().insert(tenant);
        Ok(req)
    }

    async fn list(&self, tenant: usize) -> Vec<String> {
        let Ok(req) = self.request(tenant, pb::ListMachinesRequest {}) else { return Vec::new() };
        let resp = self.svc.list_machines(req).await.map(|r| r.into_inner());
        let mut ids: Vec<String> = resp.map(|r| r.machines.into_iter().map(|m| m.id).collect()).unwrap_or_default();
        ids.sort();
        ids
    }

    async fn digest(&self, tenant: usize, id: &str) -> Option<String> {
        let req = self.request(tenant, pb::GetDigestRequest { machine_id: id.to_string() }).ok()?;
        self.svc.get_digest(req).await.ok().map(|r| r.into_inner().digest)
    }

    /// A machine id to aim at: mostly a known one (of either tenant), sometimes a stranger.
    fn pick_id(&self, u: &mut Unstructured) -> arbitrary::Result<String> {
        let known: Vec<&String> = self.owner.keys().collect();
        if !known.is_empty() && u.ratio(7, 8)? {
            return Ok(known[u.choose_index(known.len())?].clone());
        }
        Ok(if u.ratio(1, 2)? { format!("m-{}", u.int_in_range(0..=64u32)?) } else { String::arbitrary(u)? })
    }
}

/// Request bytes: arbitrary protobuf (the default message when they do not decode).
fn decode<M: Message + Default>(u: &mut Unstructured) -> arbitrary::Result<M> {
    let raw: &[u8] = u.arbitrary()?;
    Ok(M::decode(raw).unwrap_or_default())
}

fn small_config(u: &mut Unstructured) -> arbitrary::Result<pb::MachineConfig> {
    let node_bytes = [64u64 << 10, 256 << 10, 1 << 20, 16 << 20][u.choose_index(4)?];
    let quirks = if u.ratio(1, 8)? { vec![String::arbitrary(u)?] } else { Vec::new() };
    Ok(pb::MachineConfig {
        nodes: Some(u.int_in_range(1..=2)?),
        node_bytes: Some(node_bytes),
        swap_bytes: Some(if u.arbitrary()? { 256 << 10 } else { 0 }),
        quirks,
        ..Default::default()
    })
}

fn model_ops(u: &mut Unstructured) -> arbitrary::Result<Vec<pb::Op>> {
    let n = u.int_in_range(0..=40usize)?;
    (0..n).map(|_| Op::arbitrary(u).map(|op| convert::op_to_proto(&op))).collect()
}

fn view(u: &mut Unstructured) -> arbitrary::Result<pb::read_view_request::View> {
    use pb::read_view_request::View;
    let pid = u.int_in_range(0..=3)?;
    Ok(match u.int_in_range(0..=5)? {
        0 => View::Maps(pb::PidSelector { pid }),
        1 => View::Smaps(pb::PidSelector { pid }),
        2 => View::Status(pb::PidSelector { pid }),
        3 => View::Meminfo(pb::MachineSelector {}),
        4 => View::Vmstat(pb::MachineSelector {}),
        _ => View::Kpages(pb::KpageSelector { pfn: u.int_in_range(0..=64)?, count: u.int_in_range(0..=70_000)? }),
    })
}

/// What a step called, for the checks: the machine it named and whether it succeeded.
struct Called {
    machine: Option<String>,
    code: Code,
    /// The answer to the same request naming a missing machine (asked when the named machine is
    /// another tenant's).
    missing_code: Option<Code>,
    /// A machine the call created (create, clone, import).
    created: Option<String>,
}

/// An id no machine ever has (the registry numbers machines from 1).
const MISSING: &str = "m-0";

fn code_of<T>(r: &Result<T, Status>) -> Code {
    r.as_ref().map_or_else(|e| e.code(), |_| Code::Ok)
}

async fn call(w: &World, u: &mut Unstructured<'_>, caller: usize, rpc: Rpc) -> arbitrary::Result<Option<Called>> {
    let well_formed = u.ratio(7, 8)?;
    let id = w.pick_id(u)?;
    // Sends a request that names a machine; when that machine is another tenant's, sends it
    // again naming a missing machine, for the answer it must be indistinguishable from.
    macro_rules! send {
        ($method:ident, $req:expr) => {{
            let req = $req;
            let named = req.machine_id.clone();
            let Ok(r) = w.request(caller, req.clone()) else { return Ok(None) };
            let code = code_of(&w.svc.$method(r).await);
            let mut missing_code = None;
            if w.owner.get(&named).is_some_and(|&o| o != caller) {
                let mut alt = req;
                alt.machine_id = MISSING.to_string();
                let Ok(r) = w.request(caller, alt) else { return Ok(None) };
                missing_code = Some(code_of(&w.svc.$method(r).await));
            }
            Ok(Some(Called { machine: Some(named), code, missing_code, created: None }))
        }};
    }
    macro_rules! by_id {
        ($ty:ty, $method:ident) => {{
            let mut req: $ty = decode(u)?;
            if well_formed {
                req.machine_id = id;
            }
            send!($method, req)
        }};
    }
    match rpc {
        Rpc::Create => {
            let mut req: pb::CreateMachineRequest = decode(u)?;
            if well_formed {
                req.config = Some(small_config(u)?);
            }
            let Ok(req) = w.request(caller, req) else { return Ok(None) };
            Ok(Some(created(w.svc.create_machine(req).await)))
        }
        Rpc::Clone => {
            let mut req: pb::CloneMachineRequest = decode(u)?;
            if well_formed {
                req.machine_id = id;
            }
            let named = req.machine_id.clone();
            if w.owner.get(&named).is_some_and(|&o| o != caller) {
                return send!(clone_machine, req);
            }
            let Ok(req) = w.request(caller, req) else { return Ok(None) };
            Ok(Some(Called { machine: Some(named), ..created(w.svc.clone_machine(req).await) }))
        }
        Rpc::Import => {
            let mut req: pb::ImportSnapshotRequest = decode(u)?;
            if well_formed {
                let ops = model_ops(u)?;
                req.snapshot =
                    Some(pb::Snapshot { version: 1, config: Some(small_config(u)?), ops, digest: String::new() });
            }
            let Ok(req) = w.request(caller, req) else { return Ok(None) };
            Ok(Some(created(w.svc.import_snapshot(req).await)))
        }
        Rpc::List => {
            let Ok(req) = w.request(caller, pb::ListMachinesRequest {}) else { return Ok(None) };
            let code = code_of(&w.svc.list_machines(req).await);
            Ok(Some(Called { machine: None, code, missing_code: None, created: None }))
        }
        Rpc::Get => by_id!(pb::GetMachineRequest, get_machine),
        Rpc::Delete => by_id!(pb::DeleteMachineRequest, delete_machine),
        Rpc::Export => by_id!(pb::ExportSnapshotRequest, export_snapshot),
        Rpc::CheckInvariants => by_id!(pb::CheckInvariantsRequest, check_invariants),
        Rpc::GetJournal => by_id!(pb::GetJournalRequest, get_journal),
        Rpc::GetDigest => by_id!(pb::GetDigestRequest, get_digest),
        Rpc::Execute => {
            let mut req: pb::ExecuteRequest = decode(u)?;
            if well_formed {
                req.machine_id = id;
                req.ops = model_ops(u)?;
            }
            send!(execute, req)
        }
        Rpc::ReadView => {
            let mut req: pb::ReadViewRequest = decode(u)?;
            if well_formed {
                req.machine_id = id;
                req.view = Some(view(u)?);
                req.text = u.arbitrary()?;
            }
            send!(read_view, req)
        }
    }
}

fn created(r: Result<tonic::Response<pb::Machine>, Status>) -> Called {
    match r {
        Ok(m) => Called { machine: None, code: Code::Ok, missing_code: None, created: Some(m.into_inner().id) },
        Err(e) => Called { machine: None, code: e.code(), missing_code: None, created: None },
    }
}

/// Checks one step's answer against who owns what, and updates the bookkeeping.
async fn account(w: &mut World, step: usize, caller: usize, rpc: Rpc, c: &Called) -> Result<(), Failure> {
    if let Some(id) = &c.machine {
        match w.owner.get(id) {
            Some(&owner) if owner != caller && (c.code == Code::Ok || Some(c.code) != c.missing_code) => {
                return Err(failure(
                    "tenant-isolation",
                    step,
                    format!(
                        "{} called {rpc:?} on {id} of {}: {:?}, but {:?} for a missing machine",
                        TENANTS[caller], TENANTS[owner], c.code, c.missing_code
                    ),
                ));
            }
            Some(&owner) if owner == caller && matches!(rpc, Rpc::Delete) && c.code == Code::Ok => {
                w.owner.remove(id);
                w.digests.remove(id);
            }
            Some(&owner) if owner == caller => {
                let d = w.digest(caller, id).await.unwrap_or_default();
                w.digests.insert(id.clone(), d);
            }
            Some(_) => {}
            None if c.code == Code::Ok && !matches!(rpc, Rpc::List) => {
                return Err(failure("unknown-machine", step, format!("{rpc:?} on unknown machine {id:?} succeeded")));
            }
            None => {}
        }
    }
    if let Some(id) = &c.created {
        if let Some(&other) = w.owner.get(id) {
            return Err(failure("machine-id-reused", step, format!("{id} already belongs to {}", TENANTS[other])));
        }
        w.owner.insert(id.clone(), caller);
        let d = w.digest(caller, id).await.unwrap_or_default();
        w.digests.insert(id.clone(), d);
    }
    for (t, name) in TENANTS.iter().enumerate() {
        let want: Vec<String> = w.owner.iter().filter(|(_, o)| **o == t).map(|(id, _)| id.clone()).collect();
        let have = w.list(t).await;
        if have != want {
            return Err(failure("tenant-listing", step, format!("{name} lists {have:?}, owns {want:?}")));
        }
    }
    for (id, want) in &w.digests {
        let have = w.digest(w.owner[id], id).await.unwrap_or_default();
        if &have != want {
            return Err(failure("digest", step, format!("{id} changed without its owner: {want} -> {have}")));
        }
    }
    Ok(())
}

async fn drive(u: &mut Unstructured<'_>) -> Result<(), Failure> {
    let mut w = World::new();
    for step in 0..MAX_STEPS {
        let (Ok(caller), Ok(rpc)) = (u.int_in_range(0..=TOKENS.len() - 1), Rpc::arbitrary(u)) else { break };
        let Ok(called) = call(&w, u, caller, rpc).await else { break };
        match called {
            None if caller < TENANTS.len() => {
                return Err(failure("auth", step, format!("{} was refused", TENANTS[caller])));
            }
            None => {}
            Some(_) if caller >= TENANTS.len() => {
                return Err(failure("auth", step, format!("an unknown token was let through to {rpc:?}")));
            }
            Some(c) => account(&mut w, step, caller, rpc, &c).await?,
        }
    }
    Ok(())
}

/// The `service` target.
pub fn service(data: &[u8]) -> Result<(), Failure> {
    let mut u = Unstructured::new(data);
    runtime().block_on(drive(&mut u))
}

/// [`service`], panicking on a failure (the libFuzzer wrapper).
pub fn service_or_panic(data: &[u8]) {
    if let Err(f) = service(data) {
        panic!("{f}");
    }
}
