//! Copying to the clipboard with OSC 52: the terminal itself sets the
//! clipboard, so it works over SSH and in tmux (with `set-clipboard on`).

use std::io::Write;

use base64::Engine;

use crate::secret::Secret;

/// The escape sequence that asks the terminal to put `text` on the clipboard.
#[must_use]
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Write the sequence to the terminal.
///
/// # Errors
/// stdout cannot be written.
pub fn copy(text: &Secret) -> std::io::Result<()> {
    let mut sequence = osc52(text.expose());
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(sequence.as_bytes())
        .and_then(|()| out.flush());
    zeroize::Zeroize::zeroize(&mut sequence);
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_wraps_base64() {
        assert_eq!(super::osc52("AKIA"), "\x1b]52;c;QUtJQQ==\x07");
    }
}
