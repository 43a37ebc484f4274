//! Signing in the way operators do: profiles whose role (or user) requires
//! MFA. aws-config does everything it supports (static keys, roles, SSO,
//! `credential_process`); what it lacks — `mfa_serial` — iamkeys adds as a
//! credentials provider of its own: a code, then `sts:AssumeRole` (or
//! `sts:GetSessionToken`) with `SerialNumber` and `TokenCode`, cached where
//! and as the AWS CLI caches it, so a code typed in either serves both.
//!
//! - [`plan`]: which profiles need a code, and how (pure);
//! - [`cache`]: the AWS CLI's session cache (`~/.aws/cli/cache`);
//! - [`mfa`]: the credentials provider, and where codes come from.

pub mod cache;
pub mod mfa;
pub mod plan;
