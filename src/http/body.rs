//! Reading a request body within a limit, and refusing a larger one so that the client hears
//! why.
//!
//! A server that answers while the client is still sending, and then closes, leaves unread
//! bytes in its socket: the kernel answers them with a reset, which can reach the client before
//! it has read the answer, and the client sees a broken connection instead of a `413`. So the
//! rest of a body that is too large is read and thrown away first, as far as a bound in bytes
//! and in time (what servers call a lingering close), and only a client that sends more than
//! that loses the answer.

use std::time::Duration;

use futures_util::StreamExt;
use poem::Body;

/// How much of a refused body is read on and thrown away before the answer.
const DRAINED_BYTES: usize = 8 * 1024 * 1024;

/// How long the rest of a refused body is read for at most.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unread {
    /// It is longer than the limit.
    TooLarge,
    /// The connection failed while it was being read.
    Broken,
}

/// The whole body if it holds at most `limit` bytes.
pub(super) async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, Unread> {
    let mut stream = Box::pin(body.into_bytes_stream());
    let mut data = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Unread::Broken)?;
        if data.len() + chunk.len() > limit {
            let mut drained = chunk.len();
            let _ = tokio::time::timeout(DRAIN_TIME, async {
                while drained < DRAINED_BYTES {
                    match stream.next().await {
                        Some(Ok(chunk)) => drained += chunk.len(),
                        _ => break,
                    }
                }
            })
            .await;
            return Err(Unread::TooLarge);
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(chunks: Vec<&'static [u8]>) -> Body {
        let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
        Body::from_bytes_stream(stream)
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let body = chunked(vec![b"abc", b"def"]);
        assert_eq!(read_limited(body, 6).await, Ok(b"abcdef".to_vec()));
    }

    #[tokio::test]
    async fn a_larger_body_is_refused_and_its_rest_read_to_its_end() {
        // The stream records how far it was read.
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = read.clone();
        let stream = futures_util::stream::iter((0..100).map(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, std::io::Error>(vec![b'x'; 1000])
        }));
        let body = Body::from_bytes_stream(stream);
        assert_eq!(read_limited(body, 1500).await, Err(Unread::TooLarge));
        assert_eq!(read.load(std::sync::atomic::Ordering::SeqCst), 100);
    }

    #[tokio::test]
    async fn the_rest_of_a_refused_body_is_read_only_so_far() {
        let stream = futures_util::stream::iter(
            std::iter::repeat_with(|| Ok::<_, std::io::Error>(vec![b'x'; 65536])).take(1000),
        );
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = read.clone();
        let stream = stream.inspect(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let body = Body::from_bytes_stream(stream);
        assert_eq!(read_limited(body, 100).await, Err(Unread::TooLarge));
        let chunks = read.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            chunks,
            DRAINED_BYTES / 65536,
            "{chunks} chunks of 64 KiB were read"
        );
    }
}
