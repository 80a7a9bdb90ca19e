import { cpSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { runPreflight, type PreflightInput } from "../../../src/dr/preflight/preflight.ts";
import {
  argocdPreflightCheckNames,
  preflightCheckNames,
  preflightChecksOf,
  type PreflightCheck,
} from "../../../src/dr/preflight/types.ts";
import {
  application,
  commit,
  configMap,
  fleetUrl,
  widget,
  widgetCrd,
  writeFleet,
} from "../verify/argocd-fleet.ts";

type Files = Parameters<typeof writeFleet>[0];

/** Runs every preflight check of an Argo CD region on a fleet written from `files`. */
async function preflight(files: Files, extra: Partial<PreflightInput> = {}) {
  const repoDir = writeFleet(files);
  return runPreflight({
    stack: "r1",
    url: fleetUrl,
    ref: "main",
    path: "clusters/r1",
    resolveRef: async () => ({ commit }),
    checkout: async (_url, _commit, dir) => cpSync(repoDir, dir, { recursive: true }),
    // Plain directories only: a kustomize source would fail to run this kubectl.
    kubectl: "/nonexistent/kubectl",
    reconciler: "argocd",
    decrypt: async () => undefined,
    ageIdentity: undefined,
    keySources: "$SOPS_AGE_KEY",
    ...extra,
  });
}

const checkOf = (checks: readonly PreflightCheck[], name: string) =>
  checks.find((c) => c.name === name)!;

const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } };

/**
 * The layout of the example fleet: infrastructure (CRD, wave -1) before apps (its Widget). Plain
 * directories, so kubectl never runs.
 */
const wellOrdered: Files = {
  "clusters/r1/infrastructure.yaml": [application("infrastructure", { wave: -1 })],
  "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "shop", retry: true })],
  "infrastructure/objects.yaml": [namespace, widgetCrd],
  "apps/objects.yaml": [configMap("web"), widget("storefront")],
};

describe("preflightChecksOf", () => {
  it("lists each reconciler's checks, Flux's unchanged", () => {
    expect(preflightChecksOf("flux")).toBe(preflightCheckNames);
    expect(preflightChecksOf("argocd")).toEqual([
      "git-ref",
      "render",
      "decryption",
      "sealed-secrets",
      "crd-order",
      "webhook-order",
      "policies",
      "kyverno",
      "controllers",
      "projects",
      "reconcile",
    ]);
    expect(() => preflightChecksOf("rancher" as never)).toThrow("unknown reconciler rancher");
  });
});

describe("runPreflight for Argo CD", () => {
  it("passes a fleet whose custom resources sync after their CRD, every check in order", async () => {
    const result = await preflight(wellOrdered);
    expect(result.checks.map((c) => [c.name, c.ok, c.summary, c.failures, c.warnings])).toEqual([
      ["git-ref", true, `"main" is ${commit.slice(0, 12)}`, [], []],
      ["render", true, "3 Application(s) render 6 object(s)", [], []],
      ["decryption", true, "no SOPS-encrypted files in the region's Applications", [], []],
      ["sealed-secrets", true, "no SealedSecret in the region's fleet", [], []],
      ["crd-order", true, "1 custom resource(s) checked against 1 CRD(s)", [], []],
      [
        "webhook-order",
        true,
        "0 fail-closed admission webhook(s) checked against the restore order",
        [],
        [],
      ],
      ["policies", true, "0 object(s) checked against 0 admission policy binding(s)", [], []],
      ["kyverno", true, "no Kyverno policy in the region's fleet", [], []],
      [
        "controllers",
        true,
        "2 reconciler object(s) checked against the 2 kind(s) region r1 serves",
        [],
        [],
      ],
      ["projects", true, "2 Application(s) checked against 1 project(s)", [], []],
      ["reconcile", true, "2 Application(s) checked for automated sync", [], []],
    ]);
    expect(result.ok).toBe(true);
  });

  it("fails the ref check and skips every Argo CD check when the ref does not exist", async () => {
    const result = await preflight(wellOrdered, {
      resolveRef: async () => {
        throw new Error('ref "main" does not exist');
      },
    });
    expect(result.checks.map((c) => [c.name, c.skipped ?? null])).toEqual(
      argocdPreflightCheckNames.map((name) => [
        name,
        name === "git-ref" ? null : "the ref did not resolve",
      ]),
    );
  });

  it("fails the render check for an Application whose path does not exist, with its fix", async () => {
    const result = await preflight({
      "clusters/r1/apps.yaml": [application("apps", { path: "apps/overlays/r9" })],
    });
    expect(checkOf(result.checks, "render").failures).toEqual([
      {
        message:
          'Application argocd/apps (clusters/r1/apps.yaml): spec.source.path "apps/overlays/r9" does not exist in the fleet repository: Argo CD cannot generate its manifests',
        fix: 'set spec.source.path of Application argocd/apps (clusters/r1/apps.yaml) to an existing folder, or add the folder "apps/overlays/r9" to the fleet repository',
      },
    ]);
  });

  describe("crd-order", () => {
    it("fails a custom resource in an earlier wave than its CRD within one Application", async () => {
      const result = await preflight({
        "clusters/r1/all.yaml": [application("all", { destinationNamespace: "shop" })],
        "all/crd.yaml": [
          {
            ...widgetCrd,
            metadata: {
              ...widgetCrd.metadata,
              annotations: { "argocd.argoproj.io/sync-wave": "1" },
            },
          },
        ],
        "all/widget.yaml": [widget("storefront")],
      });
      expect(checkOf(result.checks, "crd-order").failures).toEqual([
        {
          message:
            "Widget/shop/storefront (all/widget.yaml) in Application argocd/all has sync wave 0, before CRD widgets.example.drkit.dev (all/crd.yaml) in wave 1 of the same Application: the custom resource is applied before its CRD exists and the sync fails",
          fix: 'set `argocd.argoproj.io/sync-wave: "1"` (or later) on Widget/shop/storefront (all/widget.yaml), or give CRD widgets.example.drkit.dev (all/crd.yaml) an earlier sync wave',
        },
      ]);
    });

    it("passes a custom resource in the same wave as its CRD in one Application (CRDs apply first)", async () => {
      const result = await preflight({
        "clusters/r1/all.yaml": [application("all", { destinationNamespace: "shop" })],
        "all/objects.yaml": [widgetCrd, widget("storefront")],
      });
      expect(checkOf(result.checks, "crd-order")).toMatchObject({ ok: true, warnings: [] });
    });

    it("fails a custom resource whose CRD comes from an Application of the same wave", async () => {
      const result = await preflight({
        ...wellOrdered,
        "clusters/r1/infrastructure.yaml": [application("infrastructure")],
      });
      expect(checkOf(result.checks, "crd-order").failures).toEqual([
        {
          message:
            "Widget/shop/storefront (apps/objects.yaml) in Application argocd/apps needs CRD widgets.example.drkit.dev (infrastructure/objects.yaml) from Application argocd/infrastructure, but Application argocd/fleet syncs Application argocd/infrastructure (clusters/r1/infrastructure.yaml) in wave 0 and Application argocd/apps (clusters/r1/apps.yaml) in wave 0: the custom resource can sync before its CRD exists, and Argo CD's dry run refuses it while the CRD is missing, so Application argocd/apps fails to sync",
          fix: 'set `argocd.argoproj.io/sync-wave: "-1"` (or earlier) on Application/argocd/infrastructure (clusters/r1/infrastructure.yaml), or `argocd.argoproj.io/sync-wave: "1"` (or later) on Application/argocd/apps (clusters/r1/apps.yaml); or add the sync option SkipDryRunOnMissingResource=true to Widget/shop/storefront and syncPolicy.retry to Application argocd/apps',
        },
      ]);
    });

    it("only warns when the custom resource skips the dry run on a missing CRD", async () => {
      const result = await preflight({
        ...wellOrdered,
        "clusters/r1/infrastructure.yaml": [application("infrastructure")],
        "apps/objects.yaml": [
          widget("storefront", {
            "argocd.argoproj.io/sync-options": "Prune=false,SkipDryRunOnMissingResource=true",
          }),
        ],
      });
      const crdOrder = checkOf(result.checks, "crd-order");
      expect(crdOrder.ok).toBe(true);
      expect(crdOrder.warnings).toEqual([
        expect.stringMatching(
          /^Widget\/shop\/storefront .* the custom resource can sync before its CRD exists; with SkipDryRunOnMissingResource=true it fails until the CRD is there and syncs on a retry$/,
        ),
      ]);
    });

    it("warns that a later wave does not wait for an Application's health, unless the consumer retries or the region checks it", async () => {
      const noRetry = {
        ...wellOrdered,
        "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "shop" })],
      };
      const warned = checkOf(
        (await preflight(noRetry, { argoApplicationHealth: false })).checks,
        "crd-order",
      );
      expect(warned.ok).toBe(true);
      expect(warned.warnings).toEqual([
        "Widget/shop/storefront (apps/objects.yaml) in Application argocd/apps needs CRD widgets.example.drkit.dev (infrastructure/objects.yaml) from Application argocd/infrastructure; Application argocd/fleet syncs Application argocd/infrastructure (clusters/r1/infrastructure.yaml) in wave -1 and Application argocd/apps (clusters/r1/apps.yaml) in wave 0, but this region's Argo CD does not wait for an Application to be Healthy before the next wave (argocd-cm has no health check for argoproj.io/Application), so the custom resource can sync before its CRD exists, and without spec.syncPolicy.retry Application argocd/apps does not try again at the same revision: add `syncPolicy.retry` to Application argocd/apps (clusters/r1/apps.yaml)",
      ]);
      // drkit's own install has the health check: the default.
      const withHealth = await preflight(noRetry);
      expect(checkOf(withHealth.checks, "crd-order").warnings).toEqual([]);
    });

    it("orders through nested Applications: a CRD in a parent after the Application holding its custom resource", async () => {
      const result = await preflight({
        "clusters/r1/platform.yaml": [
          application("platform", { destinationNamespace: "argocd", retry: true }),
        ],
        "platform/crd.yaml": [
          {
            ...widgetCrd,
            metadata: {
              ...widgetCrd.metadata,
              annotations: { "argocd.argoproj.io/sync-wave": "2" },
            },
          },
        ],
        "platform/team.yaml": [application("team", { destinationNamespace: "shop", wave: 1 })],
        "team/widget.yaml": [widget("storefront")],
      });
      expect(checkOf(result.checks, "crd-order").failures).toEqual([
        {
          message:
            "Widget/shop/storefront (team/widget.yaml) in Application argocd/team needs CRD widgets.example.drkit.dev (platform/crd.yaml), which Application argocd/platform applies in sync wave 2, but it applies Application argocd/team (platform/team.yaml) in wave 1: the custom resource can sync before its CRD exists",
          fix: 'set `argocd.argoproj.io/sync-wave: "2"` (or later) on Application/argocd/team (platform/team.yaml), or give CRD widgets.example.drkit.dev (platform/crd.yaml) an earlier sync wave',
        },
      ]);
    });

    it("warns about custom resources whose CRD no Application provides", async () => {
      const result = await preflight({
        "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "shop" })],
        "apps/widget.yaml": [widget("storefront")],
      });
      expect(checkOf(result.checks, "crd-order").warnings).toEqual([
        "Widget/shop/storefront (apps/widget.yaml) in Application argocd/apps: no Application of this region provides the CRD for Widget.example.drkit.dev; it must already be installed",
      ]);
    });
  });

  describe("projects", () => {
    it("fails an Application whose project is neither default nor an AppProject of the fleet", async () => {
      const result = await preflight({
        "clusters/r1/apps.yaml": [application("apps", { project: "team-a" })],
        "apps/cm.yaml": [configMap("web", "shop")],
      });
      expect(checkOf(result.checks, "projects").failures).toEqual([
        {
          message:
            'Application argocd/apps (clusters/r1/apps.yaml) uses project "team-a", which is neither "default" nor an AppProject of the fleet: Argo CD refuses to sync it',
          fix: 'set spec.project of Application argocd/apps (clusters/r1/apps.yaml) to "default", or add AppProject "team-a" in namespace argocd under the region\'s path (clusters/r1)',
        },
      ]);
    });

    it("fails what a project of the fleet does not permit: its repository, its destination, its kinds", async () => {
      const project = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: { name: "team-a" },
        spec: {
          sourceRepos: ["https://github.com/acme/*"],
          destinations: [{ server: "https://kubernetes.default.svc", namespace: "team-*" }],
          namespaceResourceBlacklist: [{ group: "", kind: "Secret" }],
        },
      };
      const result = await preflight({
        "clusters/r1/project.yaml": [project],
        "clusters/r1/apps.yaml": [
          application("apps", { project: "team-a", destinationNamespace: "shop" }),
          application("ok", {
            project: "team-a",
            destinationNamespace: "team-ok",
            repoURL: "https://github.com/acme/ok.git",
          }),
        ],
        "apps/objects.yaml": [
          namespace,
          configMap("web"),
          { apiVersion: "v1", kind: "Secret", metadata: { name: "token" } },
        ],
      });
      expect(checkOf(result.checks, "projects").failures).toEqual([
        {
          message: `Application argocd/apps (clusters/r1/apps.yaml) reads "${fleetUrl}" (spec.source.repoURL), which AppProject team-a (clusters/r1/project.yaml) does not permit (spec.sourceRepos: ["https://github.com/acme/*"]): Argo CD refuses to sync it`,
          fix: `add "${fleetUrl}" to spec.sourceRepos of AppProject team-a (clusters/r1/project.yaml)`,
        },
        {
          message:
            'Application argocd/apps (clusters/r1/apps.yaml) deploys to namespace "shop" of https://kubernetes.default.svc, which AppProject team-a (clusters/r1/project.yaml) does not permit (spec.destinations): Argo CD refuses to sync it',
          fix: "add `{server: https://kubernetes.default.svc, namespace: shop}` to spec.destinations of AppProject team-a (clusters/r1/project.yaml)",
        },
        {
          message:
            "Application argocd/apps (clusters/r1/apps.yaml) applies Namespace/shop (apps/objects.yaml), a cluster-scoped kind (Namespace) that AppProject team-a (clusters/r1/project.yaml) does not permit (spec.clusterResourceWhitelist): Argo CD refuses to sync it",
          fix: 'add `{group: "", kind: Namespace}` to spec.clusterResourceWhitelist of AppProject team-a (clusters/r1/project.yaml)',
        },
        {
          message:
            "Application argocd/apps (clusters/r1/apps.yaml) applies Secret/shop/token (apps/objects.yaml), a namespaced kind (Secret) that AppProject team-a (clusters/r1/project.yaml) does not permit (spec.namespaceResourceWhitelist/Blacklist): Argo CD refuses to sync it",
          fix: 'permit `{group: "", kind: Secret}` in spec.namespaceResourceWhitelist (and out of spec.namespaceResourceBlacklist) of AppProject team-a (clusters/r1/project.yaml)',
        },
      ]);
    });
  });

  describe("reconcile", () => {
    it("fails an Application without automated sync, naming what it holds and the fix", async () => {
      const result = await preflight({
        "clusters/r1/platform.yaml": [
          application("platform", { destinationNamespace: "argocd", automated: false }),
        ],
        "platform/team.yaml": [application("team", { destinationNamespace: "shop" })],
        "team/cm.yaml": [configMap("web")],
      });
      expect(checkOf(result.checks, "reconcile").failures).toEqual([
        {
          message:
            "Application argocd/platform (clusters/r1/platform.yaml) has no enabled spec.syncPolicy.automated: Argo CD never syncs it by itself, so a restore would wait for it forever; the Application(s) it holds (argocd/team) are never created either",
          fix: "add `syncPolicy: {automated: {prune: true, selfHeal: true}}` to spec of Application argocd/platform (clusters/r1/platform.yaml)",
        },
      ]);
      expect(result.ok).toBe(false);
    });

    it("fails an Application outside Argo CD's namespace", async () => {
      const result = await preflight({
        "clusters/r1/apps.yaml": [application("apps", { namespace: "shop" })],
        "apps/cm.yaml": [configMap("web", "shop")],
      });
      expect(checkOf(result.checks, "reconcile").failures).toEqual([
        {
          message:
            'Application shop/apps (clusters/r1/apps.yaml) is in namespace "shop", but Argo CD only reconciles Applications in "argocd": it is never synced',
          fix: "set metadata.namespace: argocd in Application shop/apps (clusters/r1/apps.yaml) (or leave it out: its parent's destination namespace is argocd)",
        },
      ]);
    });
  });

  it("fails reconciler objects no controller of the region serves, naming their Application", async () => {
    const result = await preflight({
      "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "argocd" })],
      "apps/set.yaml": [
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "ApplicationSet",
          metadata: { name: "teams" },
          spec: {},
        },
      ],
    });
    expect(checkOf(result.checks, "controllers").failures).toEqual([
      {
        message:
          "no controller in region r1 serves ApplicationSet (argoproj.io): its objects will never be reconciled: ApplicationSet/argocd/teams (apps/set.yaml) in Application argocd/apps",
        fix: "remove the ApplicationSet objects from the region's path or replace them with kinds the region serves (Application, AppProject); region r1 runs no Argo CD",
      },
    ]);
  });
});

describe("Vault transit files in an Argo CD region", () => {
  const vaultSecret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop" },
    stringData: { password: "ENC[AES256_GCM,data:x,type:str]" },
    sops: {
      hc_vault: [
        { vault_address: "http://127.0.0.1:8200", engine_path: "transit", key_name: "fleet" },
      ],
    },
  };
  const fleet: Files = {
    ...wellOrdered,
    "apps/db.enc.yaml": [vaultSecret],
  };

  it("are decrypted with the Vault token the repo server gets, like a Flux region's", async () => {
    const tried: (string | undefined)[] = [];
    const result = await preflight(fleet, {
      vault: { hasToken: true, tokenSources: "set VAULT_TOKEN" },
      decrypt: async (file, identity) => {
        tried.push(`${file.split("/").slice(-2).join("/")} ${identity ?? "no age key"}`);
      },
    });
    expect(checkOf(result.checks, "decryption")).toMatchObject({
      ok: true,
      summary: "1 of 1 Vault-encrypted file(s) decrypt with the Vault token",
    });
    expect(tried).toEqual(["apps/db.enc.yaml no age key"]);
  });

  it("fail naming the file and where a token is looked for when there is none", async () => {
    const result = await preflight(fleet, {
      vault: { hasToken: false, tokenSources: "set VAULT_TOKEN or drkit:sopsVaultToken" },
    });
    expect(checkOf(result.checks, "decryption").failures).toEqual([
      {
        message:
          'apps/db.enc.yaml is encrypted with Vault transit key "fleet" at http://127.0.0.1:8200, but no Vault token was found',
        fix: "provide a token that may use that key: set VAULT_TOKEN or drkit:sopsVaultToken",
      },
    ]);
  });
});
