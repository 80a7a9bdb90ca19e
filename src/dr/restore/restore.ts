/**
 * `drkit restore`: replay a cluster from Git and prove it — preflight, provision, bootstrap,
 * converge, verify, report — with the RTO clock running phase by phase.
 *
 * A function over injected side effects (Flux `bootstrap.Run` style): integration tests run it
 * against real local regions, unit tests against fakes. Every failure is collected into the
 * report; a failed phase stops the phases after it, and the report then says `ok: false`.
 */
import { failureKindOf, PreflightError, type FailureKind } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { Kube, KubeObject } from "../../kube/index.ts";
import type { PreflightResult } from "../preflight/index.ts";
import type { Failure, OwnerObjects, RestoreReport } from "../report/index.ts";
import { describeCoverage, type Coverage } from "../verify/coverage.ts";
import type { DesiredState } from "../verify/render.ts";
import { bootstrapReconciler } from "./bootstrap.ts";
import { converge } from "./converge.ts";
import { ConvergeFailedError } from "./converge-error.ts";
import { PhaseAbort, PhaseClock, type PhaseCodec } from "./phase-clock.ts";
import { restoreDriver } from "./reconcilers/index.ts";
import type { ResolvedRef, RestoreDeps, RestoreOptions, StackTarget } from "./types.ts";
import { handBack, tuneReconciler } from "./hand-back.ts";
import { createWarmUp, describeWarmUp, objectsOutsideInventory, type WarmUp } from "./warm-up.ts";

/** Runs a restore (or, with `readOnly`, a converge-and-verify check) and returns its report. */
export async function restore(options: RestoreOptions, deps: RestoreDeps): Promise<RestoreReport> {
  const { clock, log } = deps;
  const startedAt = options.startedAt ?? clock.now();
  // A resumed run takes preflight, provision and bootstrap from the journal: no second
  // `pulumi up`, no second bootstrap. Converge and verify only read, so they run again.
  const phases = new PhaseClock(clock, options.readOnly ? undefined : options.journal);
  let target: StackTarget | undefined;
  let resolved: ResolvedRef | undefined;
  let counts = { desired: 0, applied: 0, missing: 0, extraManaged: 0, drifted: 0 };
  let coverage: Coverage | undefined;
  let owners: readonly OwnerObjects[] | undefined;
  // Stops the phase in progress (converge, provision) and every phase after it.
  const interrupted = () => {
    if (options.signal?.aborted) throw options.signal.reason;
  };
  let lock: { release(): void } | undefined;
  let rendered: DesiredState | undefined;
  // Set once the reconciler runs its recovery profile: it goes back to steady at the end.
  let tunedTarget: StackTarget | undefined;
  let finishedAt = startedAt;
  let restored: Kube | undefined;
  const succeeded = () => phases.failures.length === 0 && phases.phases.every((p) => p.ok);

  try {
    const prepared = await phases.run(
      "preflight",
      async () => {
        if (!options.readOnly) lock = await deps.locks.acquire(options.stack);
        const t = await deps.provisioner.describe(options.stack);
        target = t;
        const ref = options.ref ?? t.fleet.branch;
        log.action(`resolving "${ref}" in "${t.fleet.url}"`);
        const r = await deps.git.resolveRef(t.fleet.url, ref);
        resolved = r;
        // The same checks as `drkit preflight`, before anything is created: a fleet that cannot
        // converge fails here within seconds instead of in converge after its timeout. Both
        // look at the same commit: they run together, each a cost the RTO clock counts.
        const [encrypted, checked] = await Promise.all([
          deps.git.hasEncryptedFiles(t.fleet.url, r.commit, t.fleet.path),
          options.readOnly
            ? undefined
            : deps.preflight.check({
                target: t,
                ref,
                commit: r.commit,
                onRendered: (state) => (rendered = state),
              }),
        ]);
        // Preflight's findings first: they name each file and where a key or token is read from.
        if (checked) recordPreflight(checked, phases, log);
        if (encrypted && !t.hasDecryptionKey) {
          throw new MissingKeyError(t);
        }
        interrupted();
        return {
          value: { target: t, ref: r, encrypted },
          detail: `${r.kind} "${r.name}" is ${r.commit.slice(0, 12)}${encrypted ? "; encrypted files found, key configured" : ""}${checked ? `; ${checked.checks.length} preflight checks passed` : ""}`,
        };
      },
      asSaved(),
    );
    const { ref } = prepared;
    target = prepared.target;
    resolved = ref;
    // A resumed run took preflight from the journal: it takes the stack's lock here.
    if (!options.readOnly && !lock) lock = await deps.locks.acquire(options.stack);

    const provisioned = await phases.run(
      "provision",
      async () => {
        interrupted();
        const existing = deps.provisioner.notProvisioned?.(prepared.target);
        if (existing) {
          // Preflight found it reachable; drkit never creates or changes the cluster itself.
          const path = await deps.provisioner.kubeconfigPath(prepared.target);
          if (!path) throw new Error(`no kubeconfig for ${existing}`);
          log.info(`provisioning skipped: ${existing}`);
          return { value: { kubeconfigPath: path }, detail: `skipped: ${existing}`, skipped: true };
        }
        const known = await deps.provisioner.kubeconfigPath(prepared.target);
        if (known && (await reachable(deps.kubeFor(known)))) {
          log.success(`cluster of stack "${options.stack}" is reachable: already up`);
          return { value: { kubeconfigPath: known }, detail: "cluster reachable: already up" };
        }
        if (options.readOnly) {
          throw new Error(
            `the cluster of stack "${options.stack}" is not reachable: restore it with \`drkit restore --stack ${options.stack}\``,
          );
        }
        log.action(`provisioning stack "${options.stack}" with the Pulumi program`);
        const up = await deps.provisioner.up(prepared.target, log, options.signal);
        return { value: { kubeconfigPath: up.kubeconfigPath }, detail: up.summary };
      },
      asSaved(),
    );
    const kube: Kube = deps.kubeFor(provisioned.kubeconfigPath);
    restored = kube;

    let requestedAt: string | undefined;
    let warmUp: WarmUp | undefined;
    if (!options.readOnly) {
      const bootstrapped = await phases.run(
        "bootstrap",
        async () => {
          interrupted();
          const input = {
            kube,
            target: prepared.target,
            ref,
            needsDecryptionKey: prepared.encrypted,
            now: clock.now(),
            log,
          };
          const installed = await deps.provisioner.installReconciler?.(input);
          const done = await bootstrapReconciler(input);
          warmUp = startWarmUp(options, prepared.target, rendered, kube, deps);
          // The reconciler restarts into its recovery profile while drkit writes ahead of it.
          const [tuned] = await Promise.all([
            tuneReconciler(prepared.target, prepared.target.recovery, deps),
            warmUp?.applyUnblocked(),
          ]);
          const details = [
            installed?.detail,
            done.detail,
            tuned,
            warmUp && describeWarmUp(warmUp.stats()),
          ];
          return {
            value: { requestedAt: done.requestedAt, tuned: Boolean(tuned) },
            detail: details.filter(Boolean).join("; "),
          };
        },
        asSaved(),
      );
      requestedAt = bootstrapped.requestedAt;
      if (bootstrapped.tuned) tunedTarget = prepared.target;
    }

    // Rendering the desired state needs only Git: overlap it with the wait for the reconciler.
    deps.verifier.prepare?.({
      target: prepared.target,
      commit: ref.commit,
      ...(rendered ? { desired: rendered } : {}),
    });
    const converged = await phases.run("converge", async () => {
      try {
        const result = await converge({
          kube,
          target: prepared.target,
          revision: ref.commit,
          ...(requestedAt ? { requestedAt } : {}),
          kickDependents: !options.readOnly,
          ...(warmUp ? { warmUp } : {}),
          timeoutMs: options.convergeTimeoutMs ?? 600_000,
          probe: deps.probe,
          clock,
          log,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        result.failures.forEach((f) => phases.fail("converge", f));
        const { words } = restoreDriver(prepared.target.reconciler);
        const recovered =
          result.recovered.length > 0 ? `; restarted ${result.recovered.join(", ")}` : "";
        return {
          value: result,
          detail: `${result.reconcilers.length} ${words.kind}(s)${releasesOf(result)} ${words.done} at ${ref.commit.slice(0, 12)}, ${result.workloads} workload(s) checked${recovered}`,
        };
      } catch (err) {
        if (err instanceof ConvergeFailedError) {
          err.failures.forEach((f) => phases.fail("converge", f));
          throw new PhaseAbort("converge", { cause: err });
        }
        throw err;
      }
    });

    await phases.run("verify", async () => {
      interrupted();
      const result = await deps.verifier.verify({
        target: prepared.target,
        commit: ref.commit,
        kube,
        coverage: options.coverage ?? true,
      });
      counts = { ...result.counts };
      coverage = result.coverage;
      owners = result.owners;
      if (coverage?.unowned.length) {
        const refs = coverage.unowned.map((o) => o.ref);
        const more = refs.length > 10 ? ` and ${refs.length - 10} more` : "";
        log.warn(`coverage: ${describeCoverage(coverage)}: ${refs.slice(0, 10).join(", ")}${more}`);
      }
      result.failures.forEach((f) => phases.fail("verify", f));
      // Charts warmed up after their Kustomization's kick may still be writing.
      await warmUp?.settled();
      const strays = warmUp
        ? warmUpOutsideInventory(
            warmUp,
            [...converged.reconcilers, ...converged.releases],
            prepared.target,
          )
        : [];
      strays.forEach((f) => phases.fail("verify", f));
      const owned =
        warmUp && strays.length === 0
          ? `; the ${warmUp.stats().applied} warmed-up object(s) are in their owners' inventories`
          : "";
      return {
        value: undefined,
        detail: `${counts.desired} desired, ${counts.missing} missing, ${counts.extraManaged} extra, ${counts.drifted} drifted${owned}`,
      };
    });
  } catch (err) {
    if (!(err instanceof PhaseAbort)) throw err;
    log.fail(`restore of ${subject(options.stack, target)} stopped in phase "${err.message}"`);
  } finally {
    // The RTO ends with verify; going back to steady settings is not part of it.
    finishedAt = clock.now();
    const revision = resolved?.commit ?? "";
    const signal = options.signal ? { signal: options.signal } : {};
    const back = tunedTarget
      ? handBack(
          { target: tunedTarget, kube: restored, revision, ok: succeeded(), ...signal },
          deps,
        )
      : Promise.resolve();
    // The lock is held until the reconciler is back: no other restore retunes it meanwhile.
    const released = back.finally(() => lock?.release());
    if (options.onHandBack) options.onHandBack(released);
    else await released;
  }

  const ok = succeeded();
  if (ok)
    log.success(
      `${subject(options.stack, target)} restored to ${resolved?.commit.slice(0, 12)} in ${Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000)}s`,
    );
  return {
    kind: "restore",
    stack: options.stack,
    targetRegion: target?.region ?? "",
    ref: options.ref ?? target?.fleet.branch ?? "",
    commit: resolved?.commit ?? "",
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    ok,
    ...(ok ? {} : { failureKind: failureKindOfRun(phases, options.signal) }),
    phases: phases.phases,
    objects: counts,
    failures: phases.failures,
    ...(coverage ? { coverage } : {}),
    ...(owners ? { owners } : {}),
    ...(options.runner
      ? { runner: { ...options.runner, interruptions: options.journal?.interruptions ?? [] } }
      : {}),
  };
}

/** A phase value saved to the journal as it is (plain JSON). */
function asSaved<T>(): PhaseCodec<T> {
  return { save: (value) => value, load: (saved) => saved as T };
}

/** How logs name what is restored: a stack, or a cluster drkit did not create. */
function subject(name: string, target: StackTarget | undefined): string {
  return target?.platform === "external" ? `cluster "${name}"` : `stack "${name}"`;
}

/** The fleet has encrypted files but the stack has no decryption key: a failed check (exit 3). */
export class MissingKeyError extends PreflightError {
  constructor(target: StackTarget) {
    const fix =
      target.missingKeyFix ??
      `set it with \`pulumi config set --secret drkit:sopsAgeKey <AGE-SECRET-KEY-...> --stack ${target.stack}\` (from your key escrow), or for files encrypted with Vault transit \`pulumi config set --secret drkit:sopsVaultToken <token> --stack ${target.stack}\``;
    super(
      `the fleet path "${target.fleet.path}" has SOPS-encrypted files but stack "${target.stack}" has no decryption key: ${fix}`,
    );
  }
}

/**
 * Records every failed preflight finding (with its fix) as a failure of the phase and stops
 * the restore with a PreflightError; logs the warnings.
 */
function recordPreflight(result: PreflightResult, phases: PhaseClock, log: Logger): void {
  for (const c of result.checks) for (const w of c.warnings) log.warn(`${c.name}: ${w}`);
  const findings = result.checks.flatMap((c) => c.failures.map((f) => ({ check: c.name, ...f })));
  if (result.ok) return;
  for (const f of findings) phases.fail("preflight", { message: `${f.message}; fix: ${f.fix}` });
  throw new PhaseAbort("preflight", {
    cause: new PreflightError(
      `the fleet at ${result.commit.slice(0, 12)} cannot be restored: ${findings.length} preflight failure(s)`,
      { failures: findings.map((f) => `${f.check}: ${f.message}`) },
    ),
  });
}

/**
 * The warm-up of the target's reconciler, planned from the desired state preflight rendered;
 * undefined when it is off (`warmUp: false`), the reconciler has none, or nothing was rendered.
 */
function startWarmUp(
  options: RestoreOptions,
  target: StackTarget,
  rendered: DesiredState | undefined,
  kube: Kube,
  deps: RestoreDeps,
): WarmUp | undefined {
  const driver = restoreDriver(target.reconciler).warmUp;
  if (options.warmUp === false || !driver || !rendered) return undefined;
  const plan = driver.plan(rendered);
  for (const s of plan.skipped) deps.log.info(`warm-up left ${s.key} to the reconciler: ${s.why}`);
  if (plan.batches.size === 0) return undefined;
  return createWarmUp({
    kube,
    plan,
    clock: deps.clock,
    log: deps.log,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** A failure for each batch whose warmed-up objects its owner does not list (nothing prunes them). */
function warmUpOutsideInventory(
  warmUp: WarmUp,
  reconcilers: readonly KubeObject[],
  target: StackTarget,
): Omit<Failure, "phase">[] {
  const driver = restoreDriver(target.reconciler).warmUp!;
  return objectsOutsideInventory(warmUp.applied(), reconcilers, driver.inventory).map((o) => ({
    owner: o.key,
    message: `the warm-up applied ${o.refs.length} object(s) that ${o.key} does not list in its inventory, so nothing prunes them: ${o.refs.slice(0, 10).join(", ")}${o.refs.length > 10 ? " and more" : ""}; delete them with kubectl delete and restore with --no-warm-up, and report the fleet to drkit`,
  }));
}

/** A signal that stopped the run decides its kind, whatever error the phase then threw. */
function failureKindOfRun(phases: PhaseClock, signal: AbortSignal | undefined): FailureKind {
  if (signal?.aborted) return failureKindOf(signal.reason);
  return phases.failureKind ?? "failed";
}

async function reachable(kube: Kube): Promise<boolean> {
  try {
    await kube.list({ apiVersion: "v1", kind: "Namespace" });
    return true;
  } catch {
    return false;
  }
}

/** ` and 2 HelmRelease(s)` when the reconcilers applied releases; empty otherwise. */
function releasesOf(result: { readonly releases: readonly KubeObject[] }): string {
  const kind = result.releases[0]?.kind;
  return kind ? ` and ${result.releases.length} ${kind}(s)` : "";
}
