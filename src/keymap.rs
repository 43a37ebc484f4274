//! Keys to commands. The default map is DESIGN.md's; the config file may
//! rebind any command. An open modal sees keys before this map does.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One table for every command: its variant, its name in the config file's
/// `[keybindings]`, and what the help overlay says it does. The enum, the
/// list of all commands and both texts are generated from it.
macro_rules! commands {
    ($(#[$meta:meta])* enum $enum:ident in $section:literal { $($variant:ident => $name:literal, $description:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $enum {
            $($variant,)*
        }

        impl $enum {
            /// Every command, in the order the help overlay lists them.
            pub const ALL: [$enum; <[&str]>::len(&[$($name),*])] = [$($enum::$variant,)*];

            /// The name used in the config file's `[keybindings]` table.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// What the command does, for the help overlay.
            #[must_use]
            pub fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => $description,)*
                }
            }

            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|c| c.name() == name)
            }

            /// The command the config file names, or why not (the known
            /// names listed).
            fn named(name: &str) -> Result<Self, String> {
                Self::from_name(name).ok_or_else(|| {
                    format!(
                        concat!("unknown command `{}` in ", $section, "; known: {}"),
                        name,
                        Self::ALL.map(Self::name).join(", ")
                    )
                })
            }
        }
    };
}

commands! {
    /// Everything a key can ask for outside a modal.
    enum Command in "[keybindings]" {
    Down => "down", "move down";
    Up => "up", "move up";
    Top => "top", "go to the first row";
    Bottom => "bottom", "go to the last row";
    PageDown => "page_down", "page down";
    PageUp => "page_up", "page up";
    FocusNext => "focus_next", "focus the next pane";
    FocusPrev => "focus_prev", "focus the previous pane";
    Open => "open", "open the user's keys; on a key, its findings";
    Sort => "sort", "cycle the sort column";
    SortReverse => "sort_reverse", "sort the other way";
    Filter => "filter", "filter users by name or access key ID (Esc clears)";
    FindingsOnly => "findings_only", "show only users with findings (toggle)";
    Create => "create", "create an access key for the selected user";
    Rotate => "rotate", "rotate the selected Active key: a new key, watched until used";
    Deactivate => "deactivate", "make the selected key (or all marked keys) inactive";
    Activate => "activate", "make the selected key active";
    Delete => "delete", "delete the selected key, or a member's root keys (typed)";
    RemovePassword => "remove_password", "remove the selected user's console password (typed user name)";
    Mark => "mark", "mark / unmark the selected key for a bulk action";
    CopyId => "copy_id", "copy the selected access key ID";
    ConsoleOpen => "console_open", "open the selected user's page in the AWS console";
    ConsoleCopy => "console_copy", "copy the link to the selected user's console page";
    Usage => "usage", "who uses the selected key, and who made it (CloudTrail)";
    CommandLine => "command", "the command line (:profile, :sort, :export …; Tab completes)";
    Profiles => "profiles", "switch AWS profile";
    Refresh => "refresh", "reload the account";
    Back => "back", "back to the organization overview (--org)";
    Help => "help", "show this help";
    Quit => "quit", "quit";
    }
}

commands! {
    /// The keys that answer dialogs (`[keybindings.dialog]`). Text being
    /// typed (a key ID, a profile name, the picker's filter) takes letters
    /// as text, so only named keys answer there.
    enum DialogCommand in "[keybindings.dialog]" {
    Confirm => "confirm", "confirm (the dialog's action button)";
    Cancel => "cancel", "cancel, or close";
    SwitchButton => "switch_button", "move between the buttons";
    Press => "press", "press the focused button, or submit";
    CopySecret => "copy_secret", "copy the new secret to the clipboard";
    SaveSecret => "save_secret", "add the new key to the credentials file";
    Waive => "waive", "write or remove a waiver of a finding (in the findings dialog)";
    Usage => "usage", "who uses the key (in the make-inactive and delete dialogs)";
    Handoff => "handoff", "set where a rotation hands the new key off (in the rotation dialog)";
    }
}

impl Command {
    /// Commands that open a dialog confirming a change to IAM.
    #[must_use]
    pub fn opens_a_change(self) -> bool {
        matches!(
            self,
            Self::Create
                | Self::Rotate
                | Self::Deactivate
                | Self::Activate
                | Self::Delete
                | Self::RemovePassword
        )
    }

    /// Commands a held key may repeat (moving); every other command acts
    /// on a press only, so a held key cannot open dialogs over and over.
    #[must_use]
    pub fn repeats(self) -> bool {
        matches!(
            self,
            Self::Down | Self::Up | Self::PageDown | Self::PageUp | Self::Top | Self::Bottom
        )
    }
}

/// A key with its modifiers, as bound in the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    pub code: KeyCodeOrd,
    pub mods: u8,
}

/// `KeyCode` with a total order, so bindings list in a stable order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    Named(u8),
}

const NAMED: [(KeyCode, &str); 14] = [
    (KeyCode::Enter, "enter"),
    (KeyCode::Esc, "esc"),
    (KeyCode::Tab, "tab"),
    (KeyCode::BackTab, "backtab"),
    (KeyCode::Up, "up"),
    (KeyCode::Down, "down"),
    (KeyCode::Left, "left"),
    (KeyCode::Right, "right"),
    (KeyCode::PageUp, "pageup"),
    (KeyCode::PageDown, "pagedown"),
    (KeyCode::Home, "home"),
    (KeyCode::End, "end"),
    (KeyCode::Backspace, "backspace"),
    (KeyCode::Delete, "delete"),
];

const CTRL: u8 = 1;
const ALT: u8 = 2;

impl Chord {
    /// The key event this chord is (what pressing it sends).
    #[must_use]
    pub fn to_event(self) -> KeyEvent {
        let mut modifiers = KeyModifiers::NONE;
        if self.mods & CTRL != 0 {
            modifiers |= KeyModifiers::CONTROL;
        }
        if self.mods & ALT != 0 {
            modifiers |= KeyModifiers::ALT;
        }
        let code = match self.code {
            KeyCodeOrd::Char(c) => {
                if c.is_ascii_uppercase() {
                    modifiers |= KeyModifiers::SHIFT;
                }
                KeyCode::Char(c)
            }
            KeyCodeOrd::Named(i) => NAMED.get(usize::from(i)).map_or(KeyCode::Null, |(k, _)| *k),
        };
        KeyEvent::new(code, modifiers)
    }

    /// The chord a key event is, or `None` for keys the map never binds.
    #[must_use]
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        let mut mods = 0;
        if event.modifiers.contains(KeyModifiers::CONTROL) {
            mods |= CTRL;
        }
        if event.modifiers.contains(KeyModifiers::ALT) {
            mods |= ALT;
        }
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            other => {
                let index = NAMED.iter().position(|(k, _)| *k == other)?;
                KeyCodeOrd::Named(u8::try_from(index).ok()?)
            }
        };
        Some(Self { code, mods })
    }

    /// Parse `"j"`, `"ctrl-c"`, `"alt-x"`, `"pagedown"`, `"shift-tab"`, `"space"`, `"G"`.
    ///
    /// # Errors
    /// A text that names no key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut mods = 0;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(stripped) = lower.strip_prefix("ctrl-") {
                mods |= CTRL;
                rest = &rest[rest.len() - stripped.len()..];
            } else if let Some(stripped) = lower.strip_prefix("alt-") {
                mods |= ALT;
                rest = &rest[rest.len() - stripped.len()..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = if lower == "shift-tab" {
            KeyCodeOrd::Named(3)
        } else if lower == "space" {
            KeyCodeOrd::Char(' ')
        } else if let Some(index) = NAMED.iter().position(|(_, n)| *n == lower) {
            KeyCodeOrd::Named(u8::try_from(index).map_err(|e| e.to_string())?)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCodeOrd::Char(c),
                _ => {
                    return Err(format!(
                        "`{text}` is not a key (try \"j\", \"ctrl-c\", \"pagedown\")"
                    ));
                }
            }
        };
        Ok(Self { code, mods })
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods & CTRL != 0 {
            f.write_str("Ctrl-")?;
        }
        if self.mods & ALT != 0 {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::Named(i) => {
                let name = NAMED.get(usize::from(i)).map_or("?", |(_, n)| n);
                let pretty = match name {
                    "up" => "↑",
                    "down" => "↓",
                    "left" => "←",
                    "right" => "→",
                    "pageup" => "PgUp",
                    "pagedown" => "PgDn",
                    "backtab" => "Shift-Tab",
                    "enter" => "Enter",
                    "esc" => "Esc",
                    "tab" => "Tab",
                    "home" => "Home",
                    "end" => "End",
                    other => other,
                };
                f.write_str(pretty)
            }
        }
    }
}

/// The live key bindings: the main screen's, and the dialogs'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Chord, Command>,
    dialog: BTreeMap<Chord, DialogCommand>,
}

const DIALOG_DEFAULTS: [(&str, DialogCommand); 13] = [
    ("y", DialogCommand::Confirm),
    ("n", DialogCommand::Cancel),
    ("esc", DialogCommand::Cancel),
    ("tab", DialogCommand::SwitchButton),
    ("shift-tab", DialogCommand::SwitchButton),
    ("left", DialogCommand::SwitchButton),
    ("right", DialogCommand::SwitchButton),
    ("enter", DialogCommand::Press),
    ("c", DialogCommand::CopySecret),
    ("w", DialogCommand::SaveSecret),
    ("W", DialogCommand::Waive),
    ("u", DialogCommand::Usage),
    ("t", DialogCommand::Handoff),
];

const DEFAULTS: [(&str, Command); 39] = [
    ("j", Command::Down),
    ("down", Command::Down),
    ("k", Command::Up),
    ("up", Command::Up),
    ("g", Command::Top),
    ("home", Command::Top),
    ("G", Command::Bottom),
    ("end", Command::Bottom),
    ("pagedown", Command::PageDown),
    ("ctrl-d", Command::PageDown),
    ("ctrl-f", Command::PageDown),
    ("pageup", Command::PageUp),
    ("ctrl-u", Command::PageUp),
    ("ctrl-b", Command::PageUp),
    ("tab", Command::FocusNext),
    ("shift-tab", Command::FocusPrev),
    ("enter", Command::Open),
    ("s", Command::Sort),
    ("S", Command::SortReverse),
    ("/", Command::Filter),
    ("F", Command::FindingsOnly),
    ("c", Command::Create),
    ("R", Command::Rotate),
    ("i", Command::Deactivate),
    ("a", Command::Activate),
    ("d", Command::Delete),
    ("P", Command::RemovePassword),
    ("space", Command::Mark),
    ("y", Command::CopyId),
    ("o", Command::ConsoleOpen),
    ("O", Command::ConsoleCopy),
    ("u", Command::Usage),
    (":", Command::CommandLine),
    ("p", Command::Profiles),
    ("r", Command::Refresh),
    ("esc", Command::Back),
    ("?", Command::Help),
    ("q", Command::Quit),
    ("ctrl-c", Command::Quit),
];

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: table(&DEFAULTS),
            dialog: table(&DIALOG_DEFAULTS),
        }
    }
}

/// The defaults of a table, parsed.
fn table<C: Copy>(defaults: &[(&str, C)]) -> BTreeMap<Chord, C> {
    defaults
        .iter()
        .filter_map(|(text, cmd)| Chord::parse(text).ok().map(|c| (c, *cmd)))
        .collect()
}

/// What a key press asks of a table (releases ask nothing).
fn lookup<C: Copy>(table: &BTreeMap<Chord, C>, event: &KeyEvent) -> Option<C> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    table.get(&Chord::from_event(event)?).copied()
}

/// Give `command` exactly these keys in a table.
fn rebind_in<C: Copy + PartialEq>(
    table: &mut BTreeMap<Chord, C>,
    command: C,
    keys: &[String],
) -> Result<(), String> {
    let chords = keys
        .iter()
        .map(|k| Chord::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    table.retain(|_, c| *c != command);
    for chord in chords {
        table.insert(chord, command);
    }
    Ok(())
}

/// A command's keys in a table, plain keys first (`q` before `Ctrl-c`).
fn keys_in<C: Copy + PartialEq>(table: &BTreeMap<Chord, C>, command: C) -> Vec<Chord> {
    let mut keys: Vec<Chord> = table
        .iter()
        .filter(|(_, c)| **c == command)
        .map(|(k, _)| *k)
        .collect();
    keys.sort_by_key(|k| (k.mods, k.code));
    keys
}

impl Keymap {
    /// The command a key press asks for. Key releases and repeats of
    /// non-movement keys are ignored by the caller, not here.
    #[must_use]
    pub fn resolve(&self, event: &KeyEvent) -> Option<Command> {
        lookup(&self.bindings, event)
    }

    /// Replace a command's keys, e.g. from the config file.
    ///
    /// # Errors
    /// An unknown command name or a key text that names no key.
    pub fn rebind(&mut self, command: &str, keys: &[String]) -> Result<(), String> {
        rebind_in(&mut self.bindings, Command::named(command)?, keys)
    }

    /// What a key press means in a dialog.
    #[must_use]
    pub fn resolve_dialog(&self, event: &KeyEvent) -> Option<DialogCommand> {
        lookup(&self.dialog, event)
    }

    /// Replace a dialog command's keys (`[keybindings.dialog]`).
    ///
    /// # Errors
    /// An unknown command name or a key text that names no key.
    pub fn rebind_dialog(&mut self, command: &str, keys: &[String]) -> Result<(), String> {
        rebind_in(&mut self.dialog, DialogCommand::named(command)?, keys)
    }

    /// The bindings together: a key that opens a change dialog must not
    /// also answer dialogs, or a double tap would open and confirm a change.
    ///
    /// # Errors
    /// The first such key, named.
    pub fn check(&self) -> Result<(), String> {
        for (chord, command) in &self.bindings {
            if command.opens_a_change()
                && let Some(answer) = self.dialog.get(chord)
                && *answer != DialogCommand::CopySecret
                && *answer != DialogCommand::SaveSecret
            {
                return Err(format!(
                    "`{chord}` cannot open `{}` and also {} in dialogs: a double tap would open and confirm a change",
                    command.name(),
                    answer.name()
                ));
            }
        }
        Ok(())
    }

    /// The keys bound to a dialog command.
    #[must_use]
    pub fn dialog_keys_for(&self, command: DialogCommand) -> Vec<Chord> {
        keys_in(&self.dialog, command)
    }

    /// A dialog command's first key, as a hint names it (`Enter`).
    #[must_use]
    pub fn dialog_key(&self, command: DialogCommand) -> String {
        shown(self.dialog_keys_for(command).first())
    }

    /// A dialog command's first named key (`Esc`): where text is typed,
    /// letters are text, so only named keys answer there.
    #[must_use]
    pub fn dialog_named_key(&self, command: DialogCommand) -> String {
        let keys = self.dialog_keys_for(command);
        shown(
            keys.iter()
                .find(|k| !matches!(k.code, KeyCodeOrd::Char(_)))
                .or(keys.first()),
        )
    }

    /// A dialog command's keys as a hint shows them: `n/Esc`.
    #[must_use]
    pub fn dialog_label(&self, command: DialogCommand) -> String {
        let keys = self.dialog_keys_for(command);
        if keys.is_empty() {
            "unbound".to_owned()
        } else {
            keys.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("/")
        }
    }

    /// The keys bound to a command, for help and the status bar.
    #[must_use]
    pub fn keys_for(&self, command: Command) -> Vec<Chord> {
        keys_in(&self.bindings, command)
    }

    /// The first key bound to a command, as text (`"?"` when unbound).
    #[must_use]
    pub fn label(&self, command: Command) -> String {
        shown(self.keys_for(command).first())
    }
}

/// A key as a hint names it; `unbound` for none.
fn shown(key: Option<&Chord>) -> String {
    key.map_or_else(|| "unbound".to_owned(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn design_defaults_resolve() {
        let map = Keymap::default();
        let none = KeyModifiers::NONE;
        let cases = [
            (press(KeyCode::Char('j'), none), Command::Down),
            (press(KeyCode::Down, none), Command::Down),
            (press(KeyCode::Char('k'), none), Command::Up),
            (press(KeyCode::Up, none), Command::Up),
            (press(KeyCode::Char('g'), none), Command::Top),
            (
                press(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Command::Bottom,
            ),
            (press(KeyCode::PageDown, none), Command::PageDown),
            (press(KeyCode::PageUp, none), Command::PageUp),
            // Issue 38 item 12: as in less and vim.
            (
                press(KeyCode::Char('d'), KeyModifiers::CONTROL),
                Command::PageDown,
            ),
            (
                press(KeyCode::Char('f'), KeyModifiers::CONTROL),
                Command::PageDown,
            ),
            (
                press(KeyCode::Char('u'), KeyModifiers::CONTROL),
                Command::PageUp,
            ),
            (
                press(KeyCode::Char('b'), KeyModifiers::CONTROL),
                Command::PageUp,
            ),
            (press(KeyCode::Tab, none), Command::FocusNext),
            (
                press(KeyCode::BackTab, KeyModifiers::SHIFT),
                Command::FocusPrev,
            ),
            (press(KeyCode::Enter, none), Command::Open),
            (press(KeyCode::Char('r'), none), Command::Refresh),
            (press(KeyCode::Char('c'), none), Command::Create),
            (press(KeyCode::Char('i'), none), Command::Deactivate),
            (press(KeyCode::Char('a'), none), Command::Activate),
            (press(KeyCode::Char('d'), none), Command::Delete),
            (press(KeyCode::Char(' '), none), Command::Mark),
            (press(KeyCode::Char('y'), none), Command::CopyId),
            (press(KeyCode::Char('?'), none), Command::Help),
            (press(KeyCode::Char('q'), none), Command::Quit),
            (
                press(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Command::Quit,
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(map.resolve(&event), Some(expected), "{event:?}");
        }
        assert_eq!(map.resolve(&press(KeyCode::Char('x'), none)), None);
        let mut release = press(KeyCode::Char('j'), none);
        release.kind = KeyEventKind::Release;
        assert_eq!(map.resolve(&release), None);
    }

    #[test]
    fn rebinding_replaces_the_old_keys() {
        let mut map = Keymap::default();
        map.rebind("down", &["n".to_owned(), "ctrl-n".to_owned()])
            .unwrap();
        let none = KeyModifiers::NONE;
        assert_eq!(map.resolve(&press(KeyCode::Char('j'), none)), None);
        assert_eq!(
            map.resolve(&press(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Some(Command::Down)
        );
        assert_eq!(map.label(Command::Down), "n");
        assert!(
            map.rebind("fly", &["x".to_owned()])
                .unwrap_err()
                .contains("unknown command")
        );
        assert!(
            map.rebind("down", &["nope".to_owned()])
                .unwrap_err()
                .contains("not a key")
        );
    }

    #[test]
    fn chords_print_readably() {
        assert_eq!(Chord::parse("ctrl-c").unwrap().to_string(), "Ctrl-c");
        assert_eq!(Chord::parse("pagedown").unwrap().to_string(), "PgDn");
        assert_eq!(Chord::parse("shift-tab").unwrap().to_string(), "Shift-Tab");
        assert_eq!(Chord::parse("space").unwrap().to_string(), "Space");
    }

    #[test]
    fn answers_cannot_open_a_change() {
        for key in ["y", "n", "enter", "esc", "Esc", "tab"] {
            let mut map = Keymap::default();
            map.rebind("delete", &[key.to_owned()]).unwrap();
            let err = map.check().unwrap_err();
            assert!(err.contains("double tap"), "{key}: {err}");
        }
        let mut map = Keymap::default();
        map.rebind("create", &["C".to_owned(), "y".to_owned()])
            .unwrap();
        assert!(map.check().is_err());
        // Other commands may take them (y copies the key ID by default).
        let mut map = Keymap::default();
        map.rebind("refresh", &["n".to_owned()]).unwrap();
        assert!(map.check().is_ok());
        // Rebinding the dialog's answers moves the rule with them.
        let mut map = Keymap::default();
        map.rebind_dialog("confirm", &["Y".to_owned()]).unwrap();
        map.rebind("delete", &["y".to_owned()]).unwrap();
        assert!(map.check().is_ok(), "y no longer confirms");
        map.rebind("activate", &["Y".to_owned()]).unwrap();
        assert!(
            map.check()
                .unwrap_err()
                .contains("`Y` cannot open `activate`")
        );
    }

    #[test]
    fn dialog_keys_resolve_and_rebind() {
        let mut map = Keymap::default();
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(map.resolve_dialog(&key('y')), Some(DialogCommand::Confirm));
        assert_eq!(map.dialog_label(DialogCommand::Cancel), "n/Esc");
        map.rebind_dialog("confirm", &["o".to_owned()]).unwrap();
        assert_eq!(map.resolve_dialog(&key('y')), None);
        assert_eq!(map.resolve_dialog(&key('o')), Some(DialogCommand::Confirm));
        assert!(map.rebind_dialog("accept", &["o".to_owned()]).is_err());
    }

    #[test]
    fn a_held_key_repeats_movement_only() {
        assert!(Command::Down.repeats() && Command::PageUp.repeats());
        for command in [
            Command::Create,
            Command::Delete,
            Command::Deactivate,
            Command::Refresh,
        ] {
            assert!(!command.repeats(), "{command:?}");
        }
    }

    /// The example config names every command one may rebind.
    #[test]
    fn the_example_config_lists_every_command() {
        let text = include_str!("../config.example.toml");
        let start = text.find("# Commands:").unwrap();
        let list = &text[start..text[start..].find("[keybindings]").unwrap() + start];
        for command in Command::ALL {
            assert!(
                list.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == command.name()),
                "config.example.toml does not list `{}`",
                command.name()
            );
        }
    }
}
