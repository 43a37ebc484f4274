//! Links into the AWS console (`o` opens, `O` copies): a user's IAM page,
//! and in `--org` the console's switch-role link into the member with the
//! organization's role, then the user. Pure: the links and the choice of
//! opener; the driver runs it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The console's and the sign-in page's hosts for an ARN's partition.
fn hosts(arn: &str) -> (&'static str, &'static str) {
    match arn.split(':').nth(1) {
        Some("aws-cn") => ("console.amazonaws.cn", "signin.amazonaws.cn"),
        Some("aws-us-gov") => (
            "console.amazonaws-us-gov.com",
            "signin.amazonaws-us-gov.com",
        ),
        _ => ("console.aws.amazon.com", "signin.aws.amazon.com"),
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// The IAM console's page of the user with this ARN and name.
#[must_use]
pub fn user_url(arn: &str, name: &str) -> String {
    let (console, _) = hosts(arn);
    format!("https://{console}/iam/home#/users/details/{}", encode(name))
}

/// The switch-role link into `account` with `role`, landing on `then`.
#[must_use]
pub fn switch_role_url(arn: &str, account: &str, role: &str, display: &str, then: &str) -> String {
    let (_, signin) = hosts(arn);
    format!(
        "https://{signin}/switchrole?account={}&roleName={}&displayName={}&redirect_uri={}",
        encode(account),
        encode(role),
        encode(display),
        encode(then)
    )
}

/// The command that opens a URL here: `$BROWSER` (its first entry; `%s`
/// stands for the URL, else the URL is appended), else `xdg-open`, else
/// `open` (macOS). `None`: no way to open a browser. `found` tells whether
/// a program is on `PATH`.
#[must_use]
pub fn opener(browser: Option<&str>, found: impl Fn(&str) -> bool) -> Option<Vec<String>> {
    if let Some(browser) = browser.and_then(|b| b.split(':').map(str::trim).find(|b| !b.is_empty()))
    {
        return Some(browser.split_whitespace().map(ToOwned::to_owned).collect());
    }
    ["xdg-open", "open"]
        .into_iter()
        .find(|p| found(p))
        .map(|p| vec![p.to_owned()])
}

/// The opener's arguments for `url`: `%s` replaced, else the URL last.
#[must_use]
pub fn command(opener: &[String], url: &str) -> Vec<String> {
    if opener.iter().any(|a| a.contains("%s")) {
        opener.iter().map(|a| a.replace("%s", url)).collect()
    } else {
        let mut argv = opener.to_vec();
        argv.push(url.to_owned());
        argv
    }
}

/// Whether `program` is an executable file on `PATH`.
#[must_use]
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(program);
            std::fs::metadata(&candidate).is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_partition_and_are_encoded() {
        assert_eq!(
            user_url("arn:aws:iam::123456789012:user/alice.00", "alice.00"),
            "https://console.aws.amazon.com/iam/home#/users/details/alice.00"
        );
        assert!(
            user_url("arn:aws-cn:iam::123456789012:user/x", "x")
                .starts_with("https://console.amazonaws.cn/")
        );
        assert!(
            user_url("arn:aws-us-gov:iam::123456789012:user/x", "x")
                .starts_with("https://console.amazonaws-us-gov.com/")
        );
        // A name is never read as more of the URL.
        assert!(user_url("arn:aws:iam::1:user/a", "a#/x?y=1&z").ends_with("a%23%2Fx%3Fy%3D1%26z"));
        let then = user_url("arn:aws:iam::210987654321:user/ops", "ops");
        let link = switch_role_url(
            "arn:aws:iam::210987654321:user/ops",
            "210987654321",
            "OrganizationAccountAccessRole",
            "sandbox",
            &then,
        );
        assert!(link.starts_with("https://signin.aws.amazon.com/switchrole?account=210987654321&roleName=OrganizationAccountAccessRole&displayName=sandbox&redirect_uri=https%3A%2F%2Fconsole"), "{link}");
    }

    #[test]
    fn the_opener_is_browser_then_xdg_open_then_open() {
        let none = |_: &str| false;
        let url = "https://example.com/";
        let b = opener(Some("firefox --new-tab"), none).unwrap();
        assert_eq!(command(&b, url), ["firefox", "--new-tab", url]);
        let b = opener(Some("links %s:lynx"), none).unwrap();
        assert_eq!(command(&b, url), ["links", url]);
        assert_eq!(opener(None, |p| p == "xdg-open").unwrap(), ["xdg-open"]);
        assert_eq!(opener(None, |p| p == "open").unwrap(), ["open"]);
        assert_eq!(opener(None, none), None);
        assert_eq!(opener(Some("  "), none), None);
    }
}
