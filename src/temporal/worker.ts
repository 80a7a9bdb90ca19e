/**
 * A drkit worker: polls the task queue for drill workflows and runs their activities in this
 * process, with the same session, phases and deps as `drkit drill run`.
 */
import { fileURLToPath } from "node:url";

import { DefaultLogger, NativeConnection, Runtime, Worker } from "@temporalio/worker";

import { PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { TemporalTarget } from "./connection.ts";
import type { DrillActivities } from "./drill-input.ts";

export interface WorkerOptions {
  readonly target: TemporalTarget;
  readonly activities: DrillActivities;
  /** Drills this worker runs at once. @default 4 */
  readonly maxDrills?: number;
  /** Stops polling; the drills in progress get the grace time to stop cleanly. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

let runtimeInstalled = false;

/** Runs until `signal` aborts (SIGINT/SIGTERM through the command's context). */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const { target, log } = options;
  if (!runtimeInstalled) {
    // drkit's context turns signals into `signal`; the SDK's own logs only when something is wrong.
    Runtime.install({ logger: new DefaultLogger("WARN"), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: target.address }).catch(
    (err: unknown) => {
      throw new PreflightError(
        `no Temporal server answers on "${target.address}" (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): start one (\`drkit temporal start\`) or pass --temporal-address`,
        { cause: err },
      );
    },
  );
  try {
    const worker = await Worker.create({
      connection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      workflowsPath: fileURLToPath(new URL("./workflows.ts", import.meta.url)),
      activities: options.activities,
      maxConcurrentActivityTaskExecutions: options.maxDrills ?? 4,
      shutdownGraceTime: "30 seconds",
      // Each finished step reaches the server within a second: a worker lost right after one
      // does not make the next attempt repeat it.
      maxHeartbeatThrottleInterval: "1 second",
      defaultHeartbeatThrottleInterval: "1 second",
    });
    const stop = () => worker.shutdown();
    if (options.signal.aborted) return;
    options.signal.addEventListener("abort", stop, { once: true });
    log.success(
      `worker polling task queue "${target.taskQueue}" of namespace "${target.namespace}" on "${target.address}"`,
    );
    await worker.run();
  } finally {
    await connection.close();
  }
}
