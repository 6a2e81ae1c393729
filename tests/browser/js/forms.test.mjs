import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../../src/masterstream/web/js/api.mjs";
import { describe, when } from "../../../src/masterstream/web/js/forms.mjs";
import { checkedPassword, slugOf } from "../../../src/masterstream/web/js/signin.mjs";

test("an error reads as the problem's title and detail, or its message", () => {
  const throttled = new ApiError(429, { title: "Too many failed sign-ins", detail: "try again in 42 s" });
  assert.equal(describe(throttled), "Too many failed sign-ins: try again in 42 s");
  assert.equal(describe(new ApiError(500, {})), "HTTP 500");  // no document: the status alone
  assert.equal(describe(new Error("Enter a password.")), "Enter a password.");
});

test("a server time reads in the reader's locale; none is 'never'", () => {
  assert.equal(when(null), "never");
  assert.equal(when("not a date"), "not a date");
  assert.equal(when("2026-11-29T17:00:00+00:00"), new Date("2026-11-29T17:00:00Z").toLocaleString());
});

test("a problem's slug is the last part of its type", () => {
  assert.equal(slugOf({ type: "https://masterstream.invalid/problems/no-user-yet" }), "no-user-yet");
  assert.equal(slugOf({}), "");
});

test("a new password must be given twice, the same", () => {
  const pair = (a, b) => ({ password: { input: { value: a } }, confirm: { input: { value: b } } });
  assert.equal(checkedPassword(pair("s3cret", "s3cret")), "s3cret");
  assert.throws(() => checkedPassword(pair("s3cret", "s3cre")), /do not match/);
  assert.throws(() => checkedPassword(pair("", "")), /Enter a password/);
});
