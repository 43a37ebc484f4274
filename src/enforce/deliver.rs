//! Sending notices (IO): SNS `Publish` and an HTTP POST to a webhook. One
//! attempt each (the SDK's own retries for SNS; a 10 s timeout for the
//! webhook): a failed delivery is reported, never retried forever.

use super::notify::Notice;

/// Why a build without the `notify` cargo feature sends no notice.
pub const NOT_BUILT: &str = "this iamkeys was built without notices (cargo feature `notify`): print them with --dry-run, or use a default build";

// The SDK's SNS and an HTTP client, in a default build; a lean one
// (`--no-default-features`) has neither and says so.
#[cfg(feature = "notify")]
mod send;
#[cfg(not(feature = "notify"))]
#[path = "deliver/unbuilt.rs"]
mod send;
#[cfg(feature = "notify")]
pub use send::webhook_host;
pub use send::{Http, Sns, http_client, sns, sns_client, webhook};

/// Text as Slack's `text` field shows it literally: `&`, `<` and `>`
/// escaped (`<…|…>` would be a link, `<!channel>` a mention).
#[must_use]
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The JSON a webhook gets: `{owner, text, actions}`, the text escaped for
/// Slack.
#[must_use]
pub fn webhook_body(notice: &Notice) -> serde_json::Value {
    serde_json::json!({
        "owner": notice.owner,
        "text": slack_escape(&notice.text),
        "actions": notice.actions,
    })
}

#[cfg(all(test, feature = "notify"))]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_is_named_by_its_host_and_its_text_is_escaped() {
        assert_eq!(
            webhook_host("https://hooks.slack.com/services/T000/B000/SECRETSECRET"),
            "hooks.slack.com"
        );
        assert_eq!(webhook_host("not a url"), "(a webhook)");
        let notice = Notice {
            owner: "a@example.com".into(),
            subject: "s".into(),
            text: "account <https://evil.example|prod> & <!channel>".into(),
            actions: Vec::new(),
        };
        assert_eq!(
            webhook_body(&notice)["text"],
            "account &lt;https://evil.example|prod&gt; &amp; &lt;!channel&gt;"
        );
    }
}
