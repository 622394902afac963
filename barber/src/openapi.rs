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
    doc
}

/// `/api/docs` (the page) and `/api/openapi.json` (the document).
pub fn routes() -> axum::Router {
    SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", document())
        .into()
}
