//! Admin routes: `GET /api/users`, `POST /api/users`, `DELETE /api/users/{username}`.

use super::AuthState;
use crate::ApiError;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use facelens_core::domain::{Role, UserView};
use serde::{Deserialize, Serialize};

/// The list of accounts.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct UserList {
    users: Vec<UserView>,
}

#[utoipa::path(
    get,
    path = "/api/users",
    tag = "users",
    responses(
        (status = 200, description = "every account (admins only)", body = UserList),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
) -> Result<Json<UserList>, ApiError> {
    let users = state.service.list_users(&caller).await?;
    Ok(Json(UserList {
        users: users.iter().map(UserView::from).collect(),
    }))
}

/// New account form; the role defaults to `user`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateUser {
    username: String,
    email: String,
    #[serde(default = "default_role")]
    role: Role,
}

fn default_role() -> Role {
    Role::User
}

/// The created account.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Created {
    user: UserView,
}

#[utoipa::path(
    post,
    path = "/api/users",
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "created; the one-time password is mailed to the account", body = Created),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 409, description = "conflicts with what exists", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
    ApiJson(form): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let user = state
        .service
        .create_user(&caller, &form.username, &form.email, form.role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            user: UserView::from(&user),
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/users/{username}",
    tag = "users",
    params(("username" = String, Path, description = "the account's name")),
    responses(
        (status = 204, description = "the account and all its data are deleted"),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody),
        (status = 409, description = "the last admin cannot be deleted", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_user(&caller, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
