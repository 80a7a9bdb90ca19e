/**
 * A restore never waits for its timeout when the answer is knowable earlier (issue 8), on a real
 * local region with real Flux: fleets that can never converge fail in preflight before anything
 * is touched; workloads that can never become healthy (unschedulable, crash-looping, a failed
 * Job) and a Kustomization suspended in the cluster fail converge within seconds, naming the
 * object and its root cause, long before the converge timeout.
 */
import { stringify, parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import {
  kwokFailureLabels,
  unschedulableNodeSelector,
} from "../../src/local/kwok-failure-stages.ts";
import {
  createRestoreFixture,
  elapsedMs,
  phasesOf,
  regionName,
  type RestoreFixture,
} from "./support/restore-fixture.ts";

let fx: RestoreFixture;

beforeAll(async () => {
  fx = await createRestoreFixture("restore-dead-ends");
  const first = await fx.restore({ convergeTimeoutMs });
  expect(first.failures).toEqual([]);
});
afterAll(async () => fx?.cleanup());

const convergeTimeoutMs = 180_000;

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: Record<string, unknown>;
}
interface WithTemplate {
  metadata: { name: string };
  spec: { template: PodTemplate; backoffLimit?: number };
}

/** The sample fleet's `web` Deployment with its Pod template changed by `edit`. */
async function webWith(edit: (template: PodTemplate) => void): Promise<string> {
  const [deployment, service] = (await fx.sampleFile("apps/base/web.yaml"))
    .split(/^---$/m)
    .map((d) => parse(d) as WithTemplate);
  edit(deployment!.spec.template);
  return [stringify(deployment), stringify(service)].join("---\n");
}

describe("fleets that can never converge fail in preflight, before anything is touched", () => {
  const infrastructure = `clusters/${regionName}/infrastructure.yaml`;

  it.each([
    [
      "a dependsOn cycle",
      (text: string) => text.replace("spec:\n", "spec:\n  dependsOn:\n    - name: apps\n"),
      /^dependency cycle: Kustomization flux-system\/(apps|infrastructure) /m,
    ],
    [
      "a suspended Kustomization",
      (text: string) => text.replace("spec:\n", "spec:\n  suspend: true\n"),
      /^Kustomization flux-system\/infrastructure \(.*\) has `spec.suspend: true`: Flux will never apply it/m,
    ],
    [
      "a source that does not exist",
      (text: string) => text.replace("name: fleet", "name: charts"),
      /^Kustomization flux-system\/infrastructure \(.*\) reads GitRepository flux-system\/charts, which neither the fleet renders nor bootstrap creates/m,
    ],
  ])(
    "fails on %s in preflight within seconds, never provisioning",
    async (_what, edit, message) => {
      const before = await fx.sampleFile(infrastructure);
      await fx.repo.commitAndPush({ [infrastructure]: edit(before) }, `break: ${_what}`);
      const up = vi.fn(async () => ({ kubeconfigPath: "/none", summary: "created" }));
      try {
        const report = await fx.restore(
          { convergeTimeoutMs },
          {},
          { kubeconfigPath: async () => undefined, up },
        );
        expect(report.failures.map((f) => f.message).join("\n")).toMatch(message);
        expect(report.failureKind).toBe("preflight");
        expect(phasesOf(report)).toEqual([["preflight", false]]);
        expect(elapsedMs(report)).toBeLessThan(10_000);
        expect(up).not.toHaveBeenCalled();
      } finally {
        await fx.repo.commitAndPush({ [infrastructure]: before }, `mend: ${_what}`);
      }
    },
  );
});

describe("workloads that cannot become healthy fail converge with the Pod's reason", () => {
  it.each([
    [
      "an unschedulable Deployment",
      (t: PodTemplate) => (t.spec.nodeSelector = unschedulableNodeSelector),
      /PodScheduled=False \(Unschedulable\): 0\/3 nodes are available/,
    ],
    [
      "a crash-looping container",
      (t: PodTemplate) => Object.assign(t.metadata.labels, kwokFailureLabels.crashLoop),
      /container "web" CrashLoopBackOff/,
    ],
    [
      "an image that cannot be pulled",
      (t: PodTemplate) => Object.assign(t.metadata.labels, kwokFailureLabels.imagePullBackOff),
      /container "web" ImagePullBackOff/,
    ],
  ])("fails on %s within seconds", async (_what, edit, message) => {
    const commit = await fx.repo.commitAndPush(
      { "apps/base/web.yaml": await webWith(edit) },
      `web: ${_what}`,
    );
    const report = await fx.restore({ convergeTimeoutMs });
    expect(report.commit).toBe(commit);
    expect(report.failureKind).toBe("failed");
    expect(phasesOf(report).at(-1)).toEqual(["converge", false]);
    const failure = report.failures.find((f) => f.message.startsWith("Deployment/shop/web: "));
    expect(failure?.owner, JSON.stringify(report.failures)).toBe("Kustomization/flux-system/apps");
    expect(failure?.object).toMatch(/^Pod\/shop\/web-/);
    expect(failure?.message).toMatch(message);
    expect(elapsedMs(report)).toBeLessThan(60_000);
  });

  it("fails on a failed Job, naming its last failed Pod and the exit", async () => {
    const job = parse(await fx.sampleFile("apps/base/migrate-job.yaml")) as WithTemplate;
    job.metadata.name = "db-migrate-broken";
    job.spec.backoffLimit = 1;
    job.spec.template.metadata = { labels: { ...kwokFailureLabels.containerFailed } };
    const base = await fx.sampleFile("apps/base/kustomization.yaml");
    await fx.repo.commitAndPush(
      {
        "apps/base/web.yaml": await fx.sampleFile("apps/base/web.yaml"),
        "apps/base/broken-job.yaml": stringify(job),
        "apps/base/kustomization.yaml": base.replace(
          "  - migrate-job.yaml",
          "  - migrate-job.yaml\n  - broken-job.yaml",
        ),
      },
      "a Job that fails",
    );
    const report = await fx.restore({ convergeTimeoutMs });
    expect(phasesOf(report).at(-1)).toEqual(["converge", false]);
    const failure = report.failures.find((f) => f.message.startsWith("Job/shop/db-migrate-broken"));
    expect(failure?.message).toMatch(
      /Job failed: BackoffLimitExceeded.*last failed Pod\/shop\/db-migrate-broken-.*exit code 1/,
    );
    expect(elapsedMs(report)).toBeLessThan(90_000);
  });
});

describe("a Kustomization suspended in the cluster", () => {
  it("fails converge within seconds naming it and how to resume it", async () => {
    await fx.repo.commitAndPush(
      {
        "apps/base/kustomization.yaml": await fx.sampleFile("apps/base/kustomization.yaml"),
      },
      "no broken Job",
    );
    await suspendApps(true);
    try {
      const report = await fx.restore({ convergeTimeoutMs });
      expect(phasesOf(report).at(-1)).toEqual(["converge", false]);
      expect(report.failures).toContainEqual({
        phase: "converge",
        owner: "Kustomization/flux-system/apps",
        message:
          "suspended (spec.suspend: true): Flux will not reconcile it; remove spec.suspend in Git or run `flux resume kustomization apps -n flux-system`",
      });
      expect(elapsedMs(report)).toBeLessThan(30_000);
    } finally {
      await suspendApps(null);
    }
    const healed = await fx.restore({ convergeTimeoutMs });
    expect(healed.failures).toEqual([]);
  });
});

/**
 * `flux suspend|resume kustomization apps`, as on-call does it in the cluster: a merge patch by
 * field manager `flux` (the CLI's), which Flux's own apply keeps, unlike a plain kubectl edit.
 */
function suspendApps(suspend: true | null): Promise<string> {
  const patch = JSON.stringify({ spec: { suspend } });
  return fx.kubectl([
    "patch",
    "kustomization",
    "apps",
    "-n",
    "flux-system",
    "--type=merge",
    "--field-manager=flux",
    "-p",
    patch,
  ]);
}
