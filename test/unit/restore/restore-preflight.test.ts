import { describe, expect, it, vi } from "vitest";

import { InterruptedError, PreflightError } from "../../../src/core/errors.ts";
import { check } from "../../../src/dr/preflight/types.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { restore } from "../../../src/dr/restore/restore.ts";
import type { RestoreDeps, StackTarget } from "../../../src/dr/restore/types.ts";
import { fakeLocks, fakePreflight, localTarget } from "./fake-deps.ts";

const target: StackTarget = localTarget;

function fakeClock() {
  let ms = 0;
  return {
    now: () => new Date(Date.UTC(2026, 10, 25, 3, 0, 0) + ms),
    monotonicMs: () => ms,
    sleep: async (d: number) => void (ms += d),
    advance: (d: number) => void (ms += d),
  };
}

function deps(overrides: Partial<RestoreDeps> = {}) {
  const clock = fakeClock();
  const up = vi.fn(async () => ({ kubeconfigPath: "/nope", summary: "created" }));
  const base: RestoreDeps = {
    preflight: fakePreflight(),
    locks: fakeLocks(),
    provisioner: { describe: async () => target, kubeconfigPath: async () => undefined, up },
    git: {
      resolveRef: async (_url, ref) => {
        clock.advance(120);
        return { name: ref, kind: "branch", commit: "a".repeat(40) };
      },
      hasEncryptedFiles: async () => false,
    },
    kubeFor: () => {
      throw new Error("no cluster in unit tests");
    },
    probe: { down: async () => [], recover: async () => undefined },
    verifier: {
      verify: async () => ({
        counts: { desired: 0, applied: 0, missing: 0, extraManaged: 0, drifted: 0 },
        failures: [],
      }),
    },
    clock,
    log: createMemoryLogger(),
  };
  return { deps: { ...base, ...overrides }, up, clock };
}

describe("restore preflight", () => {
  it("fails before provisioning when the ref does not exist, and reports no success", async () => {
    const { deps: d, up } = deps({
      git: {
        resolveRef: async () => {
          throw new PreflightError(
            'ref "nope" does not exist in "http://127.0.0.1:8470/fleet.git": give a branch, a tag or a commit sha',
          );
        },
        hasEncryptedFiles: async () => false,
      },
    });
    const report = await restore({ stack: "local-b", ref: "nope" }, d);
    expect(report.ok).toBe(false);
    expect(report.commit).toBe("");
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([["preflight", false]]);
    expect(report.failures).toEqual([
      {
        phase: "preflight",
        message:
          'ref "nope" does not exist in "http://127.0.0.1:8470/fleet.git": give a branch, a tag or a commit sha',
      },
    ]);
    expect(up).not.toHaveBeenCalled();
  });

  it("fails with the fix when the fleet has encrypted files and the stack has no key", async () => {
    const { deps: d, up } = deps({
      git: {
        resolveRef: async (_u, ref) => ({ name: ref, kind: "branch", commit: "b".repeat(40) }),
        hasEncryptedFiles: async () => true,
      },
    });
    const report = await restore({ stack: "local-b" }, d);
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.message).toBe(
      'the fleet path "clusters/local-b" has SOPS-encrypted files but stack "local-b" has no decryption key: set it with `pulumi config set --secret drkit:sopsAgeKey <AGE-SECRET-KEY-...> --stack local-b` (from your key escrow), or for files encrypted with Vault transit `pulumi config set --secret drkit:sopsVaultToken <token> --stack local-b`',
    );
    expect(report.commit).toBe("b".repeat(40));
    // Bad input found before anything is created: a failed check (exit 3), not a crash.
    expect(report.failureKind).toBe("preflight");
    expect(up).not.toHaveBeenCalled();
  });

  it("fails when provisioning fails, timing each phase on the monotonic clock", async () => {
    const { deps: d } = deps();
    d.provisioner.up = async () => {
      throw new Error("pulumi up failed: boom");
    };
    const report = await restore({ stack: "local-b" }, d);
    expect(report.phases.map((p) => [p.name, p.ok, p.durationMs])).toEqual([
      ["preflight", true, 120],
      ["provision", false, 0],
    ]);
    expect(report.failures).toEqual([{ phase: "provision", message: "pulumi up failed: boom" }]);
  });

  it("fails a read-only verify when the cluster is unreachable, without provisioning", async () => {
    const { deps: d, up } = deps();
    const report = await restore({ stack: "local-b", readOnly: true }, d);
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.message).toBe(
      'the cluster of stack "local-b" is not reachable: restore it with `drkit restore --stack local-b`',
    );
    expect(up).not.toHaveBeenCalled();
  });

  it("fails in preflight with every finding and its fix before provisioning, as a preflight failure", async () => {
    const { deps: d, up } = deps({
      preflight: fakePreflight([
        check("render", "2 Kustomization(s) render 9 object(s)"),
        check("dependency-graph" as never, "3 Kustomization(s) checked", [
          {
            message:
              "Kustomization flux-system/apps depends on flux-system/db, which depends on flux-system/apps: a cycle never becomes Ready",
            fix: "remove one dependsOn of the cycle",
          },
          {
            message: "Kustomization flux-system/jobs is suspended",
            fix: "remove spec.suspend",
          },
        ]),
      ]),
    });
    const report = await restore({ stack: "local-b" }, d);
    expect(report.ok).toBe(false);
    expect(report.failureKind).toBe("preflight");
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([["preflight", false]]);
    expect(report.failures).toEqual([
      {
        phase: "preflight",
        message:
          "Kustomization flux-system/apps depends on flux-system/db, which depends on flux-system/apps: a cycle never becomes Ready; fix: remove one dependsOn of the cycle",
      },
      {
        phase: "preflight",
        message: "Kustomization flux-system/jobs is suspended; fix: remove spec.suspend",
      },
    ]);
    expect(up).not.toHaveBeenCalled();
  });

  it("fails as a preflight failure, creating nothing, when another run holds the stack's lock", async () => {
    const { deps: d, up } = deps({
      locks: {
        acquire: async () => {
          throw new PreflightError(
            'stack "local-b" is locked by pid 4242 since 2026-12-01T03:00:00.000Z',
          );
        },
      },
    });
    const report = await restore({ stack: "local-b" }, d);
    expect(report.failureKind).toBe("preflight");
    expect(report.failures).toEqual([
      {
        phase: "preflight",
        message: 'stack "local-b" is locked by pid 4242 since 2026-12-01T03:00:00.000Z',
      },
    ]);
    expect(up).not.toHaveBeenCalled();
  });

  it("takes the stack's lock for the whole restore and releases it when a phase fails", async () => {
    const events: string[] = [];
    const { deps: d } = deps({ locks: fakeLocks(events) });
    d.provisioner.up = async () => {
      events.push("up");
      throw new Error("pulumi up failed: boom");
    };
    await restore({ stack: "local-b" }, d);
    expect(events).toEqual(["lock local-b", "up", "unlock local-b"]);
  });

  it("stops in the phase it was in when interrupted, reports it as interrupted and passes the signal to pulumi up", async () => {
    const abort = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const { deps: d } = deps();
    d.provisioner.up = async (_t, _log, signal) => {
      seen.push(signal);
      abort.abort(new InterruptedError("SIGINT"));
      throw new Error("pulumi up was cancelled");
    };
    const report = await restore({ stack: "local-b", signal: abort.signal }, d);
    expect(seen).toEqual([abort.signal]);
    expect(report.ok).toBe(false);
    expect(report.failureKind).toBe("interrupted");
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([
      ["preflight", true],
      ["provision", false],
    ]);
  });

  it("reports an interruption between phases as interrupted, in the phase that did not start", async () => {
    const abort = new AbortController();
    const { deps: d, up } = deps({
      git: {
        resolveRef: async (_u, ref) => {
          abort.abort(new InterruptedError("SIGTERM"));
          return { name: ref, kind: "branch", commit: "b".repeat(40) };
        },
        hasEncryptedFiles: async () => false,
      },
    });
    const report = await restore({ stack: "local-b", signal: abort.signal }, d);
    expect(report.failureKind).toBe("interrupted");
    expect(report.failures).toEqual([{ phase: "preflight", message: "interrupted by SIGTERM" }]);
    expect(up).not.toHaveBeenCalled();
  });
});
