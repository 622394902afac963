import { describe, expect, it } from "vitest";
import {
  addDays,
  clockIn,
  instantOf,
  mondayOf,
  money,
  todayIn,
  wallTimeIn,
  wallTimeOf,
  zoneNote,
} from "./time";

describe("times in the shop's timezone", () => {
  it("turns a wall time into the instant, right across daylight saving", () => {
    // London: GMT until 29 March 2026 01:00 UTC, BST after
    expect(instantOf("2026-03-28T10:00:00", "Europe/London")).toBe("2026-03-28T10:00:00.000Z");
    expect(instantOf("2026-03-29T10:00:00", "Europe/London")).toBe("2026-03-29T09:00:00.000Z");
    expect(instantOf("2026-10-25T10:00:00", "Europe/London")).toBe("2026-10-25T10:00:00.000Z");
    expect(instantOf("2026-07-01T09:30:00", "America/New_York")).toBe("2026-07-01T13:30:00.000Z");
  });

  it("shows an instant as the shop's wall time, whatever the viewer's zone", () => {
    expect(wallTimeIn("2026-03-29T09:00:00Z", "Europe/London")).toBe("2026-03-29T10:00:00");
    expect(clockIn("2026-07-01T13:30:00Z", "America/New_York")).toBe("09:30");
    expect(wallTimeOf("2026-03-29T10:00:00+01:00")).toBe("2026-03-29T10:00:00");
  });

  it("knows the shop's today near midnight", () => {
    const late = new Date("2026-06-30T23:30:00Z");
    expect(todayIn("Europe/London", late)).toBe("2026-07-01");
    expect(todayIn("UTC", late)).toBe("2026-06-30");
  });

  it("names the zone only when the viewer's differs", () => {
    expect(zoneNote("Europe/London", "Europe/London")).toBe("");
    expect(zoneNote("Europe/London", "America/New_York")).toBe("times in Europe/London");
  });

  it("counts days across month ends and formats money from minor units", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(money(2550, "GBP")).toBe("£25.50");
    expect(mondayOf("2026-11-27")).toBe("2026-11-23");
    expect(mondayOf("2026-11-23")).toBe("2026-11-23");
    expect(mondayOf("2026-11-29")).toBe("2026-11-23");
    expect(mondayOf("2027-01-01")).toBe("2026-12-28");
  });
});
