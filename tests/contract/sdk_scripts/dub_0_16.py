"""Dub's Python SDK 0.16.1, the last generation with `track.customer` (.venv-sdk/dub-0.16.1):
`externalId` (sent as "" when not given) beside the deprecated `customerId`, a required
`paymentProcessor` of stripe, shopify or paddle, and non-nullable sale answers. The second
customer is named by the deprecated `customerId` throughout."""

from __future__ import annotations

from tests.contract.sdk_scripts.harness import main
from tests.contract.sdk_scripts.legacy import Generation, scenarios

GENERATION = Generation(id_field="external_id")

if __name__ == "__main__":
    main(scenarios(GENERATION))
