/**
 * Connections to a Temporal server: the address checked once, the namespace registered when a
 * local server has none yet, errors that name the address and how to start a server.
 */
import { Connection } from "@temporalio/client";
import Long from "long";

import { ConfigError, PreflightError } from "../core/errors.ts";

/** Where drkit's workflows run: the server, its namespace and the workers' task queue. */
export interface TemporalTarget {
  /** `host:port` of the frontend (gRPC). */
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
}

export const defaultTaskQueue = "drkit";
export const defaultNamespace = "default";

/** `host:port` (pure); the error names the flag, the value and the form it needs. */
export function parseTemporalAddress(value: string, flag = "--temporal-address"): string {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(
      `${flag} "${value}" is not host:port: give the Temporal frontend's gRPC address, e.g. ${flag} 127.0.0.1:7233`,
      { key: flag },
    );
  }
  return value.trim();
}

/** Connects to the frontend; a server that does not answer is a PreflightError naming it. */
export async function connectTemporal(address: string, timeoutMs = 10_000): Promise<Connection> {
  try {
    return await Connection.connect({ address, connectTimeout: timeoutMs });
  } catch (err) {
    throw new PreflightError(
      `no Temporal server answers on "${address}" (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): start one (\`drkit temporal start\` runs a local one) or pass --temporal-address`,
      { cause: err },
    );
  }
}

/**
 * Registers `namespace` unless it exists (a new local server has only its system namespace),
 * then waits until the frontend serves it: its namespace cache refreshes every few seconds.
 */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  timeoutMs = 30_000,
): Promise<void> {
  const service = connection.workflowService;
  const exists = await service.describeNamespace({ namespace }).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await service
      .registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(7 * 24 * 3600) },
      })
      .catch((err: { code?: number }) => {
        // 6: ALREADY_EXISTS (another drkit registered it first).
        if (err.code !== 6) throw err;
      });
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Listing workflows goes through the namespace cache, as starting one does.
    const served = await service.listOpenWorkflowExecutions({ namespace, maximumPageSize: 1 }).then(
      () => true,
      () => false,
    );
    if (served) return;
    if (Date.now() > deadline)
      throw new PreflightError(
        `the Temporal server does not serve namespace "${namespace}" ${Math.round(timeoutMs / 1000)}s after it was registered`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}
