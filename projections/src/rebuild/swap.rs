//! The swap: the rebuilt tables take the live ones' place in one transaction (the caller's,
//! which holds the live checkpoint).
//!
//! 1. **The sequence guard** is merged, not moved (its table holds every projection's rows),
//!    and only where the two can differ: the aggregates with an event after the live
//!    checkpoint. Every event up to the live checkpoint in commit order is applied by the live
//!    projection, and by the rebuild (whose final gate was taken after the live batches
//!    committed, so it holds all the live one has and more); an aggregate with no event after
//!    the live checkpoint has all its events applied on both sides, and the same guard row.
//!    That is the projection's lag, a handful of rows, found by the store's commit-order index
//!    (a new projection, with no checkpoint yet, merges all). It comes first, before any table
//!    lock, so readers never wait for it.
//! 2. **The tables** are swapped, not copied: the live ones are dropped and the shadow's moved
//!    into `public` under the same names, with the live ones' foreign keys, grants, row-level
//!    security and policies (read from the catalog just before) set on them again. Readers wait
//!    for the commit (milliseconds: no row is copied) and then see the new tables whole; a
//!    copy of the rows into the live tables would have written every row again through every
//!    index. A reader that reads several tables in one snapshot locks them first
//!    (`query::snapshot`), so no old snapshot meets a new table.

use sqlx::PgConnection;

use super::shadow::{Schema, SEQUENCES};
use crate::projection::{Projection, Registered};
use crate::store::Position;

/// A live table's definition that a table moved in must be given again.
struct Carried {
    table: &'static str,
    /// `alter table … add constraint` statements of its foreign keys.
    foreign_keys: Vec<String>,
    /// `grant` and `create policy` statements, and row-level security's switches.
    access: Vec<String>,
}

/// Swaps the rebuilt tables of `schema` in (see the module documentation); the caller's
/// transaction has left the shadow tables and holds the live checkpoint, at `live`.
pub(super) async fn swap_in(
    conn: &mut PgConnection,
    projection: &Registered,
    schema: &Schema,
    live: Position,
) -> Result<(), sqlx::Error> {
    merge_sequences(&mut *conn, projection, schema, live).await?;
    let mut carried = Vec::new();
    for table in projection.tables() {
        carried.push(carried_of(&mut *conn, table).await?);
    }
    let live: Vec<String> = projection
        .tables()
        .iter()
        .map(|t| format!("public.{t}"))
        .collect();
    // no cascade: a table outside the projection that refers to one of these fails the swap
    sqlx::query(&format!("drop table {}", live.join(", ")))
        .execute(&mut *conn)
        .await?;
    for table in projection.tables() {
        sqlx::query(&format!(
            "alter table {}.{table} set schema public",
            schema.name()
        ))
        .execute(&mut *conn)
        .await?;
    }
    let again: Vec<&String> = carried
        .iter()
        .flat_map(|c| c.foreign_keys.iter().chain(&c.access))
        .collect();
    for statement in again {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    // every business's rows may differ now
    sqlx::query("update read_model_versions set changed_at = now() where read_model = $1")
        .bind(projection.name())
        .execute(&mut *conn)
        .await?;
    tracing::debug!(
        tables = ?carried.iter().map(|c| c.table).collect::<Vec<_>>(),
        "rebuilt tables swapped in"
    );
    Ok(())
}

/// Makes the live guard's rows of `projection` those of the rebuild, for every aggregate with
/// an event after `live` in commit order (the others are the same on both sides).
async fn merge_sequences(
    conn: &mut PgConnection,
    projection: &Registered,
    schema: &Schema,
    live: Position,
) -> Result<(), sqlx::Error> {
    let shadow = format!("{}.{SEQUENCES}", schema.name());
    // one commit-order index range per type
    let touched = "select distinct e.aggregate_type, e.aggregate_id
                     from unnest($2::text[]) as t(aggregate_type)
                     cross join lateral (
                         select ev.aggregate_type, ev.aggregate_id from events ev
                          where ev.aggregate_type = t.aggregate_type
                            and (ev.transaction_id, ev.global_position) > ($3::text::xid8, $4)) e";
    sqlx::query(&format!(
        "insert into public.{SEQUENCES} (projection, aggregate_type, aggregate_id, last_sequence)
         select s.projection, s.aggregate_type, s.aggregate_id, s.last_sequence
           from ({touched}) t
           join {shadow} s on s.projection = $1 and s.aggregate_type = t.aggregate_type
                          and s.aggregate_id = t.aggregate_id
         on conflict (projection, aggregate_type, aggregate_id)
         do update set last_sequence = excluded.last_sequence
          where {SEQUENCES}.last_sequence <> excluded.last_sequence"
    ))
    .bind(projection.name())
    .bind(projection.aggregate_types())
    .bind(live.xid())
    .bind(live.global_position)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "delete from public.{SEQUENCES} l using ({touched}) t
          where l.projection = $1 and l.aggregate_type = t.aggregate_type
            and l.aggregate_id = t.aggregate_id
            and not exists (
                select 1 from {shadow} s
                 where s.projection = $1 and s.aggregate_type = l.aggregate_type
                   and s.aggregate_id = l.aggregate_id)"
    ))
    .bind(projection.name())
    .bind(projection.aggregate_types())
    .bind(live.xid())
    .bind(live.global_position)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What the live `table` has that the copy made with `like` has not.
async fn carried_of(conn: &mut PgConnection, table: &'static str) -> Result<Carried, sqlx::Error> {
    let foreign_keys: Vec<String> = sqlx::query_scalar(
        "select format('alter table public.%I add constraint %I %s',
                       $1::text, conname, pg_get_constraintdef(oid))
           from pg_constraint
          where conrelid = ('public.' || quote_ident($1))::regclass and contype = 'f'
          order by conname",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let mut access: Vec<String> = sqlx::query_scalar(
        "select format('grant %s on public.%I to %s%s', a.privilege_type, $1::text,
                       case when a.grantee = 0 then 'public'
                            else quote_ident(pg_get_userbyid(a.grantee)) end,
                       case when a.is_grantable then ' with grant option' else '' end)
           from pg_class c, aclexplode(c.relacl) a
          where c.oid = ('public.' || quote_ident($1))::regclass
          order by a.grantee, a.privilege_type",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let (row_security, forced): (bool, bool) = sqlx::query_as(
        "select relrowsecurity, relforcerowsecurity from pg_class
          where oid = ('public.' || quote_ident($1))::regclass",
    )
    .bind(table)
    .fetch_one(&mut *conn)
    .await?;
    if row_security {
        access.push(format!(
            "alter table public.{table} enable row level security"
        ));
    }
    if forced {
        access.push(format!(
            "alter table public.{table} force row level security"
        ));
    }
    let policies: Vec<String> = sqlx::query_scalar(
        "select format('create policy %I on public.%I as %s for %s to %s%s%s',
                       policyname, $1::text, permissive, cmd,
                       (select string_agg(case when r = 'public' then 'public'
                                               else quote_ident(r) end, ', ')
                          from unnest(roles) r),
                       coalesce(' using (' || qual || ')', ''),
                       coalesce(' with check (' || with_check || ')', ''))
           from pg_policies
          where schemaname = 'public' and tablename = $1
          order by policyname",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    access.extend(policies);
    Ok(Carried {
        table,
        foreign_keys,
        access,
    })
}
