//! `--tls`: a throw-away test CA and a server certificate made at start-up
//! (rcgen), served with rustls (ring provider, as reqwest's rustls-tls uses).

use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the server certificate is issued for by default.
pub const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

pub struct TestPki {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    /// rustls server configuration with the server certificate (chain: leaf, CA).
    pub server_config: Arc<rustls::ServerConfig>,
}

/// Makes a fresh CA and a server certificate for `names` (DNS names or IP
/// addresses), signed by that CA.
fn err(what: &'static str) -> impl Fn(rcgen::Error) -> String {
    move |e| format!("{what}: {e}")
}

pub fn make_pki(names: &[String], h2: bool) -> Result<TestPki, String> {
    let ca_key = KeyPair::generate().map_err(err("CA key"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err("CA params"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "routerkit-mock throw-away test CA");
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, "routerkit tests");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err("CA certificate"))?;

    let key = KeyPair::generate().map_err(err("server key"))?;
    // CertificateParams::new turns each name that parses as an IP address into an IP SAN.
    let names: Vec<String> = names
        .iter()
        .map(|n| n.trim().trim_start_matches('[').trim_end_matches(']').to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err("no name to issue the server certificate for".into());
    }
    let mut params = CertificateParams::new(names.clone()).map_err(err("server certificate names"))?;
    let cn = names
        .iter()
        .find(|n| n.parse::<IpAddr>().is_err())
        .unwrap_or(&names[0])
        .clone();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params
        .signed_by(&key, &ca_cert, &ca_key)
        .map_err(err("server certificate"))?;

    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone(), ca_cert.der().clone()];
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| format!("TLS server certificate: {e}"))?;
    // HTTP/1.1, and HTTP/2 first when asked for (`--tls-h2`).
    config.alpn_protocols = if h2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(TestPki {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(config),
    })
}
