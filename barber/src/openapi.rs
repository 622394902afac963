//! The OpenAPI document, generated from the handlers, and the docs page (Swagger UI, vendored:
//! nothing is downloaded at build or run time).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "barber", description = "Booking and CRM for barbershops."),
    modifiers(&BearerAuth)
)]
struct BarberApi;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The whole public API.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BarberApi::openapi();
    doc.merge(command::http::CommandApi::openapi());
    doc.merge(query::QueryApi::openapi());
    doc.merge(notifications::http::NotificationsApi::openapi());
    doc
}

/// `/api/docs` (the page) and `/api/openapi.json` (the document).
pub fn routes() -> axum::Router {
    SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", document())
        .into()
}

#[cfg(test)]
mod tests {
    /// utoipa keeps one schema per name: two types of one name documented in the API would
    /// leave one route described with the other's body (it happened twice). Every type that
    /// derives `ToSchema` in the crates behind the API has a name of its own.
    #[test]
    fn no_two_documented_types_share_a_name() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        let mut files = Vec::new();
        for krate in [
            "command",
            "query",
            "notifications",
            "platform",
            "events",
            "domain",
            "barber",
        ] {
            let mut stack = vec![std::path::Path::new(root).join(krate).join("src")];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "rs") {
                        files.push(path);
                    }
                }
            }
        }
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source");
            let mut derives_schema = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    derives_schema = true;
                } else if derives_schema && !line.starts_with('#') && !line.starts_with("///") {
                    let name = line
                        .trim_start_matches("pub ")
                        .trim_start_matches("pub(crate) ")
                        .strip_prefix("struct ")
                        .or_else(|| line.trim_start_matches("pub ").strip_prefix("enum "))
                        .and_then(|rest| {
                            rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                                .next()
                        });
                    if let Some(name) = name {
                        let place = file.display().to_string();
                        if let Some(other) = seen.insert(name.to_owned(), place.clone()) {
                            panic!("two documented types are called {name}: {other} and {place}");
                        }
                    }
                    derives_schema = false;
                }
            }
        }
        assert!(
            seen.len() > 50,
            "found only {} documented types",
            seen.len()
        );
    }

    /// The web app's API types are generated from `web/openapi.json`; this keeps that file the
    /// document the server serves (`BLESS=1` writes it), so the web app's type check fails when
    /// the API changes under it.
    #[test]
    fn the_web_apps_copy_of_the_document_is_the_served_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/openapi.json");
        let served = serde_json::to_string_pretty(&super::document()).expect("json") + "\n";
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(path, &served).expect("written");
        }
        let copy = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            copy == served,
            "web/openapi.json differs from the served document: run \
             `BLESS=1 cargo nextest run -p barber openapi`, then `npm run api` in web/"
        );
    }

    #[test]
    fn a_parameter_is_in_the_path_exactly_when_the_path_names_it() {
        let doc = serde_json::to_value(super::document()).expect("json");
        for (path, operations) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in operations.as_object().expect("operations") {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().expect("name");
                    let in_path = parameter["in"] == "path";
                    assert_eq!(
                        in_path,
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: parameter {name} is documented in {}",
                        parameter["in"]
                    );
                    if parameter["in"] == "query" && name == "min_position" {
                        assert_ne!(parameter["required"], true, "{method} {path}: {name}");
                    }
                }
            }
        }
    }
}
