// Problems (RFC 9457) from the API, in words for the person at the screen.
import type { Schemas } from "./client";

export type Problem = Schemas["Problem"];

/** Headlines for the refusals people meet most; the server's `detail` says the rest. */
const HEADLINES: Record<string, string> = {
  slot_taken: "That slot was just taken",
  customer_double_booked: "The customer already has an appointment then",
  outside_working_hours: "The barber is not working then",
  outside_opening_hours: "The shop is closed then",
  during_time_off: "The barber is off then",
  booking_in_the_past: "That time has passed",
  inside_lead_time: "Too close to the start to book",
  beyond_booking_horizon: "Too far ahead to book",
  service_not_offered: "The barber does not offer that service",
  invalid_credentials: "Wrong email or password",
  too_many_attempts: "Too many attempts",
  slug_taken: "That booking address is taken",
  email_taken: "That email already has a login",
  concurrent_modification: "Someone else changed this at the same moment",
  not_your_chair: "That appointment is in another barber's chair",
  forbidden: "Your role may not do this",
};

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { detail?: unknown }).detail === "string"
  );
}

/** What to tell the user about `error` (a problem body, or anything thrown). */
export function describe(error: unknown): string {
  if (isProblem(error)) {
    const headline = HEADLINES[error.code];
    return headline ? `${headline}: ${error.detail}` : capitalise(error.detail);
  }
  if (error instanceof TypeError) return "barber cannot be reached; check the connection";
  return "Something went wrong; please try again";
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
