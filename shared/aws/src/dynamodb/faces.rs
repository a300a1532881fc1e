//! Which Rekognition face is an account's: one item in the account's partition
//! (`USER#{name}`, `FACE`) holding the face id of the collection and the account id it was
//! enrolled by. The face itself (its vector) lives in the collection only.

use super::item::{get_s, key, s};
use super::keys::{FACE, user_pk};
use super::{DynamoDb, unavailable};
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;

/// An account's enrolled face in the collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceRecord {
    /// The account that enrolled it (a later account of the same name does not match).
    pub account_id: String,
    /// Rekognition's id of the face in the collection.
    pub face_id: String,
}

impl DynamoDb {
    /// The face record of `owner`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when DynamoDB fails or the item is malformed.
    pub async fn face_record(&self, owner: &Username) -> Result<Option<FaceRecord>, StoreError> {
        let found = self
            .client
            .get_item()
            .table_name(&*self.table)
            .set_key(Some(key(user_pk(owner.as_str()), FACE)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem (face)", e))?;
        let Some(item) = found.item else {
            return Ok(None);
        };
        Ok(Some(FaceRecord {
            account_id: get_s(&item, "account_id")?.to_owned(),
            face_id: get_s(&item, "face_id")?.to_owned(),
        }))
    }

    /// Records `owner`'s face, replacing an earlier record.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when DynamoDB fails.
    pub async fn put_face_record(
        &self,
        owner: &Username,
        record: &FaceRecord,
    ) -> Result<(), StoreError> {
        let mut item = key(user_pk(owner.as_str()), FACE);
        item.extend([
            ("entity".to_owned(), s("face")),
            ("account_id".to_owned(), s(&record.account_id)),
            ("face_id".to_owned(), s(&record.face_id)),
        ]);
        self.client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable("PutItem (face)", e))?;
        Ok(())
    }

    /// Removes `owner`'s face record; removing none succeeds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when DynamoDB fails.
    pub async fn delete_face_record(&self, owner: &Username) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(key(user_pk(owner.as_str()), FACE)))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem (face)", e))?;
        Ok(())
    }
}
