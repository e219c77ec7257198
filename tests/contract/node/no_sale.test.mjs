// A sale for a customer nobody tracked records nothing: `customer` and `sale` are null.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, step } from "./support.mjs";

test("a sale for an unknown customer", async () => {
  const call = () => client().track.sale({ customerExternalId: "nobody", amount: 100 });
  const answer = await step("unknown_customer", call);
  assert.deepEqual(answer, { eventName: "Purchase", customer: null, sale: null });
});
