//! `GET /customers` (search, tag filter and keyset pagination) and `GET /customers/{id}` (with
//! the customer's visit summary, [`crate::visits`]).
//!
//! An erased customer is left out of the list (nothing of them is left to find) and answers by
//! id with `erased_at` and every personal field empty.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::{ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cursor;
use crate::freshness::{APPOINTMENTS, CUSTOMERS};
use crate::visits::{summary, VisitSummary};
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/customers", get(list_customers))
        .route("/customers/{id}", get(get_customer))
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CustomerView {
    #[sqlx(rename = "customer_id")]
    id: Uuid,
    /// `null` only once erased.
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    notes: Option<String>,
    /// Lower-case, sorted.
    tags: Vec<String>,
    /// A JSON object; `{}` when there are none.
    #[schema(value_type = Object)]
    preferences: serde_json::Value,
    /// Whether marketing may be sent to the customer.
    marketing_consent: bool,
    /// Whether the customer wants reminders of their appointments.
    reminders: bool,
    /// When the answer on record was given (or withdrawn); absent if the customer never answered.
    marketing_consent_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Set on a duplicate merged into another customer: the record that holds its appointments
    /// now. A merged customer is left out of the list and search.
    merged_into: Option<Uuid>,
    /// When the customer's personal data was erased at their request; absent while it is not.
    /// An erased customer's name, phone, email and notes are `null`, their preferences `{}`.
    erased_at: Option<DateTime<Utc>>,
    /// The list's sort key as the database computed it: what a cursor carries.
    #[serde(skip)]
    sort_name: String,
}

/// One customer with their history in figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerDetail {
    #[serde(flatten)]
    customer: CustomerView,
    /// Visits, spend, no-shows and what is booked ahead; a merged duplicate's appointments
    /// count for the customer it was merged into.
    visit_summary: VisitSummary,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerPage {
    items: Vec<CustomerView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListCustomers {
    /// Searches name, phone and email: a substring, in any case and with or without accents
    /// (`chloe` finds `Chloé`); a phone number as typed, international or national in the
    /// business's country (`07700 900123` finds `+447700900123` in a `GB` shop).
    q: Option<String>,
    /// Only customers with this tag (exact, case-insensitive: tags are stored lower-case).
    tag: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
    /// Wait until the list includes the write that answered this position.
    min_position: Option<i64>,
}

/// What a customer answers with; `LIST` and `GET` read the same columns.
macro_rules! columns {
    () => {
        "customer_id, case when erased_at is null then name end as name, phone, email, notes, \
         tags, preferences, marketing_consent, marketing_consent_at, reminders, created_at, updated_at, \
         merged_into, erased_at, sort_name"
    };
}

const LIST: &str = concat!(
    "select ",
    columns!(),
    "
  from customers
 where tenant_id = $1
   and merged_into is null
   and erased_at is null
   and ($2::text is null or search_text like barber_fold($2))
   and ($3::text is null or (sort_name, customer_id) > ($3, $4))
   and ($6::text is null or tags @> array[$6::text])
 order by sort_name, customer_id
 limit $5"
);

const GET: &str = concat!(
    "select ",
    columns!(),
    " from customers where tenant_id = $1 and customer_id = $2"
);

/// The business's customers by name, optionally searched.
#[utoipa::path(get, path = "/api/v1/customers", params(ListCustomers), tag = "customers",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = CustomerPage), (status = 400, body = platform::problem::Problem)))]
pub async fn list_customers(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<ListCustomers>,
) -> Result<(HeaderMap, Json<CustomerPage>), ApiError> {
    let limit = cursor::page_size(params.limit)?;
    let after: Option<(String, Uuid)> = params.cursor.as_deref().map(cursor::decode).transpose()?;
    let consistency = state
        .freshness
        .wait_for(CUSTOMERS, params.min_position)
        .await?;
    let pattern = match params.q.as_deref() {
        Some(q) if is_phone_like(q) => {
            let country = business_country(&state.pool, user.tenant_id).await?;
            search_pattern(q, country.as_deref())
        }
        Some(q) => search_pattern(q, None),
        None => None,
    };
    let mut items: Vec<CustomerView> = sqlx::query_as(LIST)
        .bind(user.tenant_id)
        .bind(pattern)
        .bind(after.as_ref().map(|(name, _)| name.clone()))
        .bind(after.as_ref().map(|(_, id)| *id))
        .bind(limit + 1)
        .bind(params.tag.as_deref().and_then(tag_filter))
        .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;
    let next_cursor = if items.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        items.pop();
        items
            .last()
            .map(|last| cursor::encode(&(&last.sort_name, last.id)))
    } else {
        None
    };
    Ok((
        consistency.headers(),
        Json(CustomerPage { items, next_cursor }),
    ))
}

/// Whether `q` looks like (part of) a phone number: digits and what people type between them.
fn is_phone_like(q: &str) -> bool {
    q.chars().any(|c| c.is_ascii_digit())
        && q.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
}

/// The business's country, whose numbering plan a phone typed in national format follows.
async fn business_country(
    pool: &sqlx::PgPool,
    tenant_id: Uuid,
) -> Result<Option<String>, ApiError> {
    let country: Option<Option<String>> =
        sqlx::query_scalar("select country from businesses where tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *crate::reader::read(pool, tenant_id).await?)
            .await?;
    Ok(country.flatten())
}

/// A `like` pattern for a search, folded by the database like the text it searches. A whole
/// phone number, international or national in `country`, is searched in E.164; part of one
/// loses the separators people type, and the trunk prefix when typed nationally (`07700 9`
/// searches `77009`).
fn search_pattern(q: &str, country: Option<&str>) -> Option<String> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let q = if is_phone_like(q) {
        phone_term(q, country)
    } else {
        q.to_owned()
    };
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// What a phone-looking search looks for in the stored E.164 numbers.
fn phone_term(q: &str, country: Option<&str>) -> String {
    if let Some(number) = domain::phone::to_e164(q, country) {
        return number;
    }
    let digits: String = q
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let national = country
        .filter(|_| !digits.starts_with('+'))
        .and_then(domain::phone::national_prefix);
    match national {
        Some(prefix) if digits.len() > prefix.len() && digits.starts_with(&prefix) => {
            digits[prefix.len()..].to_owned()
        }
        _ => digits,
    }
}

/// A tag as the command side stores it (trimmed, spaces collapsed, lower-case); blank is no
/// filter.
fn tag_filter(tag: &str) -> Option<String> {
    let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
    (!tag.is_empty()).then(|| tag.to_lowercase())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetCustomer {
    /// Wait until the record includes the write that answered this position.
    min_position: Option<i64>,
}

/// One customer, with their visit summary.
#[utoipa::path(get, path = "/api/v1/customers/{id}", params(("id" = Uuid, Path), GetCustomer),
    tag = "customers", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = CustomerDetail), (status = 404, body = platform::problem::Problem)))]
pub async fn get_customer(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiPath(customer_id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<GetCustomer>,
) -> Result<(HeaderMap, Json<CustomerDetail>), ApiError> {
    let consistency = state
        .freshness
        .wait_for_all(&[CUSTOMERS, APPOINTMENTS], params.min_position)
        .await?;
    let customer: Option<CustomerView> = sqlx::query_as(GET)
        .bind(user.tenant_id)
        .bind(customer_id)
        .fetch_optional(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;
    let customer = customer
        .ok_or_else(|| ApiError::not_found("customer_not_found", "the customer does not exist"))?;
    let visit_summary = summary(&state.pool, user.tenant_id, customer_id, Utc::now()).await?;
    Ok((
        consistency.headers(),
        Json(CustomerDetail {
            customer,
            visit_summary,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::{search_pattern, tag_filter};

    #[test]
    fn search_patterns_escape_wildcards_and_strip_phone_separators() {
        assert_eq!(search_pattern("  ", None), None);
        assert_eq!(search_pattern(" Chloé ", None).as_deref(), Some("%Chloé%"));
        assert_eq!(
            search_pattern("50%_off", None).as_deref(),
            Some("%50\\%\\_off%")
        );
        assert_eq!(
            search_pattern("+44 7700-900", None).as_deref(),
            Some("%+447700900%")
        );
    }

    #[test]
    fn a_phone_typed_nationally_is_searched_as_stored() {
        let gb = Some("GB");
        let cases = [
            ("07700 900123", gb, "%+447700900123%"),
            ("+44 7700 900123", gb, "%+447700900123%"),
            ("(212) 555-0100", Some("US"), "%+12125550100%"),
            // part of a number: its digits, without the trunk prefix when typed nationally
            ("07700 9", gb, "%77009%"),
            ("900 123", gb, "%900123%"),
            ("+44 7700", gb, "%+447700%"),
            // without a country, a national number is only digits
            ("07700 900123", None, "%07700900123%"),
        ];
        for (q, country, pattern) in cases {
            assert_eq!(
                search_pattern(q, country).as_deref(),
                Some(pattern),
                "{q} in {country:?}"
            );
        }
    }

    #[test]
    fn tag_filters_match_the_stored_form() {
        assert_eq!(tag_filter(" VIP ").as_deref(), Some("vip"));
        assert_eq!(tag_filter("Skin  Fade").as_deref(), Some("skin fade"));
        assert_eq!(tag_filter("  "), None);
    }
}
