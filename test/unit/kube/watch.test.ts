import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import type { Kube, ObjectList } from "../../../src/kube/client.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { WatchTimeoutError, watchUntil } from "../../../src/kube/watch.ts";

type Callback = (type: string, obj: unknown) => void;
interface FakeWatch {
  readonly query: Record<string, unknown>;
  readonly emit: Callback;
  readonly done: (err: unknown) => void;
  aborted: boolean;
}

/** A Kube whose list answers come from a script and whose watches the test drives by hand. */
function fakeKube(listAnswers: Array<ObjectList | Error>) {
  const watches: FakeWatch[] = [];
  let lists = 0;
  const waiters: Array<() => void> = [];
  const kube = {
    collectionPath: async () => "/apis/apps/v1/namespaces/shop/deployments",
    list: async () => {
      const answer = listAnswers[Math.min(lists, listAnswers.length - 1)]!;
      lists += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    watcher: {
      watch: async (
        _path: string,
        query: Record<string, unknown>,
        emit: Callback,
        done: (err: unknown) => void,
      ) => {
        const w: FakeWatch = { query, emit, done, aborted: false };
        watches.push(w);
        waiters.splice(0).forEach((wake) => wake());
        const controller = new AbortController();
        controller.signal.addEventListener("abort", () => (w.aborted = true));
        return controller;
      },
    },
  } as unknown as Kube;
  const nextWatch = async (count: number): Promise<FakeWatch> => {
    while (watches.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return watches[count - 1]!;
  };
  return { kube, watches, nextWatch, listCount: () => lists };
}

function web(readyReplicas: number, resourceVersion: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", resourceVersion },
    status: { readyReplicas },
  };
}

const target = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop" };
const allReady = (objs: readonly KubeObject[]) =>
  objs.length > 0 && objs.every((o) => (o.status as { readyReplicas: number }).readyReplicas === 3);
const fast = { initialMs: 1, maxMs: 4 };

describe("watchUntil", () => {
  it("resolves from the initial list when the predicate already holds", async () => {
    const { kube, watches } = fakeKube([{ items: [web(3, "5")], resourceVersion: "5" }]);
    const objs = await watchUntil(kube, target, allReady, { timeoutMs: 1000 });
    expect(objs.map((o) => o.metadata.resourceVersion)).toEqual(["5"]);
    expect(watches).toHaveLength(0);
  });

  it("follows watch events from the list's resourceVersion until the predicate holds", async () => {
    const fake = fakeKube([{ items: [web(0, "5")], resourceVersion: "5" }]);
    const result = watchUntil(fake.kube, target, allReady, { timeoutMs: 1000, backoff: fast });
    const w = await fake.nextWatch(1);
    expect(w.query).toMatchObject({ resourceVersion: "5", allowWatchBookmarks: true });
    w.emit("MODIFIED", web(1, "6"));
    w.emit("BOOKMARK", {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { resourceVersion: "7" },
    });
    w.emit("MODIFIED", web(3, "8"));
    expect((await result).map((o) => o.metadata.resourceVersion)).toEqual(["8"]);
    expect(w.aborted).toBe(true);
  });

  it("re-lists and re-watches after the connection breaks (API server restart)", async () => {
    const fake = fakeKube([
      { items: [web(0, "5")], resourceVersion: "5" },
      new Error("connect ECONNREFUSED 127.0.0.1:32766"),
      { items: [web(3, "40")], resourceVersion: "40" },
    ]);
    const reconnects: Array<{ attempt: number; error: string }> = [];
    const result = watchUntil(fake.kube, target, allReady, {
      timeoutMs: 1000,
      backoff: fast,
      onReconnect: (info) => reconnects.push(info),
    });
    const first = await fake.nextWatch(1);
    first.done(new TypeError("fetch failed"));
    expect((await result)[0]?.metadata.resourceVersion).toBe("40");
    expect(fake.listCount()).toBe(3);
    expect(reconnects).toEqual([
      { attempt: 1, error: "fetch failed" },
      { attempt: 2, error: "connect ECONNREFUSED 127.0.0.1:32766" },
    ]);
  });

  it("resumes from the last resourceVersion without re-listing when the server ends a watch cleanly", async () => {
    const fake = fakeKube([{ items: [web(0, "5")], resourceVersion: "5" }]);
    const result = watchUntil(fake.kube, target, allReady, { timeoutMs: 1000, backoff: fast });
    const first = await fake.nextWatch(1);
    first.emit("MODIFIED", web(2, "9"));
    first.done(null);
    const second = await fake.nextWatch(2);
    expect(second.query.resourceVersion).toBe("9");
    second.emit("MODIFIED", web(3, "10"));
    await result;
    expect(fake.listCount()).toBe(1);
  });

  it("re-lists after a 410 Gone error event", async () => {
    const fake = fakeKube([
      { items: [web(0, "5")], resourceVersion: "5" },
      { items: [web(3, "900")], resourceVersion: "900" },
    ]);
    const result = watchUntil(fake.kube, target, allReady, { timeoutMs: 1000, backoff: fast });
    const first = await fake.nextWatch(1);
    first.emit("ERROR", {
      kind: "Status",
      code: 410,
      message: "too old resource version: 5 (800)",
    });
    expect((await result)[0]?.metadata.resourceVersion).toBe("900");
    expect(first.aborted).toBe(true);
  });

  it("drops deleted objects from the snapshot", async () => {
    const fake = fakeKube([
      {
        items: [web(3, "5"), { ...web(0, "5"), metadata: { name: "old", namespace: "shop" } }],
        resourceVersion: "5",
      },
    ]);
    const result = watchUntil(fake.kube, target, allReady, { timeoutMs: 1000, backoff: fast });
    const w = await fake.nextWatch(1);
    w.emit("DELETED", {
      ...web(0, "6"),
      metadata: { name: "old", namespace: "shop", resourceVersion: "6" },
    });
    expect((await result).map((o) => o.metadata.name)).toEqual(["web"]);
  });

  it("treats a kind the server does not serve yet as empty and looks again", async () => {
    const fake = fakeKube([
      new ApiException(404, "not found", {}, {}),
      { items: [web(3, "2")], resourceVersion: "2" },
    ]);
    const seen: number[] = [];
    const objs = await watchUntil(fake.kube, target, (o) => (seen.push(o.length), allReady(o)), {
      timeoutMs: 1000,
      backoff: fast,
    });
    expect(objs).toHaveLength(1);
    expect(seen).toEqual([0, 1]);
  });

  it("fails with the last snapshot when time runs out", async () => {
    const fake = fakeKube([{ items: [web(1, "5")], resourceVersion: "5" }]);
    const err = await watchUntil(fake.kube, target, allReady, {
      timeoutMs: 50,
      backoff: fast,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WatchTimeoutError);
    expect((err as Error).message).toBe(
      "watch: Deployment objects did not reach the expected state within 0.05s",
    );
    expect((err as WatchTimeoutError).objects.map((o) => o.metadata.resourceVersion)).toEqual([
      "5",
    ]);
    expect(fake.watches[0]?.aborted).toBe(true);
  });

  it("fails with the predicate's error when the predicate throws", async () => {
    const fake = fakeKube([{ items: [web(1, "5")], resourceVersion: "5" }]);
    const result = watchUntil(
      fake.kube,
      target,
      () => {
        throw new Error("Job failed: BackoffLimitExceeded");
      },
      { timeoutMs: 1000 },
    );
    await expect(result).rejects.toThrow("Job failed: BackoffLimitExceeded");
  });

  it("fails with the signal's reason when aborted", async () => {
    const fake = fakeKube([{ items: [], resourceVersion: "1" }]);
    const controller = new AbortController();
    const result = watchUntil(fake.kube, target, allReady, {
      timeoutMs: 1000,
      signal: controller.signal,
    });
    const w = await fake.nextWatch(1);
    controller.abort(new Error("restore interrupted"));
    await expect(result).rejects.toThrow("restore interrupted");
    expect(w.aborted).toBe(true);
  });
});
