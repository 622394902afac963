import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { eventsOf, resourcesOf, visibleHours } from "./calendar-events";
import { tagsOf } from "./customer-form";
import { tokenOf } from "./manage";
import { kindOf } from "./messages";
import { centsOf } from "./services";
import { slugOf } from "./signup";
import { rotaOf } from "./staff-hours";

const stretch = (from: string, to: string) => ({
  starts_at: `${from}Z`,
  ends_at: `${to}Z`,
  starts_at_local: `${from}+01:00`,
  ends_at_local: `${to}+01:00`,
});

const calendar: Schemas["Calendar"] = {
  timezone: "Europe/Lisbon",
  barbers: [
    {
      staff_id: "b1",
      name: "Sam",
      days: [
        {
          date: "2026-06-01",
          working_hours: [stretch("2026-06-01T09:00:00", "2026-06-01T18:00:00")],
          breaks: [stretch("2026-06-01T13:00:00", "2026-06-01T13:30:00")],
          time_off: [],
          appointments: [
            {
              ...stretch("2026-06-01T10:00:00", "2026-06-01T10:30:00"),
              id: "a1",
              customer_id: "c1",
              customer_name: "Rui",
              service_id: "s1",
              service_name: "Skin fade",
              status: "booked",
              blocked_until: "2026-06-01T10:40:00Z",
              buffer_minutes: 10,
            },
            {
              ...stretch("2026-06-01T11:00:00", "2026-06-01T11:30:00"),
              id: "a2",
              customer_id: "c2",
              customer_name: null,
              service_id: "s1",
              service_name: "Skin fade",
              status: "cancelled",
              blocked_until: "2026-06-01T11:30:00Z",
              buffer_minutes: 0,
            },
            {
              ...stretch("2026-06-01T12:00:00", "2026-06-01T12:30:00"),
              id: "a3",
              customer_id: "c3",
              customer_name: null,
              service_id: "s1",
              service_name: "Skin fade",
              status: "completed",
              blocked_until: "2026-06-01T12:30:00Z",
              buffer_minutes: 0,
            },
          ],
        },
      ],
    },
  ],
};

describe("the calendar's events", () => {
  it("puts each appointment in its barber's column at the shop's wall time", () => {
    expect(resourcesOf(calendar)).toEqual([{ id: "b1", title: "Sam" }]);
    const appointments = eventsOf(calendar).filter((e) => e.display !== "background");
    expect(appointments.map((e) => [e.id, e.start, e.editable])).toEqual([
      ["a1", "2026-06-01T10:00:00", true],
      ["a3", "2026-06-01T12:00:00", false],
    ]);
    expect(appointments[1]?.title).toBe("Erased customer · Skin fade");
  });

  it("shades working hours and hatches breaks", () => {
    const shading = eventsOf(calendar).filter((e) => e.display === "background");
    expect(shading.map((e) => e.classNames)).toEqual([["working"], ["break"]]);
  });

  it("shows the day from an hour before the first start to an hour after the last end", () => {
    expect(visibleHours(calendar)).toEqual({ min: "08:00:00", max: "19:00:00" });
    expect(visibleHours({ timezone: "UTC", barbers: [] })).toEqual({
      min: "08:00:00",
      max: "20:00:00",
    });
  });
});

describe("the forms' fields", () => {
  it("reads a week's rota, a day unticked being a day off and midnight the day's end", () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      "mon-on": "on",
      "mon-start": "09:00",
      "mon-end": "18:00",
      "mon-break-start": "13:00",
      "mon-break-end": "13:30",
      "sat-on": "on",
      "sat-start": "10:00",
      "sat-end": "00:00",
      "tue-start": "09:00",
      "tue-end": "18:00",
    })) {
      form.set(k, v);
    }
    expect(rotaOf(form)).toEqual([
      { weekday: "mon", start: "09:00", end: "18:00", breaks: [{ start: "13:00", end: "13:30" }] },
      { weekday: "sat", start: "10:00", end: "24:00", breaks: [] },
    ]);
  });

  it("makes a booking address of a shop's name, tags of a list, minor units of an amount", () => {
    expect(slugOf("  Fade Street & Co.  ")).toBe("fade-street-co");
    expect(slugOf("Barbería Ñandú")).toBe("barberia-nandu");
    expect(tagsOf("VIP, beard ,, vip")).toEqual(["vip", "beard"]);
    expect(centsOf("25.5")).toBe(2550);
    expect(centsOf("0.29")).toBe(29);
  });

  it("reads a one-time link's token from its fragment only", () => {
    expect(tokenOf("#token=abc123")).toBe("abc123");
    expect(tokenOf("")).toBe("");
  });
});

describe("the messages' kinds", () => {
  it("says a reminder with how long before", () => {
    expect(kindOf({ kind: "reminder", offset_minutes: 1440 })).toBe("Reminder, 24 h before");
    expect(kindOf({ kind: "reminder", offset_minutes: 90 })).toBe("Reminder, 90 min before");
    expect(kindOf({ kind: "confirmation", offset_minutes: null })).toBe("Confirmation");
    expect(kindOf({ kind: "follow_up", offset_minutes: null })).toBe("How was it?");
  });
});
