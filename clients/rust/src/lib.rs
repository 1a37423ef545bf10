//! mmlab-client: a typed async client for `mmlabd` (the `mmlab.v1` gRPC service), and the
//! blocking [`remote::RemoteMachine`] that lets the script runner drive a hosted machine.
//!
//! Operations, results and views are the model's own types (`mmlab_model::Op`, `OpResult`,
//! `Smaps`, ...), translated by the server's one conversion module. A failed modeled syscall is
//! an errno inside `Ok` (`Ok(Err(Errno::EINVAL))`); [`Error`] is only for the service: an
//! unknown machine, a bad message, a quota, a missing token, an unreachable server.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mmlab_client::Error> {
//! use mmlab_client::{Client, ConnectOptions};
//! use mmlab_model::{MachineConfig, Op, Outcome};
//!
//! let client = Client::connect("http://127.0.0.1:50051", &ConnectOptions::default()).await?;
//! let m = client.create_machine(&MachineConfig::default()).await?;
//! let Ok(Outcome::Pid(p)) = client.apply(&m.id, &Op::Spawn).await? else { unreachable!() };
//! println!("{}", client.read_text(&m.id, &mmlab_client::View::Status(p)).await?.unwrap());
//! client.delete_machine(&m.id).await?;
//! # Ok(()) }
//! ```

pub mod client;
pub mod error;
pub mod experiment;
pub mod remote;

pub use client::{Client, ConnectOptions, Journal, MachineInfo, View, ViewValue};
pub use error::{Code, Error};
