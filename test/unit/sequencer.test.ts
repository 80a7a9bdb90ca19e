import { describe, expect, it } from "vitest";

import { waitersLast } from "../support/sequencer.ts";

const file = (project: string, name: string, waits = false) => ({ project, name, waits });
const order = (files: ReturnType<typeof file>[]) =>
  waitersLast(
    files,
    (f) => f.project,
    (f) => f.waits,
  ).map((f) => `${f.project}/${f.name}`);

describe("waitersLast", () => {
  it("moves the files that wait after the others, keeping both groups' order", () => {
    expect(
      order([
        file("integration", "temporal", true),
        file("integration", "drill"),
        file("integration", "argocd", true),
        file("integration", "verify"),
      ]),
    ).toEqual([
      "integration/drill",
      "integration/verify",
      "integration/temporal",
      "integration/argocd",
    ]);
  });

  it("keeps each project's files together, in the projects' order", () => {
    expect(
      order([
        file("integration", "argocd", true),
        file("integration", "drill"),
        file("unit", "config"),
        file("unit", "cli"),
      ]),
    ).toEqual(["integration/drill", "integration/argocd", "unit/config", "unit/cli"]);
  });

  it("leaves an order without waiters as it is", () => {
    expect(order([file("unit", "b"), file("unit", "a")])).toEqual(["unit/b", "unit/a"]);
  });
});
