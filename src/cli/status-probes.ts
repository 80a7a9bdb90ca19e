/**
 * The real probes of `drkit status`: the API server's `/readyz` and objects through the
 * kubeconfig (`@kubernetes/client-node`, each request abortable), and the fleet branch's head
 * through `git ls-remote`. Loaded only when a status runs.
 */
import { Health } from "@kubernetes/client-node";

import { exec as realExec, type Exec } from "../core/exec.ts";
import type { RuntimeFor } from "../dr/region-runtime.ts";
import { createKube, type Kube } from "../kube/index.ts";
import type { StatusProbes } from "../status/index.ts";

export function createStatusProbes(options: {
  readonly runtimeFor: RuntimeFor;
  readonly timeoutMs: number;
  readonly exec?: Exec;
}): StatusProbes {
  const exec = options.exec ?? realExec;
  const kubes = new Map<string, Kube>();
  const kubeFor = (path: string): Kube => {
    let kube = kubes.get(path);
    if (!kube) kubes.set(path, (kube = createKube(path)));
    return kube;
  };
  return {
    runtimeFor: options.runtimeFor,
    timeoutMs: options.timeoutMs,
    apiReady: (path, signal) => new Health(kubeFor(path).kubeConfig).readyz({ signal }),
    // The client takes no signal: `observe` stops waiting, and the command exits regardless.
    getObject: (path, ref) => kubeFor(path).get(ref),
    async branchHead(url, branch, signal) {
      const { stdout } = await exec("git", ["ls-remote", "--heads", url, `refs/heads/${branch}`], {
        step: `read branch "${branch}"`,
        timeoutMs: options.timeoutMs,
        signal,
        // A status never waits for someone to type a password.
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      });
      return stdout.trim().split(/\s+/)[0] || null;
    },
  };
}
