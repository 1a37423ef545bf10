//! [`Client`]: every `mmlab.v1.MachineService` call, with the model's types in and out.

use std::time::Duration;

use mmlab_api::v1 as pb;
use mmlab_api::v1::machine_service_client::MachineServiceClient;
use mmlab_model::task::{TaskInfo, TaskStats};
use mmlab_model::{
    Errno, Kpage, MachineConfig, MapsEntry, Meminfo, Op, OpResult, PagemapEntry, Pid, SmapsEntry, SmapsRollup, Status,
    Violation, Vmstat,
};
use mmlab_server::convert;
use pb::read_view_request::View as Req;
use pb::read_view_response::View as Resp;
use serde::Serialize;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::error::{Chain, Error};

/// How to reach the server.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// Sent as `authorization: Bearer TOKEN` on every call.
    pub token: Option<String>,
    /// PEM certificate(s) to trust for an `https://` URL (required for TLS).
    pub tls_ca_pem: Option<Vec<u8>>,
    /// The server name to check the certificate against, when it differs from the URL's host.
    pub tls_domain: Option<String>,
    /// Deadline of every call (sent as `grpc-timeout`); none by default.
    pub timeout: Option<Duration>,
    /// How long to wait for the connection; 10 s by default.
    pub connect_timeout: Option<Duration>,
}

/// Adds the bearer token to every call.
#[derive(Clone, Debug)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Interceptor for Bearer {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(v) = &self.0 {
            req.metadata_mut().insert("authorization", v.clone());
        }
        Ok(req)
    }
}

type Stub = MachineServiceClient<InterceptedService<Channel, Bearer>>;

/// A connection to `mmlabd`. Cheap to clone; clones share the connection.
#[derive(Clone, Debug)]
pub struct Client {
    stub: Stub,
}

/// A machine as the service describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MachineInfo {
    pub id: String,
    /// The configuration, defaults filled in.
    pub config: MachineConfig,
    /// Operations applied so far.
    pub ops_applied: u64,
    /// Pages in use now (frames and page tables).
    pub resident_pages: u64,
    /// Live pids, ascending.
    pub pids: Vec<Pid>,
}

/// A machine's journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journal {
    pub config: MachineConfig,
    pub ops: Vec<Op>,
    pub results: Vec<OpResult>,
    /// The journal as a `.mms` script that `mmlab run` replays.
    pub script: String,
}

/// A view to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// /proc/PID/maps.
    Maps(Pid),
    /// /proc/PID/smaps.
    Smaps(Pid),
    /// /proc/PID/smaps_rollup.
    SmapsRollup(Pid),
    /// /proc/PID/status.
    Status(Pid),
    /// /proc/PID/pagemap, `pages` entries from `addr`.
    Pagemap { pid: Pid, addr: u64, pages: u64 },
    /// /proc/meminfo.
    Meminfo,
    /// /sys/devices/system/node/nodeN/meminfo.
    NodeMeminfo(u32),
    /// /proc/vmstat.
    Vmstat,
    /// /proc/kpagecount and /proc/kpageflags, `count` pfns from `pfn`.
    Kpages { pfn: u64, count: u64 },
    /// The value of the page at `addr`, read without faulting.
    Peek { pid: Pid, addr: u64 },
    /// The kernel tasks and the machine-wide task figures.
    Tasks,
}

/// A view's content, in the model's types (serializable as JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewValue {
    Maps(Vec<MapsEntry>),
    Smaps(Vec<SmapsEntry>),
    SmapsRollup(SmapsRollup),
    Status(Status),
    Pagemap { start: u64, entries: Vec<PagemapEntry> },
    Meminfo(Meminfo),
    Vmstat(Vmstat),
    Kpages(Vec<Kpage>),
    Peek(u64),
    Tasks { tasks: Vec<TaskInfo>, stats: TaskStats },
}

fn bad(what: &str) -> Error {
    Error::Protocol(format!("the server answered a {what} read with another view"))
}

impl View {
    fn request(self) -> Req {
        match self {
            View::Maps(pid) => Req::Maps(pb::PidSelector { pid }),
            View::Smaps(pid) => Req::Smaps(pb::PidSelector { pid }),
            View::SmapsRollup(pid) => Req::SmapsRollup(pb::PidSelector { pid }),
            View::Status(pid) => Req::Status(pb::PidSelector { pid }),
            View::Pagemap { pid, addr, pages } => Req::Pagemap(pb::PagemapSelector { pid, addr, pages }),
            View::Meminfo => Req::Meminfo(pb::MachineSelector {}),
            View::NodeMeminfo(nid) => Req::NodeMeminfo(pb::NodeSelector { nid }),
            View::Vmstat => Req::Vmstat(pb::MachineSelector {}),
            View::Kpages { pfn, count } => Req::Kpages(pb::KpageSelector { pfn, count }),
            View::Peek { pid, addr } => Req::Peek(pb::PeekSelector { pid, addr }),
            View::Tasks => Req::Tasks(pb::MachineSelector {}),
        }
    }
}

fn view_value(r: Resp) -> Result<Result<ViewValue, Errno>, Error> {
    Ok(Ok(match r {
        Resp::Errno(e) => return Ok(Err(convert::errno_from_proto(e)?)),
        Resp::Maps(m) => ViewValue::Maps(m.entries.iter().map(convert::maps_entry_from_proto).collect()),
        Resp::Smaps(s) => ViewValue::Smaps(
            s.entries.iter().map(convert::smaps_entry_from_proto).collect::<Result<_, _>>().map_err(Error::from)?,
        ),
        Resp::SmapsRollup(r) => ViewValue::SmapsRollup(convert::rollup_from_proto(&r)),
        Resp::Status(s) => ViewValue::Status(convert::status_from_proto(&s)),
        Resp::Pagemap(p) => ViewValue::Pagemap { start: p.start, entries: convert::pagemap_from_proto(&p) },
        Resp::Meminfo(m) => ViewValue::Meminfo(convert::meminfo_from_proto(&m)),
        Resp::Vmstat(v) => ViewValue::Vmstat(convert::vmstat_from_proto(&v)),
        Resp::Kpages(k) => ViewValue::Kpages(k.pages.iter().map(convert::kpage_from_proto).collect()),
        Resp::Peek(v) => ViewValue::Peek(v.value),
        Resp::Tasks(t) => {
            let (tasks, stats) = convert::tasks_from_proto(&t);
            ViewValue::Tasks { tasks, stats }
        }
    }))
}

fn machine_info(m: pb::Machine) -> Result<MachineInfo, Error> {
    Ok(MachineInfo {
        id: m.id,
        config: convert::config_from_proto(m.config.as_ref())?,
        ops_applied: m.ops_applied,
        resident_pages: m.resident_pages,
        pids: m.pids,
    })
}

impl Client {
    /// Connects to `url` (`http://HOST:PORT`, or `https://` for TLS).
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Client, Error> {
        let cerr = |e: &dyn std::error::Error| Error::Connect { url: url.to_string(), message: Chain(e).to_string() };
        let mut ep = Endpoint::from_shared(url.to_string()).map_err(|e| cerr(&e))?;
        ep = ep.connect_timeout(opts.connect_timeout.unwrap_or(Duration::from_secs(10))).tcp_nodelay(true);
        if let Some(t) = opts.timeout {
            ep = ep.timeout(t);
        }
        if url.starts_with("https://") || opts.tls_ca_pem.is_some() {
            let Some(pem) = &opts.tls_ca_pem else {
                return Err(Error::Connect {
                    url: url.into(),
                    message: "an https:// server needs the certificate authority to trust (--tls-ca FILE)".into(),
                });
            };
            let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem));
            if let Some(d) = &opts.tls_domain {
                tls = tls.domain_name(d.clone());
            }
            ep = ep.tls_config(tls).map_err(|e| cerr(&e))?;
        }
        let channel = ep.connect().await.map_err(|e| cerr(&e))?;
        let token =
            match &opts.token {
                Some(t) => Some(format!("Bearer {t}").parse().map_err(|_| Error::Connect {
                    url: url.into(),
                    message: "the token is not printable ASCII".into(),
                })?),
                None => None,
            };
        let stub = MachineServiceClient::with_interceptor(channel, Bearer(token))
            .max_decoding_message_size(256 << 20)
            .max_encoding_message_size(256 << 20);
        Ok(Client { stub })
    }

    fn stub(&self) -> Stub {
        self.stub.clone()
    }

    /// Creates a machine.
    pub async fn create_machine(&self, config: &MachineConfig) -> Result<MachineInfo, Error> {
        let req = pb::CreateMachineRequest { config: Some(convert::config_to_proto(config)) };
        machine_info(self.stub().create_machine(req).await?.into_inner())
    }

    /// Describes a machine.
    pub async fn machine(&self, id: &str) -> Result<MachineInfo, Error> {
        machine_info(self.stub().get_machine(pb::GetMachineRequest { machine_id: id.into() }).await?.into_inner())
    }

    /// The caller's machines, ordered by id.
    pub async fn machines(&self) -> Result<Vec<MachineInfo>, Error> {
        let r = self.stub().list_machines(pb::ListMachinesRequest {}).await?.into_inner();
        r.machines.into_iter().map(machine_info).collect()
    }

    /// Deletes a machine.
    pub async fn delete_machine(&self, id: &str) -> Result<(), Error> {
        self.stub().delete_machine(pb::DeleteMachineRequest { machine_id: id.into() }).await?;
        Ok(())
    }

    /// Copies a machine's whole state into a new machine.
    pub async fn clone_machine(&self, id: &str) -> Result<MachineInfo, Error> {
        machine_info(self.stub().clone_machine(pb::CloneMachineRequest { machine_id: id.into() }).await?.into_inner())
    }

    /// Applies operations in order; one model result per operation (errnos are results).
    pub async fn execute(&self, id: &str, ops: &[Op]) -> Result<Vec<OpResult>, Error> {
        Ok(self.execute_batch(id, ops, false).await?.0)
    }

    /// Applies operations in order and then, when `check`, runs the invariant checker in the
    /// same call: the results and the violations after the batch.
    pub async fn execute_batch(
        &self,
        id: &str,
        ops: &[Op],
        check: bool,
    ) -> Result<(Vec<OpResult>, Vec<Violation>), Error> {
        let req = pb::ExecuteRequest {
            machine_id: id.into(),
            ops: ops.iter().map(convert::op_to_proto).collect(),
            check_invariants: check,
        };
        let r = self.stub().execute(req).await?.into_inner();
        if r.results.len() != ops.len() {
            return Err(Error::Protocol(format!("{} results for {} operations", r.results.len(), ops.len())));
        }
        let results: Result<Vec<OpResult>, Error> =
            r.results.iter().map(|x| convert::result_from_proto(x).map_err(Error::from)).collect();
        Ok((results?, r.violations.iter().map(convert::violation_from_proto).collect()))
    }

    /// Applies one operation.
    pub async fn apply(&self, id: &str, op: &Op) -> Result<OpResult, Error> {
        Ok(self.execute(id, std::slice::from_ref(op)).await?.remove(0))
    }

    /// Reads a view: its content, or the errno Linux would fail to open it with.
    pub async fn read(&self, id: &str, view: &View) -> Result<Result<ViewValue, Errno>, Error> {
        let req = pb::ReadViewRequest { machine_id: id.into(), text: false, view: Some(view.request()) };
        let r = self.stub().read_view(req).await?.into_inner();
        view_value(r.view.ok_or_else(|| Error::Protocol("a view answer with no view".into()))?)
    }

    /// Reads a view as Linux prints it.
    pub async fn read_text(&self, id: &str, view: &View) -> Result<Result<String, Errno>, Error> {
        let req = pb::ReadViewRequest { machine_id: id.into(), text: true, view: Some(view.request()) };
        let r = self.stub().read_view(req).await?.into_inner();
        match r.view {
            Some(Resp::Errno(e)) => Ok(Err(convert::errno_from_proto(e)?)),
            Some(_) => Ok(Ok(r.text)),
            None => Err(Error::Protocol("a view answer with no view".into())),
        }
    }

    /// Reads a view that `pick` narrows to one kind.
    async fn narrow<T>(
        &self,
        id: &str,
        view: View,
        pick: fn(ViewValue) -> Option<T>,
    ) -> Result<Result<T, Errno>, Error> {
        match self.read(id, &view).await? {
            Ok(v) => pick(v).map(Ok).ok_or_else(|| bad(&format!("{view:?}"))),
            Err(e) => Ok(Err(e)),
        }
    }

    /// /proc/PID/maps.
    pub async fn maps(&self, id: &str, pid: Pid) -> Result<Result<Vec<MapsEntry>, Errno>, Error> {
        self.narrow(id, View::Maps(pid), |v| if let ViewValue::Maps(x) = v { Some(x) } else { None }).await
    }

    /// /proc/PID/smaps.
    pub async fn smaps(&self, id: &str, pid: Pid) -> Result<Result<Vec<SmapsEntry>, Errno>, Error> {
        self.narrow(id, View::Smaps(pid), |v| if let ViewValue::Smaps(x) = v { Some(x) } else { None }).await
    }

    /// /proc/PID/smaps_rollup.
    pub async fn smaps_rollup(&self, id: &str, pid: Pid) -> Result<Result<SmapsRollup, Errno>, Error> {
        self.narrow(id, View::SmapsRollup(pid), |v| if let ViewValue::SmapsRollup(x) = v { Some(x) } else { None })
            .await
    }

    /// /proc/PID/status.
    pub async fn status(&self, id: &str, pid: Pid) -> Result<Result<Status, Errno>, Error> {
        self.narrow(id, View::Status(pid), |v| if let ViewValue::Status(x) = v { Some(x) } else { None }).await
    }

    /// /sys/devices/system/node/nodeN/meminfo.
    pub async fn node_meminfo(&self, id: &str, nid: u32) -> Result<Result<Meminfo, Errno>, Error> {
        self.narrow(id, View::NodeMeminfo(nid), |v| if let ViewValue::Meminfo(x) = v { Some(x) } else { None }).await
    }

    /// /proc/meminfo.
    pub async fn meminfo(&self, id: &str) -> Result<Meminfo, Error> {
        match self.read(id, &View::Meminfo).await? {
            Ok(ViewValue::Meminfo(m)) => Ok(m),
            _ => Err(bad("meminfo")),
        }
    }

    /// /proc/vmstat.
    pub async fn vmstat(&self, id: &str) -> Result<Vmstat, Error> {
        match self.read(id, &View::Vmstat).await? {
            Ok(ViewValue::Vmstat(v)) => Ok(v),
            _ => Err(bad("vmstat")),
        }
    }

    /// `pages` pagemap entries from `addr`.
    pub async fn pagemap(
        &self,
        id: &str,
        pid: Pid,
        addr: u64,
        pages: u64,
    ) -> Result<Result<Vec<PagemapEntry>, Errno>, Error> {
        match self.read(id, &View::Pagemap { pid, addr, pages }).await? {
            Ok(ViewValue::Pagemap { entries, .. }) => Ok(Ok(entries)),
            Ok(_) => Err(bad("pagemap")),
            Err(e) => Ok(Err(e)),
        }
    }

    /// kpagecount and kpageflags of `count` pfns from `pfn`.
    pub async fn kpages(&self, id: &str, pfn: u64, count: u64) -> Result<Vec<Kpage>, Error> {
        match self.read(id, &View::Kpages { pfn, count }).await? {
            Ok(ViewValue::Kpages(k)) => Ok(k),
            _ => Err(bad("kpages")),
        }
    }

    /// The value of the page at `addr`, read without faulting.
    pub async fn peek(&self, id: &str, pid: Pid, addr: u64) -> Result<Result<u64, Errno>, Error> {
        match self.read(id, &View::Peek { pid, addr }).await? {
            Ok(ViewValue::Peek(v)) => Ok(Ok(v)),
            Ok(_) => Err(bad("peek")),
            Err(e) => Ok(Err(e)),
        }
    }

    /// The kernel tasks and the machine-wide task figures.
    pub async fn tasks(&self, id: &str) -> Result<(Vec<TaskInfo>, TaskStats), Error> {
        match self.read(id, &View::Tasks).await? {
            Ok(ViewValue::Tasks { tasks, stats }) => Ok((tasks, stats)),
            _ => Err(bad("tasks")),
        }
    }

    /// Runs the model's invariant checker; empty when the machine is consistent.
    pub async fn check_invariants(&self, id: &str) -> Result<Vec<Violation>, Error> {
        let r = self.stub().check_invariants(pb::CheckInvariantsRequest { machine_id: id.into() }).await?.into_inner();
        Ok(r.violations.iter().map(convert::violation_from_proto).collect())
    }

    /// The machine's journal: every applied operation, its result, and the `.mms` script.
    pub async fn journal(&self, id: &str) -> Result<Journal, Error> {
        let j = self.stub().get_journal(pb::GetJournalRequest { machine_id: id.into() }).await?.into_inner();
        Ok(Journal {
            config: convert::config_from_proto(j.config.as_ref())?,
            ops: convert::ops_from_proto(&j.ops)?,
            results: j.results.iter().map(convert::result_from_proto).collect::<Result<_, _>>()?,
            script: j.script,
        })
    }

    /// SHA-256 of the machine's whole state (equal digests, equal states).
    pub async fn digest(&self, id: &str) -> Result<String, Error> {
        Ok(self.stub().get_digest(pb::GetDigestRequest { machine_id: id.into() }).await?.into_inner().digest)
    }

    /// The machine as a snapshot (configuration, operations, digest).
    pub async fn export_snapshot(&self, id: &str) -> Result<pb::Snapshot, Error> {
        Ok(self.stub().export_snapshot(pb::ExportSnapshotRequest { machine_id: id.into() }).await?.into_inner())
    }

    /// A new machine rebuilt from a snapshot.
    pub async fn import_snapshot(&self, snapshot: pb::Snapshot) -> Result<MachineInfo, Error> {
        let req = pb::ImportSnapshotRequest { snapshot: Some(snapshot) };
        machine_info(self.stub().import_snapshot(req).await?.into_inner())
    }
}
