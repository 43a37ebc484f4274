//! Colours and emphasis, in one place.

use ratatui::style::{Color, Modifier, Style};

/// The styles the screen uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub accent: Style,
    pub title: Style,
    pub dim: Style,
    pub selected: Style,
    pub header_row: Style,
    pub active: Style,
    pub inactive: Style,
    pub warn: Style,
    pub error: Style,
    pub badge: Style,
    /// Whether colours are used at all (`NO_COLOR` turns them off).
    pub colour: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            accent: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            header_row: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            active: Style::new().fg(Color::Green),
            inactive: Style::new().fg(Color::DarkGray),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            badge: Style::new().fg(Color::Black).bg(Color::Yellow),
            colour: true,
        }
    }
}

impl Theme {
    /// No colours at all (`NO_COLOR`): emphasis only.
    #[must_use]
    pub fn monochrome() -> Self {
        let plain = Style::new();
        Self {
            accent: plain.add_modifier(Modifier::BOLD),
            title: plain.add_modifier(Modifier::BOLD),
            dim: plain,
            selected: plain.add_modifier(Modifier::REVERSED),
            header_row: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            active: plain,
            inactive: plain.add_modifier(Modifier::DIM),
            warn: plain.add_modifier(Modifier::BOLD),
            error: plain.add_modifier(Modifier::BOLD),
            badge: plain.add_modifier(Modifier::REVERSED),
            colour: false,
        }
    }

    /// This theme with a profile's accent colour (a name or `#rrggbb`);
    /// unchanged without colours or for a text that names no colour.
    #[must_use]
    pub fn with_accent(&self, accent: &str) -> Self {
        let mut theme = self.clone();
        if let (true, Ok(colour)) = (self.colour, accent.parse::<Color>()) {
            theme.accent = theme.accent.fg(colour);
            theme.badge = Style::new().fg(Color::Black).bg(colour);
        }
        theme
    }
}

impl Theme {
    /// This theme with the config file's colours.
    #[must_use]
    pub fn with(&self, colors: &crate::config::ThemeColors) -> Theme {
        let mut theme = self.clone();
        if !theme.colour {
            return theme;
        }
        for (name, value) in colors.entries() {
            let Some(colour) = value.and_then(|v| v.parse::<ratatui::style::Color>().ok()) else {
                continue;
            };
            let style = match name {
                "accent" => &mut theme.accent,
                "dim" => &mut theme.dim,
                "active" => &mut theme.active,
                "inactive" => &mut theme.inactive,
                "warn" => &mut theme.warn,
                "error" => &mut theme.error,
                _ => {
                    theme.badge = theme.badge.bg(colour);
                    continue;
                }
            };
            *style = style.fg(colour);
        }
        theme
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_colours_apply_unless_colour_is_off() {
        let config = crate::config::Config::parse(
            "[theme]\naccent = \"#ff8800\"\nwarn = \"magenta\"\n",
            std::path::Path::new("/etc/iamkeys.toml"),
        )
        .unwrap();
        let themed = Theme::default().with(&config.theme);
        assert_eq!(
            themed.accent.fg,
            Some(ratatui::style::Color::Rgb(0xff, 0x88, 0))
        );
        assert_eq!(themed.warn.fg, Some(ratatui::style::Color::Magenta));
        let plain = Theme::monochrome().with(&config.theme);
        assert_eq!(plain, Theme::monochrome(), "NO_COLOR wins");
    }
}
