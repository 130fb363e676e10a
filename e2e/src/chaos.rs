//! A fault-injecting HTTP/1.1 proxy in front of the collector: each request is passed,
//! delayed, reset before it reaches the server, answered 500 without reaching it, or
//! forwarded and then cut before the answer gets back (the row is stored; the browser
//! never hears so, and must retry). It understands just enough HTTP to find where one
//! request ends: a head and a `content-length` body.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What happened to connections, by fate.
#[derive(Default, Debug)]
pub struct Counts {
    pub passed: AtomicU64,
    pub delayed: AtomicU64,
    pub reset: AtomicU64,
    pub error_500: AtomicU64,
    pub cut_after_forward: AtomicU64,
}

pub struct Proxy {
    pub base: String,
    pub counts: Arc<Counts>,
    calm: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (host:port) with faults chosen from `seed`.
    pub async fn start(upstream: String, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Counts::default());
        let calm = Arc::new(AtomicBool::new(false));
        let (c, k) = (counts.clone(), calm.clone());
        tokio::spawn(async move {
            let rng = Arc::new(std::sync::Mutex::new(fastrand::Rng::with_seed(seed)));
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let (c, k, rng, upstream) = (c.clone(), k.clone(), rng.clone(), upstream.clone());
                tokio::spawn(async move { handle(client, &upstream, rng, k, c).await });
            }
        });
        Proxy { base, counts, calm }
    }

    /// From now on every connection passes untouched (the network has healed).
    pub fn heal(&self) {
        self.calm.store(true, Ordering::Relaxed);
    }
}

/// The most bytes of a message head the proxy reads before it gives up on the connection.
const MAX_HEAD: usize = 128 * 1024;

/// Reads one HTTP/1.1 message (head and a `content-length` body) from `stream`.
async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

/// Sends one request to the collector on a fresh connection and reads its answer.
async fn forward(upstream: &str, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    server.write_all(request).await.ok()?;
    tokio::time::timeout(Duration::from_secs(10), read_message(&mut server))
        .await
        .ok()?
}

/// Serves one client connection, choosing a fate for every request on it.
async fn handle(
    mut client: TcpStream,
    upstream: &str,
    rng: Arc<std::sync::Mutex<fastrand::Rng>>,
    calm: Arc<AtomicBool>,
    c: Arc<Counts>,
) {
    while let Some(request) = read_message(&mut client).await {
        let (roll, delay_ms) = {
            let mut r = rng.lock().unwrap();
            (r.u32(0..100), r.u64(200..1500))
        };
        let fate = if calm.load(Ordering::Relaxed) {
            0
        } else {
            roll
        };
        match fate {
            // Reset before anything reaches the server.
            55..=64 => {
                c.reset.fetch_add(1, Ordering::Relaxed);
                return;
            }
            // A 500 from "the load balancer", with CORS so the page can read it.
            65..=74 => {
                c.error_500.fetch_add(1, Ordering::Relaxed);
                let _ = client
                    .write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\naccess-control-allow-origin: *\r\n\r\n")
                    .await;
            }
            // Forwarded and stored, and the answer cut off.
            75..=84 => {
                c.cut_after_forward.fetch_add(1, Ordering::Relaxed);
                let _ = forward(upstream, &request).await;
                return;
            }
            _ => {
                if (85..=99).contains(&fate) {
                    c.delayed.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                } else {
                    c.passed.fetch_add(1, Ordering::Relaxed);
                }
                let Some(answer) = forward(upstream, &request).await else {
                    return;
                };
                if client.write_all(&answer).await.is_err() {
                    return;
                }
            }
        }
    }
}
