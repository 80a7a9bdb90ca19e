/**
 * Whether the cluster serves a kind, asked the way converge's guards need it: a kind it does
 * not serve (a region without helm-controller, an older Flux) has nothing to watch, while an API
 * server that does not answer right now (restarting) is asked again until it does.
 */
import { isNotFound, type Kube, type KindRef } from "../../kube/index.ts";

/** How long to wait before asking again when the API server did not answer. */
const retryMs = 1_000;

/** Resolves true when `kind` is served, false when not (404); retries other errors until `signal`. */
export async function isServed(
  kube: Pick<Kube, "list">,
  kind: KindRef,
  signal: AbortSignal,
): Promise<boolean> {
  for (;;) {
    try {
      await kube.list(kind);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (signal.aborted) throw signal.reason;
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      if (signal.aborted) throw signal.reason;
    }
  }
}
