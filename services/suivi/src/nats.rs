//! The NATS connection every service of the binary shares.

use anyhow::Context as _;
use async_nats::{ConnectOptions, ServerAddr};
use percent_encoding::percent_decode_str;

/// Connects to `url` — one server or several, comma-separated (a cluster's nodes: the client
/// fails over between them) — retrying for ever in the background when the servers go away.
///
/// Credentials may be written in the URL (`nats://suivi:<password>@host:4222`, percent-encoded):
/// async-nats does not read them from there, so they are taken out and given as the user and
/// password. With `SUIVI_NATS_NKEY_SEED_FILE` set, the service user signs in with that nkey
/// seed instead (see `deploy/nats/README.md`).
pub async fn connect_nats(url: &str) -> anyhow::Result<async_nats::Client> {
    let mut servers = Vec::new();
    let mut credentials = None;
    for server in url.split(',').map(str::trim).filter(|server| !server.is_empty()) {
        let address: ServerAddr = server.parse().with_context(|| "reading NATS_URL (one of its servers)")?;
        if let (None, Some(user)) = (&credentials, address.username()) {
            let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
            credentials = Some((decode(user), decode(address.password().unwrap_or(""))));
        }
        let mut bare = address.into_inner();
        // Only fails for URLs that cannot have credentials, which have none to remove.
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        servers.push(bare.as_str().parse::<ServerAddr>()?);
    }
    let mut options = ConnectOptions::new().name("suivi").retry_on_initial_connect();
    if let Some((user, password)) = credentials {
        options = options.user_and_password(user, password);
    }
    if let Some(path) = std::env::var_os("SUIVI_NATS_NKEY_SEED_FILE") {
        let path = std::path::PathBuf::from(path);
        let seed =
            std::fs::read_to_string(&path).with_context(|| format!("reading the NATS nkey seed {}", path.display()))?;
        options = options.nkey(seed.trim().to_owned());
    }
    // Never the credentials in a message.
    let shown = servers.iter().map(ServerAddr::as_url_str).collect::<Vec<_>>().join(",");
    options.connect(servers.as_slice()).await.with_context(|| format!("connecting to NATS at {shown}"))
}
