import { describe, expect, it } from "vitest";

import { registerSecret } from "../../../src/core/redact.ts";
import { planPhaseTimelineChart } from "../../../src/dr/report/chart.ts";
import { renderHtmlReport } from "../../../src/dr/report/render-html.ts";
import { renderJsonReport } from "../../../src/dr/report/render-json.ts";
import { renderMarkdownReport } from "../../../src/dr/report/render-markdown.ts";
import type { RestoreReport } from "../../../src/dr/report/types.ts";
import { fakeReport } from "./fake-report.ts";

describe("report renderings", () => {
  it("renders JSON", async () => {
    await expect(renderJsonReport(fakeReport)).toMatchFileSnapshot(
      "__snapshots__/restore-report.json.snap",
    );
  });

  it("renders Markdown", async () => {
    await expect(renderMarkdownReport(fakeReport)).toMatchFileSnapshot(
      "__snapshots__/restore-report.md.snap",
    );
  });

  it("renders a self-contained HTML page", async () => {
    await expect(await renderHtmlReport(fakeReport)).toMatchFileSnapshot(
      "__snapshots__/restore-report.html.snap",
    );
  });

  it("renders a successful report with no failures", async () => {
    const ok: RestoreReport = {
      ...fakeReport,
      ok: true,
      failures: [],
      phases: fakeReport.phases.map((p) => ({ ...p, ok: true })),
    };
    const markdown = renderMarkdownReport(ok);
    expect(markdown).toContain("# Restore of `local-b`: ✔ succeeded");
    expect(markdown).toContain("## Failures (0)\n\nNone.");
    expect(await renderHtmlReport(ok)).toContain("<p>None.</p>");
  });

  it("shows what Git would lose in Markdown and HTML, and nothing when coverage was not judged", async () => {
    const report: RestoreReport = {
      ...fakeReport,
      coverage: {
        total: 14,
        git: 12,
        stack: 1,
        ratio: 13 / 14,
        unowned: [
          {
            ref: "ConfigMap/shop/hotfix",
            apiVersion: "v1",
            kind: "ConfigMap",
            namespace: "shop",
            name: "hotfix",
            manager: "kubectl-create",
            operation: "Update",
            time: "2026-11-30T09:00:00Z",
          },
        ],
      },
    };
    const markdown = renderMarkdownReport(report);
    expect(markdown).toContain(
      "## Coverage\n\n13 of 14 objects (92 %) come back from Git or the stack; 1 would be lost\n",
    );
    expect(markdown).toMatch(
      /\| ConfigMap\/shop\/hotfix \| kubectl-create \| 2026-11-30T09:00:00Z \|/,
    );
    expect(await renderHtmlReport(report)).toContain("<h2>Coverage</h2>");
    expect(renderMarkdownReport(fakeReport)).not.toContain("## Coverage");
  });

  it("the HTML page loads nothing from the network", async () => {
    const html = await renderHtmlReport(fakeReport);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    // The only URLs are XML namespace names inside the inline SVG, which are never fetched.
    const urls = [...new Set(html.match(/https?:\/\/[^"'\s)]+/g))];
    expect(urls).toEqual(["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]);
    expect(html).toContain("<svg");
  });

  it("no rendering contains a registered secret", async () => {
    const secret = "hunter2-age-key-0001";
    registerSecret(secret);
    const leaky: RestoreReport = {
      ...fakeReport,
      phases: [{ ...fakeReport.phases[0]!, detail: `used key ${secret}` }],
      failures: [
        {
          phase: "bootstrap",
          object: `Secret/flux-system/${secret}`,
          message: `decrypt failed with ${secret}`,
        },
      ],
    };
    const renderings = [
      renderJsonReport(leaky),
      renderMarkdownReport(leaky),
      await renderHtmlReport(leaky),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(secret);
      expect(text).toContain("decrypt failed with ***");
    }
  });
});

describe("planPhaseTimelineChart", () => {
  it("has one bar per phase from its start to its end, in seconds", () => {
    const spec = planPhaseTimelineChart(fakeReport) as { data: { values: unknown[] } };
    expect(spec.data.values).toEqual([
      { phase: "provision", start: 0, end: 45, result: "ok", label: "45.0s (30%)" },
      { phase: "bootstrap", start: 45, end: 60, result: "ok", label: "15.0s (10%)" },
      { phase: "converge", start: 60, end: 135, result: "failed", label: "75.0s (50%)" },
      { phase: "verify", start: 135, end: 150, result: "failed", label: "15.0s (10%)" },
    ]);
  });
});
