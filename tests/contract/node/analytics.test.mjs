// Events and analytics through Dub's npm SDK: the calls pytest lists in the inputs (see
// ../ledger.py), one test each, paced under the plan's analytics rate limit. Every answer must
// pass the SDK's validation, except where the SDK has no model for it (`rejected`); pytest then
// checks each reported answer against the database.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ResponseValidationError } from "dub/models/errors";
import { client, inputs, step } from "./support.mjs";

const dub = client();
const operations = {
  "events.list": (request) => dub.events.list(request),
  "analytics.retrieve": (request) => dub.analytics.retrieve(request),
};

for (const { name, operation, request, rejected } of inputs.calls) {
  test(`${operation} ${JSON.stringify(request)}`, async () => {
    await sleep(inputs.pace_ms);
    const answer = step(name, () => operations[operation](request));
    if (rejected) {
      await assert.rejects(answer, ResponseValidationError);
    } else {
      assert.ok(typeof (await answer) === "object");
    }
  });
}
