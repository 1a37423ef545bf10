//! mmlab-server: the mmlab gRPC service (`mmlabd`) and its load tool (`mmlab-load`).
//!
//! Requests pass through [`auth`] (bearer token to tenant), then [`service`], which finds the
//! machine in the [`registry`], translates the message with [`convert`] (the only module that
//! maps protocol types to model types), and runs the operations on the [`hosted`] machine under
//! its own lock, within the [`limits`]. [`persist`] journals every applied operation when a data
//! directory is set; [`metrics`] serves Prometheus text; [`server`] wires tonic, health,
//! reflection, TLS and graceful shutdown from the [`cli`] options.

pub mod auth;
pub mod cli;
pub mod convert;
pub mod digest;
pub mod hosted;
pub mod limits;
pub mod metrics;
pub mod persist;
pub mod read;
pub mod registry;
pub mod server;
pub mod service;
