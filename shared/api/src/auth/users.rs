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
#[derive(Serialize)]
pub(super) struct UserList {
    users: Vec<UserView>,
}

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
#[derive(Deserialize)]
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
#[derive(Serialize)]
pub(super) struct Created {
    user: UserView,
}

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

pub(super) async fn remove(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_user(&caller, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
