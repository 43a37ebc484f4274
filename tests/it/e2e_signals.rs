//! Issue 13, item 4: signals never leave the terminal broken. Each test runs
//! the real binary in a tmux pane (a pseudo-terminal), sends the signal, and
//! reads the terminal's state back: alternate screen, cursor, mouse
//! reporting, and whether the tty was left raw.

use std::path::Path;
use std::time::Duration;

use crate::common::home::{BIN, Home};
use crate::common::tmux::Tmux;

const WAIT: Duration = Duration::from_secs(20);

/// `IAMKEYS_TEST_BIN` runs these against another build (to see them fail).
fn bin() -> String {
    std::env::var("IAMKEYS_TEST_BIN").unwrap_or_else(|_| BIN.to_owned())
}

fn demo(home: &Home) -> Tmux {
    let tui = Tmux::start(Path::new(&bin()), &["--demo"], &home.env(), 120, 40);
    tui.wait_for("the demo loaded", WAIT, |s| s.contains("alice.00"));
    assert_eq!(tui.alternate_and_cursor(), (true, false), "the UI is up");
    assert!(tui.mouse_on());
    tui
}

#[test]
fn term_hup_and_int_restore_the_terminal_and_quit() {
    for signal in ["TERM", "HUP", "INT"] {
        let home = Home::new("http://127.0.0.1:9");
        let tui = demo(&home);
        tui.signal(signal);
        assert_eq!(tui.exit_status(WAIT), Some(0), "SIG{signal}");
        assert_eq!(
            tui.alternate_and_cursor(),
            (false, true),
            "SIG{signal}: main screen, cursor shown"
        );
        assert!(!tui.mouse_on(), "SIG{signal}: mouse reporting off");
        assert_eq!(tui.tty_mode().as_deref(), Some("cooked"), "SIG{signal}");
    }
}

fn suspended_then_continued(tui: &Tmux) {
    tui.wait_for("the process to stop", WAIT, |_| {
        tui.program_state().starts_with('T')
    });
    assert_eq!(
        tui.alternate_and_cursor(),
        (false, true),
        "stopped: the shell's screen and cursor are back"
    );
    assert!(!tui.mouse_on(), "stopped: no mouse reports");
    tui.signal("CONT");
    tui.wait_for("the UI again", WAIT, |s| s.contains("alice.00"));
    assert_eq!(tui.alternate_and_cursor(), (true, false), "continued");
    assert!(tui.mouse_on());
    // Keys work at once (no Enter needed): the tty is raw again.
    tui.send(&["?"]);
    tui.wait_for("the help", WAIT, |s| s.contains("go to the first row"));
    tui.send(&["Escape"]);
    // (Escape and q sent together would read as Alt-q.)
    tui.wait_for("the help closed", WAIT, |s| {
        !s.contains("go to the first row")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    assert_eq!(tui.tty_mode().as_deref(), Some("cooked"));
}

#[test]
fn sigtstp_suspends_cleanly_and_sigcont_redraws() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = demo(&home);
    tui.signal("TSTP");
    suspended_then_continued(&tui);
}

#[test]
fn ctrl_z_suspends_cleanly() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = demo(&home);
    tui.send(&["C-z"]);
    suspended_then_continued(&tui);
}
