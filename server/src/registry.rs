//! The machine registry: every hosted machine by id, each behind its own lock, with its tenant.
//!
//! A machine is found only through its tenant: another tenant's id answers NOT_FOUND with the
//! same message as an id that does not exist. Each machine has its own `tokio::sync::Mutex`, which
//! is fair, so the batches of one machine apply one at a time in arrival order while different
//! machines run in parallel. Counters that List and the metrics need are mirrored in atomics, so
//! listing never waits for a busy machine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use mmlab_model::MachineConfig;
use tonic::Status;

use crate::auth::Tenant;
use crate::hosted::Hosted;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::persist::{DataDir, Recovered};

/// One hosted machine and what can be read without its lock.
#[derive(Debug)]
pub struct Slot {
    pub id: String,
    pub tenant: Tenant,
    pub config: MachineConfig,
    pub state: tokio::sync::Mutex<Hosted>,
    pub ops_applied: AtomicU64,
    pub resident: AtomicU64,
    pub deleted: AtomicBool,
}

#[derive(Default)]
struct Inner {
    machines: HashMap<String, Arc<Slot>>,
    per_tenant: HashMap<Tenant, usize>,
}

/// All machines of the server.
pub struct Registry {
    inner: RwLock<Inner>,
    next_id: AtomicU64,
    pub limits: Limits,
    pub data: Option<Arc<DataDir>>,
    pub metrics: Arc<Metrics>,
}

/// Runs blocking work (file I/O) without stalling the other tasks of the worker.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn not_found(id: &str) -> Status {
    Status::not_found(format!("no machine '{id}'"))
}

fn lock_failed() -> Status {
    Status::internal("machine registry lock poisoned")
}

impl Registry {
    pub fn new(limits: Limits, data: Option<Arc<DataDir>>, metrics: Arc<Metrics>) -> Registry {
        Registry { inner: RwLock::new(Inner::default()), next_id: AtomicU64::new(1), limits, data, metrics }
    }

    /// Registers machines read back from the data directory.
    pub fn restore(&self, recovered: Vec<Recovered>) {
        let Ok(mut inner) = self.inner.write() else { return };
        for r in recovered {
            if let Some(n) = r.id.strip_prefix("m-").and_then(|n| n.parse::<u64>().ok()) {
                self.next_id.fetch_max(n + 1, Ordering::Relaxed);
            }
            let tenant = Tenant::from(r.tenant.as_str());
            *inner.per_tenant.entry(tenant.clone()).or_default() += 1;
            let slot = self.slot(r.id.clone(), tenant, r.hosted);
            inner.machines.insert(r.id, Arc::new(slot));
        }
        self.metrics.machines.set(inner.machines.len() as i64);
    }

    fn slot(&self, id: String, tenant: Tenant, hosted: Hosted) -> Slot {
        let resident = hosted.resident_pages();
        self.metrics.resident_pages.add(resident as i64);
        Slot {
            id,
            tenant,
            config: hosted.machine.config().clone(),
            ops_applied: AtomicU64::new(hosted.journal.len()),
            resident: AtomicU64::new(resident),
            deleted: AtomicBool::new(false),
            state: tokio::sync::Mutex::new(hosted),
        }
    }

    /// The tenant's machine `id`.
    pub fn get(&self, tenant: &Tenant, id: &str) -> Result<Arc<Slot>, Status> {
        let inner = self.inner.read().map_err(|_| lock_failed())?;
        match inner.machines.get(id) {
            Some(s) if s.tenant == *tenant => Ok(s.clone()),
            _ => Err(not_found(id)),
        }
    }

    /// The tenant's machines, ordered by id.
    pub fn list(&self, tenant: &Tenant) -> Result<Vec<Arc<Slot>>, Status> {
        let inner = self.inner.read().map_err(|_| lock_failed())?;
        let mut v: Vec<Arc<Slot>> = inner.machines.values().filter(|s| s.tenant == *tenant).cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(v)
    }

    /// Every machine (for snapshots and shutdown).
    pub fn all(&self) -> Vec<Arc<Slot>> {
        self.inner.read().map(|i| i.machines.values().cloned().collect()).unwrap_or_default()
    }

    /// Adds a machine for a tenant, within the tenant's machine limit, and creates its files.
    pub fn insert(&self, tenant: &Tenant, mut hosted: Hosted) -> Result<Arc<Slot>, Status> {
        {
            let mut inner = self.inner.write().map_err(|_| lock_failed())?;
            let n = inner.per_tenant.entry(tenant.clone()).or_default();
            if *n >= self.limits.machines_per_tenant {
                return Err(Status::resource_exhausted(format!(
                    "machine limit reached: this tenant already has {} machines",
                    self.limits.machines_per_tenant
                )));
            }
            *n += 1;
        }
        let id = format!("m-{:08}", self.next_id.fetch_add(1, Ordering::Relaxed));
        if let Some(data) = &self.data {
            match blocking(|| data.create(&id, tenant.as_str(), &hosted)) {
                Ok(store) => hosted.store = Some(store),
                Err(e) => {
                    self.release(tenant);
                    tracing::error!(error = %e, "cannot create machine files");
                    return Err(Status::internal(format!("cannot persist the machine: {e:#}")));
                }
            }
        }
        let slot = Arc::new(self.slot(id.clone(), tenant.clone(), hosted));
        let mut inner = self.inner.write().map_err(|_| lock_failed())?;
        inner.machines.insert(id, slot.clone());
        self.metrics.machines.set(inner.machines.len() as i64);
        Ok(slot)
    }

    fn release(&self, tenant: &Tenant) {
        if let Ok(mut inner) = self.inner.write()
            && let Some(n) = inner.per_tenant.get_mut(tenant)
        {
            *n = n.saturating_sub(1);
        }
    }

    /// Removes the tenant's machine `id` once its running batch (if any) has finished.
    pub async fn delete(&self, tenant: &Tenant, id: &str) -> Result<(), Status> {
        let slot = self.get(tenant, id)?;
        let state = slot.state.lock().await;
        if slot.deleted.swap(true, Ordering::AcqRel) {
            return Err(not_found(id));
        }
        {
            let mut inner = self.inner.write().map_err(|_| lock_failed())?;
            inner.machines.remove(id);
            self.metrics.machines.set(inner.machines.len() as i64);
        }
        self.release(tenant);
        self.metrics.resident_pages.sub(slot.resident.load(Ordering::Relaxed) as i64);
        if let (Some(data), Some(_)) = (&self.data, &state.store) {
            blocking(|| data.remove(id)).map_err(|e| Status::internal(format!("cannot remove files: {e:#}")))?;
        }
        Ok(())
    }
}

impl Slot {
    /// Locks the machine; a machine deleted meanwhile answers NOT_FOUND.
    pub async fn lock(&self) -> Result<tokio::sync::MutexGuard<'_, Hosted>, Status> {
        let g = self.state.lock().await;
        self.unless_deleted(g)
    }

    /// The machine if nobody holds or awaits it (tokio's mutex is fair: queued callers keep
    /// their turn), without waiting.
    pub fn try_lock(&self) -> Option<Result<tokio::sync::MutexGuard<'_, Hosted>, Status>> {
        self.state.try_lock().ok().map(|g| self.unless_deleted(g))
    }

    fn unless_deleted<'a>(
        &self,
        g: tokio::sync::MutexGuard<'a, Hosted>,
    ) -> Result<tokio::sync::MutexGuard<'a, Hosted>, Status> {
        if self.deleted.load(Ordering::Acquire) {
            return Err(not_found(&self.id));
        }
        Ok(g)
    }

    /// Mirrors the machine's counters after a change.
    pub fn update(&self, hosted: &Hosted, metrics: &Metrics) {
        self.ops_applied.store(hosted.journal.len(), Ordering::Relaxed);
        let now = hosted.resident_pages();
        let before = self.resident.swap(now, Ordering::Relaxed);
        metrics.resident_pages.add(now as i64 - before as i64);
    }
}
