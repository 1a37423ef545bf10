//! [`RemoteMachine`]: a machine hosted by `mmlabd`, driven synchronously, as a script runner
//! [`Target`]. Each operation is one Execute call; each view one ReadView call.

use std::cell::RefCell;

use mmlab_model::script::{OpenError, Target};
use mmlab_model::task::{TaskInfo, TaskStats};
use mmlab_model::{
    Errno, Kpage, MachineConfig, MapsEntry, Meminfo, Op, OpResult, PagemapEntry, Pid, SmapsEntry, SmapsRollup, Status,
    Violation, Vmstat,
};
use tokio::runtime::Runtime;

use crate::client::{Client, MachineInfo};
use crate::error::Error;

/// A hosted machine. Deleted from the server when dropped, unless [`RemoteMachine::keep`] is set.
pub struct RemoteMachine<'a> {
    rt: &'a Runtime,
    client: Client,
    info: MachineInfo,
    /// The first service failure since [`Target::service_error`] was last asked.
    error: RefCell<Option<Error>>,
    keep: bool,
    /// Check invariants with every operation (one call instead of two per step).
    check_with_ops: bool,
    /// The violations found after the last operation, until asked for.
    checked: RefCell<Option<Vec<Violation>>>,
}

impl<'a> RemoteMachine<'a> {
    /// Creates a machine on the server. A configuration the model refuses is refused here first,
    /// with the model's errno, exactly as an embedded run refuses it.
    pub fn create(rt: &'a Runtime, client: &Client, config: MachineConfig) -> Result<RemoteMachine<'a>, OpenError> {
        config.validate().map_err(OpenError::Refused)?;
        let info = rt.block_on(client.create_machine(&config)).map_err(|e| OpenError::Service(e.to_string()))?;
        Ok(RemoteMachine {
            rt,
            client: client.clone(),
            info,
            error: RefCell::new(None),
            keep: false,
            check_with_ops: false,
            checked: RefCell::new(None),
        })
    }

    /// The machine's id on the server.
    pub fn id(&self) -> &str {
        &self.info.id
    }

    /// Leave the machine on the server after the run.
    pub fn keep(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// Run the invariant checker in the same call as each operation (as the runner checks after
    /// every operation anyway).
    pub fn check_with_ops(&mut self, on: bool) {
        self.check_with_ops = on;
    }

    /// Runs a call; a service failure is recorded and `fallback` stands in for the answer.
    fn call<T>(&self, fut: impl Future<Output = Result<T, Error>>, fallback: T) -> T {
        match self.rt.block_on(fut) {
            Ok(v) => v,
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e);
                fallback
            }
        }
    }
}

impl Drop for RemoteMachine<'_> {
    fn drop(&mut self) {
        if !self.keep {
            let _ = self.rt.block_on(self.client.delete_machine(&self.info.id));
        }
    }
}

/// Stands in for a view that could not be read (the step fails with the service error).
const LOST: Errno = Errno::EFAULT;

impl Target for RemoteMachine<'_> {
    fn apply(&mut self, op: &Op) -> OpResult {
        let batch = self.client.execute_batch(&self.info.id, std::slice::from_ref(op), self.check_with_ops);
        let (mut results, violations) = self.call(batch, (vec![Err(LOST)], Vec::new()));
        *self.checked.borrow_mut() = self.check_with_ops.then_some(violations);
        results.pop().unwrap_or(Err(LOST))
    }
    fn check_invariants(&self) -> Vec<Violation> {
        if let Some(v) = self.checked.borrow_mut().take() {
            return v;
        }
        self.call(self.client.check_invariants(&self.info.id), Vec::new())
    }
    fn pids(&self) -> Vec<Pid> {
        self.call(async { Ok(self.client.machine(&self.info.id).await?.pids) }, Vec::new())
    }
    fn nodes(&self) -> u32 {
        self.info.config.nodes
    }
    fn maps(&self, pid: Pid) -> Result<Vec<MapsEntry>, Errno> {
        self.call(self.client.maps(&self.info.id, pid), Err(LOST))
    }
    fn smaps(&self, pid: Pid) -> Result<Vec<SmapsEntry>, Errno> {
        self.call(self.client.smaps(&self.info.id, pid), Err(LOST))
    }
    fn smaps_rollup(&self, pid: Pid) -> Result<SmapsRollup, Errno> {
        self.call(self.client.smaps_rollup(&self.info.id, pid), Err(LOST))
    }
    fn status(&self, pid: Pid) -> Result<Status, Errno> {
        self.call(self.client.status(&self.info.id, pid), Err(LOST))
    }
    fn meminfo(&self) -> Meminfo {
        self.call(self.client.meminfo(&self.info.id), Meminfo::default())
    }
    fn node_meminfo(&self, nid: u32) -> Result<Meminfo, Errno> {
        self.call(self.client.node_meminfo(&self.info.id, nid), Err(LOST))
    }
    fn vmstat(&self) -> Vmstat {
        self.call(self.client.vmstat(&self.info.id), Vmstat::default())
    }
    fn pagemap(&self, pid: Pid, addr: u64, pages: u64) -> Result<Vec<PagemapEntry>, Errno> {
        self.call(self.client.pagemap(&self.info.id, pid, addr, pages), Err(LOST))
    }
    fn kpage(&self, pfn: u64) -> Kpage {
        let one = async { self.client.kpages(&self.info.id, pfn, 1).await?.pop().ok_or_else(|| no_kpage(pfn)) };
        self.call(one, Kpage { pfn, ..Kpage::default() })
    }
    fn peek(&self, pid: Pid, addr: u64) -> Result<u64, Errno> {
        self.call(self.client.peek(&self.info.id, pid, addr), Err(LOST))
    }
    fn tasks(&self) -> Vec<TaskInfo> {
        self.call(async { Ok(self.client.tasks(&self.info.id).await?.0) }, Vec::new())
    }
    fn task_stats(&self) -> TaskStats {
        self.call(async { Ok(self.client.tasks(&self.info.id).await?.1) }, TaskStats::default())
    }
    fn service_error(&mut self) -> Option<String> {
        self.error.borrow_mut().take().map(|e| format!("machine {}: {e}", self.info.id))
    }
}

fn no_kpage(pfn: u64) -> Error {
    Error::Protocol(format!("no kpage entry for pfn {pfn}"))
}
