//! Tenant isolation and every limit, against a spawned `mmlabd`.

mod common;

use common::*;
use mmlab_api::v1 as pb;
use mmlab_model::{Advice, Op, Outcome};
use tokio_stream::StreamExt;
use tonic::Code;

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("mmlab-test-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

#[tokio::test]
async fn tenants_see_only_their_machines() {
    let tokens = temp_file("tokens", "# test tokens\ntok-alice alice\ntok-bob bob\n");
    let s = Server::start(&["--token-file", tokens.to_str().unwrap()]);
    let mut c = s.client().await;
    let m =
        c.create_machine(authed(pb::CreateMachineRequest { config: None }, "tok-alice")).await.unwrap().into_inner();
    let mine = c.execute(authed(execute_req(&m.id, vec![Op::Spawn]), "tok-alice")).await.unwrap().into_inner();
    assert_eq!(results(&mine), vec![Ok(Outcome::Pid(1))]);

    let missing = c.get_machine(authed(pb::GetMachineRequest { machine_id: "m-99999999".into() }, "tok-bob")).await;
    let missing = missing.unwrap_err();
    assert_eq!((missing.code(), missing.message()), (Code::NotFound, "no machine 'm-99999999'"));
    let theirs =
        c.get_machine(authed(pb::GetMachineRequest { machine_id: m.id.clone() }, "tok-bob")).await.unwrap_err();
    assert_eq!((theirs.code(), theirs.message()), (Code::NotFound, format!("no machine '{}'", m.id).as_str()));
    let e = c.execute(authed(execute_req(&m.id, vec![Op::Spawn]), "tok-bob")).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let e = c.delete_machine(authed(pb::DeleteMachineRequest { machine_id: m.id.clone() }, "tok-bob")).await;
    assert_eq!(e.unwrap_err().code(), Code::NotFound);
    let e = c.export_snapshot(authed(pb::ExportSnapshotRequest { machine_id: m.id.clone() }, "tok-bob")).await;
    assert_eq!(e.unwrap_err().code(), Code::NotFound);
    let list = c.list_machines(authed(pb::ListMachinesRequest {}, "tok-bob")).await.unwrap().into_inner();
    assert_eq!(list.machines, vec![]);
    let list = c.list_machines(authed(pb::ListMachinesRequest {}, "tok-alice")).await.unwrap().into_inner();
    assert_eq!(list.machines.iter().map(|m| m.ops_applied).collect::<Vec<_>>(), [1]);

    let e = c.list_machines(pb::ListMachinesRequest {}).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::Unauthenticated, "missing `authorization: Bearer TOKEN` metadata"));
    let e = c.list_machines(authed(pb::ListMachinesRequest {}, "tok-eve")).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::Unauthenticated, "unknown token"));
    std::fs::remove_file(tokens).ok();
}

#[tokio::test]
async fn machine_count_and_size_limits() {
    let s = Server::start(&["--max-machines-per-tenant", "2", "--max-machine-bytes", "134217728"]);
    let mut c = s.client().await;
    let small = pb::MachineConfig { node_bytes: Some(64 << 20), ..Default::default() };
    let first = c.create_machine(pb::CreateMachineRequest { config: Some(small.clone()) }).await.unwrap().into_inner();
    c.create_machine(pb::CreateMachineRequest { config: Some(small.clone()) }).await.unwrap();
    let e = c.create_machine(pb::CreateMachineRequest { config: Some(small.clone()) }).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::ResourceExhausted, "machine limit reached: this tenant already has 2 machines")
    );
    let e = c.clone_machine(pb::CloneMachineRequest { machine_id: first.id.clone() }).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    c.delete_machine(pb::DeleteMachineRequest { machine_id: first.id }).await.unwrap();
    let big = pb::MachineConfig { nodes: Some(2), node_bytes: Some(128 << 20), ..Default::default() };
    let e = c.create_machine(pb::CreateMachineRequest { config: Some(big) }).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(e.message().starts_with("config: 268435456 bytes of modeled memory"), "{}", e.message());
    c.create_machine(pb::CreateMachineRequest { config: Some(small) }).await.unwrap();
}

#[tokio::test]
async fn resident_pages_batch_and_message_limits() {
    let s = Server::start(&["--max-resident-pages", "20", "--max-batch-ops", "4", "--max-message-bytes", "4096"]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    let r = exec(&mut c, &id, vec![Op::Spawn, anon_rw(1, 64 << 12)]).await;
    let a = addr(&r[1]);
    // One operation may cross the limit (64 pages + 1 page table); the next that can add pages
    // is refused.
    assert_eq!(exec(&mut c, &id, vec![touch(1, a, 64 << 12)]).await, vec![Ok(Outcome::Done)]);
    let e = c.execute(execute_req(&id, vec![Op::Write { pid: 1, addr: a, value: 1 }])).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert_eq!(
        e.message(),
        format!(
            "machine {id} holds 65 resident pages, at its limit of 20; stopped after applying 0 of 1 operations \
             (operations that only free memory are still accepted)"
        )
    );
    let free = Op::Madvise { pid: 1, addr: a, len: 64 << 12, advice: Advice::DONTNEED };
    assert_eq!(exec(&mut c, &id, vec![free]).await, vec![Ok(Outcome::Done)]);
    let m = c.get_machine(pb::GetMachineRequest { machine_id: id.clone() }).await.unwrap().into_inner();
    // Empty page tables are freed with the pages.
    assert_eq!((m.resident_pages, m.ops_applied), (0, 4));
    assert_eq!(exec(&mut c, &id, vec![Op::Write { pid: 1, addr: a, value: 1 }]).await, vec![Ok(Outcome::Done)]);

    let e = c.execute(execute_req(&id, vec![Op::Spawn; 5])).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::ResourceExhausted, "a batch of 5 operations exceeds this server's limit of 4 per batch")
    );
    let long = Op::MemfdCreate { pid: 1, name: "x".repeat(5000), flags: mmlab_model::MemfdFlags::empty() };
    let e = c.execute(execute_req(&id, vec![long])).await.unwrap_err();
    assert_eq!(e.code(), Code::OutOfRange, "{}", e.message());
    assert!(e.message().contains("the limit is: 4096 bytes"), "{}", e.message());
    let m = c.get_machine(pb::GetMachineRequest { machine_id: id }).await.unwrap().into_inner();
    assert_eq!(m.ops_applied, 5);
}

#[tokio::test]
async fn a_full_server_refuses_at_once() {
    let s = Server::start(&["--max-concurrent-calls", "1"]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut out = c.session(tokio_stream::wrappers::ReceiverStream::new(rx)).await.unwrap().into_inner();
    tx.send(pb::SessionRequest { machine_id: id.clone(), ops: vec![op(Op::Spawn)], tag: 1 }).await.unwrap();
    assert_eq!(out.message().await.unwrap().unwrap().tag, 1);
    // The open session holds the only call permit.
    let e = c.get_machine(pb::GetMachineRequest { machine_id: id.clone() }).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::ResourceExhausted, "server busy: 1 calls already in flight; retry with backoff")
    );
    drop(tx);
    assert!(out.next().await.is_none());
    let m = c.get_machine(pb::GetMachineRequest { machine_id: id }).await.unwrap().into_inner();
    assert_eq!(m.ops_applied, 1);
}

#[tokio::test]
async fn deadline_stops_a_long_batch_between_operations() {
    // The server's own per-call limit, not a client timeout: with a client timeout, tonic's
    // transport may cancel the call while one long operation runs past the service's margin,
    // and the answer would not say how much was applied.
    let s = Server::start(&["--max-call-ms", "300"]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    let r = exec(&mut c, &id, vec![Op::Spawn, anon_rw(1, 2048 << 12)]).await;
    let a = addr(&r[1]);
    // 8,000 operations that each fault or free 2048 pages: seconds of work even in a release
    // build, far past 300 ms.
    let mut ops = Vec::new();
    for _ in 0..4000 {
        ops.push(touch(1, a, 2048 << 12));
        ops.push(Op::Madvise { pid: 1, addr: a, len: 2048 << 12, advice: Advice::DONTNEED });
    }
    let e = c.execute(execute_req(&id, ops)).await.unwrap_err();
    assert_eq!(e.code(), Code::DeadlineExceeded, "{}", e.message());
    let applied: u64 = e
        .message()
        .strip_prefix("deadline exceeded after applying ")
        .and_then(|m| m.strip_suffix(" of 8000 operations"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", e.message()));
    assert!(applied < 8000);
    // Exactly the applied prefix is in the machine and its journal.
    let m = c.get_machine(pb::GetMachineRequest { machine_id: id.clone() }).await.unwrap().into_inner();
    assert_eq!(m.ops_applied, 2 + applied);
    let inv = c.check_invariants(pb::CheckInvariantsRequest { machine_id: id }).await.unwrap().into_inner();
    assert_eq!(inv.violations, vec![]);
}
