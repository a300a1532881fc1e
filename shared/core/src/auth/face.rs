//! Faces as a way in: enrolling one's face, removing it, and signing in with camera captures,
//! verified 1:1 against the claimed account's face only, after a liveness check (the head
//! turns between the captures), through the same throttle and audit as passwords.

use super::{AuthError, AuthService, LoginOutcome};
use crate::domain::{Role, User, Username, ValidationError};
use crate::faces::{
    FaceError, FaceVault, MAX_CAPTURE_BYTES, SIGN_IN_CAPTURES, check_enrolment, check_liveness,
};
use crate::ports::SignInMethod;
use futures_util::future::try_join_all;
use std::net::IpAddr;
use std::sync::Arc;

impl AuthService {
    /// Lets accounts enrol a face and sign in with it, with `vault` as the engine and store.
    #[must_use]
    pub fn with_faces(mut self, vault: Arc<dyn FaceVault>) -> Self {
        self.faces = Some(vault);
        self
    }

    fn vault(&self) -> Result<&Arc<dyn FaceVault>, AuthError> {
        self.faces
            .as_ref()
            .ok_or_else(|| AuthError::Internal("no face engine is configured".into()))
    }

    fn may_use_faces(&self, user: &User) -> bool {
        user.role != Role::Admin || self.config.admin_face_sign_in
    }

    /// Whether the caller has a face enrolled.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the engine fails or none is configured.
    pub async fn face_enrolled(&self, caller: &User) -> Result<bool, AuthError> {
        self.vault()?
            .is_enrolled(&caller.username, &caller.id.to_string())
            .await
            .map_err(face_error)
    }

    /// Enrols the face of one camera capture as the caller's, replacing an earlier one.
    ///
    /// # Errors
    /// [`AuthError::Invalid`] for an admin (unless the deployment allows it) or a capture that
    /// breaks a rule of [`check_enrolment`], saying which.
    pub async fn enrol_face(&self, caller: &User, capture: &[u8]) -> Result<(), AuthError> {
        if !self.may_use_faces(caller) {
            return Err(invalid(
                "Admins sign in with their password; face sign-in is for users.",
            ));
        }
        check_size(capture)?;
        let vault = self.vault()?;
        let faces = vault.look(capture).await.map_err(face_error)?;
        check_enrolment(&faces).map_err(|why| AuthError::Invalid(ValidationError(why)))?;
        vault
            .enrol(&caller.username, &caller.id.to_string(), capture)
            .await
            .map_err(face_error)?;
        tracing::info!(user = %caller.username, "face enrolled");
        Ok(())
    }

    /// Forgets the caller's face; forgetting none succeeds.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the engine fails.
    pub async fn remove_face(&self, caller: &User) -> Result<(), AuthError> {
        self.vault()?
            .remove(&caller.username)
            .await
            .map_err(face_error)?;
        tracing::info!(user = %caller.username, "face removed");
        Ok(())
    }

    /// Signs in with camera captures of the face: each must show one face, the head must turn
    /// between them, and every one must match the enrolled face of `username`'s account (and
    /// no other account's). Counted, throttled and audited as password sign-ins are.
    ///
    /// # Errors
    /// [`AuthError::Invalid`] for a wrong number of captures, one that is too large or not an
    /// image, or captures that fail the liveness check (counted as a failed attempt);
    /// [`AuthError::Throttled`] as for passwords; [`AuthError::FaceNotRecognised`] for a face
    /// that does not match, an unknown name, an account without a face, or an admin.
    pub async fn login_with_face(
        &self,
        username: &str,
        captures: &[Vec<u8>],
        client: IpAddr,
    ) -> Result<LoginOutcome, AuthError> {
        let name = Username::parse(username).map_err(|_| AuthError::FaceNotRecognised)?;
        if !SIGN_IN_CAPTURES.contains(&captures.len()) {
            return Err(invalid(&format!(
                "Send {} to {} camera captures.",
                SIGN_IN_CAPTURES.start(),
                SIGN_IN_CAPTURES.end()
            )));
        }
        for capture in captures {
            check_size(capture)?;
        }
        let vault = self.vault()?;
        if let Err(err) = self.count_attempt(&self.sign_in_keys(&name, client)).await {
            if matches!(err, AuthError::Throttled { .. }) {
                self.audit_as(SignInMethod::Face, &name, client, false, "throttled")
                    .await?;
            }
            return Err(err);
        }
        let named = &name;
        let fail = |reason: &'static str| async move {
            self.audit_as(SignInMethod::Face, named, client, false, reason)
                .await
        };

        // The captures are looked at, then matched, side by side: locally each runs on its own
        // core; on AWS each is its own Rekognition call.
        let seen = try_join_all(captures.iter().map(|capture| vault.look(capture)))
            .await
            .map_err(face_error)?;
        if let Err(why) = check_liveness(&seen) {
            fail("not_live").await?;
            return Err(AuthError::Invalid(ValidationError(why)));
        }

        let user = match self.ports.users.get(&name).await? {
            Some(user) if self.may_use_faces(&user) => user,
            _ => {
                fail("no_match").await?;
                return Err(AuthError::FaceNotRecognised);
            }
        };
        let account_id = user.id.to_string();
        let likenesses = try_join_all(
            captures
                .iter()
                .map(|capture| vault.verify(&name, &account_id, capture)),
        )
        .await
        .map_err(face_error)?;
        if !likenesses
            .iter()
            .all(|likeness| likeness.as_ref().is_some_and(|l| l.same_person))
        {
            fail("no_match").await?;
            return Err(AuthError::FaceNotRecognised);
        }
        self.release_sign_in(&name, client).await;
        self.audit_as(SignInMethod::Face, &name, client, true, "ok")
            .await?;
        self.issue(user).await
    }
}

fn invalid(why: &str) -> AuthError {
    AuthError::Invalid(ValidationError(why.to_owned()))
}

fn check_size(capture: &[u8]) -> Result<(), AuthError> {
    if capture.is_empty() || capture.len() > MAX_CAPTURE_BYTES {
        return Err(invalid(&format!(
            "A capture must be an image of at most {} KB.",
            MAX_CAPTURE_BYTES / 1024
        )));
    }
    Ok(())
}

fn face_error(err: FaceError) -> AuthError {
    match err {
        FaceError::Unusable(why) => AuthError::Invalid(ValidationError(why)),
        FaceError::Unavailable(cause) => AuthError::Internal(cause),
    }
}
