//! The staff read model against a real database: the three tables move together, and an event
//! applied again (a replay without reset) or out of date changes nothing.

use chrono::{TimeZone, Utc};
use events::staff::{Break, ClockTime, StaffEvent, StaffProfile, StaffRole, Weekday, WorkingDay};
use events::RecordedEvent;
use platform::testing::TestEnv;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::*;

fn recorded(tenant_id: Uuid, staff_id: Uuid, sequence: i64, event: &StaffEvent) -> RecordedEvent {
    RecordedEvent {
        global_position: sequence,
        transaction_id: 1,
        aggregate_type: events::staff::AGGREGATE_TYPE.into(),
        aggregate_id: staff_id.to_string(),
        sequence,
        // not read by `apply`
        event_type: String::new(),
        event_version: "1".into(),
        tenant_id,
        payload: serde_json::to_value(event).expect("serialises"),
        metadata: json!({}),
        recorded_at: Utc
            .with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
            .single()
            .expect("instant"),
    }
}

fn day(weekday: Weekday, start: u32, end: u32) -> WorkingDay {
    let at = |h| ClockTime::new(h, 0).expect("time");
    WorkingDay {
        weekday,
        start: at(start),
        end: at(end),
        breaks: vec![Break {
            start: at(12),
            end: at(13),
        }],
    }
}

async fn hours(
    conn: &mut PgConnection,
    staff_id: Uuid,
) -> Vec<(i16, String, String, serde_json::Value)> {
    sqlx::query_as(
        "select weekday, to_char(start_time, 'HH24:MI'), to_char(end_time, 'HH24:MI'), breaks
           from staff_working_hours where staff_id = $1 order by weekday, start_time",
    )
    .bind(staff_id)
    .fetch_all(conn)
    .await
    .expect("hours")
}

async fn member(conn: &mut PgConnection, staff_id: Uuid) -> (String, bool, Option<Vec<Uuid>>, i64) {
    sqlx::query_as(
        "select role, active, service_ids, version from staff_members where staff_id = $1",
    )
    .bind(staff_id)
    .fetch_one(conn)
    .await
    .expect("member")
}

#[tokio::test]
async fn each_event_applies_once_and_stale_ones_change_nothing() {
    let env = TestEnv::new().await;
    let mut conn = env.pool.acquire().await.expect("connection");
    let (tenant, staff_id, time_off_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let service = Uuid::new_v4();
    let profile = StaffProfile {
        name: "Jo".into(),
        role: StaffRole::Barber,
        email: None,
        phone: None,
    };
    let history = [
        StaffEvent::StaffMemberAdded {
            staff_id,
            business_id: tenant,
            profile: profile.clone(),
        },
        StaffEvent::WorkingHoursSet {
            // a split Monday, its second shift to midnight
            days: vec![
                day(Weekday::Mon, 9, 17),
                day(Weekday::Mon, 18, 24),
                day(Weekday::Sun, 10, 14),
            ],
        },
        StaffEvent::TimeOffAdded {
            time_off_id,
            starts_at: Utc::now(),
            ends_at: Utc::now() + chrono::TimeDelta::days(1),
            reason: None,
        },
        StaffEvent::ServicesOffered {
            service_ids: Some(vec![service]),
        },
        StaffEvent::StaffMemberUpdated {
            profile: StaffProfile {
                role: StaffRole::FrontDesk,
                ..profile
            },
        },
        StaffEvent::StaffMemberDeactivated,
    ];
    for (n, event) in (1..).zip(&history) {
        Staff
            .apply(&mut conn, &recorded(tenant, staff_id, n, event))
            .await
            .expect("applied");
    }
    let expected_hours = hours(&mut conn, staff_id).await;
    assert_eq!(
        expected_hours
            .iter()
            .map(|h| (h.0, h.1.as_str(), h.2.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, "09:00", "17:00"),
            (1, "18:00", "24:00"),
            (7, "10:00", "14:00")
        ]
    );
    assert_eq!(
        expected_hours[0].3,
        json!([{"start": "12:00", "end": "13:00"}])
    );
    let expected_member = member(&mut conn, staff_id).await;
    assert_eq!(
        expected_member,
        ("front_desk".into(), false, Some(vec![service]), 6)
    );

    // the whole history again, and older-looking events: all no-ops
    for (n, event) in (1..).zip(&history) {
        Staff
            .apply(&mut conn, &recorded(tenant, staff_id, n, event))
            .await
            .expect("re-applied");
    }
    let stale = [
        StaffEvent::WorkingHoursSet { days: vec![] },
        StaffEvent::TimeOffRemoved { time_off_id },
        StaffEvent::StaffMemberReactivated,
    ];
    for event in &stale {
        Staff
            .apply(&mut conn, &recorded(tenant, staff_id, 3, event))
            .await
            .expect("ignored");
    }
    assert_eq!(hours(&mut conn, staff_id).await, expected_hours);
    assert_eq!(member(&mut conn, staff_id).await, expected_member);
    let time_off: i64 = sqlx::query_scalar("select count(*) from staff_time_off")
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(time_off, 1);

    // the next event applies; a reset empties all three tables
    let next = StaffEvent::TimeOffRemoved { time_off_id };
    Staff
        .apply(&mut conn, &recorded(tenant, staff_id, 7, &next))
        .await
        .expect("applied");
    let time_off: i64 = sqlx::query_scalar("select count(*) from staff_time_off")
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(time_off, 0);
}
