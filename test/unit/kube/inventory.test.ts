import { describe, expect, it } from "vitest";

import { inventoryOf, parseInventoryEntry } from "../../../src/kube/inventory.ts";
import { commitOf, revisionMatches } from "../../../src/kube/health-gitops.ts";
import { fluxKustomization, fluxReady, sha } from "./objects.ts";

describe("parseInventoryEntry", () => {
  it.each([
    [
      { id: "shop_web_apps_Deployment", v: "v1" },
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
    ],
    [
      { id: "shop_shop-config__ConfigMap", v: "v1" },
      { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "shop-config" },
    ],
    [
      { id: "_shop__Namespace", v: "v1" },
      { apiVersion: "v1", kind: "Namespace", name: "shop" },
    ],
    [
      { id: "_widgets.example.drkit.dev_apiextensions.k8s.io_CustomResourceDefinition", v: "v1" },
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: "widgets.example.drkit.dev",
      },
    ],
    [
      { id: "_system__controller_rbac.authorization.k8s.io_ClusterRole", v: "v1" },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        name: "system:controller",
      },
    ],
  ])("parses %j", (entry, ref) => {
    expect(parseInventoryEntry(entry)).toEqual(ref);
  });

  it("fails on an id without four fields", () => {
    expect(() => parseInventoryEntry({ id: "shop_web", v: "v1" })).toThrow(
      'inventory entry "shop_web" is not of the form <namespace>_<name>_<group>_<Kind>',
    );
  });
});

describe("inventoryOf", () => {
  it("reads every entry of a Kustomization's status", () => {
    const ks = fluxKustomization({
      ...fluxReady(`main@sha1:${sha}`),
      inventory: {
        entries: [
          { id: "_shop__Namespace", v: "v1" },
          { id: "shop_storefront_example.drkit.dev_Widget", v: "v1alpha1" },
        ],
      },
    });
    expect(inventoryOf(ks)).toEqual([
      { apiVersion: "v1", kind: "Namespace", name: "shop" },
      {
        apiVersion: "example.drkit.dev/v1alpha1",
        kind: "Widget",
        namespace: "shop",
        name: "storefront",
      },
    ]);
  });

  it("returns nothing before the first apply", () => {
    expect(inventoryOf(fluxKustomization({}))).toEqual([]);
  });
});

describe("revisionMatches", () => {
  it.each([
    [`main@sha1:${sha}`, `main@sha1:${sha}`, true],
    [`main@sha1:${sha}`, sha, true],
    [`main@sha1:${sha}`, sha.slice(0, 7), true],
    [sha, `main@sha1:${sha}`, true],
    [`refs/tags/v1.2.0@sha1:${sha}`, sha, true],
    [`main@sha1:${sha}`, "main@sha1:9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", false],
    ["4.11.3", "4.11.3", true],
    ["4.11.3", "4.11.4", false],
    [undefined, sha, false],
    ["", sha, false],
  ])("compares %s with %s", (actual, target, expected) => {
    expect(revisionMatches(actual, target)).toBe(expected);
  });

  it("finds the commit in a Flux revision", () => {
    expect(commitOf(`main@sha1:${sha}`)).toBe(sha);
    expect(commitOf("4.11.3")).toBeUndefined();
  });
});
