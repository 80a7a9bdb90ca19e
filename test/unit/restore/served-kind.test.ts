import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { isServed } from "../../../src/dr/restore/served-kind.ts";
import type { Kube } from "../../../src/kube/index.ts";

const kind = { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" };

describe("isServed", () => {
  it("asks again while the API server does not answer, then says the kind is served", async () => {
    let calls = 0;
    const kube = {
      list: async () => {
        calls += 1;
        if (calls < 3) throw new Error("connect ECONNREFUSED 127.0.0.1:6443");
        return { items: [], resourceVersion: "1" };
      },
    } as unknown as Pick<Kube, "list">;
    expect(await isServed(kube, kind, new AbortController().signal)).toBe(true);
    expect(calls).toBe(3);
  });

  it("says a kind the API server does not know is not served, at once", async () => {
    const kube = {
      list: async () => {
        throw new ApiException(404, "404 page not found", "", {});
      },
    } as unknown as Pick<Kube, "list">;
    expect(await isServed(kube, kind, new AbortController().signal)).toBe(false);
  });

  it("stops asking when converge stops", async () => {
    const stop = new AbortController();
    const kube = {
      list: async () => {
        stop.abort(new Error("converge ended"));
        throw new Error("connect ECONNREFUSED");
      },
    } as unknown as Pick<Kube, "list">;
    await expect(isServed(kube, kind, stop.signal)).rejects.toThrow("converge ended");
  });
});
