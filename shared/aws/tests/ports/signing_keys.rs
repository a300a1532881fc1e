//! `SigningKeyStore` on DynamoDB: the auth function publishes its public key, the other
//! functions read it back to verify tokens. (The embedded store has no twin: locally one
//! process signs and verifies.)

use facelens_aws::moto;
use facelens_core::auth::TokenSigner;
use facelens_core::ports::{PublishedKey, SigningKeyStore};
use time::{Duration, OffsetDateTime};

fn key(byte: u8, seen_at: OffsetDateTime) -> PublishedKey {
    let signer = TokenSigner::from_secret(&[byte; 32]).expect("long enough");
    PublishedKey {
        key: signer.public_key().clone(),
        seen_at,
    }
}

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).expect("valid time")
}

#[tokio::test]
async fn given_two_published_keys_when_read_then_both_come_back_as_published() {
    let moto = moto::server();
    let aws = moto.aws().await;
    let table = moto.table(&aws).await;
    assert!(table.published().await.expect("read").is_empty());

    let (old, new) = (key(1, at(0)), key(2, at(60)));
    for k in [&old, &new] {
        table
            .publish(k, k.seen_at + Duration::hours(9))
            .await
            .expect("published");
    }

    let mut read = table.published().await.expect("read");
    read.sort_by_key(|k| k.seen_at);
    assert_eq!(read, vec![old, new]);
}

#[tokio::test]
async fn given_a_published_key_when_republished_earlier_then_the_later_time_stays() {
    let moto = moto::server();
    let aws = moto.aws().await;
    let table = moto.table(&aws).await;
    let later = key(3, at(3600));
    table.publish(&later, at(7200)).await.expect("published");

    // An instance with a slow clock says it saw the key an hour earlier.
    table
        .publish(&key(3, at(0)), at(3600))
        .await
        .expect("a stale publication is not an error");
    table
        .publish(&key(3, at(5400)), at(9000))
        .await
        .expect("a newer one moves it forward");

    let read = table.published().await.expect("read");
    assert_eq!(read, vec![key(3, at(5400))]);
}
