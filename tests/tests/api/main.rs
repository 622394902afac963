//! End-to-end tests: the real router, relay and projections in-process, driven over HTTP,
//! against real Postgres and NATS. Each test owns its database and stream.

mod absence;
mod accounts;
mod appointments_read;
mod audit;
mod bad_input;
mod barber_day;
mod booking;
mod booking_workflow;
mod business;
mod business_country;
mod change_service;
mod currency;
mod customer_overlap;
mod customers;
mod dashboard;
mod freshness;
mod front_desk_day;
mod helpers;
mod idempotency;
mod isolation;
mod notes;
mod operations;
mod permissions;
mod protocol_errors;
mod races;
mod replicas;
mod reports;
mod reschedule;
mod services;
mod signing;
mod staff;
mod time_off;
mod timezone_change;
mod visits;
