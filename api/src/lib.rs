//! mmlab-api: the Rust code generated from the `mmlab.v1` protocol (`proto/mmlab/v1/`), shared by
//! the server, the load tool and Rust clients.
//!
//! [`v1`] holds the messages, the `machine_service_client` and the `machine_service_server`;
//! [`FILE_DESCRIPTOR_SET`] is the encoded descriptor set that gRPC server reflection serves.

/// Package `mmlab.v1`.
pub mod v1 {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("mmlab.v1");
}

/// The encoded `FileDescriptorSet` of `proto/mmlab/v1/*.proto`, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("mmlab_descriptor");
