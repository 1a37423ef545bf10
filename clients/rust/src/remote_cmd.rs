//! The subcommands that talk to an `mmlabd`: `run --server`, `machine`, `proc`, `journal`,
//! `invariants`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use mmlab_client::remote::RemoteMachine;
use mmlab_client::{Client, ConnectOptions, MachineInfo, View};
use mmlab_model::MachineConfig;
use mmlab_model::script::{self, RunOptions};
use tokio::runtime::Runtime;

use crate::Status;

/// The address used when no --server or MMLAB_SERVER is given (mmlabd's default).
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// How to reach the server.
#[derive(Args, Debug, Clone, Default)]
pub struct ServerArgs {
    /// The mmlabd to use: http://HOST:PORT, or https://HOST:PORT for TLS
    #[arg(long, value_name = "URL", env = "MMLAB_SERVER")]
    pub server: Option<String>,
    /// Bearer token for a server with a token file
    #[arg(long, value_name = "TOKEN", env = "MMLAB_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// PEM file of the certificate authority to trust (required for https://)
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Name to check the server's certificate against, when it is not the URL's host
    #[arg(long, value_name = "NAME")]
    pub tls_domain: Option<String>,
    /// Deadline of each call, in seconds
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
}

impl ServerArgs {
    /// The server's URL, if one was given.
    pub fn url(&self) -> Option<&str> {
        self.server.as_deref()
    }
}

/// A runtime and a connected client, or the reason (already reported) why not.
fn connect(args: &ServerArgs) -> Result<(Runtime, Client), Status> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
        eprintln!("mmlab: cannot start the runtime: {e}");
        Status::Error
    })?;
    let tls_ca_pem = match &args.tls_ca {
        Some(p) => Some(fs::read(p).map_err(|e| {
            eprintln!("{}: cannot read: {e}", p.display());
            Status::Error
        })?),
        None => None,
    };
    let opts = ConnectOptions {
        token: args.token.clone(),
        tls_ca_pem,
        tls_domain: args.tls_domain.clone(),
        timeout: args.timeout.filter(|t| t.is_finite() && *t > 0.0).map(Duration::from_secs_f64),
        connect_timeout: None,
    };
    let url = args.url().unwrap_or(DEFAULT_SERVER);
    match rt.block_on(Client::connect(url, &opts)) {
        Ok(c) => Ok((rt, c)),
        Err(e) => Err(service_failed(&e)),
    }
}

fn service_failed(e: &mmlab_client::Error) -> Status {
    eprintln!("mmlab: {e}");
    Status::Service
}

/// `mmlab run --server`: every script on a new machine of the server, printed as embedded.
pub fn run_remote(args: &ServerArgs, keep: bool, files: &[PathBuf], opts: &RunOptions, quiet: bool) -> Status {
    let (rt, client) = match connect(args) {
        Ok(c) => c,
        Err(s) => return s,
    };
    crate::run_files(files, quiet, |s, name| {
        script::run_on(s, opts, |config| {
            let mut m = RemoteMachine::create(&rt, &client, config)?;
            m.check_with_ops(opts.check_invariants);
            if keep {
                m.keep(true);
                eprintln!("{name}: machine {}", m.id());
            }
            Ok(m)
        })
    })
}

/// `mmlab machine ...`.
#[derive(Subcommand, Debug)]
pub enum MachineCmd {
    /// Create a machine and print its id
    ///
    /// Settings are those of a script's machine line, e.g. `nodes=2 node_mem=64M swap=16M
    /// memlock=8M thp=madvise`; omitted ones take the model's defaults.
    Create {
        #[command(flatten)]
        server: ServerArgs,
        /// Print the machine as JSON
        #[arg(long)]
        json: bool,
        /// Machine settings (KEY=VALUE, as on a .mms machine line)
        #[arg(value_name = "KEY=VALUE")]
        settings: Vec<String>,
    },
    /// List the machines (id, nodes, memory per node, operations, resident pages, pids)
    List {
        #[command(flatten)]
        server: ServerArgs,
        /// Print them as JSON
        #[arg(long)]
        json: bool,
    },
    /// Describe a machine
    Get {
        #[command(flatten)]
        server: ServerArgs,
        /// Print it as JSON
        #[arg(long)]
        json: bool,
        /// The machine
        #[arg(value_name = "MACHINE")]
        machine: String,
    },
    /// Copy a machine's whole state into a new machine and print the new id
    Clone {
        #[command(flatten)]
        server: ServerArgs,
        /// Print the new machine as JSON
        #[arg(long)]
        json: bool,
        /// The machine to copy
        #[arg(value_name = "MACHINE")]
        machine: String,
    },
    /// Delete machines
    Delete {
        #[command(flatten)]
        server: ServerArgs,
        /// The machines
        #[arg(value_name = "MACHINE", required = true)]
        machines: Vec<String>,
    },
}

/// The configuration a list of machine-line settings describes.
fn config_from_settings(settings: &[String]) -> Result<MachineConfig, String> {
    if settings.is_empty() {
        return Ok(MachineConfig::default());
    }
    let line = format!("machine {}\n", settings.join(" "));
    let s = script::parse(&line).map_err(|e| format!("bad machine settings: {}", e.message))?;
    let config = s.machine.map(|m| m.config()).unwrap_or_default();
    config.validate().map_err(|e| format!("the model refuses this machine: {e} ({})", e.message()))?;
    Ok(config)
}

fn print_machine(m: &MachineInfo, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(m).unwrap_or_default());
    } else {
        println!("{}", m.id);
    }
}

fn describe(m: &MachineInfo) -> String {
    let pids: Vec<String> = m.pids.iter().map(ToString::to_string).collect();
    format!(
        "id: {}\nnodes: {}\nnode_mem: {}\nswap: {}\nmemlock: {}\nthp: {:?}\nops_applied: {}\nresident_pages: {}\npids: {}\n",
        m.id,
        m.config.nodes,
        m.config.node_bytes,
        m.config.swap_bytes,
        m.config.memlock_bytes,
        m.config.thp,
        m.ops_applied,
        m.resident_pages,
        pids.join(" ")
    )
}

pub fn machine(cmd: MachineCmd) -> Status {
    let server = match &cmd {
        MachineCmd::Create { server, .. }
        | MachineCmd::List { server, .. }
        | MachineCmd::Get { server, .. }
        | MachineCmd::Clone { server, .. }
        | MachineCmd::Delete { server, .. } => server.clone(),
    };
    if let MachineCmd::Create { settings, .. } = &cmd
        && let Err(e) = config_from_settings(settings)
    {
        eprintln!("mmlab: {e}");
        return Status::Error;
    }
    let (rt, c) = match connect(&server) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let r = rt.block_on(async {
        match cmd {
            MachineCmd::Create { json, settings, .. } => {
                let config = config_from_settings(&settings).unwrap_or_default();
                print_machine(&c.create_machine(&config).await?, json);
            }
            MachineCmd::List { json, .. } => {
                let list = c.machines().await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                } else {
                    println!("{:<24} {:>5} {:>12} {:>8} {:>9}  PIDS", "ID", "NODES", "NODE_MEM", "OPS", "RESIDENT");
                    for m in &list {
                        let pids: Vec<String> = m.pids.iter().map(ToString::to_string).collect();
                        println!(
                            "{:<24} {:>5} {:>12} {:>8} {:>9}  {}",
                            m.id,
                            m.config.nodes,
                            m.config.node_bytes,
                            m.ops_applied,
                            m.resident_pages,
                            pids.join(",")
                        );
                    }
                }
            }
            MachineCmd::Get { json, machine, .. } => {
                let m = c.machine(&machine).await?;
                if json {
                    print_machine(&m, true);
                } else {
                    print!("{}", describe(&m));
                }
            }
            MachineCmd::Clone { json, machine, .. } => print_machine(&c.clone_machine(&machine).await?, json),
            MachineCmd::Delete { machines, .. } => {
                for m in &machines {
                    c.delete_machine(m).await?;
                }
            }
        }
        Ok::<_, mmlab_client::Error>(())
    });
    match r {
        Ok(()) => Status::Pass,
        Err(e) => service_failed(&e),
    }
}

/// A view for `mmlab proc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProcView {
    /// /proc/PID/maps
    Maps,
    /// /proc/PID/smaps
    Smaps,
    /// /proc/PID/smaps_rollup
    #[value(name = "smaps_rollup")]
    SmapsRollup,
    /// /proc/PID/status
    Status,
    /// /proc/PID/pagemap (--addr, --pages), one entry per line
    Pagemap,
    /// /proc/meminfo
    Meminfo,
    /// /sys/devices/system/node/nodeN/meminfo (--nid)
    #[value(name = "node_meminfo")]
    NodeMeminfo,
    /// /proc/vmstat
    Vmstat,
    /// /proc/kpagecount and /proc/kpageflags (--pfn, --count), one pfn per line
    Kpages,
    /// The value of the page at --addr, read without faulting
    Peek,
}

/// `mmlab proc`.
#[derive(Args, Debug)]
pub struct ProcArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Print the view as JSON (the structured fields) instead of Linux's text
    #[arg(long)]
    json: bool,
    /// First address (pagemap, peek)
    #[arg(long, value_name = "ADDR", value_parser = parse_num, default_value = "0")]
    addr: u64,
    /// Number of pages (pagemap)
    #[arg(long, value_name = "N", value_parser = parse_num, default_value = "1")]
    pages: u64,
    /// The node (node_meminfo)
    #[arg(long, value_name = "NID", default_value_t = 0)]
    nid: u32,
    /// First pfn (kpages)
    #[arg(long, value_name = "PFN", value_parser = parse_num, default_value = "0")]
    pfn: u64,
    /// Number of pfns (kpages)
    #[arg(long, value_name = "N", value_parser = parse_num, default_value = "1")]
    count: u64,
    /// The machine
    #[arg(value_name = "MACHINE")]
    machine: String,
    /// The view
    #[arg(value_name = "VIEW")]
    view: ProcView,
    /// The process, for per-process views
    #[arg(value_name = "PID")]
    pid: Option<u32>,
}

/// A decimal or 0x-hexadecimal number.
fn parse_num(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("'{s}' is not a number (decimal or 0x hex)"))
}

impl ProcArgs {
    fn view(&self) -> Result<View, String> {
        let pid = || self.pid.ok_or_else(|| format!("the {:?} view needs a PID", self.view));
        Ok(match self.view {
            ProcView::Maps => View::Maps(pid()?),
            ProcView::Smaps => View::Smaps(pid()?),
            ProcView::SmapsRollup => View::SmapsRollup(pid()?),
            ProcView::Status => View::Status(pid()?),
            ProcView::Pagemap => View::Pagemap { pid: pid()?, addr: self.addr, pages: self.pages },
            ProcView::Meminfo => View::Meminfo,
            ProcView::NodeMeminfo => View::NodeMeminfo(self.nid),
            ProcView::Vmstat => View::Vmstat,
            ProcView::Kpages => View::Kpages { pfn: self.pfn, count: self.count },
            ProcView::Peek => View::Peek { pid: pid()?, addr: self.addr },
        })
    }
}

pub fn proc(args: &ProcArgs) -> Status {
    let view = match args.view() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("mmlab: {e}");
            return Status::Error;
        }
    };
    let (rt, c) = match connect(&args.server) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let out = if args.json {
        rt.block_on(c.read(&args.machine, &view))
            .map(|r| r.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"))
    } else {
        rt.block_on(c.read_text(&args.machine, &view))
    };
    match out {
        Ok(Ok(text)) => {
            let mut o = io::stdout().lock();
            if o.write_all(text.as_bytes()).and_then(|()| o.flush()).is_err() {
                return Status::Error;
            }
            Status::Pass
        }
        Ok(Err(errno)) => {
            eprintln!("mmlab: {view:?}: {errno} ({})", errno.message());
            Status::Fail
        }
        Err(e) => service_failed(&e),
    }
}

pub fn journal(server: &ServerArgs, machine: &str, output: Option<&Path>) -> Status {
    let (rt, c) = match connect(server) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let j = match rt.block_on(c.journal(machine)) {
        Ok(j) => j,
        Err(e) => return service_failed(&e),
    };
    let written = match output {
        Some(p) => fs::write(p, &j.script).map_err(|e| format!("{}: cannot write: {e}", p.display())),
        None => io::stdout().lock().write_all(j.script.as_bytes()).map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => Status::Pass,
        Err(e) => {
            eprintln!("mmlab: {e}");
            Status::Error
        }
    }
}

pub fn invariants(server: &ServerArgs, machine: &str) -> Status {
    let (rt, c) = match connect(server) {
        Ok(x) => x,
        Err(s) => return s,
    };
    match rt.block_on(c.check_invariants(machine)) {
        Ok(v) if v.is_empty() => {
            println!("ok: no invariant violated");
            Status::Pass
        }
        Ok(v) => {
            for x in &v {
                println!("{x}");
            }
            eprintln!("mmlab: machine {machine}: {} invariant violations", v.len());
            Status::Fail
        }
        Err(e) => service_failed(&e),
    }
}
