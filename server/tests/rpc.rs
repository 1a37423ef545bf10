//! Every RPC of `mmlab.v1.MachineService`, health and reflection, against a spawned `mmlabd` over
//! loopback TCP.

mod common;

use common::*;
use mmlab_api::v1 as pb;
use mmlab_model::{Errno, Op, Outcome, Signal};
use pb::read_view_request::View as Req;
use pb::read_view_response::View as Resp;
use tonic::Code;

/// spawn; mmap 16 pages; touch 10; munmap unaligned (EINVAL); read unmapped (SIGSEGV).
async fn scenario(
    c: &mut mmlab_api::v1::machine_service_client::MachineServiceClient<tonic::transport::Channel>,
) -> (String, u64) {
    let id = create(c).await;
    let r = exec(c, &id, vec![Op::Spawn, anon_rw(1, 16 << 12)]).await;
    assert_eq!(r[0], Ok(Outcome::Pid(1)));
    let a = addr(&r[1]);
    let r = exec(
        c,
        &id,
        vec![touch(1, a, 10 << 12), Op::Munmap { pid: 1, addr: a + 1, len: 4096 }, Op::Read { pid: 1, addr: 0x1000 }],
    )
    .await;
    assert_eq!(r, vec![Ok(Outcome::Done), Err(Errno::EINVAL), Ok(Outcome::Signal(Signal::SegvMaperr))]);
    (id, a)
}

async fn view(
    c: &mut mmlab_api::v1::machine_service_client::MachineServiceClient<tonic::transport::Channel>,
    id: &str,
    v: Req,
) -> pb::ReadViewResponse {
    c.read_view(pb::ReadViewRequest { machine_id: id.into(), text: true, view: Some(v) })
        .await
        .expect("view")
        .into_inner()
}

#[tokio::test]
async fn lifecycle_create_get_list_delete() {
    let s = Server::start(&[]);
    let mut c = s.client().await;
    let cfg = pb::MachineConfig { nodes: Some(2), node_bytes: Some(64 << 20), ..Default::default() };
    let m = c.create_machine(pb::CreateMachineRequest { config: Some(cfg) }).await.unwrap().into_inner();
    assert_eq!(m.id, "m-00000001");
    let full = m.config.clone().unwrap();
    assert_eq!((full.nodes, full.node_bytes, full.swap_bytes), (Some(2), Some(64 << 20), Some(0)));
    assert_eq!((full.memlock_bytes, full.thp), (Some(8 << 20), Some(pb::ThpMode::Never as i32)));
    let second = create(&mut c).await;
    exec(&mut c, &second, vec![Op::Spawn, Op::Spawn]).await;
    let got = c.get_machine(pb::GetMachineRequest { machine_id: second.clone() }).await.unwrap().into_inner();
    assert_eq!((got.ops_applied, got.pids.clone(), got.resident_pages), (2, vec![1, 2], 0));
    let list = c.list_machines(pb::ListMachinesRequest {}).await.unwrap().into_inner().machines;
    assert_eq!(list.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m-00000001", "m-00000002"]);
    assert_eq!(list[1].ops_applied, 2);
    c.delete_machine(pb::DeleteMachineRequest { machine_id: m.id.clone() }).await.unwrap();
    let e = c.get_machine(pb::GetMachineRequest { machine_id: m.id.clone() }).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::NotFound, "no machine 'm-00000001'"));
    let e = c.delete_machine(pb::DeleteMachineRequest { machine_id: m.id }).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert_eq!(c.list_machines(pb::ListMachinesRequest {}).await.unwrap().into_inner().machines.len(), 1);
}

#[tokio::test]
async fn execute_views_invariants_and_journal() {
    let s = Server::start(&[]);
    let mut c = s.client().await;
    let (id, a) = scenario(&mut c).await;

    let r = view(&mut c, &id, Req::SmapsRollup(pb::PidSelector { pid: 1 })).await;
    let Some(Resp::SmapsRollup(roll)) = r.view else { panic!("{r:?}") };
    assert_eq!(roll.mss.unwrap().resident, 40 << 10);
    assert!(r.text.contains("\nRss:                  40 kB\n"), "{}", r.text);
    let r = view(&mut c, &id, Req::Smaps(pb::PidSelector { pid: 1 })).await;
    let Some(Resp::Smaps(smaps)) = r.view else { panic!("{r:?}") };
    assert_eq!(smaps.entries.len(), 1);
    assert_eq!((smaps.entries[0].size, smaps.entries[0].map.as_ref().unwrap().start), (64 << 10, a));
    assert!(r.text.contains("\nAnonymous:            40 kB\n"), "{}", r.text);
    let r = view(&mut c, &id, Req::Maps(pb::PidSelector { pid: 1 })).await;
    assert_eq!(r.text, format!("{:08x}-{:08x} rw-p 00000000 00:00 0 \n", a, a + (16 << 12)));
    let r = view(&mut c, &id, Req::Status(pb::PidSelector { pid: 1 })).await;
    let Some(Resp::Status(st)) = r.view else { panic!("{r:?}") };
    assert_eq!((st.vm_rss, st.rss_anon, st.vm_size), (40, 40, 64));
    assert!(r.text.contains("VmRSS:\t      40 kB\n"), "{}", r.text);
    let r = view(&mut c, &id, Req::Meminfo(pb::MachineSelector {})).await;
    let Some(Resp::Meminfo(mi)) = r.view else { panic!("{r:?}") };
    assert_eq!((mi.mem_total, mi.anon_pages), (1 << 20, 40));
    assert!(r.text.starts_with("MemTotal:        1048576 kB\n"), "{}", r.text);
    let r = view(&mut c, &id, Req::NodeMeminfo(pb::NodeSelector { nid: 0 })).await;
    assert!(r.text.starts_with("Node 0 MemTotal:"), "{}", r.text);
    let r = view(&mut c, &id, Req::NodeMeminfo(pb::NodeSelector { nid: 3 })).await;
    assert_eq!(r.view, Some(Resp::Errno(pb::Errno::Enodev as i32)));
    let r = view(&mut c, &id, Req::Vmstat(pb::MachineSelector {})).await;
    let Some(Resp::Vmstat(vs)) = r.view else { panic!("{r:?}") };
    let anon = vs.items.iter().find(|i| i.name == "nr_anon_pages").unwrap().value;
    assert_eq!(anon, 10);
    assert!(r.text.contains("\nnr_anon_pages 10\n"), "{}", r.text);
    let r = view(&mut c, &id, Req::Pagemap(pb::PagemapSelector { pid: 1, addr: a, pages: 16 })).await;
    let Some(Resp::Pagemap(pm)) = r.view else { panic!("{r:?}") };
    let present: Vec<bool> = pm.entries.iter().map(|e| e >> 63 == 1).collect();
    assert_eq!(present, [vec![true; 10], vec![false; 6]].concat());
    let pfn = pm.entries[0] & ((1 << 55) - 1);
    let r = view(&mut c, &id, Req::Kpages(pb::KpageSelector { pfn, count: 1 })).await;
    let Some(Resp::Kpages(kp)) = r.view else { panic!("{r:?}") };
    assert_eq!(kp.pages[0].count, 1);
    assert_ne!(kp.pages[0].flags & (1 << 12), 0, "KPF_ANON");
    assert!(r.text.contains("ANON"), "{}", r.text);
    let r = view(&mut c, &id, Req::Status(pb::PidSelector { pid: 99 })).await;
    assert_eq!((r.view, r.text.as_str()), (Some(Resp::Errno(pb::Errno::Esrch as i32)), ""));

    let inv = c.check_invariants(pb::CheckInvariantsRequest { machine_id: id.clone() }).await.unwrap().into_inner();
    assert_eq!(inv.violations, vec![]);

    let j = c.get_journal(pb::GetJournalRequest { machine_id: id.clone() }).await.unwrap().into_inner();
    assert_eq!((j.ops.len(), j.results.len()), (5, 5));
    let lines: Vec<&str> = j.script.lines().collect();
    assert_eq!(lines[0], "machine nodes=1 node_mem=0x40000000 swap=0x0 memlock=0x800000 thp=never");
    assert_eq!(lines[1], "spawn");
    assert_eq!(lines[2], "mmap 1 0x0 0x10000 rw private,anonymous");
    assert_eq!(lines[3], format!("touch 1 {a:#x} 0xa000 write"));
    assert_eq!(lines[4], format!("munmap 1 {:#x} 0x1000 => EINVAL", a + 1));
    assert_eq!(lines[5], "read 1 0x1000 => SIGSEGV(MAPERR)");
    let report = mmlab_model::script::run(
        &mmlab_model::script::parse(&j.script).unwrap(),
        &mmlab_model::script::RunOptions::default(),
    );
    assert!(report.passed(), "{}", report.text());
}

#[tokio::test]
async fn clone_export_import_and_digests() {
    let s = Server::start(&[]);
    let mut c = s.client().await;
    let (id, a) = scenario(&mut c).await;
    let d0 = digest(&mut c, &id).await;
    let copy = c.clone_machine(pb::CloneMachineRequest { machine_id: id.clone() }).await.unwrap().into_inner();
    assert_eq!(copy.ops_applied, 5);
    assert_eq!(digest(&mut c, &copy.id).await, d0);
    exec(&mut c, &copy.id, vec![Op::Write { pid: 1, addr: a, value: 0x41 }]).await;
    assert_ne!(digest(&mut c, &copy.id).await, d0);
    assert_eq!(digest(&mut c, &id).await, d0, "the original is untouched");
    assert_eq!(exec(&mut c, &id, vec![Op::Read { pid: 1, addr: a }]).await, vec![Ok(Outcome::Value(0))]);
    assert_eq!(exec(&mut c, &copy.id, vec![Op::Read { pid: 1, addr: a }]).await, vec![Ok(Outcome::Value(0x41))]);

    let snap = c.export_snapshot(pb::ExportSnapshotRequest { machine_id: copy.id.clone() }).await.unwrap().into_inner();
    assert_eq!((snap.version, snap.ops.len()), (1, 7));
    let want = digest(&mut c, &copy.id).await;
    assert_eq!(snap.digest, want);
    let imported =
        c.import_snapshot(pb::ImportSnapshotRequest { snapshot: Some(snap.clone()) }).await.unwrap().into_inner();
    assert_eq!(imported.ops_applied, 7);
    assert_eq!(digest(&mut c, &imported.id).await, want);

    let mut bad = snap.clone();
    bad.digest = "00".repeat(32);
    let e = c.import_snapshot(pb::ImportSnapshotRequest { snapshot: Some(bad) }).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().starts_with(&format!("snapshot digest {} does not match", "00".repeat(32))), "{}", e.message());
    let mut bad = snap.clone();
    bad.version = 2;
    let e = c.import_snapshot(pb::ImportSnapshotRequest { snapshot: Some(bad) }).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::InvalidArgument, "snapshot.version: unknown version 2 (expected 1)"));
    let mut bad = snap;
    bad.ops[3] = pb::Op { kind: None };
    let e = c.import_snapshot(pb::ImportSnapshotRequest { snapshot: Some(bad) }).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::InvalidArgument, "snapshot.ops[3]: operation kind not set (empty Op message)")
    );
    let e = c.import_snapshot(pb::ImportSnapshotRequest { snapshot: None }).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::InvalidArgument, "snapshot: not set"));
}

#[tokio::test]
async fn session_applies_batches_in_order() {
    let s = Server::start(&[]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    let reqs = vec![
        pb::SessionRequest { machine_id: id.clone(), ops: vec![op(Op::Spawn)], tag: 7 },
        pb::SessionRequest { machine_id: String::new(), ops: vec![op(Op::Spawn), op(Op::Exit { pid: 1 })], tag: 8 },
        pb::SessionRequest { machine_id: String::new(), ops: vec![op(Op::Exit { pid: 1 })], tag: 9 },
    ];
    let mut out = c.session(tokio_stream::iter(reqs)).await.unwrap().into_inner();
    let mut got = Vec::new();
    while let Some(r) = out.message().await.unwrap() {
        let res: Vec<_> = r.results.iter().map(|x| mmlab_server::convert::result_from_proto(x).unwrap()).collect();
        got.push((r.tag, res, r.ops_applied));
    }
    assert_eq!(
        got,
        vec![
            (7, vec![Ok(Outcome::Pid(1))], 1),
            (8, vec![Ok(Outcome::Pid(2)), Ok(Outcome::Done)], 3),
            (9, vec![Err(Errno::ESRCH)], 4),
        ]
    );
    let first = vec![pb::SessionRequest { machine_id: String::new(), ops: vec![op(Op::Spawn)], tag: 1 }];
    let mut out = c.session(tokio_stream::iter(first)).await.unwrap().into_inner();
    let e = out.message().await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::InvalidArgument, "machine_id: the first Session message must name a machine")
    );
}

#[tokio::test]
async fn malformed_messages_get_invalid_argument() {
    let s = Server::start(&[]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    let req = pb::ExecuteRequest {
        machine_id: id.clone(),
        ops: vec![op(Op::Spawn), pb::Op { kind: None }],
        check_invariants: false,
    };
    let e = c.execute(req).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::InvalidArgument, "ops[1]: operation kind not set (empty Op message)"));
    let bad_touch = pb::op::Touch { pid: 1, addr: 0, len: 4096, access: 9 };
    let req = pb::ExecuteRequest {
        machine_id: id.clone(),
        ops: vec![pb::Op { kind: Some(pb::op::Kind::Touch(bad_touch)) }],
        check_invariants: false,
    };
    let e = c.execute(req).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::InvalidArgument, "ops[0].touch.access: unknown access 9 (0 = read, 1 = write)")
    );
    // Nothing of a refused batch was applied.
    assert_eq!(
        c.get_machine(pb::GetMachineRequest { machine_id: id.clone() }).await.unwrap().into_inner().ops_applied,
        0
    );
    let cfg = pb::MachineConfig { thp: Some(7), ..Default::default() };
    let e = c.create_machine(pb::CreateMachineRequest { config: Some(cfg) }).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::InvalidArgument, "config.thp: unknown THP mode 7"));
    let cfg = pb::MachineConfig { node_bytes: Some(4097), ..Default::default() };
    let e = c.create_machine(pb::CreateMachineRequest { config: Some(cfg) }).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().starts_with("config: the model refuses it (EINVAL)"), "{}", e.message());
    let cfg = pb::MachineConfig { nodes: Some(0), ..Default::default() };
    assert_eq!(
        c.create_machine(pb::CreateMachineRequest { config: Some(cfg) }).await.unwrap_err().code(),
        Code::InvalidArgument
    );
    let e = c.read_view(pb::ReadViewRequest { machine_id: id.clone(), text: false, view: None }).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::InvalidArgument, "view: no view selected"));
    let v = Req::Pagemap(pb::PagemapSelector { pid: 1, addr: 0, pages: 1 << 40 });
    let e = c.read_view(pb::ReadViewRequest { machine_id: id.clone(), text: true, view: Some(v) }).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::InvalidArgument, "pagemap.pages: 1099511627776 is out of range 1..=65536")
    );
    // Hostile values the model judges itself: errnos, never a crash.
    let r = exec(
        &mut c,
        &id,
        vec![
            Op::Spawn,
            Op::Munmap { pid: 1, addr: u64::MAX - 4095, len: u64::MAX },
            Op::Reclaim { nid: 1 << 31, pages: u64::MAX },
        ],
    )
    .await;
    assert_eq!(r[1], Err(Errno::EINVAL));
    assert!(matches!(r[2], Err(_) | Ok(Outcome::Count(0))), "{:?}", r[2]);
    // The server is still healthy and consistent.
    let inv = c.check_invariants(pb::CheckInvariantsRequest { machine_id: id }).await.unwrap().into_inner();
    assert_eq!(inv.violations, vec![]);
}

#[tokio::test]
async fn health_and_reflection() {
    use tonic_health::pb::health_client::HealthClient;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let s = Server::start(&[]);
    let channel = tonic::transport::Endpoint::from_shared(s.url()).unwrap().connect().await.unwrap();
    let mut h = HealthClient::new(channel.clone());
    let req = tonic_health::pb::HealthCheckRequest { service: "mmlab.v1.MachineService".into() };
    let status = h.check(req).await.unwrap().into_inner().status;
    assert_eq!(status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

    let mut r = ServerReflectionClient::new(channel);
    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut resp = r.server_reflection_info(tokio_stream::iter(vec![req])).await.unwrap().into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) = resp.message().await.unwrap().unwrap().message_response
    else {
        panic!("not a service list")
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(names, ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "mmlab.v1.MachineService"]);
}
