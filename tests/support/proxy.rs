//! A TCP proxy a test can cut and restore: the service behind it "goes down" (new connections
//! refused, open ones closed) without touching the server other tests share.

use std::time::Duration;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct TcpProxy {
    pub port: u16,
    target: (String, u16),
    running: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl TcpProxy {
    /// Listens on a free loopback port and forwards every connection to `target`.
    /// (Inside a Tokio runtime.)
    pub fn start(target: (String, u16)) -> Self {
        let mut proxy = TcpProxy { port: crate::free_port(), target, running: None };
        proxy.up();
        proxy
    }

    /// Accepts (again) on the same port. (Inside a Tokio runtime.)
    pub fn up(&mut self) {
        assert!(self.running.is_none(), "the proxy is already up");
        // SO_REUSEADDR: the connections closed by `down` linger in TIME_WAIT on this port.
        let bound = TcpSocket::new_v4().and_then(|socket| {
            socket.set_reuseaddr(true)?;
            socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], self.port)))?;
            socket.listen(128)
        });
        let listener = bound.unwrap_or_else(|error| panic!("the proxy cannot listen on {}: {error}", self.port));
        let (stop, stopped) = watch::channel(false);
        let target = self.target.clone();
        let task = tokio::spawn(async move {
            let mut stopping = stopped.clone();
            loop {
                tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => return,
                    accepted = listener.accept() => {
                        let Ok((mut inbound, _)) = accepted else { continue };
                        let (target, mut stopping) = (target.clone(), stopped.clone());
                        tokio::spawn(async move {
                            let Ok(mut outbound) = TcpStream::connect((target.0.as_str(), target.1)).await else {
                                return;
                            };
                            // Both sockets are dropped, so closed, when the proxy goes down.
                            tokio::select! {
                                _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                                _ = stopping.wait_for(|stop| *stop) => {}
                            }
                        });
                    }
                }
            }
        });
        self.running = Some((stop, task));
    }

    /// Refuses new connections and closes the open ones.
    pub async fn down(&mut self) {
        let (stop, task) = self.running.take().expect("the proxy is up");
        let _ = stop.send(true);
        task.await.expect("the proxy's accept loop ends");
        // Let the connection tasks see the signal and close their sockets.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        if let Some((stop, _)) = self.running.take() {
            let _ = stop.send(true);
        }
    }
}
