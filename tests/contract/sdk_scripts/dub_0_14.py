"""Dub's Python SDK 0.14.0, the generation of the seed documents (.venv-sdk/dub-0.14.0):
`customerId` is the customer's external id, `paymentProcessor` (stripe, shopify or paddle) is
required, and every answer is non-nullable."""

from __future__ import annotations

from tests.contract.sdk_scripts.harness import main
from tests.contract.sdk_scripts.legacy import Generation, scenarios

# customerId is required by this SDK's model, so "no customer" is an empty one
GENERATION = Generation(id_field="customer_id", no_customer={"customer_id": ""})

if __name__ == "__main__":
    main(scenarios(GENERATION))
