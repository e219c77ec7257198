// A lead, then one sale per payment processor the npm SDK offers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PaymentProcessor } from "dub/models/operations";
import { client, inputs, lead, step } from "./support.mjs";

const dub = client();

test("the lead", async () => {
  await step("lead", () => dub.track.lead(lead(0)));
});

for (const processor of Object.values(PaymentProcessor)) {
  test(`a sale through ${processor}`, async () => {
    const answer = await step(processor, () =>
      dub.track.sale({
        customerExternalId: inputs.customers[0],
        amount: 100,
        paymentProcessor: processor,
        invoiceId: `inv-${processor}`,
      }),
    );
    assert.equal(answer.sale.paymentProcessor, processor);
  });
}
