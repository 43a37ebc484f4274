//! Sending notices (IO): SNS `Publish` and an HTTP POST to a webhook. One
//! attempt each (the SDK's own retries for SNS; a 10 s timeout for the
//! webhook): a failed delivery is reported, never retried forever.

use std::time::Duration;

use super::notify::Notice;

/// How long a webhook may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Publish a notice to an SNS topic.
///
/// # Errors
/// What SNS answered, in one line.
pub async fn sns(client: &aws_sdk_sns::Client, topic: &str, notice: &Notice) -> Result<(), String> {
    client
        .publish()
        .topic_arn(topic)
        .subject(&notice.subject)
        .message(&notice.text)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            let e = aws_sdk_sns::error::DisplayErrorContext(e).to_string();
            format!("sns:Publish failed: {}", crate::text::clean(&e))
        })
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

/// POST a notice as JSON `{owner, text, actions}`.
///
/// # Errors
/// No answer, or an answer that is not 2xx.
pub async fn webhook(client: &reqwest::Client, url: &str, notice: &Notice) -> Result<(), String> {
    let answer = client.post(url).json(notice).send().await.map_err(|e| {
        format!(
            "the webhook did not answer ({})",
            crate::text::clean(&e.to_string())
        )
    })?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered {status}"))
    }
}
