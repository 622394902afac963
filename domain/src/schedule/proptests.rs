//! Properties of the Schedule under random sequences of reservations, releases and moves
//! (reschedules within the day), decided and
//! applied as the event store would (each command on the state left by the ones before; a
//! writer that lost a race is decided again on that fresh state, which is this same sequence).
//!
//! The day is 2026-10-25 in London, 25 hours long, so starts on the 5-minute grid run from the
//! day's first instant past its last; `open` intervals are random per command, as hours change.

use std::collections::HashMap;

use chrono::TimeDelta;
use chrono_tz::Europe::London;
use proptest::prelude::*;

use super::*;

const MINE: Uuid = Uuid::nil();
const THEIRS: Uuid = Uuid::from_u128(1);
const JO: Uuid = Uuid::from_u128(2);

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 25).expect("date")
}

/// The instant `slot` five-minute steps after the day's first instant.
fn slot(slot: i64) -> DateTime<Utc> {
    day::day_bounds(London, date()).start + TimeDelta::minutes(5 * slot)
}

#[derive(Debug, Clone)]
enum Step {
    Reserve {
        id: u128,
        tenant: Uuid,
        kind: ReservationKind,
        start: i64,
        minutes: i64,
        buffer: i64,
        open: Vec<(i64, i64)>,
    },
    Release {
        id: u128,
        tenant: Uuid,
    },
    /// A reschedule within the day: `replaces` moves to a new stretch under id `id`.
    Move {
        id: u128,
        replaces: u128,
        start: i64,
        minutes: i64,
        buffer: i64,
        open: Vec<(i64, i64)>,
    },
}

fn tenant() -> impl Strategy<Value = Uuid> {
    prop_oneof![19 => Just(MINE), 1 => Just(THEIRS)]
}

fn step() -> impl Strategy<Value = Step> {
    let kind =
        prop_oneof![4 => Just(ReservationKind::Appointment), 1 => Just(ReservationKind::TimeOff)];
    // mostly a usual rota (09:00-17:00 GMT with lunch 12:00-12:30; slot 0 is local midnight,
    // 23:00 UTC the evening before), else random pieces anywhere
    let usual = vec![(120, 36), (162, 54)];
    let random = prop::collection::vec((0i64..300, 1i64..120), 0..4);
    let open = prop_oneof![2 => Just(usual), 1 => random];
    // mostly in working hours, where the contention is, else anywhere and past either end
    let start = prop_oneof![3 => 114i64..220, 1 => -6i64..306];
    let reserve = (0u128..24, tenant(), kind, start, -1i64..24, 0i64..7, open).prop_map(
        |(id, tenant, kind, start, minutes, buffer, open)| Step::Reserve {
            id,
            tenant,
            kind,
            start,
            minutes: minutes * 5,
            buffer: buffer * 5,
            open,
        },
    );
    let release = (0u128..24, tenant()).prop_map(|(id, tenant)| Step::Release { id, tenant });
    let usual = vec![(120, 36), (162, 54)];
    let moving = (0u128..24, 0u128..24, 114i64..220, 1i64..24, 0i64..7).prop_map(
        move |(id, replaces, start, minutes, buffer)| Step::Move {
            id,
            replaces,
            start,
            minutes: minutes * 5,
            buffer: buffer * 5,
            open: usual.clone(),
        },
    );
    prop_oneof![3 => reserve, 1 => release, 1 => moving]
}

fn command(step: &Step) -> ScheduleCommand {
    match step.clone() {
        Step::Reserve {
            id,
            tenant,
            kind,
            start,
            minutes,
            buffer,
            open,
        } => {
            let starts_at = slot(start);
            let ends_at = starts_at + TimeDelta::minutes(minutes);
            ScheduleCommand::Reserve {
                reservation_id: Uuid::from_u128(id),
                tenant_id: tenant,
                staff_id: JO,
                date: date(),
                tz: London,
                kind,
                starts_at,
                ends_at,
                blocked_until: ends_at + TimeDelta::minutes(buffer),
                open: intervals(open),
                holder: Uuid::from_u128(id),
            }
        }
        Step::Release { id, tenant } => ScheduleCommand::Release {
            reservation_id: Uuid::from_u128(id),
            tenant_id: tenant,
        },
        Step::Move {
            id,
            replaces,
            start,
            minutes,
            buffer,
            open,
        } => {
            let starts_at = slot(start);
            let ends_at = starts_at + TimeDelta::minutes(minutes);
            ScheduleCommand::Move {
                reservation_id: Uuid::from_u128(id),
                replaces: Uuid::from_u128(replaces),
                tenant_id: MINE,
                staff_id: JO,
                date: date(),
                tz: London,
                starts_at,
                ends_at,
                blocked_until: ends_at + TimeDelta::minutes(buffer),
                open: intervals(open),
                holder: Uuid::from_u128(id),
            }
        }
    }
}

fn intervals(open: Vec<(i64, i64)>) -> Vec<Interval> {
    open.into_iter()
        .map(|(s, len)| Interval {
            start: slot(s),
            end: slot(s + len),
        })
        .collect()
}

/// Whether a fresh reservation of `command` breaks no rule but overlap.
fn acceptable_but_for_overlap(command: &ScheduleCommand) -> Option<Interval> {
    let ScheduleCommand::Reserve {
        tenant_id,
        kind,
        starts_at,
        ends_at,
        blocked_until,
        open,
        ..
    } = command
    else {
        return None;
    };
    let blocked = Interval {
        start: *starts_at,
        end: *blocked_until,
    };
    let fits = *tenant_id == MINE
        && starts_at < ends_at
        && ends_at <= blocked_until
        && day::day_bounds(London, date()).contains(&blocked)
        // the service in working hours; its buffer may run past them (into a break, or past
        // closing), but never past the day
        && (*kind == ReservationKind::TimeOff
            || open.iter().any(|o| o.contains(&Interval { start: *starts_at, end: *ends_at })));
    fits.then_some(blocked)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn live_reservations_never_overlap_and_appointments_stay_in_their_hours(steps in prop::collection::vec(step(), 1..60)) {
        let mut schedule = Schedule::default();
        let mut reserved_with: HashMap<Uuid, Vec<Interval>> = HashMap::new();
        for step in &steps {
            let command = command(step);
            let fresh = match &command {
                ScheduleCommand::Reserve { reservation_id, .. } => {
                    !schedule.is_reserved(*reservation_id) && !schedule.released.contains(reservation_id)
                }
                ScheduleCommand::Release { .. } | ScheduleCommand::Move { .. } => false,
            };
            let overlapping: Vec<Uuid> = acceptable_but_for_overlap(&command)
                .map(|b| schedule.reservations().iter().filter(|r| r.blocked().overlaps(&b)).map(|r| r.id).collect())
                .unwrap_or_default();
            let decision = schedule.decide(command.clone());

            // no false refusal: a fresh, valid reservation is refused only for a real overlap
            if fresh && schedule.tenant_id.is_none_or(|t| t == MINE) {
                if let Some(_blocked) = acceptable_but_for_overlap(&command) {
                    match &decision {
                        Ok(events) if !events.is_empty() => prop_assert!(overlapping.is_empty(), "{:?} accepted over {:?}", command, overlapping),
                        Err(ScheduleError::SlotTaken { conflicting }
                            | ScheduleError::DuringTimeOff { conflicting }
                            | ScheduleError::ConflictsWithAppointment { conflicting }) => {
                            prop_assert!(overlapping.contains(conflicting), "{:?}: {:?} is not in the way", command, conflicting);
                        }
                        other => prop_assert!(false, "{:?} gave {:?}", command, other),
                    }
                }
            }

            for event in schedule.decide(command.clone()).unwrap_or_default() {
                if let ScheduleEvent::SlotReserved { reservation_id, kind: ReservationKind::Appointment, .. } = &event {
                    if let ScheduleCommand::Reserve { open, .. } | ScheduleCommand::Move { open, .. } = &command {
                        reserved_with.insert(*reservation_id, open.clone());
                    }
                }
                schedule.apply(event);
            }

            let live = schedule.reservations();
            for (i, a) in live.iter().enumerate() {
                prop_assert!(a.starts_at < a.ends_at && a.ends_at <= a.blocked_until);
                for b in &live[i + 1..] {
                    prop_assert!(!a.blocked().overlaps(&b.blocked()), "{:?} overlaps {:?}", a, b);
                }
                if a.kind == ReservationKind::Appointment {
                    let open = reserved_with.get(&a.id).map(Vec::as_slice).unwrap_or_default();
                    prop_assert!(open.iter().any(|o| o.contains(&a.service())), "{:?} outside {:?}", a, open);
                }
            }
            prop_assert!(live.windows(2).all(|w| w[0].starts_at <= w[1].starts_at), "sorted");
        }
    }
}
