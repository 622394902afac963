//! Every refusal of every aggregate and booking step, as the client sees it: status and code.
//! The table of codes in `docs/errors.md` is generated from this list, and a test fails when the
//! two differ (run it with `BLESS=1` to rewrite the table). Each enum's variants are listed by
//! an exhaustive `match` over its discriminants, so a new refusal cannot be added without
//! deciding its example here and showing up in the docs.

use std::collections::BTreeMap;

use domain::account::{AccountError as Ac, AccountErrorDiscriminants as AcD};
use domain::appointment::{AppointmentError as A, AppointmentErrorDiscriminants as AD};
use domain::bookable::{OutsideWindow as W, OutsideWindowDiscriminants as WD};
use domain::business::{BusinessError as Bu, BusinessErrorDiscriminants as BuD};
use domain::business::{PolicyError as P, PolicyErrorDiscriminants as PD};
use domain::customer::{CustomerError as C, CustomerErrorDiscriminants as CD};
use domain::customer::{DetailsError as De, DetailsErrorDiscriminants as DeD};
use domain::customer_day::{CustomerDayError as Cd, CustomerDayErrorDiscriminants as CdD};
use domain::rota::{RotaError as R, RotaErrorDiscriminants as RD};
use domain::schedule::{ScheduleError as S, ScheduleErrorDiscriminants as SD};
use domain::service::{ServiceError as Se, ServiceErrorDiscriminants as SeD};
use domain::staff::{StaffError as St, StaffErrorDiscriminants as StD};
use platform::ApiError;
use strum::IntoEnumIterator;
use uuid::Uuid;

use super::IntoProblem;
use crate::booking::{BookingError as B, BookingErrorDiscriminants as BD};
use crate::customer_book::{
    ContactKind, CustomerBookError as Cb, CustomerBookErrorDiscriminants as CbD,
};
use events::staff::Weekday;

fn appointment(d: AD) -> A {
    match d {
        AD::NotFound => A::NotFound,
        AD::NotYourChair => A::NotYourChair,
        AD::AlreadyBooked => A::AlreadyBooked,
        AD::InvalidInterval => A::InvalidInterval,
        AD::InvalidScheduleDate => A::InvalidScheduleDate,
        AD::InvalidPrice => A::InvalidPrice(-1),
        AD::InThePast => A::InThePast,
        AD::InvalidPayment => A::InvalidPayment,
        AD::ReasonTooLong => A::ReasonTooLong,
        AD::InvalidNote => A::InvalidNote,
        AD::NotCheckedIn => A::NotCheckedIn,
        AD::NotInService => A::NotInService,
        AD::TooEarlyForNoShow => A::TooEarlyForNoShow,
        AD::TooEarlyForCheckIn => A::TooEarlyForCheckIn,
        AD::DayPassed => A::DayPassed,
        AD::AlreadyCheckedIn => A::AlreadyCheckedIn,
        AD::AlreadyInService => A::AlreadyInService,
        AD::AlreadyCompleted => A::AlreadyCompleted,
        AD::AlreadyCancelled => A::AlreadyCancelled,
        AD::AlreadyNoShow => A::AlreadyNoShow,
    }
}

fn schedule(d: SD) -> S {
    let conflicting = Uuid::nil();
    match d {
        SD::NotFound => S::NotFound,
        SD::WrongSchedule => S::WrongSchedule,
        SD::InvalidInterval => S::InvalidInterval,
        SD::OutsideDay => S::OutsideDay,
        SD::OutsideWorkingHours => S::OutsideWorkingHours,
        SD::SlotTaken => S::SlotTaken { conflicting },
        SD::DuringTimeOff => S::DuringTimeOff { conflicting },
        SD::ConflictsWithAppointment => S::ConflictsWithAppointment { conflicting },
        SD::ReservationExists => S::ReservationExists,
        SD::ReservationReleased => S::ReservationReleased,
    }
}

fn window(d: WD) -> W {
    match d {
        WD::InThePast => W::InThePast,
        WD::InsideLeadTime => W::InsideLeadTime(60),
        WD::BeyondHorizon => W::BeyondHorizon(90),
        WD::WalkInNotNow => W::WalkInNotNow,
    }
}

/// The booking step's own refusals; those it carries from aggregates are listed with them.
fn booking(d: BD) -> Option<B> {
    Some(match d {
        BD::BusinessNotFound => B::BusinessNotFound,
        BD::ServiceNotFound => B::ServiceNotFound,
        BD::StaffNotFound => B::StaffNotFound,
        BD::StaffInactive => B::StaffInactive,
        BD::ServiceNotOffered => B::ServiceNotOffered,
        BD::CustomerNotFound => B::CustomerNotFound,
        BD::CustomerErased => B::CustomerErased,
        BD::OffGrid => B::OffGrid,
        BD::OutsideOpeningHours => B::OutsideOpeningHours,
        BD::TimezoneHasBookings => B::TimezoneHasBookings,
        BD::BookingsInTheWay => B::BookingsInTheWay(vec![]),
        BD::NoBarberFree => B::NoBarberFree(vec![]),
        BD::ServicesNeedNewPrices => B::ServicesNeedNewPrices(vec![]),
        BD::PricesWithoutNewCurrency => B::PricesWithoutNewCurrency,
        BD::Conflict => B::Conflict,
        BD::Window
        | BD::Schedule
        | BD::Appointment
        | BD::Staff
        | BD::Business
        | BD::CustomerDay
        | BD::Service
        | BD::Customer
        | BD::Store => return None,
    })
}

fn rota(d: RD) -> R {
    match d {
        RD::InvalidWeekday => R::InvalidWeekday("someday".into()),
        RD::InvalidTime => R::InvalidTime("25:00".into()),
        RD::OverlappingShifts => R::OverlappingShifts(Weekday::Mon),
        RD::TooManyShifts => R::TooManyShifts(Weekday::Mon),
        RD::InvalidHours => R::InvalidHours(Weekday::Mon),
        RD::InvalidBreak => R::InvalidBreak(Weekday::Mon),
        RD::BreakOutsideHours => R::BreakOutsideHours(Weekday::Mon),
        RD::OverlappingBreaks => R::OverlappingBreaks(Weekday::Mon),
        RD::TooManyBreaks => R::TooManyBreaks(Weekday::Mon),
    }
}

fn policy(d: PD) -> P {
    match d {
        PD::LeadTime => P::LeadTime,
        PD::Horizon => P::Horizon,
        PD::CancellationWindow => P::CancellationWindow,
        PD::Buffer => P::Buffer,
        PD::ReminderOffsets => P::ReminderOffsets,
        PD::CheckInWindow => P::CheckInWindow,
    }
}

/// The business's refusals; a rota or policy refusal is listed once per rota or policy variant.
fn business(d: BuD) -> Vec<Bu> {
    vec![match d {
        BuD::AlreadyOpen => Bu::AlreadyOpen,
        BuD::InvalidName => Bu::InvalidName,
        BuD::InvalidSlug => Bu::InvalidSlug("Bad Slug".into()),
        BuD::UnknownTimezone => Bu::UnknownTimezone("Mars/Olympus".into()),
        BuD::InvalidCurrency => Bu::InvalidCurrency("pounds".into()),
        BuD::InvalidCountry => Bu::InvalidCountry("UK".into()),
        BuD::InvalidOwnerName => Bu::InvalidOwnerName,
        BuD::NotFound => Bu::NotFound,
        BuD::TooManyOnlineChoices => Bu::TooManyOnlineChoices,
        BuD::InvalidAddress => Bu::InvalidAddress,
        BuD::InvalidLogoUrl => Bu::InvalidLogoUrl,
        BuD::InvalidPolicy => return PD::iter().map(|p| Bu::InvalidPolicy(policy(p))).collect(),
        BuD::InvalidOpeningHours => {
            return RD::iter()
                .map(|r| Bu::InvalidOpeningHours(rota(r)))
                .collect()
        }
    }]
}

fn staff(d: StD) -> Vec<St> {
    vec![match d {
        StD::NotFound => St::NotFound,
        StD::AlreadyAdded => St::AlreadyAdded,
        StD::Inactive => St::Inactive,
        StD::InvalidName => St::InvalidName,
        StD::InvalidRole => St::InvalidRole("boss".into()),
        StD::InvalidEmail => St::InvalidEmail("rui@".into()),
        StD::InvalidPhone => St::InvalidPhone("0770".into()),
        StD::InvalidWorkingHours => {
            return RD::iter()
                .map(|r| St::InvalidWorkingHours(rota(r)))
                .collect()
        }
        StD::InvalidTimeOff => St::InvalidTimeOff,
        StD::ReasonTooLong => St::ReasonTooLong,
        StD::TimeOffNotFound => St::TimeOffNotFound,
        StD::TimeOffInThePast => St::TimeOffInThePast,
        StD::TimeOffTooFarAhead => St::TimeOffTooFarAhead,
        StD::TooManyServices => St::TooManyServices,
        StD::AgendaNeedsEmail => St::AgendaNeedsEmail,
    }]
}

fn service(d: SeD) -> Se {
    match d {
        SeD::NotFound => Se::NotFound,
        SeD::AlreadyCreated => Se::AlreadyCreated,
        SeD::InvalidName => Se::InvalidName,
        SeD::InvalidCategory => Se::InvalidCategory,
        SeD::InvalidDuration => Se::InvalidDuration(7),
        SeD::InvalidPrice => Se::InvalidPrice(-1),
        SeD::InvalidBuffer => Se::InvalidBuffer(7),
        SeD::Retired => Se::Retired,
    }
}

fn customer(d: CD) -> C {
    match d {
        CD::NotFound => C::NotFound,
        CD::AlreadyRegistered => C::AlreadyRegistered,
        CD::InvalidName => C::InvalidName,
        CD::InvalidPhone => C::InvalidPhone("0770".into()),
        CD::InvalidEmail => C::InvalidEmail("ana@".into()),
        CD::NotesTooLong => C::NotesTooLong,
        CD::Merged => C::Merged(Uuid::nil()),
        CD::MergedIntoItself => C::MergedIntoItself,
        CD::Erased => C::Erased,
    }
}

/// The customer book's own refusals; the aggregate's are listed with it.
fn customer_book(d: CbD) -> Option<Cb> {
    Some(match d {
        CbD::PossibleDuplicate => Cb::PossibleDuplicate {
            existing_customer_id: Uuid::nil(),
            contact: ContactKind::Phone,
        },
        CbD::Conflict => Cb::Conflict,
        CbD::Customer | CbD::Store => return None,
    })
}

fn customer_day(d: CdD) -> Cd {
    match d {
        CdD::NotFound => Cd::NotFound,
        CdD::CustomerDoubleBooked => Cd::CustomerDoubleBooked {
            conflicting: Uuid::nil(),
        },
        CdD::InvalidInterval => Cd::InvalidInterval,
    }
}

fn account(d: AcD) -> Ac {
    match d {
        AcD::NotFound => Ac::NotFound,
        AcD::AlreadyExists => Ac::AlreadyExists,
        AcD::InvalidName => Ac::InvalidName,
        AcD::InvalidEmail => Ac::InvalidEmail("ana-at-shop".into()),
        AcD::OwnersOnly => Ac::OwnersOnly,
        AcD::OwnLogin => Ac::OwnLogin,
        AcD::AlreadyJoined => Ac::AlreadyJoined,
        AcD::NotJoined => Ac::NotJoined,
        AcD::Disabled => Ac::Disabled,
    }
}

fn details(d: DeD) -> De {
    match d {
        DeD::InvalidTag => De::InvalidTag("VIP!".into()),
        DeD::TooManyTags => De::TooManyTags,
        DeD::PreferencesNotAnObject => De::PreferencesNotAnObject,
        DeD::PreferencesTooLarge => De::PreferencesTooLarge,
    }
}

/// One example of every refusal, as problem+json would carry it.
fn every_refusal() -> Vec<ApiError> {
    let mut all: Vec<ApiError> = Vec::new();
    all.extend(AD::iter().map(|d| appointment(d).into_problem()));
    all.extend(SD::iter().map(|d| schedule(d).into_problem()));
    all.extend(BD::iter().filter_map(booking).map(ApiError::from));
    all.extend(BuD::iter().flat_map(business).map(Bu::into_problem));
    all.extend(StD::iter().flat_map(staff).map(St::into_problem));
    all.extend(SeD::iter().map(|d| service(d).into_problem()));
    all.extend(CD::iter().map(|d| customer(d).into_problem()));
    all.extend(DeD::iter().map(|d| details(d).into_problem()));
    all.extend(CbD::iter().filter_map(customer_book).map(ApiError::from));
    all.extend(CdD::iter().map(|d| customer_day(d).into_problem()));
    all.extend(WD::iter().map(|d| window(d).into_problem()));
    all.extend(AcD::iter().map(|d| account(d).into_problem()));
    all
}

const BEGIN: &str = "<!-- refusals: generated from command/src/http/error_catalogue.rs; \
                     `BLESS=1 cargo test -p command error_catalogue` rewrites it -->";
const END: &str = "<!-- end of refusals -->";

/// The table: one row per code, its status and what it says (the first example's detail).
fn table() -> String {
    let mut rows: BTreeMap<&'static str, (u16, String)> = BTreeMap::new();
    for error in every_refusal() {
        let status = error.status().as_u16();
        let detail = match &error {
            ApiError::Client { detail, .. } => detail.clone(),
            ApiError::Internal(_) => String::new(),
        };
        let row = rows.entry(error.code()).or_insert((status, detail));
        assert_eq!(row.0, status, "{} answers two statuses", error.code());
    }
    let mut out = String::from("| code | status | for example |\n|---|---|---|\n");
    for (code, (status, detail)) in rows {
        out.push_str(&format!(
            "| `{code}` | {status} | {} |\n",
            detail.replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn no_refusal_is_a_server_error() {
    for error in every_refusal() {
        assert!(
            error.status().is_client_error(),
            "{} answers {}",
            error.code(),
            error.status()
        );
    }
}

#[test]
fn the_documented_codes_are_the_codes_the_api_answers() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
    let doc = std::fs::read_to_string(path).expect("docs/errors.md");
    let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/errors.md lacks the markers {BEGIN} … {END}");
    };
    let generated = format!("{BEGIN}\n{}{END}", table());
    let documented = &doc[start..end + END.len()];
    if std::env::var("BLESS").is_ok() {
        let rewritten = doc.replacen(documented, &generated, 1);
        std::fs::write(path, rewritten).expect("docs/errors.md written");
        return;
    }
    assert_eq!(
        documented, generated,
        "docs/errors.md is out of date: run `BLESS=1 cargo test -p command error_catalogue`"
    );
}
