/**
 * The Kyverno CLI (`kyverno apply`, the toolchain's optional `kyverno` recipe) as the `kyverno`
 * preflight check's evaluator: the fleet's policies against its rendered objects, offline.
 *
 * The objects go to a private temp dir (0700, files 0600; a fleet's decrypted Secrets among
 * them) that is removed afterwards.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

import { exec as realExec, ProcessError, type Exec } from "../../core/exec.ts";
import { redact } from "../../core/redact.ts";
import type { KubeObject } from "../../kube/index.ts";
import type { KyvernoEvaluator, KyvernoResult } from "./admission/kyverno.ts";

/** `kyverno apply` exits 1 when a policy fails: its report is still on stdout. */
const violationsExitCode = 1;

export function createKyvernoCli(binary: string, exec: Exec = realExec): KyvernoEvaluator {
  return async (input) => {
    const dir = await mkdtemp(join(tmpdir(), "drkit-kyverno-"));
    try {
      const write = async (name: string, objects: readonly KubeObject[]) => {
        const file = join(dir, name);
        await writeFile(file, objects.map((o) => stringify(o)).join("---\n"), { mode: 0o600 });
        return file;
      };
      const args = [
        "apply",
        await write("policies.yaml", input.policies),
        "--resource",
        await write("resources.yaml", input.resources),
        ...(input.exceptions.length > 0
          ? ["--exceptions", await write("exceptions.yaml", input.exceptions)]
          : []),
        "--policy-report",
        "--output-format",
        "json",
        "--remove-color",
      ];
      let stdout: string;
      try {
        stdout = (await exec(binary, args, { step: "kyverno apply", timeoutMs: 300_000 })).stdout;
      } catch (err) {
        if (!(err instanceof ProcessError) || err.exitCode !== violationsExitCode) throw err;
        stdout = err.stdout;
      }
      return parseReport(stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/**
 * The results of the reports `kyverno apply --policy-report --output-format json` prints: one
 * ClusterReport for cluster-wide policies and one PolicyReport per namespaced policy, as JSON
 * documents separated by `---`, after the CLI's own warnings.
 */
export function parseReport(stdout: string): KyvernoResult[] {
  const reports = stdout.split(/^---\s*$/m).flatMap((doc) => {
    const at = doc.search(/^\{/m);
    return at < 0 ? [] : [doc.slice(at)];
  });
  if (reports.length === 0)
    throw new Error(redact(`kyverno apply printed no report: ${stdout.slice(0, 200)}`));
  return reports.flatMap((doc) => (JSON.parse(doc) as { results?: KyvernoResult[] }).results ?? []);
}
