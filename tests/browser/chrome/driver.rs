//! One `chromedriver` per test, on a port of its own, in a process group of its own: Chromium
//! is its child, and a test that panics never gets to end the WebDriver session, so dropping
//! the driver kills the whole group (driver, browser and the browser's helpers) at once.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's packages (`chromium`, `chromium-driver`); `SUIVI_CHROMIUM` and `SUIVI_CHROMEDRIVER`
/// point elsewhere.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The browser's and the driver's paths; a missing one fails the test, saying what to install:
/// a browser test that skipped itself would pass on a machine that cannot run it.
pub fn binaries() -> (PathBuf, PathBuf) {
    let chromium = std::env::var_os("SUIVI_CHROMIUM").map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    let driver = std::env::var_os("SUIVI_CHROMEDRIVER").map_or_else(|| PathBuf::from(CHROMEDRIVER), PathBuf::from);
    for path in [&chromium, &driver] {
        assert!(
            path.exists(),
            "{} is missing: the browser tests need Chromium and its WebDriver, \
             `apt-get install -y chromium chromium-driver` (deploy/test.sh installs them)",
            path.display()
        );
    }
    (chromium, driver)
}

pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    /// Starts `chromedriver` on a free port, logging to `log`, and waits until it is ready.
    pub async fn start(binary: &Path, log: &Path) -> Driver {
        let mut last_error = String::new();
        // Another process may take the free port before the driver binds it: try a few.
        for _ in 0..3 {
            let port = suivi_e2e::free_port();
            let child = Command::new(binary)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|error| panic!("start {}: {error}", binary.display()));
            let mut driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
            match driver.wait_until_ready().await {
                Ok(()) => return driver,
                Err(error) => last_error = error,
            }
        }
        panic!("chromedriver did not start: {last_error} (see {})", log.display());
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("it exited with {status}"));
            }
            let status = client.get(format!("{}/status", self.url)).send().await;
            if let Ok(response) = status {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                if body["value"]["ready"] == true {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err("not ready after 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is the driver's pid (`process_group(0)`); a negative pid names the group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.wait();
    }
}
