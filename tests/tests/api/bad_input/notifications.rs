//! The notification routes' rows: a retry is bodiless, its id a message of the business.

use reqwest::Method;

use super::{run, Fixture, Ids, Route};

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    vec![Route::new(
        Method::POST,
        "/api/v1/notifications/{id}/retry",
        own,
    )]
}

#[tokio::test]
async fn the_notification_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}
