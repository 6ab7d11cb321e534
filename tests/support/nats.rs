//! NATS for tests: the shared server with a private stream per test, or a `nats-server`
//! process of the test's own (on a free loopback port, with its own store) to stop and restart.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use suivi_proto::Subjects;
use uuid::Uuid;

/// The shared server tests use: `SUIVI_TEST_NATS_URL`, by default the local one.
pub fn shared_url() -> String {
    std::env::var("SUIVI_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A subject prefix and stream names no other test uses; the streams (events, and finance's
/// inbound, dead letters and ledger) are deleted on drop.
pub struct TestStream {
    pub subjects: Subjects,
    pub url: String,
}

impl TestStream {
    pub fn new(url: &str) -> Self {
        TestStream { subjects: Subjects::new(format!("t{}", Uuid::new_v4().simple())), url: url.to_owned() }
    }

    pub fn shared() -> Self {
        Self::new(&shared_url())
    }

    pub fn stream_name(&self) -> String {
        self.subjects.event_stream_name()
    }
}

impl Drop for TestStream {
    fn drop(&mut self) {
        let url = self.url.clone();
        let names = [
            self.stream_name(),
            self.subjects.finance_inbound_stream_name(),
            self.subjects.finance_dead_letter_stream_name(),
            self.subjects.ledger_stream_name(),
        ];
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let client =
                    tokio::time::timeout(Duration::from_secs(2), async_nats::connect(&url)).await.ok()?.ok()?;
                let js = async_nats::jetstream::new(client);
                for name in &names {
                    let _ = js.delete_stream(name).await;
                }
                Some(())
            })
        })
        .join();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

fn nats_server_binary() -> PathBuf {
    std::env::var_os("SUIVI_NATS_SERVER").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/sbin/nats-server"))
}

/// A `nats-server` with JetStream, owned by one test. Killed and its store removed on drop.
pub struct NatsServer {
    pub port: u16,
    store_dir: PathBuf,
    extra_args: Vec<String>,
    child: Option<Child>,
}

impl NatsServer {
    pub fn start() -> Self {
        Self::start_with(free_port(), Vec::new())
    }

    /// A server on `port` started with `extra_args` after `-a 127.0.0.1 -p <port>`, which
    /// override a configuration file's. Without a configuration file (`-c`), JetStream is
    /// enabled with the test's store (`-js -sd <store>`); with one, the file enables it and
    /// reads its store from `SUIVI_NATS_STORE_DIR`, as Suivi's shipped configurations do.
    pub fn start_with(port: u16, extra_args: Vec<String>) -> Self {
        let store_dir = std::env::temp_dir().join(format!("suivi-nats-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&store_dir).expect("create the NATS store dir");
        let mut server = NatsServer { port, store_dir, extra_args, child: None };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server abruptly (SIGKILL): whatever it had not written is lost, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts (again) on the same port and store, and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.kill();
        let configured = self.extra_args.iter().any(|arg| arg == "-c");
        let child = Command::new(nats_server_binary())
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .args(&self.extra_args)
            .args(if configured {
                vec![]
            } else {
                vec!["-js".into(), "-sd".into(), self.store_dir.clone().into_os_string()]
            })
            .env("SUIVI_NATS_STORE_DIR", &self.store_dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.store_dir.join("server.log")).expect("the server's log file"))
            .spawn()
            .expect("start nats-server (set SUIVI_NATS_SERVER if it is not /usr/sbin/nats-server)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.as_mut().and_then(|child| child.try_wait().ok().flatten()) {
                let log = std::fs::read_to_string(self.store_dir.join("server.log")).unwrap_or_default();
                panic!("nats-server {:?} exited: {status}\n{log}", self.extra_args);
            }
            assert!(Instant::now() < deadline, "nats-server did not start on port {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.store_dir);
    }
}

/// A message as stored in a test's stream.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub sequence: u64,
    pub subject: String,
    pub msg_id: Option<String>,
    pub envelope: suivi_proto::EventEnvelope,
}

/// A message as stored, its payload unread: what a stream may hold besides the relay's.
#[derive(Debug, Clone)]
pub struct RawStoredMessage {
    pub sequence: u64,
    pub subject: String,
    pub msg_id: Option<String>,
    pub payload: Vec<u8>,
}

/// Every message of `stream`, in stream order, each read as an event envelope.
pub async fn read_all_messages(url: &str, stream: &str) -> Vec<StoredMessage> {
    read_raw_messages(url, stream)
        .await
        .into_iter()
        .map(|raw| StoredMessage {
            envelope: serde_json::from_slice(&raw.payload).expect("an event envelope"),
            sequence: raw.sequence,
            subject: raw.subject,
            msg_id: raw.msg_id,
        })
        .collect()
}

/// Every message of `stream`, in stream order, read with an ephemeral consumer.
pub async fn read_raw_messages(url: &str, stream: &str) -> Vec<RawStoredMessage> {
    use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
    use futures::StreamExt;

    let client = async_nats::connect(url).await.expect("connect to NATS");
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(stream).await.expect("open the stream");
    let expected = stream.info().await.expect("stream info").state.messages as usize;
    // A durable consumer, so it has as many replicas as the stream: an ephemeral one has one,
    // which a cluster may place on a node that is down (then its creation times out). Removed
    // below, or by the server once inactive.
    let name = format!("check-{}", Uuid::new_v4().simple());
    let mut attempts = 0;
    let consumer = loop {
        let config = pull::Config {
            durable_name: Some(name.clone()),
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::None,
            inactive_threshold: Duration::from_secs(60),
            ..Default::default()
        };
        match stream.create_consumer(config).await {
            Ok(consumer) => break consumer,
            Err(error) => {
                attempts += 1;
                assert!(attempts < 5, "create a consumer: {error}");
            }
        }
    };
    let mut messages = consumer.messages().await.expect("consume");
    let mut stored = Vec::with_capacity(expected);
    while stored.len() < expected {
        let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .expect("messages keep coming")
            .expect("stream open")
            .expect("a message");
        let info = message.info().expect("a JetStream message");
        stored.push(RawStoredMessage {
            sequence: info.stream_sequence,
            subject: message.subject.to_string(),
            msg_id: message.headers.as_ref().and_then(|h| h.get("Nats-Msg-Id")).map(|v| v.as_str().to_owned()),
            payload: message.payload.to_vec(),
        });
    }
    drop(messages);
    let _ = stream.delete_consumer(&name).await;
    stored
}

/// Messages in `stream` now (0 if it does not exist yet or the server is unreachable).
pub async fn stream_message_count(url: &str, stream: &str) -> u64 {
    let attempt = async {
        let client = async_nats::connect(url).await.ok()?;
        let mut stream = async_nats::jetstream::new(client).get_stream(stream).await.ok()?;
        Some(stream.info().await.ok()?.state.messages)
    };
    tokio::time::timeout(Duration::from_secs(3), attempt).await.ok().flatten().unwrap_or(0)
}

/// Waits until `stream` holds at least `count` messages, failing the test after `limit`.
pub async fn wait_for_messages(url: &str, stream: &str, count: u64, limit: Duration) -> u64 {
    let deadline = Instant::now() + limit;
    loop {
        let now = stream_message_count(url, stream).await;
        if now >= count {
            return now;
        }
        assert!(Instant::now() < deadline, "stream {stream} holds {now} messages after {limit:?}, expected {count}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
