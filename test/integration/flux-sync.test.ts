/**
 * The real Flux controllers of a local region reconcile from the real local Git server over
 * smart HTTP, at the exact commit that was pushed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { renderFluxSync } from "../../src/gitops/flux-sync.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { eventually, kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

let platform: TestPlatform;
let region: LocalRegion;
let repo: WorkingRepo;
let k: ReturnType<typeof kubectl>;

const configMap = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
  namespace: default
data:
  value: "${value}"
`;

/** The connection objects exactly as the Pulumi program renders them (`apps/` as the path). */
const fluxObjects = (url: string) => {
  const { gitRepository, kustomization } = renderFluxSync({
    url,
    branch: "main",
    path: "apps",
    intervalSeconds: 10,
    prune: true,
    timeoutSeconds: 60,
    retryIntervalSeconds: 10,
    withCredentials: false,
    withAgeKey: false,
  });
  return JSON.stringify({ apiVersion: "v1", kind: "List", items: [gitRepository, kustomization] });
};

interface FluxStatus {
  status?: {
    conditions?: { type: string; status: string }[];
    artifact?: { revision: string };
    lastAppliedRevision?: string;
  };
}

const readStatus = async (kind: string): Promise<FluxStatus> =>
  JSON.parse(await k(["get", kind, "fleet", "-n", "flux-system", "-o", "json"])) as FluxStatus;
const ready = (s: FluxStatus) =>
  s.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

beforeAll(async () => {
  platform = await createTestPlatform("flux");
  region = await platform.up("local-a");
  k = kubectl(platform.toolchain, region);
  const git = await platform.git();
  repo = await cloneWorkingRepo(await git.createRepo("fleet"));
});
afterAll(async () => platform?.cleanup());

describe("Flux on a local region", () => {
  it("becomes Ready at the exact commit pushed to the local git server", async () => {
    const sha = await repo.commitAndPush({ "apps/greeting.yaml": configMap("hello") }, "hello");
    const git = await platform.git();
    await k(["apply", "-f", "-"], fluxObjects(git.repoUrl("fleet")));

    // Ready and the artifact can arrive in separate status writes: wait for both.
    const source = await eventually(
      () => readStatus("gitrepository"),
      (s) => ready(s) && s.status?.artifact?.revision !== undefined,
    );
    expect(source.status?.artifact?.revision, JSON.stringify(source.status)).toBe(
      `main@sha1:${sha}`,
    );
    const kustomization = await eventually(
      () => readStatus("kustomization"),
      (s) => s.status?.lastAppliedRevision === `main@sha1:${sha}` && ready(s),
    );
    expect(kustomization.status?.lastAppliedRevision).toBe(`main@sha1:${sha}`);
    expect(await k(["get", "configmap", "greeting", "-o", "jsonpath={.data.value}"])).toBe("hello");
  });

  it("reconciles a second push too", async () => {
    const sha = await repo.commitAndPush({ "apps/greeting.yaml": configMap("again") }, "again");
    const kustomization = await eventually(
      () => readStatus("kustomization"),
      (s) => s.status?.lastAppliedRevision === `main@sha1:${sha}` && ready(s),
    );
    expect(kustomization.status?.lastAppliedRevision).toBe(`main@sha1:${sha}`);
    expect(await k(["get", "configmap", "greeting", "-o", "jsonpath={.data.value}"])).toBe("again");
  });
});
