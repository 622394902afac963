//! Webhooks: a business registers HTTPS endpoints and the event types it wants; each event of
//! those types becomes a delivery per endpoint ([`fanout`], the `webhooks` durable consumer),
//! sent signed by the Standard Webhooks convention ([`signing`]), in order per record, retried
//! for about a day, logged ([`dispatch`]). Endpoints on private addresses are refused
//! ([`address`]). The routes are in [`http`]; what an event is called and carries, in
//! [`events`].

pub mod address;
pub mod dispatch;
pub mod events;
pub mod fanout;
pub mod http;
pub mod signing;
