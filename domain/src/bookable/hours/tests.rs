//! Bookable time is the barber's hours within the business's opening hours, per local date and
//! right on daylight-saving days.

use chrono::TimeZone;
use chrono_tz::{America, Europe};
use cqrs_es::Aggregate;
use events::staff::ClockTime;
use events::staff::{Break, StaffEvent, Weekday};

use super::*;
use crate::staff::StaffMember;

fn at(h: u32, m: u32) -> ClockTime {
    ClockTime::new(h, m).expect("time")
}

/// A local time as `(hours, minutes)`.
type Hm = (u32, u32);

/// Every day of the week `start`–`end` with `breaks`.
fn week(start: Hm, end: Hm, breaks: &[(Hm, Hm)]) -> Vec<WorkingDay> {
    Weekday::ALL
        .into_iter()
        .map(|weekday| WorkingDay {
            weekday,
            start: at(start.0, start.1),
            end: at(end.0, end.1),
            breaks: breaks
                .iter()
                .map(|&(s, e)| Break {
                    start: at(s.0, s.1),
                    end: at(e.0, e.1),
                })
                .collect(),
        })
        .collect()
}

/// The week of one barber and their shop, owned, for [`Hours`] to borrow.
struct Weeks {
    timezone: Tz,
    staff: StaffMember,
    opening_hours: Option<Vec<WorkingDay>>,
}

impl Weeks {
    fn hours(&self) -> Hours<'_> {
        Hours {
            timezone: self.timezone,
            working_hours: self.staff.working_hours(),
            opening_hours: self.opening_hours.as_deref(),
        }
    }
}

fn weeks(timezone: Tz, barber: Vec<WorkingDay>, opening_hours: Option<Vec<WorkingDay>>) -> Weeks {
    let mut staff = StaffMember::default();
    staff.apply(StaffEvent::WorkingHoursSet { days: barber });
    Weeks {
        timezone,
        staff,
        opening_hours,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// `h:m` UTC on `on`.
fn utc(on: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&on.and_time(at(h, m).time().expect("a time of day")))
}

fn span(on: NaiveDate, from: Hm, to: Hm) -> Interval {
    Interval {
        start: utc(on, from.0, from.1),
        end: utc(on, to.0, to.1),
    }
}

/// A winter Monday: London is on UTC.
fn monday() -> NaiveDate {
    date(2026, 12, 7)
}

#[test]
fn without_opening_hours_only_the_barbers_hours_count() {
    let on = monday();
    let both = weeks(Europe::London, week((7, 0), (21, 0), &[]), None);
    assert_eq!(both.hours().open_intervals(on), [span(on, (7, 0), (21, 0))]);
}

#[test]
fn bookable_time_is_both_hours_less_both_breaks() {
    let on = monday();
    let both = weeks(
        Europe::London,
        week((8, 0), (20, 0), &[((12, 0), (12, 30))]),
        Some(week((9, 0), (18, 0), &[((13, 0), (14, 0))])),
    );
    assert_eq!(
        both.hours().open_intervals(on),
        [
            span(on, (9, 0), (12, 0)),
            span(on, (12, 30), (13, 0)),
            span(on, (14, 0), (18, 0)),
        ]
    );
}

#[test]
fn a_weekday_the_business_does_not_list_is_closed() {
    let on = monday();
    let mut shop = week((9, 0), (18, 0), &[]);
    shop.retain(|d| d.weekday != Weekday::Mon);
    let both = weeks(Europe::London, week((9, 0), (18, 0), &[]), Some(shop));
    assert_eq!(both.hours().open_intervals(on), []);
    assert_eq!(
        both.hours().open_intervals(on.succ_opt().expect("tuesday")),
        [span(on.succ_opt().expect("tuesday"), (9, 0), (18, 0))]
    );
}

#[test]
fn both_weeks_are_read_in_local_time_on_daylight_saving_days() {
    // the clocks go forward on 2026-03-29 and back on 2026-10-25 in London, and forward on
    // 2026-03-08 in New York: 09:00–18:00 local moves in UTC with them
    let cases = [
        (Europe::London, date(2026, 3, 28), (9, 0), (18, 0)),
        (Europe::London, date(2026, 3, 29), (8, 0), (17, 0)),
        (Europe::London, date(2026, 10, 25), (9, 0), (18, 0)),
        (Europe::London, date(2026, 10, 24), (8, 0), (17, 0)),
        (America::New_York, date(2026, 3, 7), (14, 0), (23, 0)),
        (America::New_York, date(2026, 3, 8), (13, 0), (22, 0)),
    ];
    for (tz, on, from, to) in cases {
        let both = weeks(
            tz,
            week((7, 0), (20, 0), &[]),
            Some(week((9, 0), (18, 0), &[])),
        );
        assert_eq!(
            both.hours().open_intervals(on),
            [span(on, from, to)],
            "{tz} {on}"
        );
    }
}

#[test]
fn only_a_slot_the_barber_works_while_the_business_is_closed_is_outside_opening_hours() {
    let on = monday();
    let barber = week((8, 0), (20, 0), &[]);
    let shop = Some(week((9, 0), (18, 0), &[((13, 0), (14, 0))]));
    let both = weeks(Europe::London, barber.clone(), shop);
    let outside = |from: Hm, to: Hm| {
        both.hours()
            .outside_opening_hours(on, utc(on, from.0, from.1), utc(on, to.0, to.1))
    };
    assert!(outside((8, 0), (8, 30)), "before opening");
    assert!(outside((13, 15), (13, 45)), "lunch closure");
    assert!(outside((17, 45), (18, 15)), "runs past closing");
    assert!(!outside((9, 0), (9, 30)), "open and working");
    assert!(!outside((13, 30), (13, 30)), "an empty stretch");
    assert!(!outside((20, 0), (20, 30)), "the barber's own hours decide");
    let unrestricted = weeks(Europe::London, barber, None);
    assert!(!unrestricted
        .hours()
        .outside_opening_hours(on, utc(on, 8, 0), utc(on, 8, 30)));
}
