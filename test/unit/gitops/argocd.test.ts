/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are deep, untyped data */
import { join } from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { setupMocks, unwrapSecret } from "../cloud/pulumi-mocks.ts";

const mocks = setupMocks({ stack: "aws-use1" });
let gitops: typeof import("../../../src/gitops/index.ts");
const fixtures = join(import.meta.dirname, "../../fixtures/crds/argocd");

beforeAll(async () => {
  gitops = await import("../../../src/gitops/index.ts");
  const k8s = await import("@pulumi/kubernetes");
  new gitops.ArgoCdReconciler("argo", {
    provider: new k8s.Provider("argo-cluster", { kubeconfig: "{}" }),
    crds: gitops.loadCrds(fixtures),
    url: "ssh://git@github.com/acme/fleet.git",
    path: "clusters/aws-use1",
    credentials: pulumi.secret({
      identity: "PRIVATE KEY",
      knownHosts: "github.com ssh-ed25519 AAAA",
    }),
    sopsAgeKey: pulumi.secret("AGE-SECRET-KEY-1X"),
  });
  await mocks.settle();
});

const find = (
  objects: readonly { kind: string; metadata: { name: string } }[],
  kind: string,
  name: string,
) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any>;

describe("renderArgoCdInstall", () => {
  const install = () =>
    gitops.renderArgoCdInstall({
      crds: gitops.loadCrds(fixtures),
      withAgeKey: true,
      decryptorAnnotations: { "iam.gke.io/gcp-service-account": "r@p.iam.gserviceaccount.com" },
    });

  it("matches the rendered core install", () => {
    expect(install()).toMatchSnapshot();
  });

  it("runs the pinned images and installs KSOPS into the repo server", () => {
    const repoServer = find(install(), "Deployment", "argocd-repo-server").spec.template.spec;
    expect(repoServer.containers[0].image).toBe("quay.io/argoproj/argocd:v3.2.11");
    expect(repoServer.initContainers[0].image).toBe("viaductoss/ksops:v4.3.2");
    expect(repoServer.containers[0].env).toContainEqual({
      name: "SOPS_AGE_KEY_FILE",
      value: "/.config/sops/age/keys.txt",
    });
    const settings = find(install(), "ConfigMap", "argocd-cm").data;
    expect(settings["kustomize.buildOptions"]).toBe("--enable-alpha-plugins --enable-exec");
    // Child Applications are judged by their own health, so sync waves wait for them.
    expect(settings["resource.customizations.health.argoproj.io_Application"]).toContain(
      "hs.status = obj.status.health.status",
    );
  });

  it("gives the repo server the Vault token of Secret sops-age, for Vault transit files", () => {
    const env = (withVaultToken: boolean) =>
      find(
        gitops.renderArgoCdInstall({ crds: [], withAgeKey: false, withVaultToken }),
        "Deployment",
        "argocd-repo-server",
      ).spec.template.spec.containers[0].env as { name: string }[];
    expect(env(true)).toContainEqual({
      name: "VAULT_TOKEN",
      valueFrom: { secretKeyRef: { name: "sops-age", key: "sops.vault-token" } },
    });
    expect(env(false).map((e) => e.name)).not.toContain("VAULT_TOKEN");
    expect(env(true).map((e) => e.name)).not.toContain("SOPS_AGE_KEY_FILE");
    expect(gitops.renderArgoSopsSecret(undefined, "hvs.x").stringData).toEqual({
      "sops.vault-token": "hvs.x",
    });
  });

  it("renders only settings and CRDs when the controllers run as host processes", () => {
    const objects = gitops.renderArgoCdInstall({
      crds: [],
      withAgeKey: false,
      installControllers: false,
    });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/argocd",
      "ConfigMap/argocd-cm",
      "ConfigMap/argocd-cmd-params-cm",
      "ConfigMap/argocd-rbac-cm",
      "ConfigMap/argocd-ssh-known-hosts-cm",
      "ConfigMap/argocd-tls-certs-cm",
      "ConfigMap/argocd-gpg-keys-cm",
      "Secret/argocd-secret",
    ]);
  });

  it("gives the workload identity to the repo server, which decrypts", () => {
    expect(find(install(), "ServiceAccount", "argocd-repo-server").metadata.annotations).toEqual({
      "iam.gke.io/gcp-service-account": "r@p.iam.gserviceaccount.com",
    });
  });
});

describe("renderFleetApplication", () => {
  it("matches the rendered app of apps", () => {
    expect(
      gitops.renderFleetApplication({
        url: "https://github.com/acme/fleet.git",
        branch: "main",
        path: "clusters/aws-use1",
        prune: true,
        selfHeal: false,
      }),
    ).toMatchSnapshot();
  });
});

describe("ArgoCdReconciler", () => {
  it("creates the Application after the project, the repo server and the repository secret", () => {
    const application = mocks.named("argo-application-fleet");
    expect(application.inputs.spec.source).toEqual({
      repoURL: "ssh://git@github.com/acme/fleet.git",
      targetRevision: "main",
      path: "clusters/aws-use1",
    });
    expect(application.dependsOn).toEqual(
      expect.arrayContaining([
        "argo-appproject-default",
        "argo-deployment-argocd-repo-server",
        "argo-statefulset-argocd-application-controller",
        "argo-secret-fleet-repository",
        "argo-secret-sops-age",
      ]),
    );
    expect(application.provider).toContain("::argo-cluster::");
  });

  it("stores ssh credentials as an Argo CD repository secret and known hosts in its ConfigMap", () => {
    const repository = mocks.named("argo-secret-fleet-repository").inputs;
    expect(repository.metadata.labels["argocd.argoproj.io/secret-type"]).toBe("repository");
    expect(unwrapSecret(repository.stringData)).toEqual({
      secret: true,
      value: {
        type: "git",
        url: "ssh://git@github.com/acme/fleet.git",
        sshPrivateKey: "PRIVATE KEY",
      },
    });
    const knownHosts = mocks.named("argo-configmap-argocd-ssh-known-hosts-cm").inputs.data;
    expect(unwrapSecret(knownHosts).value).toEqual({
      ssh_known_hosts: "github.com ssh-ed25519 AAAA",
    });
  });

  it("mounts the age key into the repo server before it starts", () => {
    expect(unwrapSecret(mocks.named("argo-secret-sops-age").inputs.stringData)).toEqual({
      secret: true,
      value: { "keys.txt": "AGE-SECRET-KEY-1X" },
    });
    expect(mocks.named("argo-deployment-argocd-repo-server").dependsOn).toContain(
      "argo-secret-sops-age",
    );
  });
});
