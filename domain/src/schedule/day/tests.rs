//! The local-time rules on the real clock changes of 2026 (and two historical oddities), then
//! properties that must hold in every zone on every date.

use chrono::{Datelike, TimeZone};
use chrono_tz::{America, Asia, Europe, Pacific};
use proptest::prelude::*;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("instant")
}

fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> Interval {
    Interval {
        start: from,
        end: to,
    }
}

fn nine_to_five(tz: Tz, on: NaiveDate) -> Option<Interval> {
    local_interval(tz, on, t(9, 0), t(17, 0))
}

#[test]
fn london_spring_forward_day_is_23_hours_and_hours_move_an_hour_earlier_in_utc() {
    let tz = Europe::London;
    let day = day_bounds(tz, date(2026, 3, 29));
    assert_eq!(day, span(utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 23, 0)));
    assert_eq!(day.duration(), TimeDelta::hours(23));
    let before = Some(span(utc(2026, 3, 28, 9, 0), utc(2026, 3, 28, 17, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 3, 28)), before);
    let on = Some(span(utc(2026, 3, 29, 8, 0), utc(2026, 3, 29, 16, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 3, 29)), on);
}

#[test]
fn london_nonexistent_0130_moves_to_the_end_of_the_gap() {
    let tz = Europe::London;
    let on = date(2026, 3, 29);
    // 01:00 GMT is followed by 02:00 BST, i.e. 01:00 UTC
    let from_gap = local_interval(tz, on, t(1, 30), t(3, 0));
    assert_eq!(
        from_gap,
        Some(span(utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 0)))
    );
    let into_gap = local_interval(tz, on, t(0, 30), t(1, 30));
    assert_eq!(
        into_gap,
        Some(span(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0)))
    );
    assert_eq!(
        local_interval(tz, on, t(1, 0), t(1, 55)),
        None,
        "all in the gap"
    );
}

#[test]
fn london_fall_back_day_is_25_hours_and_hours_move_an_hour_later_in_utc() {
    let tz = Europe::London;
    let day = day_bounds(tz, date(2026, 10, 25));
    assert_eq!(day, span(utc(2026, 10, 24, 23, 0), utc(2026, 10, 26, 0, 0)));
    assert_eq!(day.duration(), TimeDelta::hours(25));
    let before = Some(span(utc(2026, 10, 24, 8, 0), utc(2026, 10, 24, 16, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 10, 24)), before);
    let on = Some(span(utc(2026, 10, 25, 9, 0), utc(2026, 10, 25, 17, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 10, 25)), on);
}

#[test]
fn london_doubled_0130_starts_at_its_first_and_ends_at_its_last_occurrence() {
    let tz = Europe::London;
    let on = date(2026, 10, 25);
    // 01:30 BST is 00:30 UTC; 01:30 GMT is 01:30 UTC
    let starting = local_interval(tz, on, t(1, 30), t(2, 30));
    assert_eq!(
        starting,
        Some(span(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30)))
    );
    let ending = local_interval(tz, on, t(0, 0), t(1, 30));
    assert_eq!(
        ending,
        Some(span(utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 1, 30)))
    );
}

#[test]
fn new_york_spring_forward() {
    let tz = America::New_York;
    let day = day_bounds(tz, date(2026, 3, 8));
    assert_eq!(day, span(utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)));
    assert_eq!(day.duration(), TimeDelta::hours(23));
    let before = Some(span(utc(2026, 3, 7, 14, 0), utc(2026, 3, 7, 22, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 3, 7)), before);
    let on = Some(span(utc(2026, 3, 8, 13, 0), utc(2026, 3, 8, 21, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 3, 8)), on);
    // 02:30 does not exist: 01:59 EST is followed by 03:00 EDT, 07:00 UTC
    let from_gap = local_interval(tz, date(2026, 3, 8), t(2, 30), t(4, 0));
    assert_eq!(
        from_gap,
        Some(span(utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 8, 0)))
    );
}

#[test]
fn new_york_fall_back() {
    let tz = America::New_York;
    let day = day_bounds(tz, date(2026, 11, 1));
    assert_eq!(day, span(utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0)));
    assert_eq!(day.duration(), TimeDelta::hours(25));
    let before = Some(span(utc(2026, 10, 31, 13, 0), utc(2026, 10, 31, 21, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 10, 31)), before);
    let on = Some(span(utc(2026, 11, 1, 14, 0), utc(2026, 11, 1, 22, 0)));
    assert_eq!(nine_to_five(tz, date(2026, 11, 1)), on);
    // 01:30 EDT is 05:30 UTC, 01:30 EST is 06:30 UTC
    let doubled = local_interval(tz, date(2026, 11, 1), t(1, 30), t(1, 45));
    assert_eq!(
        doubled,
        Some(span(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 45)))
    );
}

#[test]
fn kolkata_has_no_clock_changes_and_a_half_hour_offset() {
    let tz = Asia::Kolkata;
    for on in [date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)] {
        assert_eq!(day_bounds(tz, on).duration(), TimeDelta::hours(24), "{on}");
    }
    let day = day_bounds(tz, date(2026, 3, 29));
    assert_eq!(
        day,
        span(utc(2026, 3, 28, 18, 30), utc(2026, 3, 29, 18, 30))
    );
    let on = Some(span(utc(2026, 3, 29, 3, 30), utc(2026, 3, 29, 11, 30)));
    assert_eq!(nine_to_five(tz, date(2026, 3, 29)), on);
}

#[test]
fn ordinary_days_are_24_hours() {
    for tz in [Europe::London, America::New_York] {
        assert_eq!(
            day_bounds(tz, date(2026, 6, 1)).duration(),
            TimeDelta::hours(24)
        );
    }
}

#[test]
fn a_day_whose_midnight_does_not_exist_starts_when_the_clock_resumes() {
    // Brazil moved its clocks from 00:00 -03 to 01:00 -02 on 2018-11-04
    let day = day_bounds(America::Sao_Paulo, date(2018, 11, 4));
    assert_eq!(day, span(utc(2018, 11, 4, 3, 0), utc(2018, 11, 5, 2, 0)));
    // and back from 00:00 -02 to 23:00 -03 on the 16th, making the 16th 25 hours long
    let long = day_bounds(America::Sao_Paulo, date(2019, 2, 16));
    assert_eq!(long.duration(), TimeDelta::hours(25));
}

#[test]
fn a_skipped_date_is_an_empty_day() {
    // Samoa crossed the date line: 2011-12-29 23:59 -10 was followed by 2011-12-31 00:00 +14
    let skipped = day_bounds(Pacific::Apia, date(2011, 12, 30));
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(
        skipped.start,
        day_bounds(Pacific::Apia, date(2011, 12, 31)).start
    );
}

#[test]
fn the_local_date_changes_at_local_midnight() {
    let cases = [
        (Europe::London, utc(2026, 7, 1, 22, 59), date(2026, 7, 1)),
        (Europe::London, utc(2026, 7, 1, 23, 0), date(2026, 7, 2)),
        (
            Europe::London,
            utc(2026, 12, 31, 23, 59),
            date(2026, 12, 31),
        ),
        (Asia::Kolkata, utc(2026, 3, 28, 18, 29), date(2026, 3, 28)),
        (Asia::Kolkata, utc(2026, 3, 28, 18, 30), date(2026, 3, 29)),
        (
            America::New_York,
            utc(2026, 11, 2, 4, 59),
            date(2026, 11, 1),
        ),
        (America::New_York, utc(2026, 11, 2, 5, 0), date(2026, 11, 2)),
    ];
    for (tz, instant, expected) in cases {
        assert_eq!(local_date_of(tz, instant), expected, "{tz} {instant}");
    }
}

#[test]
fn overnight_or_empty_spans_are_none() {
    let on = date(2026, 6, 1);
    assert_eq!(local_interval(Europe::London, on, t(17, 0), t(9, 0)), None);
    assert_eq!(local_interval(Europe::London, on, t(9, 0), t(9, 0)), None);
}

#[test]
fn a_span_to_24_00_ends_where_the_next_day_begins_even_on_a_25_hour_day() {
    let midnight = ClockTime::END_OF_DAY;
    // London falls back on 2026-10-25: 20:00 GMT to the next midnight GMT
    let late = local_interval(Europe::London, date(2026, 10, 25), t(20, 0), midnight);
    assert_eq!(
        late,
        Some(span(utc(2026, 10, 25, 20, 0), utc(2026, 10, 26, 0, 0)))
    );
    // and on a summer day in New York (EDT, UTC-4): 18:00-24:00 is 22:00-04:00 UTC
    let summer = local_interval(America::New_York, date(2026, 7, 1), t(18, 0), midnight);
    assert_eq!(
        summer,
        Some(span(utc(2026, 7, 1, 22, 0), utc(2026, 7, 2, 4, 0)))
    );
    assert_eq!(
        summer.map(|s| s.end),
        Some(day_bounds(America::New_York, date(2026, 7, 1)).end)
    );
}

#[test]
fn split_shifts_are_two_open_intervals() {
    let on = date(2026, 6, 1); // BST, UTC+1
    let shifts = [
        (ClockTime::from(t(9, 0)), ClockTime::from(t(12, 0))),
        (ClockTime::from(t(15, 0)), ClockTime::END_OF_DAY),
    ];
    let open = open_intervals(Europe::London, on, &shifts, &[], &[]);
    assert_eq!(
        open,
        [
            span(utc(2026, 6, 1, 8, 0), utc(2026, 6, 1, 11, 0)),
            span(utc(2026, 6, 1, 14, 0), utc(2026, 6, 1, 23, 0)),
        ]
    );
}

#[test]
fn open_intervals_are_hours_minus_breaks_minus_time_off_sorted() {
    let tz = Europe::London;
    let on = date(2026, 3, 29); // spring forward: 09:00 BST is 08:00 UTC
    let time_off = [
        span(utc(2026, 3, 29, 14, 0), utc(2026, 3, 29, 14, 30)), // 15:00-15:30 BST
        span(utc(2026, 3, 30, 8, 0), utc(2026, 3, 30, 9, 0)),    // another day: no effect
    ];
    let open = open_intervals(
        tz,
        on,
        &[(t(13, 0), t(17, 0)), (t(9, 0), t(13, 0))],
        &[(t(12, 0), t(12, 30))],
        &time_off,
    );
    assert_eq!(
        open,
        [
            span(utc(2026, 3, 29, 8, 0), utc(2026, 3, 29, 11, 0)),
            span(utc(2026, 3, 29, 11, 30), utc(2026, 3, 29, 14, 0)),
            span(utc(2026, 3, 29, 14, 30), utc(2026, 3, 29, 16, 0)),
        ]
    );
}

#[test]
fn time_off_covering_the_whole_day_leaves_nothing_open() {
    let on = date(2026, 6, 1);
    let all = day_bounds(Europe::London, on);
    let open = open_intervals(Europe::London, on, &[(t(9, 0), t(17, 0))], &[], &[all]);
    assert!(open.is_empty(), "{open:?}");
}

#[test]
fn intervals_are_half_open() {
    let a = span(utc(2026, 6, 1, 9, 0), utc(2026, 6, 1, 10, 0));
    let b = span(utc(2026, 6, 1, 10, 0), utc(2026, 6, 1, 11, 0));
    let inside = span(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 10, 0));
    assert!(
        !a.overlaps(&b) && !b.overlaps(&a),
        "touching is not overlapping"
    );
    assert!(a.overlaps(&inside) && a.contains(&inside) && !b.contains(&inside));
    assert!(a.contains_instant(a.start) && !a.contains_instant(a.end));
    let empty = span(a.start, a.start);
    assert!(!a.overlaps(&empty) && !a.contains(&empty));
    assert_eq!(Interval::new(a.end, a.start), None);
}

const ZONES: [Tz; 7] = [
    Europe::London,
    America::New_York,
    Asia::Kolkata,
    America::Sao_Paulo,
    Pacific::Apia,
    // half-hour daylight saving: the odd one out
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::UTC,
];

proptest! {
    /// Every instant lies in the day of its own local date, and days tile time without gaps.
    #[test]
    fn every_instant_lies_in_its_local_day(zone in 0..ZONES.len(), secs in 946_684_800i64..2_082_758_400) {
        let tz = ZONES[zone];
        let instant = DateTime::from_timestamp(secs, 0).expect("instant");
        let on = local_date_of(tz, instant);
        let day = day_bounds(tz, on);
        prop_assert!(day.contains_instant(instant), "{tz} {instant} {on} {day:?}");
        let next = on.succ_opt().expect("date");
        prop_assert_eq!(day.end, day_bounds(tz, next).start);
        prop_assert!((23..=25).contains(&day.duration().num_hours()) || on.year() == 2011);
    }

    /// A wall-clock span on the five-minute grid lies inside its day and is never longer than
    /// its wall-clock length plus the clock change.
    #[test]
    fn local_spans_stay_inside_their_day(
        zone in 0..ZONES.len(),
        days in 0i64..12_000,
        a in 0u32..288,
        b in 0u32..288,
    ) {
        let tz = ZONES[zone];
        let on = date(2000, 1, 1) + TimeDelta::days(days);
        let (start, end) = (t(a.min(b) / 12, a.min(b) % 12 * 5), t(a.max(b) / 12, a.max(b) % 12 * 5));
        if let Some(span) = local_interval(tz, on, start, end) {
            prop_assert!(day_bounds(tz, on).contains(&span), "{tz} {on} {span:?}");
            prop_assert!(span.duration() <= (end - start) + TimeDelta::hours(1));
        } else {
            let changes = day_bounds(tz, on).duration() != TimeDelta::hours(24);
            prop_assert!(start == end || changes, "{tz} {on} {start}-{end}");
        }
    }
}
