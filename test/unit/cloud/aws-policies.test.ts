import { describe, expect, it } from "vitest";

import { renderEksKubeconfig } from "../../../src/cloud/aws/kubeconfig.ts";
import {
  renderDecryptOnlyPolicy,
  renderIrsaTrustPolicy,
  renderServiceTrustPolicy,
} from "../../../src/cloud/aws/policies.ts";
import { planRoute53Failover } from "../../../src/cloud/aws/route53-failover.ts";
import type { DnsSettings } from "../../../src/config/index.ts";

describe("AWS policies", () => {
  it("lets the reconciler only decrypt and describe with the one key", () => {
    expect(JSON.parse(renderDecryptOnlyPolicy("arn:aws:kms:us-east-1:1:key/abc"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DecryptFleetSecrets",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:DescribeKey"],
          Resource: "arn:aws:kms:us-east-1:1:key/abc",
        },
      ],
    });
  });

  it("trusts only one ServiceAccount's tokens, for STS", () => {
    const policy = JSON.parse(
      renderIrsaTrustPolicy({
        oidcProviderArn: "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X",
        issuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/X",
        serviceAccount: { namespace: "flux-system", name: "kustomize-controller" },
      }),
    );
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: {
          Federated: "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X",
        },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.eks.us-east-1.amazonaws.com/id/X:sub":
              "system:serviceaccount:flux-system:kustomize-controller",
            "oidc.eks.us-east-1.amazonaws.com/id/X:aud": "sts.amazonaws.com",
          },
        },
      },
    ]);
  });

  it("lets a service assume a role", () => {
    expect(JSON.parse(renderServiceTrustPolicy("eks.amazonaws.com")).Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "eks.amazonaws.com" },
      Action: "sts:AssumeRole",
    });
  });

  it("renders a kubeconfig that holds no long-lived credential", () => {
    const kubeconfig = JSON.parse(
      renderEksKubeconfig({
        clusterName: "c1",
        endpoint: "https://x.eks.amazonaws.com",
        certificateAuthorityData: "Q0E=",
        region: "us-east-1",
      }),
    );
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: "https://x.eks.amazonaws.com",
      "certificate-authority-data": "Q0E=",
    });
    expect(kubeconfig.users[0].user.exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "c1",
      "--region",
      "us-east-1",
      "--output",
      "json",
    ]);
  });
});

describe("planRoute53Failover", () => {
  const dns: DnsSettings = {
    zone: "Z1",
    recordName: "app.example.com",
    target: "app-use1.example.com",
    role: "primary",
    ttlSeconds: 60,
    healthCheckPath: "/healthz",
    resourceGroup: undefined,
    backupTargets: undefined,
    drained: false,
  };

  it("plans a PRIMARY CNAME with an HTTPS health check on a host name", () => {
    expect(planRoute53Failover(dns, "aws-use1")).toEqual({
      healthCheck: {
        type: "HTTPS",
        port: 443,
        resourcePath: "/healthz",
        failureThreshold: 3,
        requestInterval: 10,
        fqdn: "app-use1.example.com",
        invertHealthcheck: false,
      },
      record: {
        name: "app.example.com",
        type: "CNAME",
        ttl: 60,
        records: ["app-use1.example.com"],
        setIdentifier: "aws-use1",
        failover: "PRIMARY",
      },
    });
  });

  it("plans a SECONDARY A record probing an address", () => {
    const plan = planRoute53Failover(
      { ...dns, target: "203.0.113.9", role: "secondary" },
      "aws-euw1",
    );
    expect(plan.record).toMatchObject({
      type: "A",
      failover: "SECONDARY",
      records: ["203.0.113.9"],
    });
    expect(plan.healthCheck).toMatchObject({ ipAddress: "203.0.113.9" });
    expect(plan.healthCheck).not.toHaveProperty("fqdn");
  });

  it("inverts a drained region's health check and keeps its PRIMARY role", () => {
    const plan = planRoute53Failover({ ...dns, drained: true }, "aws-use1");
    expect(plan.healthCheck.invertHealthcheck).toBe(true);
    expect(plan.record.failover).toBe("PRIMARY");
  });
});
