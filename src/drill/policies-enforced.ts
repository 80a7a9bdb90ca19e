/**
 * The drill check `policies-enforced`: after the restore, the region's admission policies are
 * back and enforced. Each object of the spec's `rejects` goes to the API server as a server-side
 * dry run (nothing is created); the check passes when every one is refused by admission — a
 * ValidatingAdmissionPolicy, or a webhook such as Kyverno's — and names each one accepted, or
 * refused for another reason (a missing namespace, a schema error), which proves nothing.
 */
import { ApiException } from "@kubernetes/client-node";

import { apiMessage, formatRef, type Kube, type KubeObject } from "../kube/index.ts";

/** The field manager of the dry runs (nothing persists under it). */
const probeFieldManager = "drkit-policy-probe";

/** How the API server words an admission refusal: a policy's or a webhook's. */
const admissionRefusal =
  /ValidatingAdmissionPolicy|admission webhook|denied the request|denied request/i;

export async function checkPoliciesEnforced(
  rejects: readonly Record<string, unknown>[],
  kube: Kube,
): Promise<{ ok: boolean; detail: string }> {
  const outcomes = await Promise.all(
    rejects.map(async (probe) => {
      const obj = probe as unknown as KubeObject;
      try {
        await kube.apply(obj, { fieldManager: probeFieldManager, force: true, dryRun: true });
        return {
          ok: false,
          line: `${formatRef(obj)} was accepted: no admission policy refuses it`,
        };
      } catch (err) {
        const why = apiMessage(err);
        const refused = err instanceof ApiException && err.code < 500 && admissionRefusal.test(why);
        return refused
          ? { ok: true, line: `${formatRef(obj)} refused: ${why}` }
          : { ok: false, line: `${formatRef(obj)} was refused, but not by admission: ${why}` };
      }
    }),
  );
  const failed = outcomes.filter((o) => !o.ok);
  return {
    ok: failed.length === 0,
    detail:
      failed.length === 0
        ? `${outcomes.length} object(s) refused by admission (${outcomes.map((o) => o.line).join("; ")})`
        : failed.map((o) => o.line).join("; "),
  };
}
