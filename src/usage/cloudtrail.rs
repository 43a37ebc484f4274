//! Who used a key, as CloudTrail recorded it, and the regions to ask: the
//! usage room's own calls (`LookupEvents`, the Account Management API's `ListRegions`), by a
//! trait of its own — the SDK's through the profile's configuration
//! ([`SdkIam`]'s), the memory account's in tests and the demo, [`NoTrail`]
//! where a run has none. The rest of `usage` is pure.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::Utc;

use super::{Lookup, TrailEvent};
use crate::iam::sdk::SdkIam;
use crate::iam::sdk_error::from_sdk;
use crate::iam::{ErrorKind, IamError};
use crate::model::Page;

/// CloudTrail and the region list. Each call, unless implemented, says
/// there is none to ask ([`NoTrail`]).
#[async_trait]
pub trait Trail: Send + Sync + Debug {
    /// `LookupEvents` in `region`: one page (up to 50) of the last 90
    /// days' management events found by `lookup`, newest first.
    async fn lookup_events(
        &self,
        region: &str,
        lookup: &Lookup,
        next: Option<String>,
    ) -> Result<Page<TrailEvent>, IamError> {
        let _ = (region, lookup, next);
        Err(IamError::other(
            "cloudtrail:LookupEvents",
            "this account has no CloudTrail to ask",
        ))
    }

    /// The account's enabled regions (the Account Management API's
    /// `ListRegions`, enabled and enabled by default).
    async fn enabled_regions(&self) -> Result<Vec<String>, IamError> {
        Err(IamError::other(
            "account:ListRegions",
            "this account has no regions to list",
        ))
    }
}

/// A run with no CloudTrail to ask: every call says so.
#[derive(Debug, Clone, Copy)]
pub struct NoTrail;

impl Trail for NoTrail {}

/// Through the SDK, over the profile's configuration.
#[async_trait]
impl Trail for SdkIam {
    async fn lookup_events(
        &self,
        region: &str,
        lookup: &Lookup,
        next: Option<String>,
    ) -> Result<Page<TrailEvent>, IamError> {
        use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
        const ACTION: &str = "cloudtrail:LookupEvents";
        let Some(client) = self.trail_client(region) else {
            return Err(IamError::other(
                ACTION,
                "no CloudTrail client was configured",
            ));
        };
        let (key, value) = match lookup {
            Lookup::AccessKey(id) => (LookupAttributeKey::AccessKeyId, id),
            Lookup::Resource(name) => (LookupAttributeKey::ResourceName, name),
            Lookup::EventName(name) => (LookupAttributeKey::EventName, name),
        };
        let attribute = LookupAttribute::builder()
            .attribute_key(key)
            .attribute_value(value)
            .build()
            .map_err(|e| IamError::new(ErrorKind::InvalidInput, ACTION, e.to_string()))?;
        let now = Utc::now();
        let start = now - chrono::TimeDelta::days(super::HISTORY_DAYS);
        let out = client
            .lookup_events()
            .lookup_attributes(attribute)
            .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(now.timestamp()))
            .max_results(50)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| {
                let endpoint = self.endpoint_url().map_or_else(
                    || format!("https://cloudtrail.{region}.amazonaws.com"),
                    ToOwned::to_owned,
                );
                from_sdk(ACTION, &e, &endpoint)
            })?;
        let items = out
            .events()
            .iter()
            .map(|e| {
                TrailEvent::parse(
                    e.event_id().unwrap_or_default(),
                    e.event_time().map(crate::iam::sdk::time),
                    e.event_name().unwrap_or_default(),
                    e.event_source().unwrap_or_default(),
                    e.cloud_trail_event(),
                )
            })
            .collect();
        Ok(Page {
            items,
            next_marker: out.next_token().map(ToOwned::to_owned),
        })
    }

    async fn enabled_regions(&self) -> Result<Vec<String>, IamError> {
        use aws_sdk_account::types::RegionOptStatus;
        const ACTION: &str = "account:ListRegions";
        // AWS has under 40 regions; a longer answer is not followed further.
        const PAGES: usize = 16;
        let Some(config) = self.config() else {
            return Err(IamError::other(ACTION, "no configuration to ask with"));
        };
        let client = aws_sdk_account::Client::new(config);
        let endpoint = self.endpoint_url().map_or_else(
            || "https://account.us-east-1.amazonaws.com".to_owned(),
            ToOwned::to_owned,
        );
        let mut regions = Vec::new();
        let mut next = None;
        for _ in 0..PAGES {
            let page = client
                .list_regions()
                .region_opt_status_contains(RegionOptStatus::Enabled)
                .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                .max_results(50)
                .set_next_token(next)
                .send()
                .await
                .map_err(|err| from_sdk(ACTION, &err, &endpoint))?;
            // Only region-shaped names, and only those enabled (whatever
            // the filter let through).
            regions.extend(
                page.regions()
                    .iter()
                    .filter(|r| {
                        matches!(
                            r.region_opt_status(),
                            Some(RegionOptStatus::Enabled | RegionOptStatus::EnabledByDefault)
                        )
                    })
                    .filter_map(|r| r.region_name())
                    .filter(|name| super::is_region(name))
                    .map(ToOwned::to_owned),
            );
            next = page.next_token().map(ToOwned::to_owned);
            if next.is_none() {
                break;
            }
        }
        // An answer with none is no answer.
        if regions.is_empty() {
            return Err(IamError::other(ACTION, "answered with no region"));
        }
        Ok(regions)
    }
}

/// The memory account's own CloudTrail (tests and the demo); it has no
/// regions to list.
#[async_trait]
impl Trail for crate::iam::memory::MemoryIam {
    async fn lookup_events(
        &self,
        region: &str,
        lookup: &Lookup,
        next: Option<String>,
    ) -> Result<Page<TrailEvent>, IamError> {
        crate::iam::memory::MemoryIam::lookup_events(self, region, lookup, next).await
    }
}

#[cfg(test)]
mod tests {
    /// Issue 39: `ListRegions` goes where the Account Management API answers
    /// (its global endpoint in us-east-1), whatever Region the profile names:
    /// the SDK's own endpoint rules, as it resolves them for each request.
    #[tokio::test]
    async fn list_regions_goes_to_the_account_apis_endpoint() {
        use aws_sdk_account::config::endpoint::{Params, ResolveEndpoint};
        let resolver = aws_sdk_account::config::endpoint::DefaultResolver::new();
        for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
            let params = Params::builder()
                .region(region)
                .use_fips(false)
                .build()
                .unwrap();
            let endpoint = resolver.resolve_endpoint(&params).await.unwrap();
            assert_eq!(
                endpoint.url(),
                "https://account.us-east-1.amazonaws.com",
                "{region}"
            );
        }
    }
}
