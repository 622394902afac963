//! The prepared shop the cases run against: a business with a barber, a service, a customer, an
//! appointment and a time off, and a second business with the same, whose ids are another
//! tenant's.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{Case, Payload};
use crate::booking::{book, shop_named, utc_day_at};
use crate::helpers::{spawn_app, TestApp};

/// What an id in a path or a body names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Customer,
    Service,
    Staff,
    Appointment,
    TimeOff,
    /// A login of the business (an invited barber).
    User,
    /// A message to a customer (its appointment's email confirmation).
    Notification,
    /// A calendar feed of the business.
    Feed,
    /// A webhook endpoint of the business.
    Webhook,
    /// A delivery to one of its webhook endpoints.
    Delivery,
}

impl Kind {
    /// What the API answers for an id of this kind it cannot find in the caller's business.
    pub fn not_found(self) -> &'static str {
        match self {
            Self::Customer => "customer_not_found",
            Self::Service => "service_not_found",
            Self::Staff => "staff_not_found",
            Self::Appointment => "appointment_not_found",
            Self::TimeOff => "time_off_not_found",
            Self::User => "user_not_found",
            Self::Notification => "notification_not_found",
            Self::Feed => "feed_not_found",
            Self::Webhook => "webhook_not_found",
            Self::Delivery => "delivery_not_found",
        }
    }

    /// The placeholders of `template` and what each names: `{id}` is the record of the route's
    /// resource (`/customers/{id}` a customer), `{time_off_id}` a time off.
    pub fn placeholders(template: &str) -> Vec<(&'static str, Self)> {
        let resource = match template.trim_start_matches("/api/v1/").split('/').next() {
            Some("customers") => Self::Customer,
            Some("services") => Self::Service,
            Some("staff") => Self::Staff,
            Some("appointments") => Self::Appointment,
            Some("users") => Self::User,
            Some("notifications") => Self::Notification,
            Some("feeds") => Self::Feed,
            Some("webhooks") if template.contains("/deliveries/") => Self::Delivery,
            Some("webhooks") => Self::Webhook,
            _ => return Vec::new(),
        };
        [("{id}", resource), ("{time_off_id}", Self::TimeOff)]
            .into_iter()
            .filter(|(placeholder, _)| template.contains(placeholder))
            .collect()
    }
}

/// The records of one business.
pub struct Ids {
    pub customer: Uuid,
    pub service: Uuid,
    pub staff: Uuid,
    pub appointment: Uuid,
    pub time_off: Uuid,
    pub user: Uuid,
    pub notification: Uuid,
    pub feed: Uuid,
    pub webhook: Uuid,
    pub delivery: Uuid,
}

impl Ids {
    /// Ids of no business, for reading the tables without a server.
    pub fn made_up() -> Self {
        Self {
            customer: Uuid::new_v4(),
            service: Uuid::new_v4(),
            staff: Uuid::new_v4(),
            appointment: Uuid::new_v4(),
            time_off: Uuid::new_v4(),
            user: Uuid::new_v4(),
            notification: Uuid::new_v4(),
            feed: Uuid::new_v4(),
            webhook: Uuid::new_v4(),
            delivery: Uuid::new_v4(),
        }
    }

    pub fn get(&self, kind: Kind) -> Uuid {
        match kind {
            Kind::Customer => self.customer,
            Kind::Service => self.service,
            Kind::Staff => self.staff,
            Kind::Appointment => self.appointment,
            Kind::TimeOff => self.time_off,
            Kind::User => self.user,
            Kind::Notification => self.notification,
            Kind::Feed => self.feed,
            Kind::Webhook => self.webhook,
            Kind::Delivery => self.delivery,
        }
    }

    /// The kind of record `id` is, if it is one of these.
    pub fn kind_of(&self, id: &str) -> Option<Kind> {
        [
            Kind::Customer,
            Kind::Service,
            Kind::Staff,
            Kind::Appointment,
            Kind::TimeOff,
            Kind::User,
            Kind::Notification,
            Kind::Feed,
            Kind::Webhook,
            Kind::Delivery,
        ]
        .into_iter()
        .find(|kind| self.get(*kind).to_string() == id)
    }

    /// `template` with every placeholder filled with these ids.
    pub fn fill(&self, template: &str) -> String {
        Kind::placeholders(template)
            .into_iter()
            .fold(template.to_owned(), |path, (placeholder, kind)| {
                path.replace(placeholder, &self.get(kind).to_string())
            })
    }
}

/// The app, its two businesses, and the methods the OpenAPI document serves on each path.
pub struct Fixture {
    pub app: TestApp,
    /// The owner of the first business, whose token every case but signup and login sends.
    pub token: String,
    pub own: Ids,
    pub foreign: Ids,
    served: BTreeMap<String, BTreeSet<String>>,
}

impl Fixture {
    pub async fn prepare() -> Self {
        let app = spawn_app().await;
        let (token, own) = business(&app, "fade-street").await;
        let (_, foreign) = business(&app, "other-street").await;
        let openapi = app.openapi().await;
        let served = openapi["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .map(|(path, methods)| {
                let methods = methods.as_object().expect("methods");
                (
                    path.clone(),
                    methods.keys().map(|m| m.to_uppercase()).collect(),
                )
            })
            .collect();
        Self {
            app,
            token,
            own,
            foreign,
            served,
        }
    }

    /// The methods the API serves on `template`.
    pub fn served(&self, template: &str) -> BTreeSet<String> {
        self.served.get(template).cloned().unwrap_or_default()
    }

    pub async fn send(&self, case: &Case) -> Response {
        let mut request = self
            .app
            .client
            .request(case.method.clone(), self.app.url(&case.path));
        if !case.public {
            request = request.bearer_auth(&self.token);
        }
        request = match &case.payload {
            Payload::None => request,
            Payload::Json(body) => request.json(body),
            Payload::Raw(bytes, content_type) => {
                let request = request.body(bytes.clone());
                match content_type {
                    Some(content_type) => request.header("content-type", *content_type),
                    None => request,
                }
            }
        };
        for (name, value) in &case.headers {
            request = request.header(*name, value);
        }
        request.send().await.expect("answer")
    }
}

/// A shop under `slug` with an appointment in three days and a time off in five; its owner's
/// token and its ids.
async fn business(app: &TestApp, slug: &str) -> (String, Ids) {
    let shop = shop_named(app, slug, "UTC", 0).await;
    // a public address no test sends to successfully: its deliveries only fail and wait
    let webhook = id_of(
        app.post_json(
            "/api/v1/webhooks",
            Some(&shop.owner.token),
            &json!({"url": "https://93.184.216.34/hook", "event_types": ["appointment.booked"]}),
        )
        .await,
    )
    .await;
    let appointment = id_of(book(app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let time_off = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            Some(&shop.owner.token),
            &json!({"starts_at": utc_day_at(5, 9, 0), "ends_at": utc_day_at(5, 10, 0)}),
        )
        .await;
    let invited = app
        .post_json(
            "/api/v1/users",
            Some(&shop.owner.token),
            &json!({"email": format!("barber@{slug}.example"), "name": "Joe", "role": "barber",
                    "staff_id": shop.staff_id}),
        )
        .await;
    let feed = app
        .post_json("/api/v1/feeds", Some(&shop.owner.token), &json!({}))
        .await;
    let ids = Ids {
        customer: shop.customer_id,
        service: shop.service_id,
        staff: shop.staff_id,
        appointment,
        time_off: id_of(time_off).await,
        user: id_of(invited).await,
        notification: projections::notifications::plan::notification_id(
            appointment,
            events::appointment::NotificationKind::Confirmation,
            events::appointment::NotificationChannel::Email,
            "",
        ),
        feed: id_of(feed).await,
        webhook,
        // the booking's delivery to it (its id is the endpoint's and the event's)
        delivery: Uuid::new_v5(&webhook, format!("appointment:{appointment}:1").as_bytes()),
    };
    (shop.owner.token, ids)
}

async fn id_of(response: Response) -> Uuid {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}
