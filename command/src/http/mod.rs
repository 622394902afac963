//! The command HTTP API: thin handlers that parse, authorize, run one command and answer with the
//! new ids and the event `position` (for read-your-writes through `min_position`).

mod accounts;
mod appointments;
mod business;
mod customer_merge;
mod customers;
#[cfg(test)]
mod error_catalogue;
mod errors;
mod feeds;
pub use errors::IntoProblem;
pub mod idempotency;
mod known_users;
mod public;
mod services;
mod staff;
mod staff_schedule;
mod users;

use axum::extract::FromRef;
use axum::Router;
use events::EventMetadata;
use platform::auth::{Authenticated, JwtKeys};
use platform::request::RequestContext;
use platform::ApiError;
use serde::Serialize;
use utoipa::OpenApi;
use uuid::Uuid;

pub use known_users::KnownUsers;

/// The paths (under `/api/v1`) of the routes whose body or path says whose a request is, for
/// what routes requests by business (`barber::directory`).
pub mod routes {
    pub use super::accounts::{LOG_IN, LOG_OUT, REFRESH};
    pub use super::public::PUBLIC_PREFIX;
    pub use super::users::{ACCEPT_INVITATION, RESET_PASSWORD};
}

use crate::store::{EventStore, Recording};

/// What the command handlers share.
#[derive(Clone)]
pub struct CommandState {
    pub store: EventStore,
    pub keys: JwtKeys,
    /// Who may send commands: users the accounts know, remembered for a minute.
    pub users: known_users::KnownUsers,
    /// `PUBLIC_URL`: where the links handed out point.
    pub public_url: std::sync::Arc<str>,
}

impl FromRef<CommandState> for JwtKeys {
    fn from_ref(state: &CommandState) -> Self {
        state.keys.clone()
    }
}

/// The answer to a command that created or changed a record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub id: Uuid,
    /// The position of the last event recorded; pass it as `min_position` to read your write.
    /// Absent when the command changed nothing.
    pub position: Option<i64>,
}

/// Tells a field sent as `null` (`Some(None)`) from a field not sent (`None`) in a partial update.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(d).map(Some)
}

/// The metadata of the events a user's request causes.
pub(crate) fn metadata(user: &Authenticated, context: &RequestContext) -> EventMetadata {
    EventMetadata::for_command(
        user.tenant_id,
        user.user_id.to_string(),
        context.correlation_id.clone(),
    )
}

impl CommandState {
    /// Runs `command` on the aggregate `id` for the request's user and answers with the record's
    /// id and the position of what was recorded: what most command routes do.
    pub(crate) async fn accept<A>(
        &self,
        id: Uuid,
        command: A::Command,
        user: &Authenticated,
        context: &RequestContext,
    ) -> Result<Accepted, ApiError>
    where
        A: cqrs_es::Aggregate<Services = ()> + Clone + 'static,
        A::Command: Clone,
        A::Error: IntoProblem,
    {
        self.answer::<A>(id, command, user, context, Recording::default())
            .await
    }

    /// [`Self::accept`] for a command that creates the record under an id it just generated:
    /// there is nothing to load first.
    pub(crate) async fn create<A>(
        &self,
        id: Uuid,
        command: A::Command,
        user: &Authenticated,
        context: &RequestContext,
    ) -> Result<Accepted, ApiError>
    where
        A: cqrs_es::Aggregate<Services = ()> + Clone + 'static,
        A::Command: Clone,
        A::Error: IntoProblem,
    {
        let recording = Recording { new_record: true };
        self.answer::<A>(id, command, user, context, recording)
            .await
    }

    async fn answer<A>(
        &self,
        id: Uuid,
        command: A::Command,
        user: &Authenticated,
        context: &RequestContext,
        recording: Recording,
    ) -> Result<Accepted, ApiError>
    where
        A: cqrs_es::Aggregate<Services = ()> + Clone + 'static,
        A::Command: Clone,
        A::Error: IntoProblem,
    {
        let committed = self
            .store
            .record::<A>(
                &id.to_string(),
                command,
                &metadata(user, context),
                recording,
            )
            .await?;
        Ok(Accepted {
            id,
            position: committed.position,
        })
    }
}

/// The command routes, under `/api/v1`.
pub fn router(state: CommandState) -> Router {
    Router::new()
        .merge(accounts::routes())
        .merge(appointments::routes())
        .merge(business::routes())
        .merge(customers::routes())
        .merge(customer_merge::routes())
        .merge(services::routes())
        .merge(staff::routes())
        .merge(staff_schedule::routes())
        .merge(users::routes())
        .merge(public::routes())
        .merge(feeds::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::guard,
        ))
        // outermost: an unknown user's request stores no idempotency key either
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            known_users::guard,
        ))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        feeds::make_feed,
        staff_schedule::choose_daily_agenda,
        feeds::revoke_feed,
        accounts::sign_up,
        accounts::log_in,
        accounts::refresh,
        accounts::log_out,
        appointments::book_appointment,
        appointments::reschedule_appointment,
        appointments::confirm_appointment,
        appointments::check_in_appointment,
        appointments::start_appointment,
        appointments::complete_appointment,
        appointments::cancel_appointment,
        appointments::mark_no_show,
        appointments::add_note,
        appointments::change_service,
        business::change_settings,
        business::set_booking_policy,
        business::set_opening_hours,
        business::set_online_booking,
        business::set_profile,
        customers::register_customer,
        customers::update_customer,
        customer_merge::merge_customer,
        customers::erase_customer,
        services::create_service,
        services::update_service,
        services::change_service_price,
        services::retire_service,
        staff::add_staff_member,
        staff::update_staff_member,
        staff::deactivate_staff_member,
        staff::reactivate_staff_member,
        staff_schedule::set_working_hours,
        staff_schedule::add_time_off,
        staff_schedule::remove_time_off,
        staff_schedule::offer_services,
        users::invite_user,
        users::change_user,
        users::renew_invitation,
        users::disable_user,
        users::enable_user,
        users::issue_password_reset,
        users::accept_invitation,
        users::reset_password,
        users::change_own_password,
        public::book_online,
        public::cancel_online,
        public::reschedule_online,
    ),
    components(schemas(Accepted, platform::problem::Problem))
)]
pub struct CommandApi;
