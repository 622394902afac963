//! Who holds which phone and email in a business's book: `customer_contacts`, the command side's
//! own table, written in the transaction that records the customer's events, so it is always
//! what the event store says (a read model would lag, and two racing registrations would both
//! find the book free).
//!
//! A value being taken is locked first (a transaction-scoped advisory lock on the business, the
//! kind and the value), so of two steps taking one phone the second waits for the first to
//! commit and then sees its row. A customer's rows are keyed by the customer, so a merge or an
//! erasure releases them with one `delete` in its own transaction.

use domain::customer::Customer;
use sqlx::PgConnection;
use uuid::Uuid;

/// Which contact detail two customers share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Phone,
    Email,
}

impl ContactKind {
    /// As stored in `customer_contacts.kind` and answered in a `possible_duplicate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
        }
    }

    fn parse(kind: &str) -> Option<Self> {
        match kind {
            "phone" => Some(Self::Phone),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

impl std::fmt::Display for ContactKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value a kind is compared by, computed in SQL so that every row and every probe agree:
/// the phone as recorded (E.164), the email lower-cased (emails compare case-insensitively).
macro_rules! key {
    () => {
        "case c.kind when 'email' then lower(c.value) else c.value end"
    };
}

/// Locks each value being taken, in one order for everyone.
const LOCK: &str = concat!(
    "select pg_advisory_xact_lock(hashtext('barber-customer-contact'), key)
       from (select distinct hashtext($1::text || '/' || c.kind || '/' || ",
    key!(),
    ") as key
               from unnest($2::text[], $3::text[]) as c(kind, value)
              order by key) as keys"
);

/// The first other customer holding one of the values.
const HOLDER: &str = concat!(
    // one index lookup per value (lateral, not flattened: `offset 0`), whatever the statistics
    "select h.kind, h.customer_id
       from unnest($3::text[], $4::text[]) as c(kind, value)
      cross join lateral (
            select h.kind, h.customer_id, h.claimed_at from customer_contacts h
             where h.tenant_id = $1 and h.kind = c.kind and h.value = ",
    key!(),
    "
               and h.customer_id <> $2
            offset 0) h
      order by h.claimed_at, h.customer_id
      limit 1"
);

/// Takes a value for the customer, in place of the one it had of that kind.
const TAKE: &str = concat!(
    "insert into customer_contacts (tenant_id, customer_id, kind, value)
     select $1, $2, c.kind, ",
    key!(),
    " from (values ($3::text, $4::text)) as c(kind, value)
     on conflict (tenant_id, customer_id, kind)
     do update set value = excluded.value, claimed_at = now()"
);

const RELEASE: &str = "delete from customer_contacts
                        where tenant_id = $1 and customer_id = $2 and kind = $3";

const RELEASE_ALL: &str = "delete from customer_contacts where tenant_id = $1 and customer_id = $2";

/// A customer's phone and email as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    phone: Option<String>,
    email: Option<String>,
}

impl Contacts {
    pub fn of(customer: &Customer) -> Self {
        Self {
            phone: customer.phone().map(str::to_owned),
            email: customer.email().map(str::to_owned),
        }
    }

    fn get(&self, kind: ContactKind) -> Option<&str> {
        match kind {
            ContactKind::Phone => self.phone.as_deref(),
            ContactKind::Email => self.email.as_deref(),
        }
    }

    /// The values `self` holds that `before` did not: what a step takes.
    pub fn taken_since(&self, before: &Contacts) -> Vec<(ContactKind, String)> {
        [ContactKind::Phone, ContactKind::Email]
            .into_iter()
            .filter(|&kind| self.get(kind) != before.get(kind))
            .filter_map(|kind| self.get(kind).map(|value| (kind, value.to_owned())))
            .collect()
    }
}

/// Locks `taken` (in one order for everyone, so two steps never wait on each other in a
/// circle) and answers another customer of the business that holds one of them, the one who
/// took it first.
pub async fn holder(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    taken: &[(ContactKind, String)],
) -> Result<Option<(ContactKind, Uuid)>, sqlx::Error> {
    if taken.is_empty() {
        return Ok(None);
    }
    let kinds: Vec<&str> = taken.iter().map(|(kind, _)| kind.as_str()).collect();
    let values: Vec<&str> = taken.iter().map(|(_, value)| value.as_str()).collect();
    sqlx::query(LOCK)
        .bind(tenant_id)
        .bind(&kinds)
        .bind(&values)
        .fetch_all(&mut *conn)
        .await?;
    let holder: Option<(String, Uuid)> = sqlx::query_as(HOLDER)
        .bind(tenant_id)
        .bind(customer_id)
        .bind(&kinds)
        .bind(&values)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(holder.and_then(|(kind, id)| ContactKind::parse(&kind).map(|kind| (kind, id))))
}

/// Makes the customer's rows hold `after`: a changed value replaces the old one (and is taken
/// from now), a removed one is released.
pub async fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    before: &Contacts,
    after: &Contacts,
) -> Result<(), sqlx::Error> {
    for kind in [ContactKind::Phone, ContactKind::Email] {
        if before.get(kind) == after.get(kind) {
            continue;
        }
        let query = match after.get(kind) {
            Some(value) => sqlx::query(TAKE)
                .bind(tenant_id)
                .bind(customer_id)
                .bind(kind.as_str())
                .bind(value.to_owned()),
            None => sqlx::query(RELEASE)
                .bind(tenant_id)
                .bind(customer_id)
                .bind(kind.as_str()),
        };
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Gives back every phone and email of the customer (merged into another, or erased): the
/// next customer to give them is no duplicate of this record.
pub async fn release_all(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(RELEASE_ALL)
        .bind(tenant_id)
        .bind(customer_id)
        .execute(conn)
        .await?;
    Ok(())
}
