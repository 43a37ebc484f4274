//! The `:` command line, as in k9s: what a typed line means, and how Tab
//! completes it. Pure: the line and what can be named in, a command out.

/// A command typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Profile(String),
    Org,
    Account(String),
    Filter(String),
    Sort(String),
    Findings,
    /// `:export FILE` (`replace`: `:export! FILE`, which may replace an
    /// existing file; without `!` one is never replaced).
    Export {
        file: String,
        replace: bool,
    },
    /// `:whois KEY_ID`: whose key it is, selected.
    Whois(String),
    Help,
    Quit,
}

/// The commands, with what each takes, as the help overlay lists them.
pub const COMMANDS: [(&str, &str, &str); 10] = [
    ("profile", "NAME", "switch to that AWS profile"),
    ("org", "", "the organization's overview (--org)"),
    (
        "account",
        "ID|NAME",
        "into that account of the organization (--org)",
    ),
    (
        "filter",
        "TEXT",
        "filter the users as / does (empty: clear)",
    ),
    (
        "sort",
        "COLUMN",
        "sort by user, created, oldest, last_used, findings or risk",
    ),
    (
        "findings",
        "",
        "only users with findings, worst risk first (toggle)",
    ),
    (
        "export",
        "FILE",
        "the rows on screen to FILE.csv or FILE.json, as report writes them",
    ),
    (
        "whois",
        "KEY_ID",
        "whose key: its account and user, selected",
    ),
    ("help", "", "this help"),
    ("q", "", "quit"),
];

/// The sort columns `:sort` takes.
pub const SORT_COLUMNS: [&str; 6] = ["user", "created", "oldest", "last_used", "findings", "risk"];

/// Whether `:export` writes JSON (`true`) or CSV (`false`), by the file's
/// extension; `None`: neither.
#[must_use]
pub fn export_format(file: &str) -> Option<bool> {
    let extension = std::path::Path::new(file)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    match extension.as_str() {
        "json" => Some(true),
        "csv" => Some(false),
        _ => None,
    }
}

/// Read a line.
///
/// # Errors
/// An unknown command, or one missing what it takes.
pub fn parse(line: &str) -> Result<Typed, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let needs = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            Err(format!(":{word} needs {what}"))
        } else {
            Ok(rest.to_owned())
        }
    };
    Ok(match word {
        "profile" => Typed::Profile(needs("a profile name")?),
        "org" => Typed::Org,
        "account" => Typed::Account(needs("an account ID or name")?),
        "filter" => Typed::Filter(rest.to_owned()),
        "sort" => {
            let column = needs("a column")?.to_lowercase();
            if !SORT_COLUMNS.contains(&column.as_str()) {
                return Err(format!(
                    ":sort {column}: use one of {}",
                    SORT_COLUMNS.join(", ")
                ));
            }
            Typed::Sort(column)
        }
        "findings" => Typed::Findings,
        "export" | "export!" => {
            let file = needs("a file (.csv or .json)")?;
            if export_format(&file).is_none() {
                return Err(format!(":export {file}: name a .csv or .json file"));
            }
            Typed::Export {
                file,
                replace: word == "export!",
            }
        }
        "whois" => {
            let key = needs("an access key ID")?.to_uppercase();
            if !crate::model::is_key_shaped(&key) {
                return Err(format!(
                    ":whois {}: not shaped like an access key ID (AKIA or ASIA and 16 more)",
                    crate::text::clean(&key)
                ));
            }
            Typed::Whois(key)
        }
        "help" | "h" => Typed::Help,
        "q" | "quit" | "q!" | "quit!" => Typed::Quit,
        "" => return Err("type a command: Tab lists them".to_owned()),
        other => {
            return Err(format!(
                ":{other} is not a command; Tab completes, :help lists them"
            ));
        }
    })
}

/// Tab: complete the command word, or its argument from `choices` (the
/// profiles, the accounts, the sort columns). With one match the line is
/// completed; with several, their longest common start, and the matches
/// are returned to be shown.
#[must_use]
pub fn complete(line: &str, choices: &dyn Fn(&str) -> Vec<String>) -> (String, Vec<String>) {
    let (word, rest) = match line.split_once(' ') {
        Some((word, rest)) => (word, Some(rest)),
        None => (line, None),
    };
    let (prefix, candidates): (String, Vec<String>) = match rest {
        None => (
            String::new(),
            COMMANDS
                .iter()
                .map(|(name, _, _)| (*name).to_owned())
                .filter(|name| name.starts_with(word))
                .collect(),
        ),
        Some(rest) => (
            format!("{word} "),
            choices(word)
                .into_iter()
                .filter(|c| c.starts_with(rest.trim_start()))
                .collect(),
        ),
    };
    let typed = rest.map_or(word, str::trim_start);
    match candidates.as_slice() {
        [] => (line.to_owned(), Vec::new()),
        [one] => {
            let takes = COMMANDS
                .iter()
                .any(|(name, arg, _)| name == one && !arg.is_empty());
            let space = if rest.is_none() && takes { " " } else { "" };
            (format!("{prefix}{one}{space}"), Vec::new())
        }
        many => {
            let common = many.iter().skip(1).fold(many[0].clone(), |acc, c| {
                acc.chars()
                    .zip(c.chars())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect()
            });
            let text = if common.len() > typed.len() {
                format!("{prefix}{common}")
            } else {
                line.to_owned()
            };
            (text, many.to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_commands() {
        assert_eq!(parse(":profile prod"), Ok(Typed::Profile("prod".into())));
        assert_eq!(parse("org"), Ok(Typed::Org));
        assert_eq!(
            parse("account 111111111111"),
            Ok(Typed::Account("111111111111".into()))
        );
        assert_eq!(
            parse("filter mfa:no password:yes"),
            Ok(Typed::Filter("mfa:no password:yes".into()))
        );
        assert_eq!(parse("filter"), Ok(Typed::Filter(String::new())));
        assert_eq!(parse("sort Risk"), Ok(Typed::Sort("risk".into())));
        assert_eq!(parse("findings"), Ok(Typed::Findings));
        assert_eq!(
            parse("export rows.CSV"),
            Ok(Typed::Export {
                file: "rows.CSV".into(),
                replace: false
            })
        );
        assert_eq!(
            parse("export! rows.json"),
            Ok(Typed::Export {
                file: "rows.json".into(),
                replace: true
            })
        );
        assert_eq!(parse("q"), Ok(Typed::Quit));
        assert_eq!(parse("help"), Ok(Typed::Help));
        // Issue 38 item 12: as vim and k9s hands type them.
        assert_eq!(parse("h"), Ok(Typed::Help));
        assert_eq!(parse("q!"), Ok(Typed::Quit));
        assert_eq!(parse("quit!"), Ok(Typed::Quit));
        assert!(
            parse("profile")
                .unwrap_err()
                .contains("needs a profile name")
        );
        assert!(parse("sort size").unwrap_err().contains("use one of"));
        assert!(
            parse("export rows.txt")
                .unwrap_err()
                .contains(".csv or .json")
        );
        assert!(parse("frobnicate").unwrap_err().contains("not a command"));
    }

    #[test]
    fn tab_completes_commands_then_their_arguments() {
        let choices = |word: &str| -> Vec<String> {
            match word {
                "profile" => vec!["prod".into(), "prod-eu".into(), "staging".into()],
                "sort" => SORT_COLUMNS.iter().map(|s| (*s).to_owned()).collect(),
                _ => Vec::new(),
            }
        };
        assert_eq!(complete("pro", &choices), ("profile ".into(), Vec::new()));
        assert_eq!(complete("fi", &choices).1, ["filter", "findings"]);
        assert_eq!(complete("fin", &choices), ("findings".into(), Vec::new()));
        assert_eq!(
            complete("profile st", &choices),
            ("profile staging".into(), Vec::new())
        );
        let (line, shown) = complete("profile p", &choices);
        assert_eq!(line, "profile prod");
        assert_eq!(shown, ["prod", "prod-eu"]);
        assert_eq!(
            complete("sort r", &choices),
            ("sort risk".into(), Vec::new())
        );
        assert_eq!(complete("zzz", &choices), ("zzz".into(), Vec::new()));
    }
}
