// Every rejection arrives as the npm SDK's typed error for its status.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as errors from "dub/models/errors";
import { WRONG_KEY, client, inputs, lead, step } from "./support.mjs";

const dub = client();

test("an unknown click id: NotFound", async () => {
  const call = () => dub.track.lead({ ...lead(0), clickId: "unknownClick0000" });
  await assert.rejects(step("unknown_click", call), errors.NotFound);
});

test("a lead without a customer id: BadRequest", async () => {
  const call = () => dub.track.lead({ ...lead(0), customerExternalId: "" });
  await assert.rejects(step("no_customer_id", call), errors.BadRequest);
});

test("a negative amount: UnprocessableEntity", async () => {
  const call = () => dub.track.sale({ customerExternalId: inputs.customers[0], amount: -1 });
  await assert.rejects(step("negative_amount", call), errors.UnprocessableEntity);
});

test("a wrong API key: Unauthorized", async () => {
  const call = () => client(WRONG_KEY).track.lead(lead(0));
  await assert.rejects(step("wrong_key", call), errors.Unauthorized);
});
