//! The deadlines a slow client meets once its headers are in (the header timeout is
//! `serve`'s): the whole body within `Settings::body_timeout` (a 408, and the connection
//! closed, however steadily the bytes trickle), and a minimum rate for reading an answer:
//! once the client holds writes back, `MIN_PROGRESS` bytes in each
//! `serve::Limits::write_timeout` (a client that stops reading, or reads a little now and
//! then, is dropped).
//!
//! Neither is an idle timeout: one byte every few seconds does not move them. A body's
//! deadline counts from the end of its headers to its last byte; a write's window from the
//! moment the socket first refused bytes, until the socket takes a write whole again.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::{ApiError, Shared};

/// A request body that fails once its deadline passes, and says so in `late`.
struct Deadline {
    inner: Body,
    sleep: Pin<Box<Sleep>>,
    late: Arc<AtomicBool>,
}

impl hyper::body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.late.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "body deadline",
                )
                .into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Gives every request body its deadline; a request whose body missed it is answered 408
/// (a sender retries it) and its connection closed, whatever the handler made of the cut.
pub(crate) async fn body(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let late = Arc::new(AtomicBool::new(false));
    let (parts, inner) = req.into_parts();
    let timeout = state.settings.body_timeout();
    let body = Body::new(Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(timeout)),
        late: late.clone(),
    });
    let resp = next.run(Request::from_parts(parts, body)).await;
    if !late.load(Ordering::Relaxed) {
        return resp;
    }
    let mut resp = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "body",
        format!(
            "the body was not all sent within {} s; send it again",
            timeout.as_secs_f64()
        ),
    )
    .into_response();
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// The least a client that makes a write wait must take in each `timeout`: 16 KiB, about
/// 0.8 KB/s at the default 20 s (a phone on a poor 2G line reads far more).
pub const MIN_PROGRESS: usize = 16 * 1024;

/// A connection whose writes fail when the peer reads too slowly: once a write waits (or the
/// socket takes only part of one), the peer has `timeout` to take `MIN_PROGRESS` bytes, and
/// so on for each `timeout` while it keeps the writes waiting. A write the socket takes whole
/// ends the watch: the peer is keeping up.
pub struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    /// Running while the peer holds writes back: its window and the bytes taken in it.
    stalled: Option<Stall>,
}

struct Stall {
    window: Pin<Box<Sleep>>,
    taken: usize,
}

impl<S> WriteDeadline<S> {
    pub fn new(inner: S, timeout: Duration) -> Self {
        WriteDeadline {
            inner,
            timeout,
            stalled: None,
        }
    }

    /// What a write of `wanted` bytes that returned `poll` means: taken whole ends the watch,
    /// taken in part or not at all starts it (or counts toward it); a window that ran out
    /// with less than `MIN_PROGRESS` taken fails the connection.
    fn watch(
        &mut self,
        cx: &mut Context<'_>,
        wanted: usize,
        poll: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        let taken = match &poll {
            // A flush or shutdown that is done says nothing of the peer's reading.
            Poll::Ready(Ok(_)) if wanted == 0 => return poll,
            Poll::Ready(Ok(n)) if *n >= wanted => {
                self.stalled = None;
                return poll;
            }
            Poll::Ready(Ok(n)) => *n,
            Poll::Ready(Err(_)) => return poll,
            Poll::Pending => 0,
        };
        let timeout = self.timeout;
        let stall = self.stalled.get_or_insert_with(|| Stall {
            window: Box::pin(tokio::time::sleep(timeout)),
            taken: 0,
        });
        stall.taken += taken;
        if stall.window.as_mut().poll(cx).is_ready() {
            if stall.taken < MIN_PROGRESS {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client read too slowly for the write timeout",
                )));
            }
            self.stalled = None;
        }
        poll
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, buf.len(), poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        let wanted = bufs.iter().map(|b| b.len()).sum();
        self.watch(cx, wanted, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, 0, poll.map_ok(|()| 0)).map_ok(|_| ())
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, 0, poll.map_ok(|()| 0)).map_ok(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Writes `total` bytes through a 1 KiB pipe whose reader takes `chunk` bytes every
    /// `every`; whether the writer got to the end.
    async fn send(total: usize, chunk: usize, every: Duration) -> io::Result<()> {
        let (near, mut far) = tokio::io::duplex(1024);
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; chunk];
            loop {
                match far.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => tokio::time::sleep(every).await,
                }
            }
        });
        let mut w = WriteDeadline::new(near, Duration::from_millis(400));
        let out = w.write_all(&vec![7u8; total]).await;
        drop(w);
        let _ = reader.await;
        out
    }

    #[tokio::test]
    async fn a_reader_that_keeps_up_gets_everything() {
        assert!(send(256 * 1024, 8192, Duration::ZERO).await.is_ok());
        // Slower, but above the minimum: 1 KiB every 10 ms is 40 KiB per 400 ms window.
        assert!(send(64 * 1024, 1024, Duration::from_millis(10))
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn a_reader_that_takes_a_little_now_and_then_is_cut() {
        // 512 bytes every 50 ms: it never stops reading, but takes 4 KiB per 400 ms window,
        // under MIN_PROGRESS; a stall-only timeout never fired for it.
        let e = send(256 * 1024, 512, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }
}
