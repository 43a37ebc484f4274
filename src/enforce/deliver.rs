//! Sending notices (IO): SNS `Publish` and an HTTP POST to a webhook. One
//! attempt each (the SDK's own retries for SNS; a 10 s timeout for the
//! webhook): a failed delivery is reported, never retried forever.

use std::time::Duration;

use super::notify::Notice;

/// How long a webhook may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Publish a notice to an SNS topic, its owner in a message attribute
/// (`owner`) so subscriptions can filter per owner.
///
/// # Errors
/// What SNS answered, in one line.
pub async fn sns(client: &aws_sdk_sns::Client, topic: &str, notice: &Notice) -> Result<(), String> {
    let owner = aws_sdk_sns::types::MessageAttributeValue::builder()
        .data_type("String")
        .string_value(&notice.owner)
        .build()
        .map_err(|e| format!("sns:Publish not sent: {e}"))?;
    client
        .publish()
        .topic_arn(topic)
        .subject(&notice.subject)
        .message(&notice.text)
        .message_attributes("owner", owner)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("sns:Publish failed: {}", crate::error_chain::sdk(&e)))
}

/// An SNS client for the topic's region, over the profile's configuration.
#[must_use]
pub fn sns_client(config: &aws_config::SdkConfig, topic: &str) -> aws_sdk_sns::Client {
    let mut builder = aws_sdk_sns::config::Builder::from(config);
    if let Some(region) = super::notify::topic_region(topic) {
        builder = builder.region(aws_config::Region::new(region.to_owned()));
    }
    aws_sdk_sns::Client::from_conf(builder.build())
}

/// A client for webhooks.
///
/// # Errors
/// The TLS stack could not be set up.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot set up HTTP ({e})"))
}

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

/// A webhook as errors may name it: its host only (the path of a Slack or
/// Teams webhook is its secret).
#[must_use]
pub fn webhook_host(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(ToOwned::to_owned))
        .unwrap_or_else(|| "(a webhook)".to_owned())
}

/// POST a notice as JSON `{owner, text, actions}`. The URL is never said:
/// errors name its host.
///
/// # Errors
/// No answer, or an answer that is not 2xx.
pub async fn webhook(client: &reqwest::Client, url: &str, notice: &Notice) -> Result<(), String> {
    let host = webhook_host(url);
    let answer = client
        .post(url)
        .json(&webhook_body(notice))
        .send()
        .await
        .map_err(|e| {
            format!(
                "the webhook at {host} did not answer ({})",
                crate::text::clean(&crate::error_chain::text(&e.without_url()))
            )
        })?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the webhook at {host} answered {status}"))
    }
}

#[cfg(test)]
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
