/**
 * The resources-only fast path (`plain-resources.ts`) against the real `kubectl kustomize`: for
 * every plain folder of the sample fleet and a generated folder of 1,000 objects, the same
 * objects, the same values, the same files and the same order as kustomize's build.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildKustomization } from "../../src/dr/verify/kustomize.ts";
import { parseFluxKustomization } from "../../src/dr/verify/flux-kustomization.ts";
import type { KubeObject } from "../../src/kube/index.ts";
import { loadToolchain } from "../../src/toolchain/index.ts";
import { renderFleetFiles } from "../bench/bench-fleet.ts";

const sampleFleet = fileURLToPath(new URL("../../examples/fleet", import.meta.url));
let repo: string;
let kubectl: string;

/** Keys sorted (kustomize prints maps sorted), so that only values and structure compare. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

async function both(path: string) {
  const spec = (extra: object) =>
    parseFluxKustomization({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "x", namespace: "flux-system" },
      spec: { path, sourceRef: { kind: "GitRepository", name: "fleet" }, ...extra },
    });
  const fast = await buildKustomization({ repoDir: repo, spec: spec({}), kubectl });
  // A label forces kustomize's own build; it is taken off again before comparing.
  const built = await buildKustomization({
    repoDir: repo,
    spec: spec({ commonMetadata: { labels: { "drkit.dev/compare": "x" } } }),
    kubectl,
  });
  const unlabelled = built.map(({ object, file }) => {
    const labels = Object.fromEntries(
      Object.entries(object.metadata.labels ?? {}).filter(([k]) => k !== "drkit.dev/compare"),
    );
    const metadata = { ...object.metadata, labels };
    if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
    return { object: { ...object, metadata } as KubeObject, file };
  });
  return { fast: canonical(fast), kustomize: canonical(unlabelled) };
}

beforeAll(async () => {
  kubectl = (await loadToolchain({ tools: ["kubectl"] })).path("kubectl");
  repo = mkdtempSync(join(tmpdir(), "drkit-fast-path-"));
  cpSync(sampleFleet, repo, { recursive: true });
  for (const [path, text] of Object.entries(renderFleetFiles(1000, "bench"))) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("the resources-only fast path matches kubectl kustomize", () => {
  it.each([
    "infrastructure",
    "apps/base",
    "apps/helm",
    "platform",
    "clusters/local-b",
    "bench/bench-objects",
  ])("%s", async (path) => {
    const { fast, kustomize } = await both(path);
    expect((fast as unknown[]).length).toBeGreaterThan(0);
    expect(fast).toEqual(kustomize);
  });
});
