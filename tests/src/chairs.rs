//! An independent check of "no double booking", read straight from the event store's rows
//! (JSON payloads, not the aggregates' code): after any race or crash,
//!
//! - every live appointment (not cancelled, not a no-show) holds exactly one live reservation,
//!   on the schedule of its barber's local day, over exactly its `[start, end + buffer)`;
//! - every cancelled, no-show or moved-away slot holds none (there are no other appointment
//!   reservations);
//! - the time-off reservations of each barber cover exactly that barber's live time off;
//! - no two live reservations of one barber overlap (buffers included);
//! - no two live appointments of one customer overlap, unless the business allows it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// A stretch `[start, end)` held on a barber's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Held {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug)]
struct Appointment {
    customer: Uuid,
    /// The service itself, `[start, end)`: the customer's time.
    service: Held,
    staff: Uuid,
    date: NaiveDate,
    held: Held,
    live: bool,
}

#[derive(Debug)]
struct Reservation {
    schedule: String,
    kind: String,
    held: Held,
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not an instant: {v}"))
}

fn uuid(v: &Value) -> Uuid {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a uuid: {v}"))
}

fn date(v: &Value) -> NaiveDate {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {v}"))
}

/// What the check found: the live appointments and time offs it verified.
#[derive(Debug, Default)]
pub struct Checked {
    pub live_appointments: usize,
    pub live_reservations: usize,
}

/// Checks every barber of business `tenant_id`; panics naming the first broken promise.
pub async fn assert_every_chair_held_once(pool: &PgPool, tenant_id: Uuid) -> Checked {
    let rows: Vec<(String, String, String, Value)> = sqlx::query_as(
        "select aggregate_type, aggregate_id, event_type, payload from events
          where tenant_id = $1 order by aggregate_type, aggregate_id, sequence",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
    .expect("events read");
    let mut appointments: HashMap<String, Appointment> = HashMap::new();
    let mut reservations: HashMap<Uuid, Reservation> = HashMap::new();
    let mut time_off: HashMap<Uuid, (Uuid, Held)> = HashMap::new();
    let mut overlap_allowed = false;
    for (kind, id, event, payload) in rows {
        let body = &payload[&event];
        match (kind.as_str(), event.as_str()) {
            ("appointment", "AppointmentBooked") => {
                appointments.insert(
                    id,
                    Appointment {
                        customer: uuid(&body["customer_id"]),
                        service: Held {
                            start: instant(&body["starts_at"]),
                            end: instant(&body["ends_at"]),
                        },
                        staff: uuid(&body["staff_id"]),
                        date: date(&body["schedule_date"]),
                        held: Held {
                            start: instant(&body["starts_at"]),
                            end: instant(&body["blocked_until"]),
                        },
                        live: true,
                    },
                );
            }
            ("appointment", "AppointmentRescheduled") => {
                let a = appointments.get_mut(&id).expect("booked first");
                a.service = Held {
                    start: instant(&body["starts_at"]),
                    end: instant(&body["ends_at"]),
                };
                a.staff = uuid(&body["staff_id"]);
                a.date = date(&body["schedule_date"]);
                a.held = Held {
                    start: instant(&body["starts_at"]),
                    end: instant(&body["blocked_until"]),
                };
            }
            ("appointment", "AppointmentServiceChanged") => {
                let a = appointments.get_mut(&id).expect("booked first");
                a.service.end = instant(&body["ends_at"]);
                a.held.end = instant(&body["blocked_until"]);
            }
            ("appointment", "AppointmentCancelled" | "AppointmentMarkedNoShow") => {
                appointments.get_mut(&id).expect("booked first").live = false;
            }
            ("schedule", "SlotReserved") => {
                let previous = reservations.insert(
                    uuid(&body["reservation_id"]),
                    Reservation {
                        schedule: id,
                        kind: body["kind"].as_str().unwrap_or_default().to_owned(),
                        held: Held {
                            start: instant(&body["starts_at"]),
                            end: instant(&body["blocked_until"]),
                        },
                    },
                );
                assert!(previous.is_none(), "a reservation id reserved twice");
            }
            ("schedule", "SlotReleased") => {
                reservations.remove(&uuid(&body["reservation_id"]));
            }
            ("staff", "TimeOffAdded") => {
                let held = Held {
                    start: instant(&body["starts_at"]),
                    end: instant(&body["ends_at"]),
                };
                time_off.insert(
                    uuid(&body["time_off_id"]),
                    (id.parse().expect("uuid"), held),
                );
            }
            ("staff", "TimeOffRemoved") => {
                time_off.remove(&uuid(&body["time_off_id"]));
            }
            ("business", "BookingPolicyChanged") => {
                overlap_allowed = body["policy"]["allow_customer_overlap"] == Value::Bool(true);
            }
            _ => {}
        }
    }

    // appointments: each live one matched to exactly one appointment reservation, and no other
    let mut unmatched: HashSet<Uuid> = reservations
        .iter()
        .filter(|(_, r)| r.kind == "appointment")
        .map(|(id, _)| *id)
        .collect();
    let mut live = 0;
    for (id, a) in appointments.iter().filter(|(_, a)| a.live) {
        live += 1;
        let schedule = format!("{}:{}", a.staff, a.date.format("%Y-%m-%d"));
        let holding: Vec<Uuid> = unmatched
            .iter()
            .copied()
            .filter(|r| reservations[r].schedule == schedule && reservations[r].held == a.held)
            .collect();
        assert_eq!(
            holding.len(),
            1,
            "live appointment {id} ({a:?}) holds {} reservations on {schedule}",
            holding.len()
        );
        unmatched.remove(&holding[0]);
    }
    assert!(
        unmatched.is_empty(),
        "reservations held by no live appointment: {:?}",
        unmatched
            .iter()
            .map(|r| &reservations[r])
            .collect::<Vec<_>>()
    );

    // time off: per barber, the blocks cover exactly the live time off
    let mut blocks: BTreeMap<Uuid, Vec<Held>> = BTreeMap::new();
    for r in reservations.values().filter(|r| r.kind == "time_off") {
        let staff = r.schedule.split(':').next().and_then(|s| s.parse().ok());
        blocks
            .entry(staff.expect("schedule id"))
            .or_default()
            .push(r.held);
    }
    let mut wanted: BTreeMap<Uuid, Vec<Held>> = BTreeMap::new();
    for (staff, held) in time_off.values() {
        wanted.entry(*staff).or_default().push(*held);
    }
    for staff in blocks.keys().chain(wanted.keys()).collect::<HashSet<_>>() {
        assert_eq!(
            merged(blocks.get(staff).cloned().unwrap_or_default()),
            merged(wanted.get(staff).cloned().unwrap_or_default()),
            "barber {staff}: time-off blocks differ from the live time off"
        );
    }

    // no overlap between two live reservations of one barber
    let mut by_staff: BTreeMap<&str, Vec<Held>> = BTreeMap::new();
    for r in reservations.values() {
        let staff = r.schedule.split(':').next().expect("schedule id");
        by_staff.entry(staff).or_default().push(r.held);
    }
    for (staff, mut held) in by_staff {
        held.sort();
        for pair in held.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "barber {staff}: {:?} overlaps {:?}",
                pair[0],
                pair[1]
            );
        }
    }
    // no customer in two chairs at once
    if !overlap_allowed {
        let mut by_customer: BTreeMap<Uuid, Vec<Held>> = BTreeMap::new();
        for a in appointments.values().filter(|a| a.live) {
            by_customer.entry(a.customer).or_default().push(a.service);
        }
        for (customer, mut held) in by_customer {
            held.sort();
            for pair in held.windows(2) {
                assert!(
                    pair[0].end <= pair[1].start,
                    "customer {customer}: {:?} overlaps {:?}",
                    pair[0],
                    pair[1]
                );
            }
        }
    }
    Checked {
        live_appointments: live,
        live_reservations: reservations.len(),
    }
}

/// The stretches sorted, with touching ones joined.
fn merged(mut held: Vec<Held>) -> Vec<Held> {
    held.sort();
    let mut out: Vec<Held> = Vec::new();
    for h in held {
        match out.last_mut() {
            Some(last) if last.end >= h.start => last.end = last.end.max(h.end),
            _ => out.push(h),
        }
    }
    out
}
