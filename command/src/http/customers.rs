//! `POST /customers`, `PATCH /customers/{id}`, `POST /customers/{id}/erase`.
//!
//! A request becomes one step of the customer book ([`customer_book::register`] or
//! [`customer_book::update`]) carrying every part sent: the profile, then tags, preferences and
//! consent. Its events are recorded together (the answer's `position` is the last one's) or,
//! if any part is refused or the phone or email is another customer's, not at all. Erasing is
//! [`customer_book::erase`], for owners only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use chrono::Utc;
use domain::customer::{CustomerDetails, CustomerProfile, MarketingConsent, ProfileChanges};
use platform::json::{ApiJson, ApiPath};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use uuid::Uuid;

use super::{Accepted, CommandState};
use crate::customer_book::{self, CustomerChange, NewCustomer};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/customers", post(register_customer))
        .route("/customers/{id}", patch(update_customer))
        .route("/customers/{id}/erase", post(erase_customer))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterCustomerRequest {
    name: String,
    /// International, e.g. `+44 7700 900123`, or national in the business's country, e.g.
    /// `07700 900123` for `GB`; stored in E.164 (`+447700900123`).
    phone: Option<String>,
    email: Option<String>,
    notes: Option<String>,
    /// Up to 20 labels of 1–40 characters `a-z`, `0-9`, space and dash, e.g. `["vip", "beard"]`;
    /// stored lower-cased, distinct and sorted.
    tags: Option<Vec<String>>,
    /// A JSON object of at most 8 KiB, e.g. `{"barber": "Jo", "drink": "espresso"}`.
    #[schema(value_type = Option<Object>)]
    preferences: Option<Value>,
    /// Whether the customer agrees to receive marketing; absent means no.
    #[serde(default, deserialize_with = "not_null")]
    marketing_consent: Option<bool>,
    /// Whether the customer wants reminders of their appointments; absent means yes.
    #[serde(default, deserialize_with = "not_null")]
    reminders: Option<bool>,
    /// Register even if another customer has this phone or email (a parent and a child
    /// sharing a phone); without it such a request is refused `409 possible_duplicate`.
    #[serde(default, deserialize_with = "not_null")]
    allow_duplicate: Option<bool>,
}

/// Adds a customer to the business's book.
#[utoipa::path(post, path = "/api/v1/customers", request_body = RegisterCustomerRequest,
    tag = "customers", security(("bearer" = ["keep_customers"])),
    responses((status = 201, body = Accepted),
        (status = 409, body = platform::problem::Problem, description = POSSIBLE_DUPLICATE),
        (status = 422, body = platform::problem::Problem)))]
pub async fn register_customer(
    State(state): State<CommandState>,
    May(user, _): May<power::KeepCustomers>,
    context: RequestContext,
    ApiJson(body): ApiJson<RegisterCustomerRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let customer_id = Uuid::new_v4();
    let request = NewCustomer {
        customer_id,
        tenant_id: user.tenant_id,
        profile: CustomerProfile {
            name: body.name,
            phone: body.phone,
            email: body.email,
            notes: body.notes,
        },
        details: CustomerDetails {
            tags: body.tags,
            preferences: body.preferences,
            marketing_consent: body.marketing_consent.map(consent_now),
            reminders: body.reminders.map(consent_now),
        },
        allow_duplicate: body.allow_duplicate.unwrap_or(false),
    };
    let metadata = super::metadata(&user, &context);
    let committed = customer_book::register(&state.store, request, &metadata).await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            id: customer_id,
            position: committed.position,
        }),
    ))
}

/// How a duplicate is answered, for the API docs.
const POSSIBLE_DUPLICATE: &str = "`possible_duplicate`: another customer of the business has \
    this phone or email; the problem carries `existing_customer_id` and `duplicate_contact` \
    (`phone` or `email`). Send `allow_duplicate: true` to record it anyway.";

/// A partial update: absent fields stay, `null` clears an optional field (tags and preferences
/// included); `marketing_consent` is `true` or `false`, never `null`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    name: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    notes: Option<Option<String>>,
    /// Replaces all the tags; `[]` or `null` removes them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<String>>)]
    tags: Option<Option<Vec<String>>>,
    /// Replaces the whole object (no merge); `{}` or `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    preferences: Option<Option<Value>>,
    #[serde(default, deserialize_with = "not_null")]
    marketing_consent: Option<bool>,
    /// Whether the customer wants reminders of their appointments (confirmations and notices
    /// of a change go all the same).
    #[serde(default, deserialize_with = "not_null")]
    reminders: Option<bool>,
    /// Take a phone or email another customer has all the same; without it such a change is
    /// refused `409 possible_duplicate`.
    #[serde(default, deserialize_with = "not_null")]
    allow_duplicate: Option<bool>,
}

/// Changes a customer's profile, tags, preferences or marketing consent.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", request_body = UpdateCustomerRequest,
    tag = "customers", security(("bearer" = ["keep_customers"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem, description = POSSIBLE_DUPLICATE),
        (status = 422, body = platform::problem::Problem)))]
pub async fn update_customer(
    State(state): State<CommandState>,
    May(user, _): May<power::KeepCustomers>,
    context: RequestContext,
    ApiPath(customer_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateCustomerRequest>,
) -> Result<Json<Accepted>, ApiError> {
    // always decided, even when empty: it is what answers 404 for another business's customer
    let request = CustomerChange {
        customer_id,
        tenant_id: user.tenant_id,
        profile: ProfileChanges {
            name: body.name,
            phone: body.phone,
            email: body.email,
            notes: body.notes,
        },
        details: CustomerDetails {
            tags: body.tags.map(Option::unwrap_or_default),
            preferences: body
                .preferences
                .map(|p| p.unwrap_or_else(|| Value::Object(serde_json::Map::new()))),
            marketing_consent: body.marketing_consent.map(consent_now),
            reminders: body.reminders.map(consent_now),
        },
        allow_duplicate: body.allow_duplicate.unwrap_or(false),
    };
    let metadata = super::metadata(&user, &context);
    let committed = customer_book::update(&state.store, request, &metadata).await?;
    Ok(Json(Accepted {
        id: customer_id,
        position: committed.position,
    }))
}

/// Erases a customer's personal data at their request: irreversible. Their name, phone, email,
/// notes and preferences, and the text of notes on their appointments, become unreadable
/// everywhere, the event store included; their phone and email are free for others. Their
/// appointments, payments and history stay. Erasing again changes nothing (`position` absent).
#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", tag = "customers",
    security(("bearer" = ["erase_customers"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted),
        (status = 403, body = platform::problem::Problem, description = "not an owner"),
        (status = 404, body = platform::problem::Problem)))]
pub async fn erase_customer(
    State(state): State<CommandState>,
    May(user, _): May<power::EraseCustomers>,
    context: RequestContext,
    ApiPath(customer_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let metadata = super::metadata(&user, &context);
    let committed = customer_book::erase(
        &state.store,
        user.tenant_id,
        customer_id,
        &metadata,
        Utc::now(),
    )
    .await?;
    Ok(Json(Accepted {
        id: customer_id,
        position: committed.position,
    }))
}

/// The answer the request gives, stamped with the server's clock: the moment the business
/// recorded it.
fn consent_now(given: bool) -> MarketingConsent {
    MarketingConsent {
        given,
        at: Utc::now(),
    }
}

/// Tells a field sent as `null` (`Some(None)`) from a field not sent (`None`).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A field that may be left out but, when sent, must have a value: `null` is refused.
fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}
