//! The async client against a spawned `mmlabd`: errno results stay results, service failures are
//! typed errors, tokens and TLS.

mod common;

use common::{Server, TempFile, root};
use mmlab_client::{Client, Code, ConnectOptions, View, ViewValue};
use mmlab_model::{Access, Errno, MachineConfig, MapFlags, Op, Outcome, Prot};

fn anon(pid: u32, pages: u64, flags: MapFlags) -> Op {
    Op::Mmap { pid, addr: 0, len: pages << 12, prot: Prot::READ | Prot::WRITE, flags, fd: -1, offset: 0 }
}

async fn connect(s: &Server) -> Client {
    Client::connect(&s.url(), &ConnectOptions::default()).await.expect("connect")
}

#[tokio::test]
async fn operations_return_model_results_and_views_read_back() {
    let s = Server::start(&[]);
    let c = connect(&s).await;
    let m = c.create_machine(&MachineConfig { nodes: 2, ..MachineConfig::default() }).await.unwrap();
    assert_eq!(m.config.nodes, 2);
    let Ok(Outcome::Pid(p)) = c.apply(&m.id, &Op::Spawn).await.unwrap() else { panic!("spawn") };
    let Ok(Outcome::Addr(a)) = c.apply(&m.id, &anon(p, 4, MapFlags::PRIVATE | MapFlags::ANONYMOUS)).await.unwrap()
    else {
        panic!("mmap")
    };
    let r = c
        .execute(
            &m.id,
            &[
                Op::Touch { pid: p, addr: a, len: 3 << 12, access: Access::Write },
                Op::Write { pid: p, addr: a, value: 0x41 },
                Op::Munmap { pid: p, addr: a + 1, len: 4096 },
                Op::Read { pid: p, addr: 0x1000 },
            ],
        )
        .await
        .unwrap();
    // A misaligned munmap is EINVAL and an access to nothing is SIGSEGV, inside a successful call.
    assert_eq!(r[2], Err(Errno::EINVAL));
    assert!(matches!(r[3], Ok(Outcome::Signal(_))), "{:?}", r[3]);
    // Three written anonymous pages: Rss and Pss_Anon 12 kB (sizes are bytes, Pss bytes << 12).
    let roll = c.smaps_rollup(&m.id, p).await.unwrap().unwrap();
    assert_eq!(roll.mss.resident, 12 << 10);
    assert_eq!(roll.mss.pss_anon >> 12, 12 << 10);
    let st = c.status(&m.id, p).await.unwrap().unwrap();
    assert_eq!((st.vm_rss, st.rss_anon), (12, 12));
    let text = c.read_text(&m.id, &View::Status(p)).await.unwrap().unwrap();
    assert!(text.contains("VmRSS:\t      12 kB\n"), "{text}");
    assert_eq!(c.peek(&m.id, p, a).await.unwrap(), Ok(0x41));
    assert_eq!(c.node_meminfo(&m.id, 0).await.unwrap().unwrap().anon_pages, 12);
    // Views of what does not exist fail as opening the file would.
    assert_eq!(c.status(&m.id, 99).await.unwrap(), Err(Errno::ESRCH));
    assert_eq!(c.node_meminfo(&m.id, 2).await.unwrap(), Err(Errno::ENODEV));
    let pm = c.pagemap(&m.id, p, a, 4).await.unwrap().unwrap();
    assert_eq!(pm.iter().map(|e| e.present()).collect::<Vec<_>>(), [true, true, true, false]);
    let k = c.kpages(&m.id, pm[0].pfn(), 1).await.unwrap();
    assert_eq!(k[0].count, 1);
    match c.read(&m.id, &View::Vmstat).await.unwrap().unwrap() {
        ViewValue::Vmstat(v) => assert_eq!(v.get("nr_anon_pages"), Some(3)),
        other => panic!("{other:?}"),
    }
    assert!(c.check_invariants(&m.id).await.unwrap().is_empty());

    // A clone has the same state, then diverges on its own.
    let copy = c.clone_machine(&m.id).await.unwrap();
    assert_eq!(c.digest(&copy.id).await.unwrap(), c.digest(&m.id).await.unwrap());
    c.apply(&copy.id, &Op::Exit { pid: p }).await.unwrap().unwrap();
    assert_eq!(c.machine(&copy.id).await.unwrap().pids, Vec::<u32>::new());
    assert_eq!(c.machine(&m.id).await.unwrap().pids, vec![p]);
    let j = c.journal(&m.id).await.unwrap();
    assert_eq!(j.ops.len(), 6);
    assert_eq!(j.results[4], Err(Errno::EINVAL));
    assert!(j.script.starts_with("machine nodes=2 "), "{}", j.script);
    assert!(j.script.contains("\nmunmap 1 0x7"), "{}", j.script);
    let ids: Vec<String> = c.machines().await.unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        c.delete_machine(id).await.unwrap();
    }
    assert!(c.machines().await.unwrap().is_empty());
}

#[tokio::test]
async fn service_failures_are_typed_errors() {
    let s = Server::start(&["--max-machines-per-tenant", "1"]);
    let c = connect(&s).await;
    let e = c.machine("no-such-machine").await.unwrap_err();
    assert_eq!(e.code(), Some(Code::NotFound), "{e}");
    let e = c.create_machine(&MachineConfig { nodes: 0, ..MachineConfig::default() }).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::InvalidArgument), "{e}");
    c.create_machine(&MachineConfig::default()).await.unwrap();
    let e = c.create_machine(&MachineConfig::default()).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::ResourceExhausted), "{e}");
    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = Client::connect(&format!("http://127.0.0.1:{port}"), &ConnectOptions::default()).await.unwrap_err();
    assert!(matches!(e, mmlab_client::Error::Connect { .. }), "{e}");
}

#[tokio::test]
async fn tokens_select_a_tenant() {
    let tokens = TempFile::new("tokens", "secret-a alice\nsecret-b bob\n");
    let s = Server::start(&["--token-file", tokens.path()]);
    let anonymous = connect(&s).await;
    let e = anonymous.machines().await.unwrap_err();
    assert_eq!(e.code(), Some(Code::Unauthenticated), "{e}");
    let with = |t: &str| ConnectOptions { token: Some(t.into()), ..ConnectOptions::default() };
    let wrong = Client::connect(&s.url(), &with("nope")).await.unwrap();
    assert_eq!(wrong.machines().await.unwrap_err().code(), Some(Code::Unauthenticated));
    let alice = Client::connect(&s.url(), &with("secret-a")).await.unwrap();
    let bob = Client::connect(&s.url(), &with("secret-b")).await.unwrap();
    let m = alice.create_machine(&MachineConfig::default()).await.unwrap();
    assert_eq!(alice.machines().await.unwrap().len(), 1);
    assert!(bob.machines().await.unwrap().is_empty());
    assert_eq!(bob.machine(&m.id).await.unwrap_err().code(), Some(Code::NotFound));
}

#[tokio::test]
async fn tls_with_a_trusted_certificate() {
    let fixtures = root().join("server/tests/fixtures");
    let (cert, key) = (fixtures.join("test-cert.pem"), fixtures.join("test-key.pem"));
    let s = Server::start(&["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()]);
    let opts = ConnectOptions {
        tls_ca_pem: Some(std::fs::read(&cert).unwrap()),
        tls_domain: Some("localhost".into()),
        ..ConnectOptions::default()
    };
    let c = Client::connect(&format!("https://{}", s.addr), &opts).await.unwrap();
    let m = c.create_machine(&MachineConfig::default()).await.unwrap();
    assert_eq!(c.apply(&m.id, &Op::Spawn).await.unwrap(), Ok(Outcome::Pid(1)));
    // Without a certificate authority to trust there is no TLS connection.
    let none = ConnectOptions { tls_domain: Some("localhost".into()), ..ConnectOptions::default() };
    let e = Client::connect(&format!("https://{}", s.addr), &none).await.unwrap_err();
    assert!(e.to_string().contains("--tls-ca FILE"), "{e}");
    // A certificate authority that did not sign the server's certificate: the handshake fails.
    let other = ConnectOptions {
        tls_ca_pem: Some(OTHER_CA.as_bytes().to_vec()),
        tls_domain: Some("localhost".into()),
        ..ConnectOptions::default()
    };
    match Client::connect(&format!("https://{}", s.addr), &other).await {
        Err(e) => assert!(matches!(e, mmlab_client::Error::Connect { .. }), "{e}"),
        Ok(c) => assert_eq!(c.machines().await.unwrap_err().code(), Some(Code::Unavailable)),
    }
}

/// A self-signed certificate (CN=other) that did not sign the test server's certificate.
const OTHER_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBdjCCAR2gAwIBAgIUXQtKkv0AIpvobhjwN9aUtb7oxfAwCgYIKoZIzj0EAwIw
EDEOMAwGA1UEAwwFb3RoZXIwIBcNMjYxMjAzMDk0NjM5WhgPMjEyNjExMDkwOTQ2
MzlaMBAxDjAMBgNVBAMMBW90aGVyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
flDeWIGxaXY+JXdYNaBxpc4Ma4EnxpETWBOhv3Bk+bGyyZnCF0j2Ds4dRY2jolc5
9CBgjDjalD4Kuvg7C7ELZKNTMFEwHQYDVR0OBBYEFPKmhqxt1o3x986FpMEPJs9j
PijsMB8GA1UdIwQYMBaAFPKmhqxt1o3x986FpMEPJs9jPijsMA8GA1UdEwEB/wQF
MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgb9wJfdLWlw/mOB0dTVodc7fDILS/zTim
dzgPmJyQrjgCIEX8HPl9hKuteKIMrkFsB+rOY3E2qBphCo33XCCJf+hq
-----END CERTIFICATE-----
";
