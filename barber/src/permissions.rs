//! `docs/permissions.md`, rendered from the code: the table of powers and the roles that hold
//! them (`platform::roles::POWERS`), and each route with the power it asks for, read from the
//! OpenAPI document (each operation's `bearer` scope names its power). A test fails when the
//! page and the code differ (run it with `BLESS=1` to rewrite the page's generated part).

use std::fmt::Write as _;

use platform::roles::{Power, Powers, Role, OWN_CHAIR_ONLY, POWERS};
use utoipa::openapi::OpenApi;

/// The routes open to anyone (no access token: they are how one is got, renewed or given up,
/// the last two with a one-time link instead).
pub const OPEN: [&str; 6] = [
    "/api/v1/signup",
    "/api/v1/login",
    "/api/v1/token/refresh",
    "/api/v1/logout",
    "/api/v1/invitations/accept",
    "/api/v1/password/reset",
];

/// Where the public booking pages' routes live: open to anyone (customers book with no login),
/// limited per client address instead (`platform::rate_limit`).
pub const PUBLIC_PAGES: &str = "/api/v1/public/";

/// Reads open to anyone who has the address: a calendar feed, whose secret token is in its
/// path (calendar apps send no login). `DELETE` on the same path (a revocation by id) asks for
/// a power.
pub const OPEN_READS: [&str; 1] = ["/api/v1/feeds/{id}"];

/// Whether `method` on `path` (as the OpenAPI document names it) is open to anyone.
pub fn is_open(method: &str, path: &str) -> bool {
    OPEN.contains(&path)
        || path.starts_with(PUBLIC_PAGES)
        || (method.eq_ignore_ascii_case("get") && OPEN_READS.contains(&path))
}

/// Each operation of the document (as JSON, as `/api/openapi.json` serves it) with the power it
/// asks for: (method, path, power), in the document's order of paths. An operation without one
/// is open to anyone (signup, login); a scope that names no power reads as none.
pub fn route_powers(json: &serde_json::Value) -> Vec<(String, String, Option<Power>)> {
    let mut routes = Vec::new();
    let Some(paths) = json["paths"].as_object() else {
        return routes;
    };
    for (path, operations) in paths {
        let Some(operations) = operations.as_object() else {
            continue;
        };
        for (method, operation) in operations {
            let scope = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|requirement| requirement["bearer"].as_array())
                .flatten()
                .find_map(|scope| scope.as_str());
            routes.push((
                method.to_uppercase(),
                path.clone(),
                scope.and_then(Power::parse),
            ));
        }
    }
    routes
}

/// The generated part of the page.
pub fn render(doc: &OpenApi) -> String {
    let mut page = String::new();
    let roles: Vec<&str> = Role::ALL.iter().map(|role| role.name()).collect();
    let _ = writeln!(page, "| power | what it allows | {} |", roles.join(" | "));
    let _ = writeln!(page, "|---|---|{}", "---|".repeat(roles.len()));
    for (power, what, _) in POWERS {
        let marks: Vec<&str> = Role::ALL
            .iter()
            .map(|role| if role.may(power) { "✓" } else { "" })
            .collect();
        let _ = writeln!(
            page,
            "| `{}` | {what} | {} |",
            power.name(),
            marks.join(" | ")
        );
    }
    let own: Vec<&str> = OWN_CHAIR_ONLY.iter().map(|role| role.name()).collect();
    let _ = writeln!(page);
    let _ = writeln!(
        page,
        "A login of {} sees and works only its own chair (the staff member it is linked to): \
         the calendar, the appointments and their workflow steps; another chair's appointment \
         is 404 to read and 403 `not_your_chair` to work.",
        own.join(", ")
    );
    let _ = writeln!(page);
    let _ = writeln!(page, "| method | route | power | who |");
    let _ = writeln!(page, "|---|---|---|---|");
    let json = serde_json::to_value(doc).unwrap_or_default();
    for (method, path, power) in route_powers(&json) {
        let (power, who) = match power {
            Some(power) => {
                let who: Vec<&str> = power.holders().iter().map(|role| role.name()).collect();
                (format!("`{}`", power.name()), who.join(", "))
            }
            None => (String::new(), "anyone".to_owned()),
        };
        let _ = writeln!(page, "| {method} | `{path}` | {power} | {who} |");
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- permissions: generated from platform/src/roles.rs and the routes' \
                         OpenAPI scopes; `BLESS=1 cargo test -p barber permissions` rewrites it -->";
    const END: &str = "<!-- end of permissions -->";

    #[test]
    fn every_route_asks_for_a_known_power_but_the_open_ones() {
        let json = serde_json::to_value(crate::openapi::document()).expect("json");
        for (method, path, power) in route_powers(&json) {
            let open = is_open(&method, &path);
            assert_eq!(power.is_none(), open, "{method} {path}");
        }
    }

    #[test]
    fn the_permissions_page_is_rendered_from_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/permissions.md");
        let page = std::fs::read_to_string(path).expect("docs/permissions.md");
        let (Some(start), Some(end)) = (page.find(BEGIN), page.find(END)) else {
            panic!("docs/permissions.md has lost its generated part's markers");
        };
        let generated = format!("{BEGIN}\n{}{END}", render(&crate::openapi::document()));
        let documented = &page[start..end + END.len()];
        if std::env::var("BLESS").is_ok() {
            std::fs::write(path, page.replacen(documented, &generated, 1))
                .expect("docs/permissions.md written");
            return;
        }
        assert_eq!(
            documented, generated,
            "docs/permissions.md is out of date: run `BLESS=1 cargo test -p barber permissions`"
        );
    }
}
