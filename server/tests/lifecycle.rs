//! Process lifecycle: graceful shutdown, recovery after kill -9, refusing an open public
//! listener, and the metrics endpoint.

mod common;

use std::io::{Read, Write};
use std::path::PathBuf;

use common::*;
use mmlab_api::v1 as pb;
use mmlab_model::{Errno, Op, Outcome};

fn temp_dir(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("mmlab-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// Every machine's id, ops_applied and digest.
async fn states(s: &Server) -> Vec<(String, u64, String)> {
    let mut c = s.client().await;
    let list = c.list_machines(pb::ListMachinesRequest {}).await.unwrap().into_inner().machines;
    let mut out = Vec::new();
    for m in list {
        let d = c.get_digest(pb::GetDigestRequest { machine_id: m.id.clone() }).await.unwrap().into_inner();
        assert_eq!(d.ops_applied, m.ops_applied);
        out.push((m.id, m.ops_applied, d.digest));
    }
    out
}

/// Builds machines with varied histories: errnos, files, fork, a clone, an import, a deletion.
async fn populate(s: &Server) {
    let mut c = s.client().await;
    let a = create(&mut c).await;
    let r = exec(&mut c, &a, vec![Op::Spawn, anon_rw(1, 32 << 12)]).await;
    let base = addr(&r[1]);
    let r = exec(
        &mut c,
        &a,
        vec![
            touch(1, base, 20 << 12),
            Op::Fork { pid: 1 },
            Op::Write { pid: 2, addr: base, value: 0x77 },
            Op::Munmap { pid: 1, addr: base + 3, len: 4096 },
            Op::MemfdCreate { pid: 1, name: "shm".into(), flags: mmlab_model::MemfdFlags::empty() },
        ],
    )
    .await;
    assert_eq!(r[3], Err(Errno::EINVAL));
    let Ok(Outcome::Fd(fd)) = r[4] else { panic!("{:?}", r[4]) };
    exec(&mut c, &a, vec![Op::Ftruncate { pid: 1, fd, len: 1 << 20 }, Op::Pwrite { pid: 1, fd, offset: 0, value: 5 }])
        .await;
    let b = c.clone_machine(pb::CloneMachineRequest { machine_id: a.clone() }).await.unwrap().into_inner().id;
    exec(&mut c, &b, vec![Op::Exit { pid: 2 }]).await;
    let snap = c.export_snapshot(pb::ExportSnapshotRequest { machine_id: b.clone() }).await.unwrap().into_inner();
    let imported = c.import_snapshot(pb::ImportSnapshotRequest { snapshot: Some(snap) }).await.unwrap().into_inner();
    exec(&mut c, &imported.id, vec![Op::Spawn]).await;
    let gone = create(&mut c).await;
    exec(&mut c, &gone, vec![Op::Spawn]).await;
    c.delete_machine(pb::DeleteMachineRequest { machine_id: gone }).await.unwrap();
    create(&mut c).await;
}

#[tokio::test]
async fn recovery_after_kill_9_gives_identical_digests() {
    let dir = temp_dir("kill9");
    let d = dir.to_str().unwrap();
    let s = Server::start(&["--data-dir", d, "--fsync", "never"]);
    populate(&s).await;
    let before = states(&s).await;
    assert_eq!(
        before.iter().map(|m| (m.0.as_str(), m.1)).collect::<Vec<_>>(),
        [("m-00000001", 9), ("m-00000002", 10), ("m-00000003", 11), ("m-00000005", 0)]
    );
    s.kill9();

    let s = Server::start(&["--data-dir", d]);
    assert_eq!(states(&s).await, before);
    // New ids continue after the recovered ones; the recovered machines keep working.
    let mut c = s.client().await;
    assert_eq!(create(&mut c).await, "m-00000006");
    assert_eq!(exec(&mut c, "m-00000001", vec![Op::Read { pid: 2, addr: 0x7effffe00000 }]).await.len(), 1);
    let after_more = states(&s).await;
    s.kill9();

    // A torn record at the end of a journal (a write cut short) is dropped on recovery.
    let journal = std::fs::read_dir(dir.join("machines/m-00000001"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("journal-"))
        .unwrap();
    std::fs::OpenOptions::new().append(true).open(&journal).unwrap().write_all(&[0x20, 0x0a, 0x01]).unwrap();
    let s = Server::start(&["--data-dir", d]);
    assert_eq!(states(&s).await, after_more);
    drop(s);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_snapshots_and_exits_zero() {
    let dir = temp_dir("sigterm");
    let d = dir.to_str().unwrap();
    let s = Server::start(&["--data-dir", d, "--fsync", "always"]);
    populate(&s).await;
    let before = states(&s).await;
    assert_eq!(s.terminate(), Some(0));
    // The clean shutdown wrote a snapshot of every machine with new operations.
    for (id, ops, _) in &before {
        let has = dir.join("machines").join(id).join("snapshot.bin").exists();
        assert_eq!(has, *ops > 0, "{id}");
    }
    let s = Server::start(&["--data-dir", d]);
    assert_eq!(states(&s).await, before);
    assert_eq!(s.terminate(), Some(0));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_without_data_dir_exits_zero() {
    let s = Server::start(&[]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    exec(&mut c, &id, vec![Op::Spawn]).await;
    // An open session is told the server is going away, and the server still exits 0.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut out = c.session(tokio_stream::wrappers::ReceiverStream::new(rx)).await.unwrap().into_inner();
    tx.send(pb::SessionRequest { machine_id: id, ops: vec![op(Op::Spawn)], tag: 1 }).await.unwrap();
    assert_eq!(out.message().await.unwrap().unwrap().ops_applied, 2);
    let code = tokio::task::spawn_blocking(move || s.terminate()).await.unwrap();
    let e = out.message().await.unwrap_err();
    assert_eq!((e.code(), e.message()), (tonic::Code::Unavailable, "the server is shutting down"));
    assert_eq!(code, Some(0));
}

#[test]
fn public_listener_without_tokens_is_refused() {
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_mmlabd")).args(["--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mmlabd: refusing to listen on 0.0.0.0:0 without a token file"), "{err}");
}

#[tokio::test]
async fn metrics_count_operations_machines_and_latency() {
    let s = Server::start(&["--metrics-listen", "127.0.0.1:0"]);
    let mut c = s.client().await;
    let id = create(&mut c).await;
    let r = exec(&mut c, &id, vec![Op::Spawn, Op::Spawn, anon_rw(1, 8 << 12)]).await;
    exec(&mut c, &id, vec![touch(1, addr(&r[2]), 8 << 12), Op::Exit { pid: 2 }]).await;
    let mut sock = std::net::TcpStream::connect(s.metrics.as_ref().unwrap()).unwrap();
    sock.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
    let mut text = String::new();
    sock.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    for line in [
        "mmlab_ops_total{op=\"spawn\"} 2",
        "mmlab_ops_total{op=\"mmap\"} 1",
        "mmlab_ops_total{op=\"touch\"} 1",
        "mmlab_ops_total{op=\"exit\"} 1",
        "mmlab_machines 1",
        "mmlab_resident_pages 9",
        "mmlab_rpc_duration_seconds_count{code=\"Ok\",method=\"Execute\"} 2",
        "mmlab_rpc_duration_seconds_count{code=\"Ok\",method=\"CreateMachine\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
}

#[tokio::test]
async fn tls_with_a_certificate() {
    use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let (cert, key) = (format!("{fixtures}/test-cert.pem"), format!("{fixtures}/test-key.pem"));
    let s = Server::start(&["--tls-cert", &cert, "--tls-key", &key]);
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(std::fs::read(&cert).unwrap()))
        .domain_name("localhost");
    let channel = Endpoint::from_shared(format!("https://{}", s.addr)).unwrap().tls_config(tls).unwrap();
    let mut c = mmlab_api::v1::machine_service_client::MachineServiceClient::new(channel.connect().await.unwrap());
    let id = create(&mut c).await;
    assert_eq!(exec(&mut c, &id, vec![Op::Spawn]).await, vec![Ok(Outcome::Pid(1))]);
    // Plaintext clients cannot talk to a TLS server.
    let plain = Endpoint::from_shared(s.url()).unwrap().connect().await;
    if let Ok(ch) = plain {
        let mut p = mmlab_api::v1::machine_service_client::MachineServiceClient::new(ch);
        assert!(p.list_machines(pb::ListMachinesRequest {}).await.is_err());
    }
}
