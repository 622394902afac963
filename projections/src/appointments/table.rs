//! The `appointments` table: its rows read and written in one statement per batch.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::row::AppointmentRow;
use crate::copy::BinaryRows;
use crate::error::ApplyError;

/// Every column, in the table's order: what [`load`] selects and [`store`] writes.
const COLUMNS: &str = "tenant_id, appointment_id, customer_id, staff_id, service_id, \
    service_name, starts_at, ends_at, blocked_until, schedule_date, price_cents, currency, \
    source, status, booked_by, booked_at, confirmed_at, checked_in_at, started_at, \
    completed_at, cancelled_at, cancelled_by, cancellation_reason, late_cancellation, \
    no_show_at, amount_paid_cents, tip_cents, payment_method, rescheduled_count, notes, \
    updated_at, version";

/// The rows of these appointments that exist, by (tenant, appointment).
pub(super) async fn load(
    conn: &mut PgConnection,
    keys: &[(Uuid, Uuid)],
) -> Result<HashMap<(Uuid, Uuid), AppointmentRow>, sqlx::Error> {
    let (tenants, ids): (Vec<Uuid>, Vec<Uuid>) = keys.iter().copied().unzip();
    let rows: Vec<AppointmentRow> = sqlx::query_as(&format!(
        "select {COLUMNS} from appointments
          where (tenant_id, appointment_id) in (select * from unnest($1::uuid[], $2::uuid[]))"
    ))
    .bind(&tenants)
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.tenant_id, r.appointment_id), r))
        .collect())
}

/// Writes `rows` in one statement, each over the row it was folded from (a row never goes
/// back to an older version).
pub(super) async fn store(
    conn: &mut PgConnection,
    rows: &[AppointmentRow],
) -> Result<(), ApplyError> {
    if rows.is_empty() {
        return Ok(());
    }
    macro_rules! column {
        ($field:ident) => {
            rows.iter().map(|r| r.$field.clone()).collect::<Vec<_>>()
        };
    }
    let notes: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| serde_json::to_value(&r.notes.0))
        .collect::<Result<_, _>>()?;
    let updates = COLUMNS
        .split(", ")
        .map(str::trim)
        .filter(|c| !matches!(*c, "tenant_id" | "appointment_id"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "insert into appointments ({COLUMNS})
         select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[],
             $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::date[],
             $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[],
             $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[],
             $20::timestamptz[], $21::timestamptz[], $22::text[], $23::text[], $24::bool[],
             $25::timestamptz[], $26::bigint[], $27::bigint[], $28::text[], $29::int[],
             $30::jsonb[], $31::timestamptz[], $32::bigint[])
         on conflict (tenant_id, appointment_id) do update set {updates}
          where appointments.version < excluded.version"
    ))
    .bind(column!(tenant_id))
    .bind(column!(appointment_id))
    .bind(column!(customer_id))
    .bind(column!(staff_id))
    .bind(column!(service_id))
    .bind(column!(service_name))
    .bind(column!(starts_at))
    .bind(column!(ends_at))
    .bind(column!(blocked_until))
    .bind(column!(schedule_date))
    .bind(column!(price_cents))
    .bind(column!(currency))
    .bind(column!(source))
    .bind(column!(status))
    .bind(column!(booked_by))
    .bind(column!(booked_at))
    .bind(column!(confirmed_at))
    .bind(column!(checked_in_at))
    .bind(column!(started_at))
    .bind(column!(completed_at))
    .bind(column!(cancelled_at))
    .bind(column!(cancelled_by))
    .bind(column!(cancellation_reason))
    .bind(column!(late_cancellation))
    .bind(column!(no_show_at))
    .bind(column!(amount_paid_cents))
    .bind(column!(tip_cents))
    .bind(column!(payment_method))
    .bind(column!(rescheduled_count))
    .bind(notes)
    .bind(column!(updated_at))
    .bind(column!(version))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes `rows`, none of which exists yet, with one `COPY` (a conflict fails it).
pub(super) async fn copy_new(
    conn: &mut PgConnection,
    rows: &[AppointmentRow],
) -> Result<(), ApplyError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut copied = BinaryRows::new(32);
    for r in rows {
        let encoded = (|| {
            copied.row();
            copied.field(&r.tenant_id)?;
            copied.field(&r.appointment_id)?;
            copied.field(&r.customer_id)?;
            copied.field(&r.staff_id)?;
            copied.field(&r.service_id)?;
            copied.field(&r.service_name)?;
            copied.field(&r.starts_at)?;
            copied.field(&r.ends_at)?;
            copied.field(&r.blocked_until)?;
            copied.field(&r.schedule_date)?;
            copied.field(&r.price_cents)?;
            copied.field(&r.currency)?;
            copied.field(&r.source)?;
            copied.field(&r.status)?;
            copied.field(&r.booked_by)?;
            copied.field(&r.booked_at)?;
            copied.field(&r.confirmed_at)?;
            copied.field(&r.checked_in_at)?;
            copied.field(&r.started_at)?;
            copied.field(&r.completed_at)?;
            copied.field(&r.cancelled_at)?;
            copied.field(&r.cancelled_by)?;
            copied.field(&r.cancellation_reason)?;
            copied.field(&r.late_cancellation)?;
            copied.field(&r.no_show_at)?;
            copied.field(&r.amount_paid_cents)?;
            copied.field(&r.tip_cents)?;
            copied.field(&r.payment_method)?;
            copied.field(&r.rescheduled_count)?;
            copied.field(&r.notes)?;
            copied.field(&r.updated_at)?;
            copied.field(&r.version)
        })();
        encoded.map_err(|err| ApplyError::Invalid(format!("an appointment row: {err}")))?;
    }
    copied
        .copy(
            conn,
            &format!("copy appointments ({COLUMNS}) from stdin (format binary)"),
        )
        .await?;
    Ok(())
}
