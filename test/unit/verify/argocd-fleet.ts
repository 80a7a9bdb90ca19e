/**
 * Small Argo CD fleets written to temp dirs for render, verify and preflight tests: the root's
 * path holds child Applications, each pointing at a folder of the same repository.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";

import type { Exec } from "../../../src/core/exec.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

export const fleetUrl = "http://127.0.0.1:8470/fleet.git";
export const commit = "0123456789abcdef0123456789abcdef01234567";

/** Writes `files` (path → text, or objects as YAML documents) into a new temp dir. */
export function writeFleet(files: Readonly<Record<string, string | readonly object[]>>): string {
  const dir = mkdtempSync(join(tmpdir(), "drkit-argo-fleet-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(
      join(dir, path),
      typeof content === "string" ? content : content.map((o) => stringify(o)).join("---\n"),
    );
  }
  return dir;
}

export interface ApplicationFields {
  readonly path?: string;
  readonly repoURL?: string;
  readonly namespace?: string;
  readonly destinationNamespace?: string;
  readonly server?: string;
  readonly wave?: number;
  readonly project?: string;
  readonly automated?: boolean;
  readonly retry?: boolean;
  readonly syncOptions?: string[];
  readonly source?: Record<string, unknown>;
  readonly sources?: Record<string, unknown>[];
}

/** A child Application manifest as the fleet declares it (no namespace unless given). */
export function application(name: string, fields: ApplicationFields = {}): object {
  const source = {
    repoURL: fields.repoURL ?? fleetUrl,
    path: fields.path ?? name,
    targetRevision: "main",
    ...fields.source,
  };
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name,
      ...(fields.namespace ? { namespace: fields.namespace } : {}),
      ...(fields.wave !== undefined
        ? { annotations: { "argocd.argoproj.io/sync-wave": String(fields.wave) } }
        : {}),
    },
    spec: {
      project: fields.project ?? "default",
      ...(fields.sources ? { sources: fields.sources } : { source }),
      destination: {
        server: fields.server ?? "https://kubernetes.default.svc",
        ...(fields.destinationNamespace ? { namespace: fields.destinationNamespace } : {}),
      },
      syncPolicy: {
        ...(fields.automated === false ? {} : { automated: { prune: true, selfHeal: true } }),
        ...(fields.retry ? { retry: { limit: 5 } } : {}),
        ...(fields.syncOptions ? { syncOptions: fields.syncOptions } : {}),
      },
    },
  };
}

export const widgetCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.drkit.dev" },
  spec: {
    group: "example.drkit.dev",
    names: { kind: "Widget", plural: "widgets" },
    scope: "Namespaced",
  },
};

export function widget(name: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: "example.drkit.dev/v1",
    kind: "Widget",
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { size: 1 },
  };
}

export function configMap(name: string, namespace?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, ...(namespace ? { namespace } : {}) },
    data: { key: name },
  };
}

/** An exec that fails the test: plain directories never run kubectl. */
export const noKubectl: Exec = async (command, args) => {
  throw new Error(`unexpected ${command} ${args.join(" ")}`);
};
