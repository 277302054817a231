/** A small valid spec; tests append or replace lines to make one problem at a known line. */
export const VALID_SPEC = `version: 1
function: orders-api
alias: live
artifact:
  zip: build/orders-api.zip
strategy:
  preset: Canary10Percent5Minutes
health:
  alarms: [orders-api-p99-latency]
`;

/** Builds a spec from lines, so that each test states exactly where its problem sits. */
export const lines = (...text: string[]): string => `${text.join('\n')}\n`;
