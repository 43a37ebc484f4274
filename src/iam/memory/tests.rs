use super::*;

fn user(name: &str) -> MemoryUser {
    MemoryUser::new(User {
        name: name.to_owned(),
        arn: format!("arn:aws:iam::1:user/{name}"),
        created: Utc::now(),
        password_last_used: None,
    })
}

#[tokio::test]
async fn third_key_is_limit_exceeded_and_missing_key_is_no_such_entity() {
    let iam = MemoryIam::new("111111111111");
    iam.add_user(user("a"));
    iam.create_access_key("a").await.unwrap();
    iam.create_access_key("a").await.unwrap();
    let err = iam.create_access_key("a").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded);
    let err = iam.delete_access_key("a", "AKIANOPE").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoSuchEntity);
    let err = iam.list_access_keys("ghost", None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoSuchEntity);
}

#[tokio::test]
async fn pages_follow_markers_and_denied_actions_fail() {
    let iam = MemoryIam::new("111111111111").with_page_size(2);
    for name in ["a", "b", "c"] {
        iam.add_user(user(name));
    }
    let first = iam.list_users(None).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let second = iam.list_users(first.next_marker).await.unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.next_marker, None);
    iam.deny("iam:GetCredentialReport");
    let err = iam.get_credential_report().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied);
}
