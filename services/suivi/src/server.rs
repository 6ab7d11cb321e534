//! The HTTP listener: hyper's HTTP/1.1 connection driver with the limits a public server needs.
//!
//! `axum::serve` sets none of them: it gives hyper no timer, so a client that opens a connection
//! and never finishes its headers holds it (and a file descriptor) for ever, and it accepts as
//! many connections as the kernel hands it. Here:
//!
//! - headers must arrive within [`ConnectionLimits::header_timeout`] of the connection's opening
//!   (and of each new request on a kept-alive connection), else hyper closes the connection;
//! - at most [`ConnectionLimits::max_connections`] connections are served at once; beyond, new
//!   ones wait in the kernel's accept queue until one closes;
//! - each request carries its peer address (`ConnectInfo`), for the failed-authentication
//!   throttle.
//!
//! The body and whole-request deadlines are tower layers (`crate::app::router`): they need to
//! answer with a problem, which a connection-level timeout cannot.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt as _;

/// Limits on connections, enforced before any request reaches the router.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time allowed for a request's headers to arrive in full.
    pub header_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// After a stop signal, how long in-flight requests may still take before their connections
    /// are dropped.
    pub drain_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` turns true, then lets in-flight requests finish
/// (up to [`ConnectionLimits::drain_timeout`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // the semaphore is never closed
            },
            () = stopped(&mut shutdown) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut shutdown) => break,
        };
        let service = router.clone().map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request
        });
        let connection =
            graceful.watch(builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // Timeouts and clients that hang up mid-request end here; nothing to act on.
                tracing::debug!(%error, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after the drain timeout were dropped");
    }
    Ok(())
}

/// Resolves once `shutdown` turns true (or its sender is gone), holding no borrow of it.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
