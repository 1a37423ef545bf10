//! A complete session: `cargo run -p mmlab-client --example session [http://HOST:PORT]`.
use mmlab_client::{Client, ConnectOptions, View};
use mmlab_model::{MachineConfig, MapFlags, Op, Outcome, Prot};

#[tokio::main]
async fn main() -> Result<(), mmlab_client::Error> {
    let url = std::env::args().nth(1).unwrap_or("http://127.0.0.1:50051".into());
    let client = Client::connect(&url, &ConnectOptions::default()).await?;
    let m = client.create_machine(&MachineConfig { nodes: 2, ..Default::default() }).await?;
    let Ok(Outcome::Pid(p)) = client.apply(&m.id, &Op::Spawn).await? else { unreachable!() };
    let (prot, flags) = (Prot::READ | Prot::WRITE, MapFlags::PRIVATE | MapFlags::ANONYMOUS);
    let mmap = Op::Mmap { pid: p, addr: 0, len: 16 << 12, prot, flags, fd: -1, offset: 0 };
    let Ok(Outcome::Addr(a)) = client.apply(&m.id, &mmap).await? else { unreachable!() };
    client.apply(&m.id, &Op::Write { pid: p, addr: a, value: 0x41 }).await?.expect("a write fault");
    println!("{:?}", client.apply(&m.id, &Op::Munmap { pid: p, addr: a + 1, len: 4096 }).await?); // Err(EINVAL)
    print!("{}", client.read_text(&m.id, &View::SmapsRollup(p)).await?.expect("a live pid")); // Rss: 4 kB
    client.delete_machine(&m.id).await
}
