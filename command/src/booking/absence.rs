//! The bookings in the way when a barber is away: a time off over booked appointments, or a
//! deactivation with bookings ahead. By default the step is refused (409
//! `bookings_in_the_way`) with the appointments listed, so the desk sees whom to call. Or the
//! desk decides in the same request, and the absence and what becomes of each appointment are
//! one decision: **move** them to another barber free at the same time (one named, or the first
//! of the business's active barbers, in id order, who offers the service and is free), or
//! **cancel** them with a reason. Nothing is half done: if one appointment cannot be moved, none
//! is, and the answer lists those that could not (409 `no_barber_free`).

use chrono::{DateTime, Utc};
use domain::appointment::{slot_reservation_id, Appointment, AppointmentCommand};
use domain::bookable::Stretch;
use domain::customer::Customer;
use domain::customer_day::{CustomerDay, CustomerDayCommand, CustomerDayId};
use domain::schedule::{Interval, Schedule, ScheduleCommand, ScheduleId};
use domain::staff::StaffMember;
use events::EventMetadata;
use serde::Serialize;
use uuid::Uuid;

use super::facts::{self, Lookup};
use super::BookingError;
use crate::store::{CommandError, Decision, EventStore, Known, StaffFence};
use events::schedule::ReservationKind;

/// What to do with the appointments an absence would strand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Bookings {
    /// Refuse the absence and list them (the default): nothing changes until the desk decides.
    #[default]
    Refuse,
    /// Move each to another barber free at the same time: `to`, or the first active barber who
    /// offers its service and is free.
    Move { to: Option<Uuid> },
    /// Cancel each, with the reason recorded on the cancellation.
    Cancel { reason: Option<String> },
}

/// An appointment in the way of an absence, as the desk needs it to call the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Displaced {
    pub appointment_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
}

/// An appointment found in the way, with what moving or cancelling it decides on.
pub(super) struct Found {
    appointment: Known<Appointment>,
    day: ScheduleId,
    reservation_id: Uuid,
    customer_day: Option<(CustomerDayId, Known<CustomerDay>)>,
    pub displaced: Displaced,
}

/// How far back a reservation recorded before schedules kept their holder is traced to its
/// appointment: its id is the appointment's for the booked slot and a derived one per move
/// (`slot_reservation_id`), so the appointment is one of these many candidates.
const TRACED_MOVES: u32 = 16;

/// The live appointments on `days` whose stretch (buffer included) meets `within`, in order of
/// start, read in two statements.
pub(super) async fn in_the_way(
    store: &EventStore,
    days: &[(ScheduleId, &Schedule)],
    within: Interval,
) -> Result<Vec<Found>, BookingError> {
    let held: Vec<(ScheduleId, Uuid, Vec<Uuid>)> = days
        .iter()
        .flat_map(|(id, schedule)| {
            schedule
                .reservations()
                .iter()
                .filter(|r| r.kind == ReservationKind::Appointment)
                .filter(|r| r.blocked().overlaps(&within))
                .map(|r| {
                    let candidates = match r.holder {
                        Some(holder) => vec![holder],
                        None => (0..=TRACED_MOVES)
                            .map(|moves| slot_reservation_id(r.id, moves))
                            .collect(),
                    };
                    (*id, r.id, candidates)
                })
        })
        .collect();
    let mut reading = store.reading();
    let wanted: Vec<_> = held
        .iter()
        .map(|(_, _, candidates)| {
            candidates
                .iter()
                .map(|c| (*c, reading.want::<Appointment>(&c.to_string())))
                .collect::<Vec<_>>()
        })
        .collect();
    let newer = reading.read().await?;
    let mut appointments = Vec::with_capacity(held.len());
    for ((day, reservation_id, candidates), wanted) in held.into_iter().zip(wanted) {
        let named = candidates.len() == 1;
        let mut matched = false;
        for (id, candidate) in wanted {
            let known = newer.known(candidate)?;
            if known.state.reservation_id() == Some(reservation_id) {
                appointments.push((id, day, reservation_id, known));
                matched = true;
                break;
            }
        }
        if named && !matched {
            // the appointment moved since its day was read: decide the step again
            return Err(BookingError::Conflict);
        }
    }
    // their customers (for the name) and customer-days (a cancellation frees that time too)
    let mut reading = store.reading();
    let people: Vec<_> = appointments
        .iter()
        .map(|(_, day, _, known)| {
            let customer_id = known.state.customer_id()?;
            let customer = reading.want::<Customer>(&customer_id.to_string());
            let day_id = CustomerDayId {
                customer_id,
                date: day.date,
            };
            let customer_day = reading.want::<CustomerDay>(&day_id.to_string());
            Some((customer_id, customer, day_id, customer_day))
        })
        .collect();
    let newer = reading.read().await?;
    let mut found = Vec::with_capacity(appointments.len());
    for ((id, day, reservation_id, appointment), person) in appointments.into_iter().zip(people) {
        let Some((customer_id, customer, day_id, customer_day)) = person else {
            continue;
        };
        let customer = newer.fold(customer)?;
        let slot = &appointment.state;
        let (Some(starts_at), Some(ends_at), Some(service_id)) =
            (slot.starts_at(), slot.ends_at(), slot.service_id())
        else {
            continue;
        };
        found.push(Found {
            displaced: Displaced {
                appointment_id: id,
                starts_at,
                ends_at,
                staff_id: day.staff_id,
                service_id,
                customer_id,
                customer_name: customer.name().map(str::to_owned),
            },
            customer_day: Some((day_id, newer.known(customer_day)?)),
            appointment,
            day,
            reservation_id,
        });
    }
    found.sort_by_key(|f| (f.displaced.starts_at, f.displaced.appointment_id));
    Ok(found)
}

/// Decides what becomes of `found` (the absent barber's appointments) into `decision`: refused
/// with the list, cancelled, or moved. Their slots on the absent barber's days are released
/// here, before the caller blocks those days.
pub(super) async fn clear(
    store: &EventStore,
    decision: &mut Decision<'_>,
    (tenant_id, absent): (Uuid, Uuid),
    found: Vec<Found>,
    days: &[(ScheduleId, Known<Schedule>)],
    bookings: &Bookings,
    (metadata, now): (&EventMetadata, DateTime<Utc>),
) -> Result<(), BookingError> {
    if found.is_empty() {
        return Ok(());
    }
    let day_of = |id: ScheduleId| {
        days.iter()
            .find(|(d, _)| *d == id)
            .map(|(_, known)| known.clone())
            .unwrap_or_else(Known::new_record)
    };
    match bookings {
        Bookings::Refuse => Err(BookingError::BookingsInTheWay(
            found.into_iter().map(|f| f.displaced).collect(),
        )),
        Bookings::Cancel { reason } => {
            for f in found {
                let cancel = AppointmentCommand::Cancel {
                    tenant_id,
                    now,
                    by: metadata.actor.clone(),
                    reason: reason.clone(),
                    // the shop is cancelling, not the customer: never a late cancellation of theirs
                    cancellation_window_minutes: 0,
                };
                let id = f.displaced.appointment_id;
                decision
                    .decide::<Appointment>(&id.to_string(), f.appointment, cancel)
                    .await?;
                release(decision, tenant_id, &f.day, f.reservation_id, day_of(f.day)).await?;
                if let Some((day_id, known)) = f.customer_day {
                    let release = CustomerDayCommand::Release {
                        appointment_id: id,
                        tenant_id,
                    };
                    decision
                        .decide::<CustomerDay>(&day_id.to_string(), known, release)
                        .await?;
                }
            }
            Ok(())
        }
        Bookings::Move { to } => {
            let (barbers, named) = match to {
                Some(to) => (vec![*to], true),
                None => (other_barbers(store, tenant_id, absent).await?, false),
            };
            let mut stuck = Vec::new();
            for f in found {
                let moved =
                    move_one(store, decision, tenant_id, (&barbers, named), &f, now).await?;
                if moved {
                    release(decision, tenant_id, &f.day, f.reservation_id, day_of(f.day)).await?;
                } else {
                    stuck.push(f.displaced);
                }
            }
            if stuck.is_empty() {
                Ok(())
            } else {
                Err(BookingError::NoBarberFree(stuck))
            }
        }
    }
}

/// Gives an appointment's slot back on the absent barber's day.
async fn release(
    decision: &mut Decision<'_>,
    tenant_id: Uuid,
    day: &ScheduleId,
    reservation_id: Uuid,
    known: Known<Schedule>,
) -> Result<(), BookingError> {
    let release = ScheduleCommand::Release {
        reservation_id,
        tenant_id,
    };
    decision
        .decide::<Schedule>(&day.to_string(), known, release)
        .await?;
    Ok(())
}

/// The business's barbers other than `absent`, in id order.
async fn other_barbers(
    store: &EventStore,
    tenant_id: Uuid,
    absent: Uuid,
) -> Result<Vec<Uuid>, BookingError> {
    Ok(store
        .records_of::<StaffMember>(tenant_id, None)
        .await?
        .iter()
        .filter_map(|id| id.parse().ok())
        .filter(|id| *id != absent)
        .collect())
}

/// Moves `f` to the first of `barbers` who can take it at the same time; whether one could.
/// A barber `named` by the desk who cannot take it is refused with their reason.
async fn move_one(
    store: &EventStore,
    decision: &mut Decision<'_>,
    tenant_id: Uuid,
    (barbers, named): (&[Uuid], bool),
    f: &Found,
    now: DateTime<Utc>,
) -> Result<bool, BookingError> {
    let Displaced {
        appointment_id,
        starts_at,
        ends_at,
        service_id,
        ..
    } = f.displaced;
    let state = &f.appointment.state;
    let (Some(blocked_until), Some(moves)) = (state.blocked_until(), state.moves()) else {
        return Ok(false);
    };
    for &barber in barbers {
        let lookup = Lookup {
            tenant_id,
            customer_id: None,
            staff_id: barber,
            service_id,
            starts_at,
            also: None,
            customer_day: None,
            also_customer_day: None,
        };
        let facts = match facts::gather(store, lookup).await {
            Ok(facts) => facts,
            // a barber named by the desk who cannot take it says why
            Err(refusal) if named => return Err(refusal),
            Err(_) => continue,
        };
        if facts.outside_opening_hours(facts.date, starts_at, ends_at) {
            continue;
        }
        let stretch = Stretch {
            starts_at,
            ends_at,
            blocked_until,
        };
        let reservation = slot_reservation_id(appointment_id, moves + 1);
        let reserve = facts.reserve((appointment_id, reservation), tenant_id, barber, stretch);
        let day = ScheduleId::new(barber, facts.date);
        match decision
            .decide::<Schedule>(&day.to_string(), facts.day, reserve)
            .await
        {
            Ok(_) => {}
            Err(CommandError::Refused(refusal)) if named => {
                return Err(BookingError::Schedule(refusal))
            }
            Err(CommandError::Refused(_)) => continue,
            Err(other) => return Err(other.into()),
        }
        let reschedule = AppointmentCommand::Reschedule {
            tenant_id,
            staff_id: barber,
            starts_at,
            ends_at,
            blocked_until,
            schedule_date: facts.date,
            now,
        };
        decision
            .decide::<Appointment>(
                &appointment_id.to_string(),
                f.appointment.clone(),
                reschedule,
            )
            .await?;
        decision.fence(facts.fence);
        decision.fence_staff(StaffFence { staff_id: barber });
        return Ok(true);
    }
    Ok(false)
}
