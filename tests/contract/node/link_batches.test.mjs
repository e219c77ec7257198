// QR codes, cursor paging, counts, upsert and the bulk operations through Dub's npm SDK: every
// answer must pass the SDK's own validation (per-item bulk errors included).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ResponseValidationError } from "dub/models/errors";
import { client, inputs, step } from "./support.mjs";

const dub = client();
const { url, made, page_size: pageSize, taken_key: takenKey } = inputs;

test("the QR code of a link is an image the SDK accepts", async () => {
  const image = await step("qr", () => dub.qrCodes.get({ url, size: 200, level: "H" }));
  assert.equal(typeof image, "string");
  assert.ok(image.includes("PNG") && image.includes("IHDR"));
});

test("cursor paging reaches the end", async () => {
  const ids = await step("cursor_pages", async () => {
    const seen = [];
    let startingAfter;
    for (;;) {
      const page = await dub.links.list({ pageSize, ...(startingAfter && { startingAfter }) });
      if (page.result.length === 0) return seen;
      seen.push(...page.result.map((link) => link.id));
      startingAfter = page.result.at(-1).id;
      assert.ok(seen.length <= made.length, "paging does not end");
    }
  });
  assert.deepEqual(ids, [...made].reverse());
});

test("count, and count grouped (which the SDK types as a number)", async () => {
  assert.equal(await step("count", () => dub.links.count({})), made.length);
  await assert.rejects(
    step("count_grouped", () => dub.links.count({ groupBy: "domain" })),
    ResponseValidationError,
  );
});

test("upsert twice is one link", async () => {
  const first = await step("upsert", () => dub.links.upsert({ url: `${url}/up` }));
  const again = await step("upsert_again", () =>
    dub.links.upsert({ url: `${url}/up`, title: "Again" }),
  );
  assert.equal(again.id, first.id);
  assert.equal(again.title, "Again");
});

test("bulk create with a per-item error, update, delete", async () => {
  const answer = await step("create_many", () =>
    dub.links.createMany([{ url, key: "bulk-a" }, { url, key: takenKey }]),
  );
  assert.equal(answer.length, 2);
  assert.equal(answer[0].key, "bulk-a");
  assert.equal(answer[1].code, "conflict");
  assert.equal(answer[1].link.key, takenKey);
  const updated = await step("update_many", () =>
    dub.links.updateMany({ linkIds: [answer[0].id], data: { title: "Bulk" } }),
  );
  assert.equal(updated[0].title, "Bulk");
  const deleted = await step("delete_many", () => dub.links.deleteMany({ linkIds: [answer[0].id] }));
  assert.equal(deleted.deletedCount, 1);
});

test("domains: create, list, update, delete", async () => {
  const slug = "go.node.test";
  const created = await step("domain_create", () =>
    dub.domains.create({ slug, notFoundUrl: "https://node.test/404" }),
  );
  assert.equal(created.notFoundUrl, "https://node.test/404");
  const ids = await step("domain_list", async () => {
    const seen = [];
    for await (const page of await dub.domains.list({})) {
      seen.push(...page.result.map((domain) => domain.id));
    }
    return seen;
  });
  assert.deepEqual(ids, [created.id]);
  const updated = await step("domain_update", () => dub.domains.update(slug, { archived: true }));
  assert.equal(updated.archived, true);
  const deleted = await step("domain_delete", () => dub.domains.delete(slug));
  assert.equal(deleted.slug, slug);
});

test("folders: create, list, update, delete", async () => {
  const folder = await step("folder_create", () => dub.folders.create({ name: "Node" }));
  assert.equal(folder.accessLevel, "write");
  const listed = await step("folder_list", () => dub.folders.list({}));
  assert.ok(listed.some((f) => f.id === folder.id));
  const renamed = await step("folder_update", () => dub.folders.update(folder.id, { name: "Nodes" }));
  assert.equal(renamed.name, "Nodes");
  const deleted = await step("folder_delete", () => dub.folders.delete(folder.id));
  assert.equal(deleted.id, folder.id);
});

test("tags: create, list, update, a link with tags, delete", async () => {
  const tag = await step("tag_create", () => dub.tags.create({ name: "Node", color: "blue" }));
  assert.deepEqual(tag, { id: tag.id, name: "Node", color: "blue" });
  const other = await dub.tags.create({ name: "Other" });
  const listed = await step("tag_list", () => dub.tags.list({ ids: [tag.id, other.id], sortBy: "name" }));
  assert.deepEqual(listed.map((t) => t.name), ["Node", "Other"]);
  const renamed = await step("tag_update", () => dub.tags.update(tag.id, { name: "Nodes", color: "red" }));
  assert.equal(renamed.color, "red");
  const link = await step("tag_link", () =>
    dub.links.create({ url, key: "tagged", tagIds: [tag.id], tagNames: ["ignored"] }),
  );
  assert.deepEqual(link.tags, [renamed]);
  const byName = await step("tag_link_by_name", () => dub.links.create({ url, tagNames: ["OTHER"] }));
  assert.deepEqual(byName.tags, [other]);
  const filtered = await step("tag_filter", () => dub.links.list({ tagIds: [tag.id] }));
  assert.deepEqual(filtered.result.map((l) => l.id), [link.id]);
  const deleted = await step("tag_delete", () => dub.tags.delete(tag.id));
  assert.equal(deleted.id, tag.id);
  assert.deepEqual((await dub.links.get({ linkId: link.id })).tags, []);
});
