//! Reading the token signing secret from Secrets Manager.

use facelens_aws::moto;
use uuid::Uuid;

#[tokio::test]
async fn given_a_secret_when_read_by_arn_or_name_then_its_value_comes_back() {
    let moto = moto::server();
    let aws = moto.aws().await;
    let name = format!("facelens/jwt-{}", Uuid::new_v4().simple());
    let arn = moto
        .create_secret(
            &aws,
            &name,
            "k3y-of-64-characters-generated-by-secrets-manager",
        )
        .await;

    for id in [&arn, &name] {
        let secret = aws.read_secret(id).await.expect("read");
        assert_eq!(
            secret.expose().as_slice(),
            b"k3y-of-64-characters-generated-by-secrets-manager"
        );
    }
}

#[tokio::test]
async fn given_no_such_secret_when_read_then_an_error_naming_it() {
    let aws = moto::server().aws().await;

    let err = aws
        .read_secret("facelens/missing")
        .await
        .expect_err("no secret");

    assert!(err.to_string().contains("facelens/missing"), "{err}");
}
