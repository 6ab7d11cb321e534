//! The `suivi` binary as a child process, for tests that kill it.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// `target/<profile>/suivi`, next to this test binary's `deps/` folder. Cargo builds it for any
/// `cargo test --workspace` because the `suivi` package has integration tests of its own.
pub fn suivi_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SUIVI_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let binary = profile_dir.join("suivi");
    assert!(binary.exists(), "{} is missing: run `cargo build --bin suivi` first", binary.display());
    binary
}

/// A running `suivi` command, killed on drop.
pub struct SuiviProcess {
    child: Child,
}

impl SuiviProcess {
    pub fn spawn(args: &[&str], env: &[(&str, String)]) -> Self {
        let mut command = Command::new(suivi_binary());
        command.args(args).stdout(Stdio::null()).stderr(Stdio::inherit()).env("RUST_LOG", "warn");
        for (key, value) in env {
            command.env(key, value);
        }
        SuiviProcess { child: command.spawn().expect("start suivi") }
    }

    /// SIGTERM, as an orchestrator stopping the service sends: it may finish what it was doing.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -TERM {}", self.child.id());
    }

    /// The exit status if the process exited within `limit`, else `None` (it keeps running).
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SuiviProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
