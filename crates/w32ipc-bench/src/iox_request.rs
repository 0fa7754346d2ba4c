//! The iceoryx2 peer of the 64-byte message round trip (feature `iceoryx2`): request/response
//! over shared memory, both processes busy-polling.
//!
//! One service per trial, `<base>/rpc`, of `[u8; 64]` requests and `[u8; 64]` responses, which
//! the parent creates before it starts the child. The child (the message child, arm `iceoryx2`)
//! runs the server: it polls for a request, answers it with a 64-byte reply — [`derive()`] of
//! the request in the first 8 bytes, the request's other 56 bytes after them, as the raw arms
//! reply — and polls for the next. The parent's client sends a request (`send_copy`, one copy
//! into a shared-memory chunk) and polls its pending response.

use std::io;

use iceoryx2::port::client::Client as IoxClient;
use iceoryx2::port::server::Server;
use iceoryx2::prelude::*;
use iceoryx2::service::port_factory::request_response::PortFactory as RpcFactory;

use crate::iox::{self, Ipc};
use crate::msg::{derive, say};
use crate::msg_roundtrip::MESSAGE;

/// The subject's name in the table.
pub const NAME: &str = "iceoryx2 request/response (busy-polling)";

type Block = [u8; MESSAGE];
type Service = RpcFactory<Ipc, Block, (), Block, ()>;

/// The parent's side of a trial: the node, the service and its client.
pub struct Client {
    service: Service,
    client: IoxClient<Ipc, Block, (), Block, ()>,
    _node: Node<Ipc>,
}

impl Client {
    /// Creates the service `base/rpc` and a client of it.
    pub fn create(base: &str) -> io::Result<Client> {
        let node = iox::node()?;
        let service = node
            .service_builder(&iox::service_name(base, "rpc")?)
            .request_response::<Block, Block>()
            .create()
            .map_err(iox::fail("request/response service"))?;
        let client = service
            .client_builder()
            .create()
            .map_err(iox::fail("client"))?;
        Ok(Client {
            service,
            client,
            _node: node,
        })
    }

    /// Waits until the child's server is there.
    pub fn await_server(&self) -> io::Result<()> {
        iox::await_port("server", || {
            self.service.dynamic_config().number_of_servers()
        })
    }

    /// Sends `request` and polls for the response.
    pub fn call(&self, request: &Block) -> io::Result<Block> {
        let pending = self
            .client
            .send_copy(*request)
            .map_err(iox::fail("send request"))?;
        iox::spin(|| {
            let response = pending.receive().map_err(iox::fail("receive response"))?;
            Ok(response.map(|r| *r))
        })
    }
}

/// The child's side: opens the service `base/rpc`, runs a server, waits for the parent's
/// client, says `ready`, answers `count` requests and says `done`.
pub fn serve_child(base: &str, count: u64) -> io::Result<()> {
    let node = iox::node()?;
    let service = node
        .service_builder(&iox::service_name(base, "rpc")?)
        .request_response::<Block, Block>()
        .open()
        .map_err(iox::fail("request/response service"))?;
    let server: Server<Ipc, Block, (), Block, ()> = service
        .server_builder()
        .create()
        .map_err(iox::fail("server"))?;
    iox::await_port("client", || service.dynamic_config().number_of_clients())?;
    say("ready")?;
    for _ in 0..count {
        let request = iox::spin(|| server.receive().map_err(iox::fail("receive request")))?;
        let mut reply = *request;
        let answer = derive(&reply);
        reply[..8].copy_from_slice(&answer.to_le_bytes());
        request
            .send_copy(reply)
            .map_err(iox::fail("send response"))?;
    }
    say("done")
}
