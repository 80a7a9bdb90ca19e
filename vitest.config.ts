import { defineConfig } from "vitest/config";

import OptionalToolchainLast from "./test/support/sequencer.ts";

export default defineConfig({
  test: {
    sequence: { sequencer: OptionalToolchainLast },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          globalSetup: ["test/unit/temp-dir-setup.ts"],
          testTimeout: 20_000,
          // A suite's first import of the Pulumi SDK and the platforms takes seconds on a busy
          // 2-core machine (10 s, the default, was seen to run out).
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // One local platform per machine: integration files share ports and processes.
          fileParallelism: false,
          // The optional toolchain builds meanwhile; the files that need it run last and wait.
          globalSetup: ["test/integration/support/optional-toolchain-setup.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
