import { describe, expect, it } from "vitest";

import { renderHtmlReport } from "../../../src/dr/report/render-html.ts";
import { renderMarkdownReport } from "../../../src/dr/report/render-markdown.ts";
import { planOwnersTable } from "../../../src/dr/report/summary.ts";
import type { RestoreReport } from "../../../src/dr/report/types.ts";
import { summarizeOwners } from "../../../src/dr/verify/owners.ts";
import { fakeReport } from "./fake-report.ts";

const owners: RestoreReport["owners"] = [
  {
    owner: "Kustomization/flux-system/apps",
    desired: 5,
    applied: 5,
    missing: 0,
    extraManaged: 0,
    drifted: 0,
  },
  {
    owner: "HelmRelease/apps/podinfo",
    desired: 4,
    applied: 3,
    missing: 1,
    extraManaged: 1,
    drifted: 1,
  },
];

describe("objects per owner in restore reports", () => {
  it("plans one row per Kustomization or HelmRelease", () => {
    expect(planOwnersTable({ owners })).toEqual({
      header: ["Owner", "Desired", "Applied", "Missing", "Extra managed", "Drifted"],
      rows: [
        ["Kustomization/flux-system/apps", "5", "5", "0", "0", "0"],
        ["HelmRelease/apps/podinfo", "4", "3", "1", "1", "1"],
      ],
    });
    expect(planOwnersTable({})).toBeUndefined();
  });

  it("renders them in Markdown and HTML, and nothing for a report without them", async () => {
    const report = { ...fakeReport, owners };
    const markdown = renderMarkdownReport(report);
    expect(markdown).toContain("### Per owner");
    expect(markdown).toContain("| HelmRelease/apps/podinfo | 4 | 3 | 1 | 1 | 1 |");
    expect(await renderHtmlReport(report)).toContain("<h3>Per owner</h3>");
    expect(renderMarkdownReport(fakeReport)).not.toContain("Per owner");
  });
});

describe("summarizeOwners", () => {
  it("counts each owner's objects and findings, owners with only extra objects last", () => {
    const summary = summarizeOwners(
      "Kustomization",
      [
        {
          object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
          owner: "flux-system/apps",
        },
        {
          object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } },
          owner: "apps/podinfo",
          ownerKind: "HelmRelease",
        },
      ],
      {
        missing: [
          { ref: "ConfigMap/b", apiVersion: "v1", owner: "apps/podinfo", ownerKind: "HelmRelease" },
        ],
        extraManaged: [{ ref: "ConfigMap/c", apiVersion: "v1", owner: "flux-system/old" }],
        drifted: [],
      },
      [{ ref: "ConfigMap/a", apiVersion: "v1", owner: "flux-system/apps" }],
    );
    expect(summary).toEqual([
      {
        owner: "Kustomization/flux-system/apps",
        desired: 1,
        applied: 1,
        missing: 0,
        extraManaged: 0,
        drifted: 0,
        unhealthy: 1,
      },
      {
        owner: "HelmRelease/apps/podinfo",
        desired: 1,
        applied: 0,
        missing: 1,
        extraManaged: 0,
        drifted: 0,
        unhealthy: 0,
      },
      {
        owner: "Kustomization/flux-system/old",
        desired: 0,
        applied: 0,
        missing: 0,
        extraManaged: 1,
        drifted: 0,
        unhealthy: 0,
      },
    ]);
  });
});
