/**
 * drkit's Temporal workflows. Bundled by the worker into Temporal's deterministic sandbox: only
 * `@temporalio/workflow` and types are imported here. A drill is one activity that checkpoints
 * every finished step (prepare, baseline, inject, preflight, provision, bootstrap, converge…) in
 * its heartbeats, so a retry on another worker resumes after the last one: the phases run in the
 * same code as the embedded runner, and the live state they share (the stack locks, the API
 * connections, the warm-up) never has to cross workers.
 */
import { proxyActivities, uuid4, workflowInfo } from "@temporalio/workflow";

import type {
  DrillActivities,
  DrillActivityInput,
  DrillWorkflowResult,
  RestoreActivityInput,
  RestoreWorkflowResult,
} from "./drill-input.ts";

/** What a drill workflow is started with; `id` is made by the workflow when absent (schedules). */
export type DrillWorkflowInput = Omit<DrillActivityInput, "id" | "workflowId"> & {
  readonly id?: string;
};

const { runDrillActivity, runRestoreActivity } = proxyActivities<DrillActivities>({
  // A drill's longest part is its restore; converge alone may take 10 minutes.
  startToCloseTimeout: "2 hours",
  // A worker that stops heartbeating is taken as lost: the next attempt resumes the drill.
  heartbeatTimeout: "20 seconds",
  retry: {
    initialInterval: "1 second",
    backoffCoefficient: 2,
    maximumInterval: "10 seconds",
    maximumAttempts: 5,
    // Bad input and a fleet that cannot be restored do not get better by trying again.
    // (`finalFailureKinds`: the sandbox imports no module but the SDK's.)
    nonRetryableErrorTypes: ["bad-input", "preflight", "interrupted"],
  },
});

export async function drillWorkflow(input: DrillWorkflowInput): Promise<DrillWorkflowResult> {
  const info = workflowInfo();
  return runDrillActivity({ ...input, id: input.id ?? uuid4(), workflowId: info.workflowId });
}

/** A restore (`drkit restore --stack S --engine temporal`), resumable the same way as a drill. */
export async function restoreWorkflow(
  input: Omit<RestoreActivityInput, "workflowId">,
): Promise<RestoreWorkflowResult> {
  return runRestoreActivity({ ...input, workflowId: workflowInfo().workflowId });
}
