//! Paging through customers whose names lower-case differently by language (a final sigma, a
//! dotted capital I, a titlecase digraph, accents): every customer is on exactly one page.

use std::collections::HashMap;

use serde_json::json;

use super::every_page;
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_customer_appears_exactly_once_across_pages_of_one() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let names = [
        "ΝΙΚΟΣ",
        "Νίκος",
        "νικος",
        "İlker",
        "ilker",
        "ILKER",
        "ǅemal",
        "ǆemal",
        "Émile",
        "emile",
        "Straße",
        "STRASSE",
        "Zoë",
    ];
    let mut last = 0;
    let mut registered = HashMap::new();
    for name in names {
        let (id, position) = app
            .register_customer(&owner.token, &json!({"name": name}))
            .await;
        registered.insert(id.to_string(), name);
        last = position;
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in every_page(&app, &owner.token, 1, last).await {
        *seen
            .entry(item["id"].as_str().expect("id").to_owned())
            .or_default() += 1;
    }

    let wrong: Vec<_> = registered
        .iter()
        .filter(|(id, _)| seen.get(*id) != Some(&1))
        .map(|(id, name)| (*name, seen.get(id).copied().unwrap_or(0)))
        .collect();
    assert!(wrong.is_empty(), "seen other than once: {wrong:?}");
    assert_eq!(seen.len(), names.len());
}
