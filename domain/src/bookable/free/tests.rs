//! Free starts: the grid marks a booking would accept, around reservations and breaks, inside
//! the window, and right on a daylight-saving day.

use chrono::TimeZone;
use chrono_tz::{Europe, Tz};
use events::staff::{Break, ClockTime, Weekday, WorkingDay};

use super::*;

fn time(h: u32, m: u32) -> ClockTime {
    ClockTime::new(h, m).expect("a clock time")
}

/// A local `(hour, minute)`.
type Hm = (u32, u32);

fn week(start: Hm, end: Hm, breaks: &[(Hm, Hm)]) -> Vec<WorkingDay> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .map(|weekday| WorkingDay {
        weekday,
        start: time(start.0, start.1),
        end: time(end.0, end.1),
        breaks: breaks
            .iter()
            .map(|(s, e)| Break {
                start: time(s.0, s.1),
                end: time(e.0, e.1),
            })
            .collect(),
    })
    .collect()
}

fn policy() -> BookingPolicy {
    BookingPolicy {
        min_lead_minutes: 60,
        max_advance_days: 60,
        cancellation_window_minutes: 60,
        default_buffer_minutes: 0,
        reminder_offsets_minutes: vec![],
        allow_customer_overlap: false,
        notification_channels: vec![],
        follow_up: false,
        check_in_opens_minutes: 60,
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("instant")
}

fn search<'a>(
    tz: Tz,
    policy: &'a BookingPolicy,
    hours: &'a [WorkingDay],
    now: DateTime<Utc>,
    asker: Asker,
) -> Search<'a> {
    Search {
        policy,
        now,
        asker,
        length: Duration::minutes(30),
        buffer: Duration::minutes(10),
        hours: Hours {
            timezone: tz,
            working_hours: hours,
            opening_hours: None,
        },
    }
}

#[test]
fn every_mark_where_the_service_fits_is_free_and_a_reservation_takes_its_stretch_and_buffer() {
    let policy = policy();
    let hours = week((9, 0), (12, 0), &[((10, 30), (11, 0))]);
    let date = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
    let free = search(
        chrono_tz::UTC,
        &policy,
        &hours,
        utc(2026, 12, 1, 9, 0),
        Asker::Shop,
    );
    let all = free.free_starts(date, &[]);
    // 09:00–10:30 (the buffer may run into the break) and 11:00–12:00
    assert_eq!(all.first(), Some(&utc(2026, 12, 7, 9, 0)));
    assert!(all.contains(&utc(2026, 12, 7, 10, 0)));
    assert!(
        !all.contains(&utc(2026, 12, 7, 10, 5)),
        "the service would run into the break"
    );
    assert!(
        all.contains(&utc(2026, 12, 7, 11, 30)),
        "the last slot before closing"
    );
    assert_eq!(all.len(), 13 + 7);

    let taken = Reservation {
        id: Uuid::new_v4(),
        kind: ReservationKind::Appointment,
        starts_at: utc(2026, 12, 7, 9, 0),
        ends_at: utc(2026, 12, 7, 9, 30),
        blocked_until: utc(2026, 12, 7, 9, 40),
        holder: None,
    };
    let around = free.free_starts(date, &[taken]);
    // a start whose service and buffer ([s, s + 40 min)) would overlap [09:00, 09:40) is gone;
    // touching is fine
    assert!(!around.contains(&utc(2026, 12, 7, 9, 35)));
    assert_eq!(around.first(), Some(&utc(2026, 12, 7, 9, 40)));
    assert_eq!(around.len(), 5 + 7);
}

#[test]
fn a_customer_is_offered_nothing_inside_the_lead_time_nor_beyond_the_horizon() {
    let policy = policy();
    let hours = week((9, 0), (12, 0), &[]);
    let now = utc(2026, 12, 7, 9, 2);
    let free = search(chrono_tz::UTC, &policy, &hours, now, Asker::Customer);
    let today = free.free_starts(NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"), &[]);
    assert_eq!(
        today.first(),
        Some(&utc(2026, 12, 7, 10, 5)),
        "an hour's lead time"
    );
    let shop = search(chrono_tz::UTC, &policy, &hours, now, Asker::Shop);
    let today = shop.free_starts(NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"), &[]);
    assert_eq!(
        today.first(),
        Some(&utc(2026, 12, 7, 9, 5)),
        "the shop books up to now"
    );
    let far = free.free_starts(NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"), &[]);
    assert!(far.is_empty(), "beyond 60 days");
}

#[test]
fn on_the_spring_forward_day_the_missing_hour_offers_nothing() {
    let policy = policy();
    // 00:00–03:00 local in London on 29 March 2026: 01:00–02:00 does not exist, so it is two
    // real hours, 00:00–02:00 UTC
    let hours = week((0, 0), (3, 0), &[]);
    let free = search(
        Europe::London,
        &policy,
        &hours,
        utc(2026, 3, 1, 0, 0),
        Asker::Shop,
    );
    let starts = free.free_starts(NaiveDate::from_ymd_opt(2026, 3, 29).expect("date"), &[]);
    assert_eq!(starts.first(), Some(&utc(2026, 3, 29, 0, 0)));
    assert_eq!(starts.last(), Some(&utc(2026, 3, 29, 1, 30)));
    assert_eq!(starts.len(), 19);
}

/// Every mark of the local day asked of the rules, one by one: what the search must find.
fn every_mark_asked(
    search: &Search<'_>,
    date: NaiveDate,
    taken: &[Reservation],
) -> Vec<DateTime<Utc>> {
    let day = search.hours.on(date);
    let bounds = day::day_bounds(search.timezone(), date);
    let mut at = grid::round_up(bounds.start);
    let mut starts = Vec::new();
    while at < bounds.end {
        if search.accepts(bounds, at, &day, taken) {
            starts.push(at);
        }
        at += Duration::seconds(grid::STEP_SECONDS);
    }
    starts
}

proptest::proptest! {
    /// The search skips the marks a reservation blocks without asking each: it must find
    /// exactly what asking every mark of the day finds, whatever the reservations, lengths and
    /// buffers (on a day of 23 hours too).
    #[test]
    fn skipping_blocked_marks_finds_what_asking_every_mark_finds(
        length in 5i64..=120,
        buffer in 0i64..=30,
        spring_forward in proptest::bool::ANY,
        held in proptest::collection::vec((0i64..(24 * 60), 1i64..=180, 0i64..=30, proptest::bool::ANY), 0..8),
    ) {
        let tz: Tz = Europe::London;
        let date = if spring_forward {
            NaiveDate::from_ymd_opt(2027, 3, 28).expect("date")
        } else {
            NaiveDate::from_ymd_opt(2027, 3, 30).expect("date")
        };
        let (policy, hours) = (policy(), week((7, 0), (21, 30), &[((12, 0), (12, 45))]));
        let now = utc(2027, 3, 20, 9, 0);
        let mut search = search(tz, &policy, &hours, now, Asker::Shop);
        search.length = Duration::minutes(length);
        search.buffer = Duration::minutes(buffer);
        let midnight = day::day_bounds(tz, date).start;
        let taken: Vec<Reservation> = held
            .iter()
            .map(|&(start, minutes, after, time_off)| {
                let starts_at = midnight + Duration::minutes(start);
                let ends_at = starts_at + Duration::minutes(minutes);
                Reservation {
                    id: Uuid::new_v4(),
                    kind: if time_off { ReservationKind::TimeOff } else { ReservationKind::Appointment },
                    starts_at,
                    ends_at,
                    blocked_until: ends_at + Duration::minutes(after),
                    holder: None,
                }
            })
            .collect();
        proptest::prop_assert_eq!(search.free_starts(date, &taken), every_mark_asked(&search, date, &taken));
    }
}
