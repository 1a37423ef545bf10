//! Generates the mmlab.v1 message and service code from `proto/mmlab/v1/*.proto` with protox (a
//! pure-Rust protoc: no system protoc needed) and tonic-prost-build, and writes the encoded file
//! descriptor set that gRPC server reflection serves.

use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../proto");
    let files = ["ops.proto", "views.proto", "service.proto"].map(|f| root.join("mmlab/v1").join(f));
    println!("cargo:rerun-if-changed={}", root.display());
    let mut compiler = protox::Compiler::new([&root])?;
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(&files)?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out.join("mmlab_descriptor.bin"), compiler.encode_file_descriptor_set())?;
    tonic_prost_build::configure().build_server(true).build_client(true).compile_fds(compiler.file_descriptor_set())?;
    Ok(())
}
