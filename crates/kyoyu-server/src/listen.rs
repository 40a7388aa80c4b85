//! The accept loop: what a client that never finishes may hold.
//!
//! Every connection counts against a global cap and a cap per client
//! address (trusted proxies are exempt from the second: every client behind
//! them shares their address). A connection over either cap is closed at
//! once, before anything is read. A connection must send a complete request
//! head within `header_timeout`, also between keep-alive requests, so an
//! idle or stalled client is closed; its body must arrive within
//! `body_timeout` (`crate::read_bodies`).

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use kyoyu_trust::net::Cidr;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Limits on connections and request bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a complete request head, from the connection's start or
    /// the end of the previous response (so also the keep-alive idle time).
    pub header_timeout: Duration,
    /// Time to send a whole request body, once it is read.
    pub body_timeout: Duration,
    /// Open connections at once, over every client.
    pub connections: usize,
    /// Open connections at once from one client address.
    pub connections_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(120),
            connections: 4096,
            connections_per_address: 256,
        }
    }
}

/// Open connections per client address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One connection's place under the caps, given back when it closes.
struct Slot {
    _global: OwnedSemaphorePermit,
    address: Option<(Arc<PerAddress>, IpAddr)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((table, ip)) = &self.address {
            let mut open = table.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(n) = open.get_mut(ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(ip);
                }
            }
        }
    }
}

/// Admission of new connections under the caps.
struct Gate {
    global: Arc<Semaphore>,
    per_address: Arc<PerAddress>,
    cap: usize,
    exempt: Vec<Cidr>,
}

impl Gate {
    fn admit(&self, peer: IpAddr) -> Option<Slot> {
        let global = self.global.clone().try_acquire_owned().ok()?;
        if self.exempt.iter().any(|c| c.contains(peer)) {
            return Some(Slot {
                _global: global,
                address: None,
            });
        }
        let mut open = self
            .per_address
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(peer).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(Slot {
            _global: global,
            address: Some((self.per_address.clone(), peer)),
        })
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// open requests finish (at most `header_timeout` plus a grace of 30 s).
pub(crate) async fn serve_router(
    listener: TcpListener,
    router: Router,
    rewrite: fn(axum::extract::Request) -> axum::extract::Request,
    limits: &Limits,
    exempt: Vec<Cidr>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let gate = Gate {
        global: Arc::new(Semaphore::new(limits.connections.max(1))),
        per_address: Arc::default(),
        cap: limits.connections_per_address.max(1),
        exempt,
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept:
                    // wait a moment rather than spin, and keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = gate.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: over the connection cap");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |req: axum::extract::Request<hyper::body::Incoming>| {
                let mut req = rewrite(req.map(axum::body::Body::new));
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        );
        let conn = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    let grace = limits.header_timeout + Duration::from_secs(30);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace; closing them");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn gate(global: usize, cap: usize) -> Gate {
        Gate {
            global: Arc::new(Semaphore::new(global)),
            per_address: Arc::default(),
            cap,
            exempt: vec!["10.0.0.0/8".parse().unwrap()],
        }
    }

    #[test]
    fn caps_per_address_and_overall_and_frees_on_close() {
        let gate = gate(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let a1 = gate.admit(a).unwrap();
        let _a2 = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "third from one address");
        let _b1 = gate.admit(b).unwrap();
        assert!(gate.admit(b).is_none(), "global cap of 3 reached");
        drop(a1);
        let _a3 = gate.admit(a).expect("a closed connection frees its place");
        assert!(gate.admit(a).is_none());
    }

    #[test]
    fn trusted_proxies_are_held_only_to_the_global_cap() {
        let gate = gate(5, 2);
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let held: Vec<Slot> = (0..5).map(|_| gate.admit(proxy).unwrap()).collect();
        assert!(gate.admit(proxy).is_none(), "global cap");
        assert!(gate.per_address.0.lock().unwrap().is_empty());
        drop(held);
        assert_eq!(gate.global.available_permits(), 5);
    }
}
