//! `UserStore`: create, read by name and email, list, save credentials and delete, with the
//! Conflict and NotFound contracts and the last-admin rule.

use crate::support::{Stores, email, name, on_both_adapters, user};
use facelens_core::domain::Role;
use facelens_core::ports::StoreError;

on_both_adapters!(
    given_a_new_account_when_created_then_it_is_found_by_name_and_by_email,
    given_a_taken_username_when_creating_then_conflict_and_nothing_is_written,
    given_a_taken_email_when_creating_then_conflict_and_nothing_is_written,
    given_several_accounts_when_listed_then_all_come_ordered_by_username,
    given_an_account_when_credentials_are_saved_then_only_they_change,
    given_no_such_account_when_saving_credentials_then_not_found,
    given_a_changed_token_version_when_saving_credentials_then_conflict_and_nothing_written,
    given_a_recreated_account_when_saving_the_old_ones_credentials_then_not_found,
    given_an_account_when_deleted_then_it_is_gone_and_its_name_and_email_are_free,
    given_no_such_account_when_deleting_then_not_found,
    given_the_only_admin_when_deleting_it_then_conflict_and_it_stays,
    given_two_admins_when_one_is_deleted_then_the_other_is_the_last,
    given_two_admins_when_both_are_deleted_at_once_then_exactly_one_goes,
    given_a_user_and_an_admin_when_the_user_is_deleted_then_the_admin_stays,
);

async fn given_a_new_account_when_created_then_it_is_found_by_name_and_by_email(s: &Stores) {
    let alice = user("alice", Role::Admin);
    s.users.create(&alice).await.expect("created");

    assert_eq!(
        s.users.get(&alice.username).await.expect("get"),
        Some(alice.clone())
    );
    assert_eq!(
        s.users.find_by_email(&alice.email).await.expect("find"),
        Some(alice.clone())
    );
    assert_eq!(s.users.get(&name("nobody")).await.expect("get"), None);
    assert_eq!(
        s.users
            .find_by_email(&email("nobody@example.com"))
            .await
            .expect("find"),
        None
    );
}

async fn given_a_taken_username_when_creating_then_conflict_and_nothing_is_written(s: &Stores) {
    let first = user("bob", Role::User);
    s.users.create(&first).await.expect("created");
    let mut second = user("bob", Role::Admin);
    second.email = email("other-bob@example.com");

    let err = s.users.create(&second).await.expect_err("refused");

    assert!(
        matches!(&err, StoreError::Conflict(m) if m == "this username is taken"),
        "{err:?}"
    );
    assert_eq!(
        s.users.get(&first.username).await.expect("get"),
        Some(first)
    );
    assert_eq!(
        s.users.find_by_email(&second.email).await.expect("find"),
        None
    );
    assert_eq!(s.users.list().await.expect("list").len(), 1);
}

async fn given_a_taken_email_when_creating_then_conflict_and_nothing_is_written(s: &Stores) {
    let first = user("carol", Role::User);
    s.users.create(&first).await.expect("created");
    let mut second = user("carla", Role::User);
    second.email = first.email.clone();

    let err = s.users.create(&second).await.expect_err("refused");

    assert!(
        matches!(&err, StoreError::Conflict(m) if m == "this email is already in use"),
        "{err:?}"
    );
    assert_eq!(s.users.get(&second.username).await.expect("get"), None);
    assert_eq!(
        s.users.find_by_email(&first.email).await.expect("find"),
        Some(first)
    );
}

async fn given_several_accounts_when_listed_then_all_come_ordered_by_username(s: &Stores) {
    assert!(s.users.list().await.expect("list").is_empty());
    for n in ["mallory", "alice", "zed", "bob.b", "bob-a"] {
        s.users.create(&user(n, Role::User)).await.expect("created");
    }

    let names: Vec<String> = s
        .users
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();

    assert_eq!(names, ["alice", "bob-a", "bob.b", "mallory", "zed"]);
}

async fn given_an_account_when_credentials_are_saved_then_only_they_change(s: &Stores) {
    let dave = facelens_core::domain::User {
        awaiting_confirmation: true,
        ..user("dave", Role::User)
    };
    s.users.create(&dave).await.expect("created");
    let made = s.users.get(&dave.username).await.expect("get");
    assert!(
        made.is_some_and(|u| u.awaiting_confirmation),
        "kept when created"
    );
    let mut changed = dave.clone();
    changed.awaiting_confirmation = false;
    changed.password_hash = "$argon2id$new".into();
    changed.token_version = 7;
    changed.must_change_password = false;
    changed.role = Role::Admin;
    changed.email = email("elsewhere@example.com");
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("whole seconds");
    changed.api_tokens = vec![facelens_core::domain::ApiToken {
        id: "0123456789abcdef".into(),
        name: "nightly".into(),
        hash: "ab".repeat(32),
        created_at: now,
        expires_at: now + time::Duration::days(90),
    }];

    s.users.save_credentials(&changed, 0).await.expect("saved");

    let stored = s
        .users
        .get(&dave.username)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.password_hash, "$argon2id$new");
    assert_eq!(stored.token_version, 7);
    assert!(!stored.must_change_password);
    assert!(!stored.awaiting_confirmation, "confirmed with them");
    assert_eq!(
        stored.api_tokens, changed.api_tokens,
        "API tokens are kept with them"
    );
    assert_eq!((stored.role, stored.email), (Role::User, dave.email));
}

async fn given_a_changed_token_version_when_saving_credentials_then_conflict_and_nothing_written(
    s: &Stores,
) {
    let fay = user("fay", Role::User);
    s.users.create(&fay).await.expect("created");
    let mut first = fay.clone();
    first.password_hash = "$argon2id$first".into();
    first.token_version = 1;
    s.users.save_credentials(&first, 0).await.expect("saved");

    // A second change that read version 0 too (a parallel reset, say) loses.
    let mut second = fay.clone();
    second.password_hash = "$argon2id$second".into();
    second.token_version = 1;
    let err = s
        .users
        .save_credentials(&second, 0)
        .await
        .expect_err("refused");

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let stored = s
        .users
        .get(&fay.username)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.password_hash, "$argon2id$first");
}

async fn given_no_such_account_when_saving_credentials_then_not_found(s: &Stores) {
    let err = s
        .users
        .save_credentials(&user("ghost", Role::User), 0)
        .await
        .expect_err("refused");

    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(s.users.get(&name("ghost")).await.expect("get"), None);
}

async fn given_a_recreated_account_when_saving_the_old_ones_credentials_then_not_found(s: &Stores) {
    let old = user("erin", Role::User);
    s.users.create(&old).await.expect("created");
    s.users.delete(&old.username).await.expect("deleted");
    let new = user("erin", Role::User);
    s.users.create(&new).await.expect("created again");

    let err = s
        .users
        .save_credentials(&old, 0)
        .await
        .expect_err("refused");

    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(s.users.get(&new.username).await.expect("get"), Some(new));
}

async fn given_an_account_when_deleted_then_it_is_gone_and_its_name_and_email_are_free(s: &Stores) {
    let admin = user("root", Role::Admin);
    let frank = user("frank", Role::User);
    s.users.create(&admin).await.expect("created");
    s.users.create(&frank).await.expect("created");

    s.users.delete(&frank.username).await.expect("deleted");

    assert_eq!(s.users.get(&frank.username).await.expect("get"), None);
    assert_eq!(
        s.users.find_by_email(&frank.email).await.expect("find"),
        None
    );
    assert_eq!(s.users.list().await.expect("list"), vec![admin]);
    s.users
        .create(&user("frank", Role::User))
        .await
        .expect("name and email reusable");
}

async fn given_no_such_account_when_deleting_then_not_found(s: &Stores) {
    let err = s.users.delete(&name("ghost")).await.expect_err("refused");

    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

async fn given_the_only_admin_when_deleting_it_then_conflict_and_it_stays(s: &Stores) {
    let admin = user("root", Role::Admin);
    s.users.create(&admin).await.expect("created");
    s.users
        .create(&user("gina", Role::User))
        .await
        .expect("created");

    let err = s.users.delete(&admin.username).await.expect_err("refused");

    assert!(
        matches!(&err, StoreError::Conflict(m) if m == "the last admin cannot be deleted"),
        "{err:?}"
    );
    assert_eq!(
        s.users.get(&admin.username).await.expect("get"),
        Some(admin.clone())
    );
    assert_eq!(
        s.users.find_by_email(&admin.email).await.expect("find"),
        Some(admin)
    );
}

async fn given_two_admins_when_one_is_deleted_then_the_other_is_the_last(s: &Stores) {
    let first = user("root", Role::Admin);
    let second = user("root2", Role::Admin);
    s.users.create(&first).await.expect("created");
    s.users.create(&second).await.expect("created");

    s.users.delete(&first.username).await.expect("deleted");
    let err = s.users.delete(&second.username).await.expect_err("refused");

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.users.list().await.expect("list"), vec![second]);
}

async fn given_two_admins_when_both_are_deleted_at_once_then_exactly_one_goes(s: &Stores) {
    let first = user("root", Role::Admin);
    let second = user("root2", Role::Admin);
    s.users.create(&first).await.expect("created");
    s.users.create(&second).await.expect("created");

    let (a, b) = tokio::join!(
        s.users.delete(&first.username),
        s.users.delete(&second.username)
    );

    assert!(
        a.is_ok() != b.is_ok(),
        "exactly one delete succeeds: {a:?} {b:?}"
    );
    let failed = a.err().or(b.err());
    assert!(
        matches!(failed, Some(StoreError::Conflict(_))),
        "{failed:?}"
    );
    assert_eq!(s.users.list().await.expect("list").len(), 1);
}

async fn given_a_user_and_an_admin_when_the_user_is_deleted_then_the_admin_stays(s: &Stores) {
    let admin = user("root", Role::Admin);
    let hank = user("hank", Role::User);
    s.users.create(&admin).await.expect("created");
    s.users.create(&hank).await.expect("created");

    s.users.delete(&hank.username).await.expect("deleted");

    let err = s
        .users
        .delete(&admin.username)
        .await
        .expect_err("still the last admin");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}
