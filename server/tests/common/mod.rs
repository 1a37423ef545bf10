//! Test harness: spawns the real `mmlabd` binary on a free loopback port and connects clients.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use mmlab_api::v1 as pb;
use mmlab_api::v1::machine_service_client::MachineServiceClient;
use mmlab_model::{Access, MapFlags, Op, OpResult, Outcome, Prot};
use mmlab_server::convert;
use tonic::transport::Channel;

/// A running `mmlabd`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub metrics: Option<String>,
}

impl Server {
    /// Starts `mmlabd --listen 127.0.0.1:0 ARGS...` and waits for its address line.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mmlabd"))
            .args(["--listen", "127.0.0.1:0", "--log", &std::env::var("MMLAB_TEST_LOG").unwrap_or("warn".into())])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn mmlabd");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut metrics = None;
        while let Some(Ok(line)) = lines.next() {
            if let Some(m) = line.strip_prefix("mmlabd metrics on ") {
                metrics = Some(m.to_string());
            }
            if let Some(a) = line.strip_prefix("mmlabd listening on ") {
                return Server { child, addr: a.to_string(), metrics };
            }
        }
        let _ = child.kill();
        let status = child.wait();
        panic!("mmlabd exited before listening: {status:?}");
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn client(&self) -> MachineServiceClient<Channel> {
        MachineServiceClient::connect(self.url()).await.expect("connect").max_decoding_message_size(64 << 20)
    }

    /// Sends SIGTERM and returns the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        self.child.wait().expect("wait").code()
    }

    /// SIGKILL, no chance to flush anything.
    pub fn kill9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request carrying `authorization: Bearer TOKEN`.
pub fn authed<T>(msg: T, token: &str) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

pub fn op(o: Op) -> pb::Op {
    convert::op_to_proto(&o)
}

pub fn anon_rw(pid: u32, len: u64) -> Op {
    Op::Mmap {
        pid,
        addr: 0,
        len,
        prot: Prot::READ | Prot::WRITE,
        flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
        fd: -1,
        offset: 0,
    }
}

pub fn touch(pid: u32, addr: u64, len: u64) -> Op {
    Op::Touch { pid, addr, len, access: Access::Write }
}

/// The model results of an Execute response.
pub fn results(r: &pb::ExecuteResponse) -> Vec<OpResult> {
    r.results.iter().map(|x| convert::result_from_proto(x).expect("valid result")).collect()
}

pub fn execute_req(id: &str, ops: Vec<Op>) -> pb::ExecuteRequest {
    pb::ExecuteRequest { machine_id: id.to_string(), ops: ops.into_iter().map(op).collect(), check_invariants: false }
}

/// Creates a default machine and returns its id.
pub async fn create(c: &mut MachineServiceClient<Channel>) -> String {
    c.create_machine(pb::CreateMachineRequest { config: None }).await.expect("create").into_inner().id
}

/// Runs ops on a machine, returning the model results.
pub async fn exec(c: &mut MachineServiceClient<Channel>, id: &str, ops: Vec<Op>) -> Vec<OpResult> {
    results(&c.execute(execute_req(id, ops)).await.expect("execute").into_inner())
}

pub fn addr(r: &OpResult) -> u64 {
    match r {
        Ok(Outcome::Addr(a)) => *a,
        other => panic!("expected an address, got {other:?}"),
    }
}

pub async fn digest(c: &mut MachineServiceClient<Channel>, id: &str) -> String {
    c.get_digest(pb::GetDigestRequest { machine_id: id.into() }).await.expect("digest").into_inner().digest
}
