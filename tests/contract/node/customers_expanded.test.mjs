// Issue 15 through Dub's npm SDK: customers read and updated with includeExpandedFields, the
// list with email combined with country and linkId (externalId winning over search), and a sale
// in a currency the bundled rates newly cover. Every answer must pass the SDK's validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, inputs, step } from "./support.mjs";

const dub = client();
const { email, link_id: linkId, sale } = inputs;

async function ids(name, request) {
  const found = [];
  for await (const page of await step(name, () => dub.customers.list(request))) {
    found.push(...page.result.map((customer) => customer.externalId));
  }
  return found;
}

test("get and update with expanded fields", async () => {
  const got = await step("get", () =>
    dub.customers.get({ id: "ext_u1", includeExpandedFields: true }),
  );
  assert.equal(got.link?.id, linkId);
  const request = { id: "ext_u1", includeExpandedFields: true, requestBody: { name: "Uma" } };
  const updated = await step("update", () => dub.customers.update(request));
  assert.equal(updated.name, "Uma");
  assert.equal(updated.link?.id, linkId);
});

test("combined filters", async () => {
  assert.deepEqual(await ids("by_country", { email, country: "DE" }), ["de"]);
  assert.deepEqual(await ids("by_link", { email, linkId }), ["u1"]);
  assert.deepEqual(await ids("external_wins", { externalId: "us", search: "nobody" }), ["us"]);
});

test("a sale in a newly covered currency", async () => {
  const answer = await step("sale", () => dub.track.sale(sale));
  assert.equal(answer.sale?.currency, "usd");
});
