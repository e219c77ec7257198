// What the *.test.mjs files share: the inputs pytest passes in $SDK_TEST_INPUTS (the same JSON as
// the Python SDK scripts', see ../sdk_scripts/harness.py), a client of Dub's npm SDK, and a report
// of every step's outcome, written to $SDK_TEST_REPORT for pytest to check against the database.
import { after } from "node:test";
import { writeFileSync } from "node:fs";
import { Dub } from "dub";
import { DubError, ResponseValidationError } from "dub/models/errors";

export const inputs = JSON.parse(process.env.SDK_TEST_INPUTS);
export const WRONG_KEY = "dub_" + "x".repeat(24);

const report = {};
after(() => {
  if (process.env.SDK_TEST_REPORT) {
    writeFileSync(process.env.SDK_TEST_REPORT, JSON.stringify(report));
  }
});

export function client(token = inputs.api_key) {
  return new Dub({ token, serverURL: inputs.base_url });
}

// The lead of customer `index` from click `index`; the first customer has a name.
export function lead(index) {
  const request = {
    clickId: inputs.click_ids[index],
    eventName: inputs.event_name,
    customerExternalId: inputs.customers[index],
  };
  if (index === 0) {
    Object.assign(request, {
      customerName: inputs.customer_name,
      customerEmail: inputs.customer_email,
    });
  }
  return request;
}

// Runs one SDK call and records its outcome under `name`; returns the answer or rethrows.
export async function step(name, call) {
  try {
    const body = await call();
    report[name] = { type: body?.constructor?.name ?? null, body: body ?? null };
    return body;
  } catch (error) {
    report[name] = failure(error);
    throw error;
  }
}

function failure(error) {
  if (error instanceof ResponseValidationError) {
    return { error: error.name, message: error.pretty(), raw: error.rawValue };
  }
  if (error instanceof DubError) {
    try {
      return { error: error.name, body: JSON.parse(error.body) };
    } catch {
      return { error: error.name, message: error.message };
    }
  }
  return { error: error?.name ?? "Error", message: String(error?.message ?? error) };
}
