// Customers through Dub's npm SDK: every page of the list, iterated as the SDK pages (its
// `next()` asks again with `startingAfter` = the last id, until a page comes back empty), then
// get, update and delete.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NotFound } from "dub/models/errors";
import { client, inputs, step } from "./support.mjs";

const dub = client();
const { made, page_size: pageSize, renamed, deleted } = inputs;

test("iterating the list reaches the end", async () => {
  const pages = await step("pages", async () => {
    const ids = [];
    for await (const page of await dub.customers.list({ pageSize })) {
      ids.push(page.result.map((customer) => customer.id));
    }
    return ids;
  });
  assert.deepEqual(pages.flat(), [...made].reverse());
});

test("get by external id", async () => {
  const customer = await step("get", () => dub.customers.get({ id: `ext_${renamed.externalId}` }));
  assert.equal(customer.externalId, renamed.externalId);
});

test("update", async () => {
  const request = { id: renamed.id, requestBody: { name: renamed.name } };
  const customer = await step("update", () => dub.customers.update(request));
  assert.equal(customer.name, renamed.name);
});

test("delete, after which get is NotFound", async () => {
  const answer = await step("delete", () => dub.customers.delete(deleted));
  assert.equal(answer.id, deleted);
  await assert.rejects(step("get_deleted", () => dub.customers.get({ id: deleted })), NotFound);
});
