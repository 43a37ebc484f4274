//! Sending notices through SNS and to a webhook (a default build: the
//! cargo feature `notify`).

use std::time::Duration;

use super::Notice;

/// How long a webhook may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// SNS, as this build sends to it.
pub type Sns = aws_sdk_sns::Client;
/// Webhooks, as this build posts to them.
pub type Http = reqwest::Client;

/// Publish a notice to an SNS topic, its owner in a message attribute
/// (`owner`) so subscriptions can filter per owner.
///
/// # Errors
/// What SNS answered, in one line.
pub async fn sns(client: &Sns, topic: &str, notice: &Notice) -> Result<(), String> {
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
///
/// # Errors
/// None in this build (a lean one has no SNS).
pub fn sns_client(config: &aws_config::SdkConfig, topic: &str) -> Result<Sns, String> {
    let mut builder = aws_sdk_sns::config::Builder::from(config);
    if let Some(region) = super::super::notify::topic_region(topic) {
        builder = builder.region(aws_config::Region::new(region.to_owned()));
    }
    Ok(aws_sdk_sns::Client::from_conf(builder.build()))
}

/// A client for webhooks.
///
/// # Errors
/// The TLS stack could not be set up.
pub fn http_client() -> Result<Http, String> {
    reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot set up HTTP ({e})"))
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
pub async fn webhook(client: &Http, url: &str, notice: &Notice) -> Result<(), String> {
    let host = webhook_host(url);
    let answer = client
        .post(url)
        .json(&super::webhook_body(notice))
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
