// One generation of Dub's npm SDK (the module in $SDK_MODULE: generations/dub-<version>/sdk.mjs,
// or ./sdk.mjs for the current one) through every answer it reads: links, track (lead, duplicate
// lead, sale, repeated invoice, a sale for an unknown customer), customers, events and
// analytics. Each step's outcome goes to the report; pytest (test_sdk_generations.py) judges.
import { after, test } from "node:test";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const { Dub, errors } = await import(process.env.SDK_MODULE);
const inputs = JSON.parse(process.env.SDK_TEST_INPUTS);
// Reads of the contract tests' traffic with its workspace's key; writes in a workspace of their own.
const dub = new Dub({ token: inputs.api_key, serverURL: inputs.base_url });
const writer = new Dub({ token: inputs.writer_key, serverURL: inputs.base_url });
const report = {};
after(() => writeFileSync(process.env.SDK_TEST_REPORT, JSON.stringify(report)));

async function step(name, call) {
  try {
    const body = await call();
    report[name] = { body: JSON.parse(JSON.stringify(body ?? null)) };
  } catch (error) {
    report[name] = failure(error);
  }
}

function failure(error) {
  const outcome = { error: error?.name ?? "Error", message: String(error?.message ?? error) };
  if (error instanceof errors.SDKValidationError) {
    outcome.message = typeof error.pretty === "function" ? error.pretty() : outcome.message;
    outcome.raw = error.rawValue ?? null;
  } else if (typeof error?.body === "string") {
    try {
      outcome.body = JSON.parse(error.body);
    } catch {}
  } else if (error?.data$ !== undefined) {
    outcome.body = { error: error.data$.error ?? error.data$ };
  }
  return outcome;
}

// How this generation names the customer in /track requests: customerId, externalId or
// customerExternalId.
const who = (index) => ({ [inputs.customer_field]: inputs.customers[index] });

test("links", async () => {
  await step("links.create", () => writer.links.create({ url: "https://example.com/tour" }));
  const id = report["links.create"].body?.id;
  await step("links.get", () => writer.links.get({ linkId: id }));
  await step("links.list", async () => {
    const page = await writer.links.list({});
    return page?.result ?? page;
  });
  await step("links.count", () => writer.links.count({}));
  await step("links.update", () => writer.links.update(id, { title: "Tour" }));
  await step("links.delete", () => writer.links.delete(id));
});

test("track", async () => {
  const lead = { clickId: inputs.click_id, eventName: "Sign up", ...who(0), metadata: { via: "tour" } };
  await step("track.lead", () => writer.track.lead(lead));
  await step("track.duplicate_lead", () => writer.track.lead(lead));
  const sale = { ...who(0), amount: 4999, paymentProcessor: "stripe", invoiceId: inputs.invoice };
  await step("track.sale", () => writer.track.sale(sale));
  await step("track.repeated_invoice", () => writer.track.sale(sale));
  await step("track.jpy_sale", () =>
    writer.track.sale({ ...who(0), amount: 1580, currency: "jpy", paymentProcessor: "shopify" }),
  );
  await step("track.unknown_customer", () =>
    writer.track.sale({ ...who(1), amount: 100, paymentProcessor: "stripe" }),
  );
});

test("customers", async () => {
  if (dub.customers === undefined) return; // not in this generation
  await step("customers.list", async () => {
    const page = await dub.customers.list({});
    return page?.result ?? page;
  });
  const id = report["customers.list"].body?.[0]?.id;
  await step("customers.get", () => dub.customers.get({ id }));
});

test("events and analytics", async () => {
  for (const { name, operation, request } of inputs.calls) {
    if (dub.events === undefined && operation === "events.list") continue;
    await sleep(inputs.pace_ms);
    const run = operation === "events.list" ? dub.events.list : dub.analytics.retrieve;
    await step(name, () => run.call(operation === "events.list" ? dub.events : dub.analytics, request));
  }
});
