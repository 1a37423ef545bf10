//! `mmlab run --server` prints exactly what the embedded run prints, with the same exit code, for
//! every scenario of the corpus and for failing scripts.

mod common;

use common::{Server, TempFile, mmlab, root, text};

fn scenarios() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mms"))
        .map(|p| p.strip_prefix(root()).unwrap().to_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_prints_the_same_embedded_and_remote() {
    let s = Server::start(&[]);
    let url = s.url();
    let files = scenarios();
    assert!(files.len() >= 50, "the corpus is there: {files:?}");
    for f in &files {
        let emb = mmlab(&["run", f]);
        let rem = mmlab(&["run", "--server", &url, f]);
        assert_eq!(emb.status.code(), rem.status.code(), "{f}: exit codes\n{}", text(&rem.stderr));
        assert_eq!(text(&emb.stdout), text(&rem.stdout), "{f}: stdout");
        assert_eq!(text(&emb.stderr), text(&rem.stderr), "{f}: stderr");
        assert_eq!(emb.status.code(), Some(0), "{f} passes: {}", text(&emb.stderr));
    }
    // Each run deleted its machine.
    let list = mmlab(&["machine", "list", "--server", &url, "--json"]);
    assert_eq!(text(&list.stdout).trim(), "[]");
}

#[test]
fn views_after_every_step_print_the_same() {
    let s = Server::start(&[]);
    let views = ["--proc", "smaps", "--proc", "status", "--proc", "node_meminfo", "--proc", "vmstat", "--proc", "maps"];
    for f in ["scenarios/13-memfd-punch-hole.mms", "scenarios/46-move-pages-two-nodes.mms"] {
        let mut args = vec!["run"];
        args.extend(views);
        args.push(f);
        let emb = mmlab(&args);
        let url = s.url();
        let mut rargs = vec!["run", "--server", &url];
        rargs.extend(views);
        rargs.push(f);
        let rem = mmlab(&rargs);
        assert_eq!(emb.status.code(), Some(0), "{f}");
        assert_eq!(rem.status.code(), Some(0), "{f}: {}", text(&rem.stderr));
        let out = text(&emb.stdout);
        assert!(out.contains("      --- /proc/1/smaps\n"), "{f}");
        assert_eq!(out, text(&rem.stdout), "{f}");
    }
}

#[test]
fn failures_print_and_exit_the_same() {
    let s = Server::start(&[]);
    let url = s.url();
    let cases = [
        // A wrong expectation (exit 1), the line after it never runs.
        "p = spawn\na = mmap p 0 4p rw private,anonymous\ntouch p a 2p write\nexpect smaps p a Rss == 4 kB\nexit p\n",
        // An unexpected errno (exit 1).
        "p = spawn\nmunmap p 0x1001 4096\n",
        // A machine the model refuses (exit 1, before any operation).
        "machine nodes=0\np = spawn\n",
        // A parse error (exit 2).
        "p = spawn\nmmap p\n",
        // A page value, a view of a process that is gone, and an errno as a result.
        "p = spawn\na = mmap p 0 1p rw private,anonymous\nwrite p a 0x41\nexpect value p a == 0x41\nexit p\nexpect status p VmRSS == 0 kB\n",
    ];
    for (i, script) in cases.iter().enumerate() {
        let t = TempFile::new(&format!("case{i}.mms"), script);
        let emb = mmlab(&["run", t.path()]);
        let rem = mmlab(&["run", "--server", &url, t.path()]);
        assert_ne!(emb.status.code(), Some(0), "case {i} fails");
        assert_eq!(emb.status.code(), rem.status.code(), "case {i}: {}", text(&rem.stderr));
        assert_eq!(text(&emb.stdout), text(&rem.stdout), "case {i}");
        assert_eq!(text(&emb.stderr), text(&rem.stderr), "case {i}");
    }
}

#[test]
fn an_unreachable_server_exits_3() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = mmlab(&["run", "--server", &format!("http://127.0.0.1:{port}"), "scenarios/01-anon-write-fault.mms"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).starts_with(&format!("mmlab: cannot connect to http://127.0.0.1:{port}")),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn keep_leaves_the_machine_and_its_journal_replays_the_script() {
    let s = Server::start(&[]);
    let url = s.url();
    let t = TempFile::new(
        "keep.mms",
        "p = spawn\na = mmap p 0 4p rw private,anonymous\ntouch p a 3p write\nmunmap p a+1 4096 => EINVAL\n",
    );
    let out = mmlab(&["run", "--server", &url, "--keep", "--quiet", t.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let id = err.trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(err, format!("{}: machine {id}\n", t.path()));
    let j = mmlab(&["journal", "--server", &url, &id]);
    assert_eq!(j.status.code(), Some(0));
    let script = text(&j.stdout);
    assert!(script.contains("munmap 1 0x7"), "{script}");
    assert!(script.contains("=> EINVAL"), "{script}");
    // The exported journal is a script that passes embedded.
    let replay = TempFile::new("journal.mms", &script);
    let r = mmlab(&["run", "--quiet", replay.path()]);
    assert_eq!(r.status.code(), Some(0), "{script}\n{}", text(&r.stderr));
}
