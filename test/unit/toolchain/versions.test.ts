import { describe, expect, it } from "vitest";

import { goModRequirement } from "../../../src/toolchain/recipes.ts";
import { parseToolVersion, versionMatches, type ToolName } from "../../../src/toolchain/tools.ts";

describe("parseToolVersion", () => {
  it.each<[ToolName, string, string | undefined]>([
    ["kube-apiserver", "Kubernetes v1.36.3\n", "v1.36.3"],
    ["kube-scheduler", "Kubernetes v1.36.3-rc.0\n", "v1.36.3-rc.0"],
    ["kubectl", "Client Version: v1.36.3\nKustomize Version: v5.8.1\n", "v1.36.3"],
    [
      "kubectl",
      "Client Version: v1.32.4-dispatcher\nKustomize Version: v5.5.0\n",
      "v1.32.4-dispatcher",
    ],
    [
      "etcd",
      "etcd Version: 3.6.16\nGit SHA: Not provided (use ./build instead of go build)\n",
      "3.6.16",
    ],
    ["kwok", "kwok version v0.8.0 go1.26.8 (linux/amd64)\n", "v0.8.0"],
    ["kwokctl", "kwokctl version v0.8.0 go1.26.8 (linux/amd64)\n", "v0.8.0"],
    ["pulumi", "v3.274.1\n", "v3.274.1"],
    ["pulumi", "warning: A new version of Pulumi is available.\nv3.274.1\n", "v3.274.1"],
    ["sops", "sops 3.13.3\n", "3.13.3"],
    ["kube-apiserver", "Kubernetes v0.0.0-master+$Format:%H$\n", "v0.0.0-master+$Format:%H$"],
    ["etcd", "command not found\n", undefined],
    ["source-controller", "anything v1.9.0", undefined],
    ["pulumi-resource-kubernetes", "4.24.1", undefined],
  ])("%s prints %j -> %s", (tool, output, expected) => {
    expect(parseToolVersion(tool, output)).toBe(expected);
  });
});

describe("versionMatches", () => {
  it.each<[string | undefined, string, boolean]>([
    ["v1.36.3", "v1.36.3", true],
    ["3.6.16", "v3.6.16", true],
    ["v1.32.4-dispatcher", "v1.32.4", false],
    ["v1.36.4", "v1.36.3", false],
    ["v1.36.30", "v1.36.3", false],
    [undefined, "v1.36.3", false],
  ])("%s against %s -> %s", (reported, pinned, expected) => {
    expect(versionMatches(reported, pinned)).toBe(expected);
  });
});

describe("goModRequirement", () => {
  const goMod = [
    "module drkit.local/toolchain/pulumi-language-nodejs",
    "",
    "require github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 v3.0.0-20260101000000-abcdef123456",
    "",
    "require (",
    "\tgithub.com/pulumi/pulumi/sdk/v3 v3.274.1 // indirect",
    "\tgithub.com/pulumi/pulumi/sdk/v3/extra v3.1.0",
    ")",
  ].join("\n");

  it("reads a required module's version", () => {
    expect(goModRequirement(goMod, "github.com/pulumi/pulumi/sdk/v3")).toBe("v3.274.1");
  });

  it("prefers a versioned replace over the requirement", () => {
    const replaced = `${goMod}\nreplace github.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 v3.215.0\n`;
    expect(goModRequirement(replaced, "github.com/pulumi/pulumi/sdk/v3")).toBe("v3.215.0");
  });

  it("ignores a replace with a local path", () => {
    const local = `${goMod}\nreplace github.com/pulumi/pulumi/sdk/v3 => ../sdk\n`;
    expect(goModRequirement(local, "github.com/pulumi/pulumi/sdk/v3")).toBe("v3.274.1");
  });

  it("returns undefined for a module the go.mod does not mention", () => {
    expect(goModRequirement(goMod, "github.com/pulumi/pulumi/pkg/v3")).toBeUndefined();
  });
});
