import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { ConfigError } from "../../../../src/core/errors.ts";
import {
  clusterKubeconfig,
  clusterTargetName,
  kubeconfigFiles,
  loadKubeconfig,
  selectContext,
} from "../../../../src/dr/cluster-target/kubeconfig.ts";

/** A kubeconfig with the given contexts (each on a cluster of its own name). */
function kubeconfig(options: {
  contexts: readonly string[];
  current?: string;
  server?: string;
  extra?: Record<string, unknown>;
}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: options.contexts.map((name) => ({
      name,
      cluster: { server: options.server ?? `https://${name}.example:6443` },
    })),
    users: options.contexts.map((name) => ({
      name: `${name}-admin`,
      user: { token: "t0ken-xyz" },
    })),
    contexts: options.contexts.map((name) => ({
      name,
      context: { cluster: name, user: `${name}-admin` },
    })),
    ...(options.current ? { "current-context": options.current } : {}),
    ...options.extra,
  });
}

const reader = (files: Record<string, string>) => (path: string) => files[path];

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("kubeconfigFiles", () => {
  it.each([
    [{ flag: "/k/a", env: "/k/b:/k/c" }, ["/k/a"], "--kubeconfig"],
    [{ env: "/k/b:/k/c" }, ["/k/b", "/k/c"], "KUBECONFIG"],
    [{ env: "/k/b::/k/c:/k/b" }, ["/k/b", "/k/c"], "KUBECONFIG"],
    [{ env: "" }, ["/home/u/.kube/config"], "default"],
    [{}, ["/home/u/.kube/config"], "default"],
  ])("reads %j as kubectl does: %j from %s", (sources, files, from) => {
    expect(kubeconfigFiles({ home: "/home/u", ...sources })).toEqual({ files, from });
  });
});

describe("loadKubeconfig", () => {
  it("merges a KUBECONFIG list: the first file that sets current-context wins, and the first to define a name", () => {
    const merged = loadKubeconfig(
      { env: "/k/missing:/k/one:/k/two", home: "/h" },
      reader({
        "/k/one": kubeconfig({ contexts: ["a"], server: "https://first:6443" }),
        "/k/two": kubeconfig({ contexts: ["a", "b"], current: "b", server: "https://second:6443" }),
      }),
    );
    expect(merged.files).toEqual(["/k/one", "/k/two"]);
    expect(merged.currentContext).toBe("b");
    expect(merged.clusters.get("a")?.server).toBe("https://first:6443");
    expect(merged.clusters.get("b")?.server).toBe("https://second:6443");
    expect(selectContext(merged).context).toBe("b");
  });

  it("takes the current-context of the first file that sets one, not of the last", () => {
    const merged = loadKubeconfig(
      { env: "/k/one:/k/two", home: "/h" },
      reader({
        "/k/one": kubeconfig({ contexts: ["a"], current: "a" }),
        "/k/two": kubeconfig({ contexts: ["b"], current: "b" }),
      }),
    );
    expect(merged.currentContext).toBe("a");
  });

  it("resolves relative certificate, key, token and exec paths against the file that holds them", () => {
    const text = JSON.stringify({
      clusters: [
        { name: "c", cluster: { server: "https://c", "certificate-authority": "ca.crt" } },
      ],
      users: [
        {
          name: "u",
          user: {
            "client-certificate": "certs/u.crt",
            "client-key": "/abs/u.key",
            tokenFile: "../token",
            exec: { command: "./bin/auth", args: ["x"] },
          },
        },
        { name: "v", user: { exec: { command: "aws" } } },
      ],
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
      "current-context": "c",
    });
    const merged = loadKubeconfig(
      { flag: "/k/dir/config", home: "/h" },
      reader({ "/k/dir/config": text }),
    );
    expect(merged.clusters.get("c")).toEqual({
      server: "https://c",
      "certificate-authority": "/k/dir/ca.crt",
    });
    expect(merged.users.get("u")).toEqual({
      "client-certificate": "/k/dir/certs/u.crt",
      "client-key": "/abs/u.key",
      tokenFile: "/k/token",
      exec: { command: "/k/dir/bin/auth", args: ["x"] },
    });
    expect(merged.users.get("v")).toEqual({ exec: { command: "aws" } });
  });

  it.each([
    [
      { flag: "/k/nope", home: "/h" },
      '--kubeconfig "/k/nope" does not exist: pass the path of the cluster\'s kubeconfig file',
      "--kubeconfig",
    ],
    [
      { env: "/k/x:/k/y", home: "/h" },
      'none of the files in KUBECONFIG exists ("/k/x", "/k/y"): set KUBECONFIG to the cluster\'s kubeconfig or pass --kubeconfig <file>',
      "KUBECONFIG",
    ],
    [
      { home: "/h" },
      'no kubeconfig: "/h/.kube/config" does not exist and KUBECONFIG is not set: pass --kubeconfig <file>',
      "--kubeconfig",
    ],
  ])("fails when no file exists (%j)", (sources, message, key) => {
    const err = configError(() => loadKubeconfig(sources, reader({})));
    expect(err.message).toBe(message);
    expect(err.key).toBe(key);
  });

  it("fails on a file that is not YAML, naming it", () => {
    const err = configError(() =>
      loadKubeconfig({ flag: "/k/bad", home: "/h" }, reader({ "/k/bad": "a: [b" })),
    );
    expect(err.message).toMatch(/^kubeconfig "\/k\/bad" is not valid YAML: /);
  });
});

describe("selectContext", () => {
  const one = (current?: string) =>
    loadKubeconfig(
      { flag: "/k/config", home: "/h" },
      reader({
        "/k/config": kubeconfig({ contexts: ["a", "b"], ...(current ? { current } : {}) }),
      }),
    );

  it("selects --context, with its cluster and user alone in the minified kubeconfig", () => {
    const selected = selectContext(one("a"), "b");
    expect(selected).toEqual({
      context: "b",
      clusterName: "b",
      server: "https://b.example:6443",
      minified: {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "b", cluster: { server: "https://b.example:6443" } }],
        users: [{ name: "b-admin", user: { token: "t0ken-xyz" } }],
        contexts: [{ name: "b", context: { cluster: "b", user: "b-admin" } }],
        "current-context": "b",
      },
    });
  });

  it("uses the only file as it is when the context is its own current context", () => {
    expect(selectContext(one("a")).asIs).toBe("/k/config");
    expect(selectContext(one("a"), "a").asIs).toBe("/k/config");
  });

  it("fails on an unknown context, listing the kubeconfig's contexts", () => {
    const err = configError(() => selectContext(one("a"), "prod"));
    expect(err.message).toBe(
      '--context "prod" is not a context of the kubeconfig ("/k/config"): it has "a", "b"; pass one of them with --context',
    );
    expect(err.key).toBe("--context");
  });

  it("fails when the kubeconfig sets no current context and none is given", () => {
    expect(configError(() => selectContext(one())).message).toBe(
      'the kubeconfig ("/k/config") sets no current-context: pass --context <name> (it has "a", "b")',
    );
  });

  it("fails when the context names a cluster the kubeconfig does not define", () => {
    const merged = loadKubeconfig(
      { flag: "/k/c", home: "/h" },
      reader({
        "/k/c": JSON.stringify({
          contexts: [{ name: "x", context: { cluster: "gone", user: "u" } }],
          "current-context": "x",
        }),
      }),
    );
    expect(configError(() => selectContext(merged)).message).toBe(
      'context "x" of the kubeconfig ("/k/c") names cluster "gone", which the kubeconfig does not define: fix the kubeconfig or pass another --context',
    );
  });
});

describe("clusterTargetName", () => {
  it.each([
    ["local-z", "local-z", "local-z@local-z"],
    [
      "arn:aws:eks:us-east-1:123456789012:cluster/prod",
      "arn:aws:eks:us-east-1:123456789012:cluster/prod",
      "arn-aws-eks-us-east-1-123456789012-cluster-prod@arn-aws-eks-us-east-1-123456789012-cluster-prod",
    ],
    ["admin@kind", "kind-kind", "admin@kind@kind-kind"],
  ])("names context %s of cluster %s %s", (context, cluster, name) => {
    expect(clusterTargetName(context, cluster)).toBe(name);
  });
});

describe("clusterKubeconfig", () => {
  it("writes the selected context alone to a private file when it is not the file's current context", () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-kubeconfig-"));
    const cluster = clusterKubeconfig(
      { flag: "/k/config", home: "/h", context: "b" },
      {
        stateDir,
        readFile: reader({ "/k/config": kubeconfig({ contexts: ["a", "b"], current: "a" }) }),
      },
    );
    expect(cluster).toMatchObject({
      context: "b",
      clusterName: "b",
      server: "https://b.example:6443",
    });
    expect(cluster.kubeconfigPath.startsWith(join(stateDir, "kubeconfigs"))).toBe(true);
    expect(statSync(cluster.kubeconfigPath).mode & 0o777).toBe(0o600);
    const written = parse(readFileSync(cluster.kubeconfigPath, "utf8")) as Record<string, unknown>;
    expect(written["current-context"]).toBe("b");
    expect((written.contexts as unknown[]).length).toBe(1);
  });

  it("keeps the user's own file when it already selects the cluster", () => {
    const cluster = clusterKubeconfig(
      { flag: "/k/config", home: "/h" },
      {
        stateDir: "/nowhere",
        readFile: reader({ "/k/config": kubeconfig({ contexts: ["a"], current: "a" }) }),
      },
    );
    expect(cluster).toEqual({
      kubeconfigPath: "/k/config",
      context: "a",
      clusterName: "a",
      server: "https://a.example:6443",
    });
  });
});
