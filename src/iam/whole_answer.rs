//! Refusing an answer that was cut off. The SDK's XML reader accepts a
//! document that stops mid-element: `<Users><member><UserName>al` reads as
//! a user named `al`, who does not exist. A proxy or connection that drops
//! the end of a successful answer must not invent users or keys, so every
//! successful IAM/STS answer must close the element it opened.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The interceptor on every IAM and STS client.
#[derive(Debug, Default, Clone, Copy)]
pub struct WholeAnswer;

/// The name of the document's first element, after an XML declaration.
fn root_element(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    if rest.starts_with("<?") {
        rest = rest[rest.find("?>")? + 2..].trim_start();
    }
    let open = rest.strip_prefix('<')?;
    let end = open.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    Some(&open[..end]).filter(|name| !name.is_empty())
}

/// Whether a successful answer's XML closes the element it opened.
#[must_use]
pub fn is_whole(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let Some(root) = root_element(text) else {
        return false;
    };
    text.trim_end().ends_with(&format!("</{root}>"))
}

impl Intercept for WholeAnswer {
    fn name(&self) -> &'static str {
        "iamkeys::WholeAnswer"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.output_or_error().is_err() {
            return Ok(());
        }
        let response = context.response();
        let Some(body) = response.body().bytes() else {
            return Ok(());
        };
        if response.status().is_success() && !is_whole(body) {
            let shown: String = String::from_utf8_lossy(body)
                .chars()
                .filter(|c| !c.is_control())
                .take(80)
                .collect();
            return Err(format!(
                "the answer was cut off (HTTP {}, {} bytes, not a whole XML document: {shown}…)",
                response.status().as_u16(),
                body.len()
            )
            .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_cut_off_is_not_whole() {
        let whole = b"<?xml version=\"1.0\"?>\n<ListUsersResponse xmlns=\"x\"><ListUsersResult><Users><member><UserName>al</UserName></member></Users></ListUsersResult></ListUsersResponse>\n";
        assert!(is_whole(whole));
        assert!(is_whole(b"<ListUsersResponse><a/></ListUsersResponse>"));
        assert!(
            !is_whole(b"<ListUsersResponse/>"),
            "IAM never sends an empty root"
        );
        let cut = b"<ListUsersResponse xmlns=\"x\"><ListUsersResult><Users><member><UserName>al";
        assert!(!is_whole(cut));
        assert!(!is_whole(b"<ListUsersResponse><a/></ListUsersRespo"));
        assert!(!is_whole(b"not xml"));
        assert!(!is_whole(b""));
    }
}
