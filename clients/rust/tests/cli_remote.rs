//! The `mmlab` subcommands that manage and inspect a server's machines.

mod common;

use common::{Server, TempFile, mmlab, mmlab_env, text};

fn ok(args: &[&str]) -> String {
    let out = mmlab(args);
    assert_eq!(out.status.code(), Some(0), "mmlab {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn machines_views_journal_and_invariants() {
    let s = Server::start(&[]);
    let url = s.url();
    let id = ok(&["machine", "create", "--server", &url, "nodes=2", "node_mem=64M"]).trim().to_string();
    let get = ok(&["machine", "get", "--server", &url, &id]);
    assert!(get.contains("nodes: 2\nnode_mem: 67108864\n"), "{get}");
    let copy = ok(&["machine", "clone", "--server", &url, &id]).trim().to_string();
    assert_ne!(copy, id);
    let list = ok(&["machine", "list", "--server", &url]);
    assert!(list.starts_with("ID "), "{list}");
    assert!(list.contains(&id) && list.contains(&copy), "{list}");
    let json: serde_json::Value = serde_json::from_str(&ok(&["machine", "list", "--server", &url, "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[0]["config"]["nodes"], 2);

    // meminfo of a fresh 2 x 64 MiB machine: MemTotal 131072 kB.
    let mi = ok(&["proc", "--server", &url, &id, "meminfo"]);
    assert!(mi.starts_with("MemTotal:         131072 kB\n"), "{mi}");
    let node = ok(&["proc", "--server", &url, "--nid", "1", &id, "node_meminfo"]);
    assert!(node.starts_with("Node 1 MemTotal:"), "{node}");
    let j: serde_json::Value =
        serde_json::from_str(&ok(&["proc", "--json", "--server", &url, &id, "meminfo"])).unwrap();
    assert_eq!(j["meminfo"]["mem_total"], 131072);
    // A process that does not exist: ESRCH, exit 1.
    let out = mmlab(&["proc", "--server", &url, &id, "status", "7"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "mmlab: Status(7): ESRCH (No such process)\n");
    // A per-process view without a pid is a usage error.
    assert_eq!(mmlab(&["proc", "--server", &url, &id, "smaps"]).status.code(), Some(2));

    let inv = ok(&["invariants", "--server", &url, &id]);
    assert_eq!(inv, "ok: no invariant violated\n");
    let journal = ok(&["journal", "--server", &url, &id]);
    assert!(journal.starts_with("machine nodes=2 node_mem=0x4000000 "), "{journal}");

    ok(&["machine", "delete", "--server", &url, &id, &copy]);
    assert_eq!(ok(&["machine", "list", "--server", &url, "--json"]).trim(), "[]");
    // An unknown machine is a service failure: exit 3.
    let out = mmlab(&["machine", "get", "--server", &url, &id]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).starts_with("mmlab: not found: "), "{}", text(&out.stderr));
}

#[test]
fn process_views_of_a_kept_run() {
    let s = Server::start(&[]);
    let url = s.url();
    let t = TempFile::new(
        "views.mms",
        "p = spawn\na = mmap p 0 8p rw private,anonymous\ntouch p a 5p write\nwrite p a 0x41\n",
    );
    let out = mmlab(&["run", "--quiet", "--keep", "--server", &url, t.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let id = text(&out.stderr).trim().rsplit(' ').next().unwrap().to_string();
    let roll = ok(&["proc", "--server", &url, &id, "smaps_rollup", "1"]);
    assert!(roll.contains("\nRss:                  20 kB\n"), "{roll}");
    let smaps = ok(&["proc", "--server", &url, &id, "smaps", "1"]);
    assert!(smaps.contains("\nAnonymous:            20 kB\n"), "{smaps}");
    let j: serde_json::Value =
        serde_json::from_str(&ok(&["proc", "--json", "--server", &url, &id, "status", "1"])).unwrap();
    assert_eq!(j["status"]["vm_rss"], 20);
    let maps = ok(&["proc", "--server", &url, &id, "maps", "1"]);
    let start = maps.split('-').next().unwrap();
    let peek = ok(&["proc", "--server", &url, "--addr", &format!("0x{start}"), &id, "peek", "1"]);
    assert_eq!(peek, "0x41\n");
    let pm = ok(&["proc", "--server", &url, "--addr", &format!("0x{start}"), "--pages", "6", &id, "pagemap", "1"]);
    assert_eq!(pm.lines().count(), 6, "{pm}");
}

#[test]
fn a_token_from_the_environment() {
    let tokens = TempFile::new("tokens", "tok-1 team\n");
    let s = Server::start(&["--token-file", tokens.path()]);
    let url = s.url();
    let out = mmlab(&["machine", "list", "--server", &url]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).starts_with("mmlab: unauthenticated"), "{}", text(&out.stderr));
    let out = mmlab_env(&["machine", "list", "--json"], &[("MMLAB_SERVER", &url), ("MMLAB_TOKEN", "tok-1")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "[]");
    let out = mmlab(&["machine", "list", "--server", &url, "--token", "tok-1"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn completions_and_help() {
    let bash = ok(&["completions", "bash"]);
    assert!(bash.contains("_mmlab()"), "{}", &bash[..bash.len().min(200)]);
    assert!(bash.contains("--server"));
    let help = ok(&["run", "--help"]);
    assert!(help.contains("--server <URL>") && help.contains("MMLAB_SERVER"), "{help}");
    let help = ok(&["--help"]);
    assert!(help.contains("3 when the server fails"), "{help}");
    let bad = mmlab(&["machine", "create", "nodes=0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(text(&bad.stderr), "mmlab: bad machine settings: nodes must be between 1 and 64\n");
}
