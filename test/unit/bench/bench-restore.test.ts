import { describe, expect, it } from "vitest";

import { validateStackConfig } from "../../../src/config/index.ts";
import { recoveryTuning } from "../../../src/gitops/recovery-tuning.ts";
import { benchRecovery } from "../../bench/bench-restore.ts";

describe("benchRecovery", () => {
  it("is the recovery profile a local stack gets by default, as drkit restore runs it", () => {
    const url = "http://127.0.0.1:1/fleet-5000.git";
    const tuning = benchRecovery("bench-5000", url);
    expect(tuning).toEqual(
      recoveryTuning(
        validateStackConfig(
          { platform: "local", region: "bench-5000", fleet: { url } },
          { stack: "bench-5000" },
        ).reconciler,
      ),
    );
    expect(tuning?.["kustomize-controller"]?.args).toContain("--concurrent-ssa=32");
  });
});
