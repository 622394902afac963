//! The calendar feed routes' rows: a feed of a barber's chair or the shop's, and its revocation.

use reqwest::Method;
use serde_json::json;

use super::{run, Fixture, Ids, Route};

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    vec![
        Route::new(Method::POST, "/api/v1/feeds", own)
            .optional_body(json!({"staff_id": own.staff})),
        Route::new(Method::DELETE, "/api/v1/feeds/{id}", own),
    ]
}

#[tokio::test]
async fn the_feed_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}
