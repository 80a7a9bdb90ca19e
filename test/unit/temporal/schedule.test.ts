import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import { parseTemporalAddress } from "../../../src/temporal/connection.ts";
import { scheduleIdFor, validateCron } from "../../../src/temporal/schedule.ts";

describe("drill schedule input", () => {
  it.each(["0 3 1 1,4,7,10 *", "*/15 * * * *", "0 3 1 JAN,APR * ", "30 2 * * MON-FRI", "@daily"])(
    "takes the cron %j",
    (cron) => expect(validateCron(cron)).toBe(cron.trim()),
  );

  it.each(["0 3 1", "every quarter", "0 3 1 1 * *", "0 3 ? 1 *", "@sometimes"])(
    "refuses the cron %j naming the flag, the value and a correct one",
    (cron) => {
      expect(() => validateCron(cron)).toThrow(ConfigError);
      expect(() => validateCron(cron)).toThrow(
        `--cron "${cron}" is not a cron expression of five fields (minute hour day-of-month month day-of-week): e.g. --cron "0 3 1 1,4,7,10 *"`,
      );
    },
  );

  it("names a schedule after its spec unless --id names it, and refuses an id Temporal would not take", () => {
    expect(scheduleIdFor("local-region-loss")).toBe("drill-local-region-loss");
    expect(scheduleIdFor("x", "quarterly-eu")).toBe("quarterly-eu");
    expect(() => scheduleIdFor("x", "has space")).toThrow(/--id "has space" is not a schedule id/);
  });
});

describe("--temporal-address", () => {
  it.each(["127.0.0.1:7233", "temporal.internal:7233", "[::1]:7233"])("takes %j", (a) =>
    expect(parseTemporalAddress(a)).toBe(a),
  );
  it.each(["no-port", "host:0", "host:99999", "http://host:7233"])(
    "refuses %j as bad input",
    (a) => {
      expect(() => parseTemporalAddress(a)).toThrow(ConfigError);
      expect(() => parseTemporalAddress(a)).toThrow(
        `--temporal-address "${a}" is not host:port: give the Temporal frontend's gRPC address, e.g. --temporal-address 127.0.0.1:7233`,
      );
    },
  );
});
