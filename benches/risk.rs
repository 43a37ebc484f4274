//! Criterion benchmark of the privilege evaluator (issue 25): the levels
//! of 1,000 users over 200 managed policies, each user with three attached
//! policies, one inline policy and (every tenth) a permissions boundary.
//! Target: under 50 ms for the whole account.
//!
//!     cargo bench --bench risk

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iamkeys::risk::{Source, UserPolicies, evaluate, evaluate_all};

const USERS: usize = 1_000;
const POLICIES: usize = 200;

/// 200 documents of several statements: read-only, service-wide, IAM
/// writes, escalation pieces, denies and conditions, and a few admins.
fn policies() -> Vec<String> {
    (0..POLICIES)
        .map(|i| {
            let service = ["s3", "ec2", "lambda", "dynamodb", "sqs", "iam", "sts"][i % 7];
            let statements = [
                format!(r#"{{"Effect":"Allow","Action":["{service}:Get*","{service}:List*","{service}:Describe*"],"Resource":"*"}}"#),
                format!(r#"{{"Effect":"Allow","Action":"{service}:Put*","Resource":"arn:aws:{service}:::thing-{i}/*"}}"#),
                if i % 50 == 0 {
                    r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.to_owned()
                } else if i % 10 == 0 {
                    r#"{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#.to_owned()
                } else {
                    format!(r#"{{"Effect":"Deny","Action":"{service}:Delete*","Resource":"*"}}"#)
                },
            ];
            format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
        })
        .collect()
}

fn users(policies: &[String]) -> Vec<UserPolicies> {
    (0..USERS)
        .map(|u| {
            let mut sources: Vec<Source> = (0..3)
                .map(|k| {
                    let p = (u * 7 + k * 13) % POLICIES;
                    Source {
                        via: format!("managed policy-{p}"),
                        document: Ok(policies[p].clone()),
                    }
                })
                .collect();
            sources.push(Source {
                via: format!("inline policy user-{u}"),
                document: Ok(
                    r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}}"#
                        .to_owned(),
                ),
            });
            let boundary = (u % 10 == 0).then(|| Source {
                via: "boundary".into(),
                document: Ok(r#"{"Statement":{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}}"#.into()),
            });
            UserPolicies { sources, boundary }
        })
        .collect()
}

fn levels(c: &mut Criterion) {
    let policies = policies();
    let users = users(&policies);
    // As an account is evaluated: each document read once.
    c.bench_function("levels of 1,000 users over 200 policies", |b| {
        b.iter(|| black_box(evaluate_all(black_box(&users))));
    });
    // Each user on its own (every document read again): the worst case.
    c.bench_function("levels of 1,000 users, documents read per user", |b| {
        b.iter(|| {
            for user in &users {
                black_box(evaluate(black_box(user)));
            }
        });
    });
}

criterion_group!(benches, levels);
criterion_main!(benches);
