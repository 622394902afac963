import { expect, describe as group, it } from "vitest";
import { describe, isProblem } from "./problem";

group("problems in words", () => {
  const taken = {
    type: "about:blank",
    title: "Conflict",
    status: 409,
    code: "slot_taken",
    detail: "the slot overlaps another appointment",
  };

  it("gives a known refusal a headline and keeps the server's detail", () => {
    expect(describe(taken)).toBe("That slot was just taken: the slot overlaps another appointment");
  });

  it("says an unknown code's detail as a sentence", () => {
    expect(describe({ ...taken, code: "something_new", detail: "a new rule" })).toBe("A new rule");
  });

  it("tells a network failure from a refusal", () => {
    expect(isProblem(taken)).toBe(true);
    expect(isProblem({ message: "x" })).toBe(false);
    expect(describe(new TypeError("Failed to fetch"))).toMatch(/cannot be reached/);
  });
});
