//! Persistence under `--data-dir`: a journal of every machine's applied operations, periodic
//! snapshots, and recovery after a crash.
//!
//! Layout, one directory per machine:
//!
//! ```text
//! DATA_DIR/machines/ID/meta.json            id, tenant, configuration
//! DATA_DIR/machines/ID/snapshot.bin         mmlab.v1.Snapshot: ops 0..N and the digest after them
//! DATA_DIR/machines/ID/journal-START.bin    length-delimited mmlab.v1.Op records from op START on
//! ```
//!
//! Every batch is written to the journal (one `write` per batch) before the call answers, so a
//! killed server loses nothing the kernel had received; the fsync policy decides when the data
//! reaches the disk. A snapshot holds the whole history (the model is deterministic, so the
//! history is the state) and the digest it must produce; after one is durable, older journal
//! files are removed. Recovery loads the snapshot, replays it, checks its digest, then replays
//! the journal records past it, cutting a torn last record.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mmlab_api::v1 as pb;
use mmlab_model::{Machine, MachineConfig};
use prost::Message;
use serde::{Deserialize, Serialize};

use crate::convert;
use crate::digest::digest;
use crate::hosted::{Hosted, Journal, decode_ops};

/// When journal writes are fsynced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fsync {
    /// After every batch, before the call answers.
    Always,
    /// By a background task at this interval.
    Interval(Duration),
    /// Never (the kernel writes back on its own; a clean shutdown still syncs).
    Never,
}

/// meta.json.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Meta {
    id: String,
    tenant: String,
    config: MachineConfig,
}

/// One open journal file.
#[derive(Debug)]
struct JournalFile {
    file: File,
    dirty: AtomicBool,
}

impl JournalFile {
    fn sync(&self) -> std::io::Result<()> {
        if self.dirty.swap(false, Ordering::AcqRel) {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

/// The data directory.
#[derive(Debug)]
pub struct DataDir {
    root: PathBuf,
    fsync: Fsync,
    /// Every open journal, for the interval flusher and the final sync.
    open: Mutex<Vec<Arc<JournalFile>>>,
}

/// One machine's files.
#[derive(Debug)]
pub struct MachineStore {
    dir: PathBuf,
    journal: Arc<JournalFile>,
    data: Arc<DataDir>,
    /// Operations covered by snapshot.bin.
    pub snapshot_ops: u64,
}

/// A machine read back from disk.
pub struct Recovered {
    pub id: String,
    pub tenant: String,
    pub hosted: Hosted,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).with_context(|| format!("create {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("rename to {}", path.display()))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn journal_name(start: u64) -> String {
    format!("journal-{start:020}.bin")
}

/// Journal files of a machine directory with their first op index, ascending.
fn journal_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let path = e?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(start) = name.strip_prefix("journal-").and_then(|s| s.strip_suffix(".bin")) {
            out.push((start.parse().with_context(|| format!("bad journal name {name}"))?, path));
        }
    }
    out.sort();
    Ok(out)
}

impl DataDir {
    /// Opens (creating) a data directory.
    pub fn open(root: &Path, fsync: Fsync) -> Result<Arc<DataDir>> {
        fs::create_dir_all(root.join("machines")).with_context(|| format!("create {}", root.display()))?;
        Ok(Arc::new(DataDir { root: root.to_path_buf(), fsync, open: Mutex::new(Vec::new()) }))
    }

    /// The fsync policy.
    pub fn fsync(&self) -> Fsync {
        self.fsync
    }

    fn machine_dir(&self, id: &str) -> PathBuf {
        self.root.join("machines").join(id)
    }

    fn open_journal(self: &Arc<Self>, path: &Path) -> Result<Arc<JournalFile>> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("open {}", path.display()))?;
        let j = Arc::new(JournalFile { file, dirty: AtomicBool::new(false) });
        if let Ok(mut open) = self.open.lock() {
            open.push(j.clone());
        }
        Ok(j)
    }

    /// Creates the files of a new machine. A machine with history (a clone or an import) gets a
    /// snapshot of it at once.
    pub fn create(self: &Arc<Self>, id: &str, tenant: &str, hosted: &Hosted) -> Result<MachineStore> {
        let dir = self.machine_dir(id);
        fs::create_dir_all(&dir)?;
        let meta = Meta { id: id.into(), tenant: tenant.into(), config: hosted.machine.config().clone() };
        write_atomic(&dir.join("meta.json"), &serde_json::to_vec_pretty(&meta)?)?;
        let n = hosted.journal.len();
        if n > 0 {
            let snap = snapshot_bytes(hosted.machine.config(), &hosted.journal, &digest(&hosted.machine));
            write_atomic(&dir.join("snapshot.bin"), &snap)?;
        }
        let journal = self.open_journal(&dir.join(journal_name(n)))?;
        sync_dir(&dir)?;
        Ok(MachineStore { dir, journal, data: self.clone(), snapshot_ops: n })
    }

    /// Removes a machine's files (renamed first, so a crash midway leaves nothing to recover).
    pub fn remove(&self, id: &str) -> Result<()> {
        let dir = self.machine_dir(id);
        let gone = self.root.join("machines").join(format!("{id}.deleted"));
        fs::rename(&dir, &gone)?;
        fs::remove_dir_all(&gone)?;
        Ok(())
    }

    /// Fsyncs every journal written since its last sync.
    pub fn sync_all(&self) -> Result<()> {
        let open: Vec<Arc<JournalFile>> = match self.open.lock() {
            Ok(mut open) => {
                // Journals nobody else holds belong to deleted machines or rotated files.
                open.retain(|j| Arc::strong_count(j) > 1 || j.dirty.load(Ordering::Acquire));
                open.clone()
            }
            Err(_) => return Ok(()),
        };
        for j in open {
            j.sync()?;
        }
        Ok(())
    }

    /// Reads every machine back: snapshot, digest check, then the journal tail.
    pub fn recover(self: &Arc<Self>) -> Result<Vec<Recovered>> {
        let mut out = Vec::new();
        for e in fs::read_dir(self.root.join("machines"))? {
            let dir = e?.path();
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            if name.ends_with(".deleted") {
                fs::remove_dir_all(&dir)?;
                continue;
            }
            if !dir.join("meta.json").exists() {
                tracing::warn!(dir = %dir.display(), "skipping a machine directory without meta.json");
                continue;
            }
            out.push(self.recover_one(&dir).with_context(|| format!("recovering {}", dir.display()))?);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    fn recover_one(self: &Arc<Self>, dir: &Path) -> Result<Recovered> {
        let meta: Meta = serde_json::from_slice(&fs::read(dir.join("meta.json"))?)?;
        let mut machine = Machine::new(meta.config.clone()).map_err(|e| anyhow::anyhow!("config: {e}"))?;
        let mut journal = Journal::default();
        let mut snapshot_ops = 0;
        let snap_path = dir.join("snapshot.bin");
        if snap_path.exists() {
            let snap = pb::Snapshot::decode(fs::read(&snap_path)?.as_slice())?;
            for op in &snap.ops {
                replay(&mut machine, &mut journal, op)?;
            }
            let got = digest(&machine);
            if !snap.digest.is_empty() && got != snap.digest {
                bail!("snapshot digest {} but replay gives {got}", snap.digest);
            }
            snapshot_ops = journal.len();
        }
        let files = journal_files(dir)?;
        for (start, path) in &files {
            let bytes = fs::read(path)?;
            let (ops, good) = decode_ops(&bytes);
            if good < bytes.len() {
                tracing::warn!(file = %path.display(), torn = bytes.len() - good, "cutting a torn journal tail");
                OpenOptions::new().write(true).open(path)?.set_len(good as u64)?;
            }
            if *start > journal.len() {
                bail!("journal {} starts at op {start} but only {} ops came before", path.display(), journal.len());
            }
            let skip = (journal.len() - start) as usize;
            for op in ops.iter().skip(skip) {
                replay(&mut machine, &mut journal, op)?;
            }
        }
        let last = files.last().map(|f| f.1.clone()).unwrap_or_else(|| dir.join(journal_name(journal.len())));
        let file = self.open_journal(&last)?;
        let store = MachineStore { dir: dir.to_path_buf(), journal: file, data: self.clone(), snapshot_ops };
        let hosted = Hosted { machine, journal, store: Some(store) };
        Ok(Recovered { id: meta.id, tenant: meta.tenant, hosted })
    }
}

fn replay(machine: &mut Machine, journal: &mut Journal, op: &pb::Op) -> Result<()> {
    let model = convert::op_from_proto(op).map_err(|e| anyhow::anyhow!("journal op {}: {e}", journal.len()))?;
    let _ = machine.apply(&model);
    journal.push(op);
    Ok(())
}

/// An encoded `Snapshot` of a configuration and a journal.
pub fn snapshot_bytes(config: &MachineConfig, journal: &Journal, digest: &str) -> Vec<u8> {
    snapshot(config, journal, digest).encode_to_vec()
}

/// The `Snapshot` message of a configuration and a journal.
pub fn snapshot(config: &MachineConfig, journal: &Journal, digest: &str) -> pb::Snapshot {
    pb::Snapshot {
        version: 1,
        config: Some(convert::config_to_proto(config)),
        ops: journal.ops(),
        digest: digest.to_string(),
    }
}

impl MachineStore {
    /// Writes a batch's encoded operations; fsyncs them under [`Fsync::Always`].
    pub fn append(&self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        (&self.journal.file).write_all(bytes)?;
        match self.data.fsync {
            Fsync::Always => self.journal.file.sync_data()?,
            Fsync::Interval(_) => self.journal.dirty.store(true, Ordering::Release),
            Fsync::Never => {}
        }
        Ok(())
    }

    /// Starts a new journal file at op `n`; returns the work to finish outside the machine lock.
    pub fn rotate(&mut self, n: u64) -> Result<PendingSnapshot> {
        let old = std::mem::replace(&mut self.journal, self.data.open_journal(&self.dir.join(journal_name(n)))?);
        old.file.sync_data()?;
        sync_dir(&self.dir)?;
        Ok(PendingSnapshot { dir: self.dir.clone(), upto: n })
    }
}

/// A snapshot to write once the machine lock is released.
#[derive(Debug)]
pub struct PendingSnapshot {
    dir: PathBuf,
    upto: u64,
}

impl PendingSnapshot {
    /// Writes snapshot.bin, then removes the journal files it covers.
    pub fn finish(self, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.dir.join("snapshot.bin"), bytes)?;
        for (start, path) in journal_files(&self.dir)? {
            if start < self.upto {
                fs::remove_file(path)?;
            }
        }
        Ok(())
    }
}
