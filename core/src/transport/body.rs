//! Response bodies: from the shared pool or a stream's own connection
//! ([`EngineBody`]), gunzipped when the gateway sent `content-encoding: gzip`
//! ([`Body`]), and read piece by piece ([`next_data`]).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Body as _;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tower_http::decompression::DecompressionBody;

use super::driven::DrivenBody;
use super::transport_error;
use crate::error::Error;

/// A response body: as received, or gunzipped when the gateway sent `content-encoding: gzip`.
pub type Body = DecompressionBody<EngineBody>;
/// A response with its body still to read.
pub type HttpResponse = http::Response<Body>;

/// A response body: from the shared pool, or with the connection it comes over.
pub enum EngineBody {
    /// Over a connection of the shared pool, driven by a task of its own.
    Pooled(Incoming),
    /// Over a connection that reading the body drives (boxed: its connection state is
    /// about 1.9 KB, which every move of a pooled body would otherwise copy; one allocation per response).
    Driven(Box<DrivenBody>),
}

impl http_body::Body for EngineBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, hyper::Error>>> {
        match self.get_mut() {
            EngineBody::Pooled(body) => Pin::new(body).poll_frame(cx),
            EngineBody::Driven(driven) => driven.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EngineBody::Pooled(body) => body.is_end_stream(),
            EngineBody::Driven(driven) => driven.body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            EngineBody::Pooled(body) => body.size_hint(),
            EngineBody::Driven(driven) => driven.body.size_hint(),
        }
    }
}

/// The next piece of a body (trailers skipped); `None` at its end.
pub(crate) async fn next_data(body: &mut Body) -> Result<Option<Bytes>, Error> {
    loop {
        match body.frame().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(transport_error(e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

/// The body's length when the response said it (and it is not being decompressed).
pub(crate) fn exact_length(body: &Body) -> Option<u64> {
    body.size_hint().exact()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::testing::{client_config, get, read_all, serve, Reply};
    use super::super::Transport;
    use super::*;
    use crate::error::ErrorKind;

    /// `data` as gzip with one stored (uncompressed) deflate block: what a gateway's gzip sends, without a compressor.
    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        let len = data.len() as u16;
        out.push(1); // the final block, stored
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(&crc32(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn the_gzip_helper_matches_a_known_crc() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    async fn fetch(reply: fn() -> Reply, stream: bool) -> (Option<u64>, Result<Vec<u8>, Error>, Vec<String>) {
        let server = serve(move |_| reply()).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let response = transport
            .send(&get(&format!("{}/v1/x", server.url), stream))
            .await
            .unwrap();
        let mut body = response.into_body();
        let length = exact_length(&body);
        let mut all = Vec::new();
        let read = loop {
            match next_data(&mut body).await {
                Ok(Some(piece)) => all.extend_from_slice(&piece),
                Ok(None) => break Ok(all),
                Err(e) => break Err(e),
            }
        };
        (length, read, server.heads())
    }

    #[tokio::test]
    async fn a_gzip_body_is_decoded_on_both_paths_and_has_no_exact_length() {
        for stream in [false, true] {
            let (length, read, heads) = fetch(
                || Reply::with_headers(200, "content-encoding: gzip\r\n", &gzip(b"{\"ok\":true}")),
                stream,
            )
            .await;
            assert_eq!(read.unwrap(), b"{\"ok\":true}", "stream {stream}");
            assert_eq!(length, None, "the length on the wire is not the body's");
            assert!(
                heads[0].to_ascii_lowercase().contains("accept-encoding: gzip"),
                "{}",
                heads[0]
            );
        }
    }

    #[tokio::test]
    async fn an_identity_body_says_its_length() {
        let (length, read, _) = fetch(|| Reply::ok("{\"ok\":true}"), false).await;
        assert_eq!(length, Some(11));
        assert_eq!(read.unwrap(), b"{\"ok\":true}");
    }

    #[tokio::test]
    async fn a_chunked_body_arrives_whole_then_ends() {
        let (length, read, _) = fetch(|| Reply::events(&["data: a\n\n", "data: b\n\n"]), true).await;
        assert_eq!(length, None);
        assert_eq!(read.unwrap(), b"data: a\n\ndata: b\n\n");
    }

    #[tokio::test]
    async fn a_body_cut_short_is_a_connection_error() {
        for stream in [false, true] {
            let (_, read, _) = fetch(
                || Reply::raw_then_close(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"partial\":"),
                stream,
            )
            .await;
            let e = read.expect_err("100 bytes were promised");
            assert_eq!(e.kind(), ErrorKind::Connection, "stream {stream}: {e}");
            assert!(e.message().starts_with("connection error"), "{}", e.message());
        }
    }

    #[tokio::test]
    async fn a_corrupt_gzip_body_fails_while_read() {
        let (_, read, _) = fetch(
            || Reply::with_headers(200, "content-encoding: gzip\r\n", b"\x1f\x8b\x08\x00not gzip at all"),
            false,
        )
        .await;
        assert_eq!(read.expect_err("not gzip").kind(), ErrorKind::Connection);
    }

    #[tokio::test]
    async fn read_all_reads_what_next_data_gives() {
        let server = serve(|_| Reply::ok("abc")).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let response = transport
            .send(&get(&format!("{}/v1/x", server.url), false))
            .await
            .unwrap();
        assert_eq!(read_all(response.into_body()).await, b"abc");
    }
}
