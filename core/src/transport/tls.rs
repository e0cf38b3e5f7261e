//! TLS: rustls with the ring provider (as the mock gateway uses), the built-in
//! webpki roots plus the CAs the caller configured, and the connector that
//! offers HTTP/2 and HTTP/1.1 over it (plain HTTP passes through).

use std::sync::Arc;

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind};

/// The built-in (webpki) roots plus the configured extra CAs; ring, as the mock gateway uses.
pub(super) fn tls_config(config: &ClientConfig) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in &config.extra_root_certificates {
        roots
            .add(rustls_pki_types::CertificateDer::from(cert.der().to_vec()))
            .map_err(|e| Error::invalid("tls_ca_cert", format!("a CA certificate is not usable: {e}")))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("could not set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tls)
}

/// HTTPS over `inner` (HTTP/2 when the server's ALPN picks it, else HTTP/1.1), plain HTTP as it is.
pub(super) fn https_connector<C>(config: &ClientConfig, inner: C) -> Result<hyper_rustls::HttpsConnector<C>, Error> {
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(config)?)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(inner))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::super::testing::{client_config, get};
    use super::super::Transport;
    use super::*;

    #[test]
    fn an_unusable_extra_ca_is_refused_naming_tls_ca_cert() {
        let mut config = client_config("https://127.0.0.1:1", Duration::from_secs(1));
        // A well-formed PEM block whose content is not a certificate.
        config.extra_root_certificates = crate::config::ClientBuilder::new()
            .api_key("sk-test-tls-unit-0123456789")
            .base_url("https://127.0.0.1:1")
            .add_root_certificate_pem("-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n")
            .build_config()
            .map(|c| c.extra_root_certificates)
            .unwrap_or_else(|e| panic!("the PEM block parses as DER bytes: {e}"));
        let e = tls_config(&config).expect_err("not a certificate");
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.message().contains("tls_ca_cert"), "{}", e.message());
    }

    #[test]
    fn the_built_in_roots_alone_make_a_config_with_ring() {
        let config = client_config("https://127.0.0.1:1", Duration::from_secs(1));
        let tls = tls_config(&config).unwrap();
        assert!(tls
            .crypto_provider()
            .cipher_suites
            .iter()
            .any(|s| s.version() == &rustls::version::TLS13));
    }

    /// The first bytes a client sends on a new HTTPS connection to a loopback listener.
    async fn client_hello() -> Vec<u8> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = format!("https://127.0.0.1:{port}");
        let transport = Transport::new(&client_config(&url, Duration::from_secs(2))).unwrap();
        let sending = tokio::spawn(async move { transport.send(&get(&format!("{url}/v1/models"), false)).await });
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut hello = vec![0u8; 8192];
        let n = socket.read(&mut hello).await.unwrap();
        hello.truncate(n);
        drop(socket);
        let e = sending
            .await
            .unwrap()
            .err()
            .expect("the listener closed during the handshake");
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        hello
    }

    #[tokio::test]
    async fn https_sends_a_client_hello_offering_h2_and_http1() {
        let hello = client_hello().await;
        // A TLS handshake record, then ALPN's protocol names as the extension spells them.
        assert_eq!(
            hello[0],
            0x16,
            "not a TLS handshake: {:?}",
            &hello[..8.min(hello.len())]
        );
        let has = |needle: &[u8]| hello.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"\x02h2"), "ALPN lacks h2");
        assert!(has(b"\x08http/1.1"), "ALPN lacks http/1.1");
    }

    #[tokio::test]
    async fn a_server_answering_tls_with_plain_http_fails_as_a_connection_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut hello = vec![0u8; 8192];
            let _ = socket.read(&mut hello).await;
            let _ = socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        });
        let url = format!("https://127.0.0.1:{port}");
        let transport = Transport::new(&client_config(&url, Duration::from_secs(2))).unwrap();
        let e = transport
            .send(&get(&format!("{url}/v1/models"), false))
            .await
            .err()
            .expect("not TLS");
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert!(e.message().starts_with("connection failed"), "{}", e.message());
    }
}
