//! One text field for every prompt: characters, Backspace, Delete,
//! Ctrl-W (the word before the cursor), Ctrl-U (all before it), Ctrl-A /
//! Home and Ctrl-E / End, Left and Right. History, where a prompt keeps one,
//! is the prompt's own (`:`). Modelled on television's `utils/input.rs` and
//! gitui's `components/textinput.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// The text changed.
    Edited,
    /// Only the cursor moved.
    Moved,
    /// Not a key the field takes (the prompt decides: Enter, Esc, Tab…).
    No,
}

/// A line of text and a cursor in it (a byte offset on a character
/// boundary).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl TextInput {
    /// `text`, the cursor at its end.
    #[must_use]
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cursor: text.len(),
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replace the text (a completion, a line from history): the cursor at
    /// its end.
    pub fn set(&mut self, text: &str) {
        text.clone_into(&mut self.text);
        self.cursor = self.text.len();
    }

    pub fn clear(&mut self) {
        self.set("");
    }

    /// Type one character at the cursor.
    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// The text cleaned for the screen, with `▏` where the cursor is.
    #[must_use]
    pub fn with_cursor(&self) -> String {
        let (before, after) = self.split();
        format!(
            "{}▏{}",
            crate::text::clean(before),
            crate::text::clean(after)
        )
    }

    /// The text before the cursor and from it, to draw the cursor between.
    #[must_use]
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    fn previous(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// Take a key, if it is one a text field takes.
    pub fn handle(&mut self, key: &KeyEvent) -> Handled {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('w') if control => {
                let before = &self.text[..self.cursor];
                let kept = before.trim_end().len();
                let start = before[..kept].rfind(' ').map_or(0, |i| i + 1);
                if start == self.cursor {
                    return Handled::No;
                }
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
                Handled::Edited
            }
            KeyCode::Char('u') if control => {
                if self.cursor == 0 {
                    return Handled::No;
                }
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
                Handled::Edited
            }
            KeyCode::Char('a') if control => self.move_to(0),
            KeyCode::Char('e') if control => self.move_to(self.text.len()),
            KeyCode::Home => self.move_to(0),
            KeyCode::End => self.move_to(self.text.len()),
            KeyCode::Left => self.move_to(self.previous()),
            KeyCode::Right => self.move_to(self.next()),
            KeyCode::Char(c) if !control => {
                self.insert(c);
                Handled::Edited
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.previous();
                self.text.replace_range(at..self.cursor, "");
                self.cursor = at;
                Handled::Edited
            }
            KeyCode::Delete if self.cursor < self.text.len() => {
                let end = self.next();
                self.text.replace_range(self.cursor..end, "");
                Handled::Edited
            }
            _ => Handled::No,
        }
    }

    fn move_to(&mut self, at: usize) -> Handled {
        if at == self.cursor {
            Handled::No
        } else {
            self.cursor = at;
            Handled::Moved
        }
    }
}

impl std::fmt::Display for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<&str> for TextInput {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<str> for TextInput {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

/// The same keys on a plain string with its cursor at the end (a field
/// that is never drawn with a cursor of its own, such as a secret being
/// typed): what [`TextInput::handle`] does there.
pub fn edit_at_end(text: &mut String, key: &KeyEvent) -> Handled {
    let mut input = TextInput::new(text);
    let handled = input.handle(key);
    if handled == Handled::Edited {
        *text = input.text;
    }
    handled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn every_prompt_edits_the_same_way() {
        let mut input = TextInput::default();
        for c in "sort créé".chars() {
            assert_eq!(input.handle(&key(KeyCode::Char(c))), Handled::Edited);
        }
        assert_eq!(input, "sort créé");
        assert_eq!(input.handle(&key(KeyCode::Left)), Handled::Moved);
        assert_eq!(input.handle(&key(KeyCode::Backspace)), Handled::Edited);
        assert_eq!(input, "sort cré");
        assert_eq!(input.split(), ("sort cr", "é"));
        assert_eq!(input.handle(&ctrl('a')), Handled::Moved);
        input.insert('>');
        assert_eq!(input, ">sort cré");
        assert_eq!(input.handle(&ctrl('e')), Handled::Moved);
        assert_eq!(input.handle(&ctrl('w')), Handled::Edited);
        assert_eq!(input, ">sort ");
        assert_eq!(input.handle(&key(KeyCode::Home)), Handled::Moved);
        assert_eq!(input.handle(&key(KeyCode::Delete)), Handled::Edited);
        assert_eq!(input, "sort ");
        assert_eq!(input.handle(&key(KeyCode::End)), Handled::Moved);
        assert_eq!(input.handle(&ctrl('u')), Handled::Edited);
        assert!(input.is_empty());
        // On an empty field, Backspace and the deletions do nothing: the
        // prompt decides (it never closes under the keys typed next).
        assert_eq!(input.handle(&key(KeyCode::Backspace)), Handled::No);
        assert_eq!(input.handle(&ctrl('w')), Handled::No);
        assert_eq!(input.handle(&key(KeyCode::Enter)), Handled::No);
        let mut secret = "1234".to_owned();
        assert_eq!(edit_at_end(&mut secret, &ctrl('u')), Handled::Edited);
        assert!(secret.is_empty());
    }
}
