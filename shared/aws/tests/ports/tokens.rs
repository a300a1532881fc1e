//! `OneTimeTokenStore`: a token can be taken once.

use crate::support::{Stores, name, now, on_both_adapters};
use facelens_core::ports::{OneTimeToken, TokenPurpose};
use time::Duration;

on_both_adapters!(
    given_a_token_when_taken_twice_then_the_second_take_gets_nothing,
    given_no_token_when_taken_then_nothing,
    given_a_token_stored_again_when_taken_then_the_latest_comes_back,
    given_a_token_when_taken_concurrently_then_exactly_one_taker_gets_it,
);

fn token(hash: &str, purpose: TokenPurpose) -> OneTimeToken {
    OneTimeToken {
        hash: hash.to_owned(),
        username: name("ivy"),
        account_id: uuid::Uuid::from_u128(0x1234),
        token_version: 3,
        purpose,
        expires_at: now() + Duration::minutes(10),
    }
}

async fn given_a_token_when_taken_twice_then_the_second_take_gets_nothing(s: &Stores) {
    let reset = token(&"a1".repeat(32), TokenPurpose::Reset);
    let welcome = token(&"b2".repeat(32), TokenPurpose::Welcome);
    s.tokens.put(&reset).await.expect("put");
    s.tokens.put(&welcome).await.expect("put");
    let confirm = token(&"f6".repeat(32), TokenPurpose::Confirm);
    s.tokens.put(&confirm).await.expect("put");

    assert_eq!(
        s.tokens.take(&reset.hash).await.expect("take"),
        Some(reset.clone())
    );
    assert_eq!(s.tokens.take(&reset.hash).await.expect("take"), None);
    assert_eq!(
        s.tokens.take(&welcome.hash).await.expect("take"),
        Some(welcome)
    );
    assert_eq!(
        s.tokens.take(&confirm.hash).await.expect("take"),
        Some(confirm)
    );
}

async fn given_no_token_when_taken_then_nothing(s: &Stores) {
    assert_eq!(s.tokens.take(&"c3".repeat(32)).await.expect("take"), None);
}

async fn given_a_token_stored_again_when_taken_then_the_latest_comes_back(s: &Stores) {
    let first = token(&"d4".repeat(32), TokenPurpose::Reset);
    let mut again = first.clone();
    again.expires_at = first.expires_at + Duration::minutes(5);
    s.tokens.put(&first).await.expect("put");
    s.tokens.put(&again).await.expect("put again");

    assert_eq!(s.tokens.take(&first.hash).await.expect("take"), Some(again));
}

async fn given_a_token_when_taken_concurrently_then_exactly_one_taker_gets_it(s: &Stores) {
    let reset = token(&"e5".repeat(32), TokenPurpose::Reset);
    s.tokens.put(&reset).await.expect("put");

    let mut takers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let tokens = std::sync::Arc::clone(&s.tokens);
        let hash = reset.hash.clone();
        takers.spawn(async move { tokens.take(&hash).await });
    }

    let mut taken = 0;
    while let Some(result) = takers.join_next().await {
        if result.expect("taker ran").expect("take").is_some() {
            taken += 1;
        }
    }
    assert_eq!(taken, 1);
}
