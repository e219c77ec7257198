// Lead, duplicate lead, sale, a repeated invoice and a JPY sale through Dub's npm SDK.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, inputs, lead, step } from "./support.mjs";

const dub = client();
const [first, second] = inputs.customers;
const usdSale = {
  customerExternalId: first,
  amount: inputs.usd_amount,
  paymentProcessor: "stripe",
  invoiceId: inputs.invoices[0],
  metadata: { plan: "pro" },
};

test("a lead binds the customer to the click and its link", async () => {
  const answer = await step("lead", () => dub.track.lead(lead(0)));
  assert.equal(answer.click.id, inputs.click_ids[0]);
  assert.equal(answer.customer.externalId, first);
  assert.notEqual(answer.link, null);
});

test("the same lead again is a duplicate: 200 with link null", async () => {
  const answer = await step("duplicate_lead", () => dub.track.lead(lead(0)));
  assert.equal(answer.link, null);
  assert.equal(answer.customer.externalId, first);
});

test("a second customer from the second click", async () => {
  const answer = await step("second_lead", () => dub.track.lead(lead(1)));
  assert.equal(answer.customer.externalId, second);
});

test("a sale is attributed to the first customer", async () => {
  const answer = await step("sale", () => dub.track.sale(usdSale));
  assert.equal(answer.sale.amount, inputs.usd_amount);
  assert.equal(answer.customer.externalId, first);
});

test("a repeated invoice gets the first answer again", async () => {
  const answer = await step("repeated_invoice", () => dub.track.sale(usdSale));
  assert.equal(answer.sale.invoiceId, inputs.invoices[0]);
});

test("a JPY sale is stored in US cents", async () => {
  const answer = await step("jpy_sale", () =>
    dub.track.sale({
      customerExternalId: second,
      amount: inputs.jpy_amount,
      currency: "jpy",
      paymentProcessor: "shopify",
      invoiceId: inputs.invoices[1],
    }),
  );
  assert.equal(answer.sale.currency, "usd");
  assert.ok(Math.abs(answer.sale.amount - 1000) <= 100, `${answer.sale.amount} US cents`);
});
