//! Compiles the servant (servant/servant.c) into a static executable that the oracle embeds.
//!
//! The servant must be a static C program: a minimal address space (no shared libraries, no
//! allocator arenas) whose own VMAs never change while it serves. Without a C compiler, or off
//! Linux, the oracle is built without a servant and reports an environment error when run.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=servant/servant.c");
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo::rustc-check-cfg=cfg(mmlab_servant)");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("mmlab-servant");
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-static", "-O2", "-Wall", "-Wextra", "-o"])
        .arg(&out)
        .arg("servant/servant.c")
        .status();
    match status {
        Ok(s) if s.success() => println!("cargo:rustc-cfg=mmlab_servant"),
        Ok(s) => {
            println!("cargo:warning=cannot build the oracle servant ({cc} exited with {s}); the oracle will not run")
        }
        Err(e) => println!("cargo:warning=cannot build the oracle servant ({cc}: {e}); the oracle will not run"),
    }
}
