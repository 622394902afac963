//! Two deployments on one NATS server, each with its own database, stream and subject prefix.

use async_nats::jetstream;
use futures::StreamExt;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn two_systems_on_one_nats_server_never_see_each_others_events() {
    let first = spawn_app().await;
    let second = spawn_app().await;
    let one = first.owner("first-shop").await;
    let two = second.owner("second-shop").await;
    let (_, p1) = first
        .register_customer(&one.token, &json!({"name": "Ana"}))
        .await;
    let (_, p2) = second
        .register_customer(&two.token, &json!({"name": "Bo"}))
        .await;
    for (app, token, position) in [(&first, &one.token, p1), (&second, &two.token, p2)] {
        let page: serde_json::Value = app
            .get(
                &format!("/api/v1/customers?min_position={position}"),
                Some(token),
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    }

    for app in [&first, &second] {
        let js = jetstream::new(app.env.nats().await);
        let mut stream = js
            .get_stream(&app.env.config.events_stream)
            .await
            .expect("stream exists");
        let info = stream.info().await.expect("info");
        assert_eq!(info.state.messages as i64, app.event_count().await);
        let consumer = stream
            .create_consumer(jetstream::consumer::pull::Config::default())
            .await
            .expect("consumer");
        let mut messages = consumer
            .fetch()
            .max_messages(100)
            .messages()
            .await
            .expect("fetch");
        let prefix = format!("{}.events.", app.env.config.nats_prefix);
        while let Some(message) = messages.next().await {
            let message = message.expect("message");
            assert!(message.subject.starts_with(&prefix), "{}", message.subject);
        }
    }
}
