import { describe, expect, it } from "vitest";

import { readFleet } from "../../../src/dr/preflight/fleet.ts";
import { assertReferences } from "../../../src/dr/preflight/references.ts";
import type { DesiredState } from "../../../src/dr/verify/render.ts";
import { deadEndOptions, deployment, fleetState, kustomization, object, owned } from "./state.ts";

const references = (state: DesiredState) => assertReferences(readFleet(state), deadEndOptions);
const sopsAge = { provider: "sops", secretRef: { name: "sops-age" } };
const encrypted = object("v1", "Secret", "shop", "app-credentials", { sops: { mac: "ENC[...]" } });

describe("assertReferences", () => {
  it("passes references the fleet or bootstrap provides, ordered by dependsOn", () => {
    const result = references(
      fleetState(
        [
          kustomization("tenants", { wait: true }),
          kustomization("apps", {
            dependsOn: ["tenants"],
            serviceAccountName: "deployer",
            decryption: sopsAge,
            postBuild: {
              substituteFrom: [
                { kind: "ConfigMap", name: "cluster-vars" },
                { kind: "Secret", name: "maybe", optional: true },
              ],
            },
            healthChecks: [
              { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
            ],
          }),
        ],
        [
          owned(
            "tenants",
            object("v1", "ServiceAccount", "flux-system", "deployer"),
            "tenants/sa.yaml",
          ),
          owned(
            "tenants",
            object("v1", "ConfigMap", "flux-system", "cluster-vars"),
            "tenants/vars.yaml",
          ),
          owned("apps", deployment, "apps/web.yaml"),
          owned("apps", encrypted, "apps/secrets/app-credentials.enc.yaml"),
        ],
      ),
    );
    expect(result.check).toEqual({
      name: "references",
      ok: true,
      summary: "4 reference(s) to ServiceAccounts, Secrets, ConfigMaps and health-checked objects",
      failures: [],
      warnings: [],
    });
  });

  it("fails a ServiceAccount to impersonate that nothing renders", () => {
    const result = references(
      fleetState([kustomization("apps", { serviceAccountName: "deployer" })], []),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) impersonates ServiceAccount flux-system/deployer (spec.serviceAccountName), which neither the fleet renders nor bootstrap creates: it will never become Ready",
        fix: "render ServiceAccount flux-system/deployer in a Kustomization that flux-system/apps depends on, or remove spec.serviceAccountName from Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("fails a ServiceAccount only the Kustomization itself renders: it needs it to apply anything", () => {
    const result = references(
      fleetState(
        [kustomization("apps", { serviceAccountName: "deployer" })],
        [owned("apps", object("v1", "ServiceAccount", "flux-system", "deployer"), "apps/sa.yaml")],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) impersonates ServiceAccount flux-system/deployer (spec.serviceAccountName), which only flux-system/apps itself renders: Flux needs it before it applies flux-system/apps, so it will never become Ready",
        fix: "move ServiceAccount flux-system/deployer (apps/sa.yaml) into a Kustomization that flux-system/apps depends on, or remove spec.serviceAccountName from Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("fails a decryption Secret other than the one bootstrap creates that nothing renders", () => {
    const result = references(
      fleetState(
        [
          kustomization("apps", {
            decryption: { provider: "sops", secretRef: { name: "old-key" } },
          }),
        ],
        [],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) decrypts with Secret flux-system/old-key (spec.decryption.secretRef), which neither the fleet renders nor bootstrap creates: it will never become Ready",
        fix: "render Secret flux-system/old-key in a Kustomization that flux-system/apps depends on, or set spec.decryption.secretRef.name to sops-age (the Secret bootstrap creates) in Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("fails a bootstrap Secret name in another namespace: the Secret is read from the Kustomization's", () => {
    const result = references(
      fleetState([kustomization("apps", { namespace: "tenant", decryption: sopsAge })], []),
    );
    expect(result.check.failures.map((f) => f.fix)).toEqual([
      "render Secret tenant/sops-age in a Kustomization that tenant/apps depends on, or move Kustomization tenant/apps (clusters/local-a/apps.yaml) to namespace flux-system and decrypt with Secret sops-age, which bootstrap creates there",
    ]);
  });

  it("fails a substituteFrom entry that is not optional and that nothing renders", () => {
    const result = references(
      fleetState(
        [
          kustomization("apps", {
            postBuild: {
              substituteFrom: [
                { kind: "ConfigMap", name: "cluster-vars" },
                { kind: "Secret", name: "maybe", optional: true },
              ],
            },
          }),
        ],
        [],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) substitutes variables from ConfigMap flux-system/cluster-vars (spec.postBuild.substituteFrom), which neither the fleet renders nor bootstrap creates: it will never become Ready",
        fix: "render ConfigMap flux-system/cluster-vars in a Kustomization that flux-system/apps depends on, or mark that substituteFrom entry `optional: true` in Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("warns when another Kustomization renders what it needs but it does not depend on it", () => {
    const result = references(
      fleetState(
        [
          kustomization("apps", {
            postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] },
          }),
          kustomization("vars"),
        ],
        [owned("vars", object("v1", "ConfigMap", "flux-system", "vars"), "vars/vars.yaml")],
      ),
    );
    expect(result.check.ok).toBe(true);
    expect(result.check.warnings).toEqual([
      "Kustomization flux-system/apps (clusters/local-a/apps.yaml) substitutes variables from ConfigMap flux-system/vars (spec.postBuild.substituteFrom), which Kustomization flux-system/vars renders, but flux-system/apps does not depend on it: its first attempts fail until flux-system/vars is applied; add `{name: vars}` to its spec.dependsOn",
    ]);
  });

  it("fails a health check of an object no Kustomization renders", () => {
    const result = references(
      fleetState(
        [
          kustomization("apps", {
            healthChecks: [
              { apiVersion: "apps/v1", kind: "Deployment", name: "api", namespace: "shop" },
            ],
          }),
        ],
        [owned("apps", deployment, "apps/web.yaml")],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) health-checks Deployment/shop/api (spec.healthChecks), which no Kustomization of the fleet renders: the check can never pass, so it will never become Ready",
        fix: "remove the healthChecks entry for Deployment/shop/api from Kustomization flux-system/apps (clusters/local-a/apps.yaml), or correct its apiVersion, kind, namespace and name to an object the fleet renders",
      },
    ]);
    expect(result.deadEnds).toEqual([
      {
        key: "flux-system/apps",
        why: "health-checks Deployment/shop/api, which nothing renders",
        appliesNothing: false,
      },
    ]);
  });

  it("only warns about a remote cluster's kubeConfig Secret the fleet does not render", () => {
    const result = references(
      fleetState(
        [kustomization("edge", { kubeConfig: { secretRef: { name: "edge-kubeconfig" } } })],
        [],
      ),
    );
    expect(result.check.ok).toBe(true);
    expect(result.check.warnings).toEqual([
      "Kustomization flux-system/edge (clusters/local-a/edge.yaml) applies to a remote cluster through Secret flux-system/edge-kubeconfig (spec.kubeConfig), which the fleet does not render: unless it is created outside Git, flux-system/edge will never become Ready",
    ]);
  });

  it("fails SOPS-encrypted objects in a Kustomization without spec.decryption", () => {
    const result = references(
      fleetState(
        [kustomization("apps")],
        [owned("apps", encrypted, "apps/secrets/app-credentials.enc.yaml")],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Secret/shop/app-credentials (apps/secrets/app-credentials.enc.yaml) is SOPS-encrypted, but Kustomization flux-system/apps (clusters/local-a/apps.yaml) has no spec.decryption: Flux would apply the ciphertext or fail, so it will never become Ready",
        fix: "add `decryption: {provider: sops, secretRef: {name: sops-age}}` to the spec of Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("only warns about what is missing when some Kustomizations read other sources and were not rendered", () => {
    const vendor = kustomization("vendor", {
      sourceRef: { kind: "OCIRepository", name: "vendor" },
    });
    const result = references(
      fleetState([kustomization("apps", { serviceAccountName: "deployer" })], [], [vendor]),
    );
    expect(result.check.ok).toBe(true);
    expect(result.check.warnings).toEqual([
      "Kustomization flux-system/apps (clusters/local-a/apps.yaml) impersonates ServiceAccount flux-system/deployer (spec.serviceAccountName), which neither the fleet renders nor bootstrap creates: it will never become Ready, unless it comes from Kustomization(s) flux-system/vendor, whose source was not rendered",
    ]);
  });
});
