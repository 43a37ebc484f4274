//! Driving the real binary in a pseudo-terminal with tmux: a private tmux
//! server per test (`-L`), keys in with `send-keys`, the screen out with
//! `capture-pane`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Start `program args` in a `width`×`height` pane with exactly `env` added.
    pub fn start(
        program: &Path,
        args: &[&str],
        env: &[(&str, String)],
        width: u16,
        height: u16,
    ) -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let socket = format!(
            "iamkeys-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut command = Command::new("tmux");
        command.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
        ]);
        command.args(["-x", &width.to_string(), "-y", &height.to_string()]);
        for (key, value) in env {
            command.arg("-e").arg(format!("{key}={value}"));
        }
        // A shell around the program prints its exit status on the screen,
        // which tmux's own `pane_dead_status` does not reliably report.
        command
            .args([
                "--",
                "sh",
                "-c",
                "\"$0\" \"$@\"; s=$?; stty -a | tr ' ;' '\\n\\n' | grep -qx -- -icanon && m=raw || m=cooked; echo \"[exited $s, tty $m]\"; sleep 600",
            ])
            .arg(program)
            .args(args);
        let status = command.status().expect("tmux is installed");
        assert!(status.success(), "tmux new-session failed");
        Self { socket }
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Press keys, in tmux `send-keys` names (`j`, `Enter`, `Escape`, `C-c`).
    ///
    /// A key after `Escape` waits a moment, as a person's would: a terminal that reads
    /// ESC and `k` in one read sees Alt+k (that raced once in CI and the dialog stayed open).
    pub fn send(&self, keys: &[&str]) {
        for (i, key) in keys.iter().enumerate() {
            if i > 0 && keys[i - 1] == "Escape" {
                std::thread::sleep(Duration::from_millis(250));
            }
            self.run(&["send-keys", "-t", "t", key]);
        }
    }

    /// Resize the terminal, as a window manager would.
    pub fn resize(&self, width: u16, height: u16) {
        self.run(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// Whether anything on the screen is still loading: a `…` standing
    /// alone (a key count, a risk, `groups: …`), not one that ends a cut
    /// word (`setup unused r…`).
    #[must_use]
    pub fn still_loading(screen: &str) -> bool {
        screen
            .split(|c: char| c.is_whitespace() || c == '│')
            .any(|word| word == "…")
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    /// Wait until the screen satisfies `ready`; panic with the screen if it never does.
    /// The screen returned is [settled](Self::settled).
    pub fn wait_for(&self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return self.settled(screen, &ready);
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A screen read while tmux was still taking in a frame holds part of
    /// it (a dialog's title, its text not yet drawn: that failed CI once).
    /// Read again a moment later until two reads agree, for at most half a
    /// second, keeping the last read that is still `ready`.
    fn settled(&self, mut screen: String, ready: &impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + Duration::from_millis(500);
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(30));
            let again = self.screen();
            if again == screen || !ready(&again) {
                break;
            }
            screen = again;
        }
        screen
    }

    /// The program's exit status once it has exited.
    /// The wrapper also says whether the tty was left raw: see [`Self::tty_mode`].
    pub fn exit_status(&self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let screen = self.screen();
            // The wrapper's line may be caught half-written: wait for the number.
            if let Some(code) = screen
                .split("[exited ")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .and_then(|s| s.trim().parse().ok())
            {
                return Some(code);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Tmux {
    /// `"raw"` or `"cooked"`: the tty mode the program left behind.
    pub fn tty_mode(&self) -> Option<String> {
        let screen = self.screen();
        let rest = screen.split(", tty ").nth(1)?;
        rest.split(']').next().map(ToOwned::to_owned)
    }

    /// Whether the alternate screen is still on, and whether the cursor is visible.
    pub fn alternate_and_cursor(&self) -> (bool, bool) {
        let out = self.run(&[
            "display-message",
            "-p",
            "-t",
            "t",
            "#{alternate_on} #{cursor_flag}",
        ]);
        let mut parts = out.split_whitespace();
        (parts.next() == Some("1"), parts.next() == Some("1"))
    }

    /// Whether the program in the pane asked for mouse reports.
    pub fn mouse_on(&self) -> bool {
        self.run(&["display-message", "-p", "-t", "t", "#{mouse_any_flag}"])
            .trim()
            == "1"
    }

    /// The program's process ID (the child of the pane's wrapper shell).
    pub fn program_pid(&self) -> u32 {
        let shell = self
            .run(&["display-message", "-p", "-t", "t", "#{pane_pid}"])
            .trim()
            .to_owned();
        let out = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep runs");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .find_map(|pid| pid.parse().ok())
            .expect("the program runs under the pane's shell")
    }

    /// Send a signal to the program, as `kill -NAME` does.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.program_pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// The terminal goes away, as on an SSH drop: the tmux server (and the
    /// pseudo-terminal the program draws on) is killed.
    pub fn kill_server(&self) {
        let _ = self.run(&["kill-server"]);
    }

    /// The program's process state as `ps` reports it (`T` when stopped).
    pub fn program_state(&self) -> String {
        let out = Command::new("ps")
            .args(["-o", "stat=", "-p", &self.program_pid().to_string()])
            .output()
            .expect("ps runs");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
