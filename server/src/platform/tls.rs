//! HTTPS with the operator's own certificate (`--tls-cert`, `--tls-key`; README, "Running Gatehouse
//! for your team"). The files are read once at start: a missing, unreadable or non-PEM file, or a
//! key that does not belong to the certificate, stops the server before it opens the database,
//! with a message naming the file.
//!
//! rustls with the ring provider chosen explicitly: the workspace builds rustls with both ring and
//! aws-lc-rs enabled (reqwest pulls one, other crates the other), and rustls refuses to guess a
//! process-wide default when both are there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The PEM files HTTPS is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, the server's own certificate first.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Reads `files` into an acceptor for the accept loop (`platform/connections.rs`).
pub fn acceptor(files: &TlsFiles) -> anyhow::Result<TlsAcceptor> {
    let certificates = read_certificates(&files.cert)?;
    let key = read_private_key(&files.key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("setting up TLS")?
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .map_err(|error| {
            anyhow!(
                "the TLS key {} does not go with the certificate {}: {error}",
                files.key.display(),
                files.cert.display()
            )
        })?;
    // The server speaks HTTP/1.1 only (hyper's http1 connection).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

fn read_certificates(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = read(path, "TLS certificate file")?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| {
            anyhow!(
                "the TLS certificate file {} is not valid PEM: {error}",
                path.display()
            )
        })?;
    if certificates.is_empty() {
        anyhow::bail!(
            "the TLS certificate file {} holds no certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        );
    }
    Ok(certificates)
}

fn read_private_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    let pem = read(path, "TLS key file")?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|error| {
        anyhow!(
            "the TLS key file {} holds no usable private key: {error}",
            path.display()
        )
    })
}
