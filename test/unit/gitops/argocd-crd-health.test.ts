import { LuaFactory } from "wasmoon";
import { describe, expect, it } from "vitest";

import { crdHealthLua } from "../../../src/gitops/argocd-install.ts";

/** Runs the health check as Argo CD does: `obj` is a global, the script returns `{status, message}`. */
async function health(obj: object): Promise<{ status: string; message: string }> {
  const lua = await new LuaFactory().createEngine();
  try {
    lua.global.set("obj", obj);
    return (await lua.doString(crdHealthLua)) as { status: string; message: string };
  } finally {
    lua.global.close();
  }
}

const crd = (conditions?: object[], extra: object = {}) => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.drkit.dev", ...extra },
  ...(conditions === undefined ? {} : { status: { conditions } }),
});
const names = {
  type: "NamesAccepted",
  status: "True",
  reason: "NoConflicts",
  message: "no conflicts found",
};

describe("the CRD health check drkit gives Argo CD", () => {
  it("calls a CRD the API server is still establishing Progressing, not Degraded", async () => {
    const installing = crd([
      names,
      {
        type: "Established",
        status: "False",
        reason: "Installing",
        message: "the initial names have been accepted",
      },
    ]);
    expect(await health(installing)).toEqual({
      status: "Progressing",
      message: "CRD is being established: the initial names have been accepted",
    });
  });

  it("is Healthy once established, Progressing before any status", async () => {
    expect(
      await health(
        crd([names, { type: "Established", status: "True", reason: "InitialNamesAccepted" }]),
      ),
    ).toEqual({ status: "Healthy", message: "CRD is established" });
    expect((await health(crd())).status).toBe("Progressing");
    expect((await health(crd([names]))).status).toBe("Progressing");
    expect(await health(crd([names], { deletionTimestamp: "2026-12-06T00:00:00Z" }))).toEqual({
      status: "Progressing",
      message: "CRD is terminating",
    });
  });

  it("keeps upstream's Degraded for names not accepted, a non-structural schema, or another reason", async () => {
    expect(
      await health(
        crd([
          {
            type: "NamesAccepted",
            status: "False",
            reason: "ListKindConflict",
            message: "WidgetList is already in use",
          },
        ]),
      ),
    ).toEqual({
      status: "Degraded",
      message: "CRD names have not been accepted: WidgetList is already in use",
    });
    expect(
      (
        await health(
          crd([
            names,
            { type: "Established", status: "True" },
            {
              type: "NonStructuralSchema",
              status: "True",
              message: "spec.versions[0].schema: Required",
            },
          ]),
        )
      ).status,
    ).toBe("Degraded");
    expect(
      await health(
        crd([
          names,
          { type: "Established", status: "False", reason: "NotAccepted", message: "not allowed" },
        ]),
      ),
    ).toEqual({ status: "Degraded", message: "CRD is not established: not allowed" });
  });
});
