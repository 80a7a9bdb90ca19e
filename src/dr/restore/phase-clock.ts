/**
 * Times phases on the monotonic clock and collects every failure, so the report shows all of
 * them and the RTO clock phase by phase.
 */
import type { Clock } from "../../core/clock.ts";
import {
  describeError,
  failureKindOf,
  StepFailedError,
  type FailureKind,
} from "../../core/errors.ts";
import type { RunJournal } from "../../core/run-journal.ts";
import type { Failure, PhaseName, PhaseResult } from "../report/index.ts";

/** How a phase's value is saved to the run journal and read back by a resumed run. */
export interface PhaseCodec<T> {
  save(value: T): unknown;
  load(saved: unknown): T;
}

/** Thrown inside a phase to stop the restore after recording the phase's failures. */
export class PhaseAbort extends Error {
  override readonly name = "PhaseAbort";
}

export class PhaseClock {
  readonly phases: PhaseResult[] = [];
  readonly failures: Failure[] = [];
  /** The kind of the error that stopped the run, once one did. */
  failureKind: FailureKind | undefined;
  readonly #clock: Clock;
  readonly #journal: RunJournal | undefined;

  /** With a journal, phases run with a codec are recorded there, and skipped once recorded. */
  constructor(clock: Clock, journal?: RunJournal) {
    this.#clock = clock;
    this.#journal = journal;
  }

  /** Records a failure of `phase` (the run goes on; the report collects them all). */
  fail(phase: PhaseName, failure: Omit<Failure, "phase">): void {
    this.failures.push({ phase, ...failure });
  }

  /**
   * Runs one phase and records its timing. A thrown error becomes a failure of the phase and
   * stops the restore (re-thrown as PhaseAbort); failures recorded with `fail` do not stop it
   * by themselves, but they mark the phase not ok.
   */
  async run<T>(
    phase: PhaseName,
    body: () => Promise<{ value: T; detail: string; skipped?: true }>,
    codec?: PhaseCodec<T>,
  ): Promise<T> {
    const step = `restore.${phase}`;
    const journal = codec ? this.#journal : undefined;
    const saved = journal?.get<{ result: PhaseResult; value: unknown }>(step);
    if (saved && codec) {
      this.phases.push({ ...saved.result, resumed: true });
      return codec.load(saved.value);
    }
    const startedAt = this.#clock.now().toISOString();
    const start = this.#clock.monotonicMs();
    const before = this.failures.length;
    try {
      const { value, detail, skipped } = await body();
      this.#record(phase, startedAt, start, this.failures.length === before, detail, skipped);
      const result = this.phases.at(-1)!;
      if (journal && codec && result.ok) journal.record(step, { result, value: codec.save(value) });
      return value;
    } catch (err) {
      if (!(err instanceof PhaseAbort)) {
        this.fail(phase, { message: describeError(err) });
      }
      this.failureKind ??= failureKindOf(err instanceof PhaseAbort ? err.cause : err);
      this.#record(
        phase,
        startedAt,
        start,
        false,
        this.failures.at(-1)?.message.split("\n")[0] ?? "failed",
      );
      throw new PhaseAbort(phase, { cause: err });
    }
  }

  #record(
    name: PhaseName,
    startedAt: string,
    start: number,
    ok: boolean,
    detail: string,
    skipped?: true,
  ): void {
    this.phases.push({
      name,
      startedAt,
      durationMs: Math.max(0, Math.round(this.#clock.monotonicMs() - start)),
      ok,
      detail,
      ...(skipped ? { skipped } : {}),
    });
  }
}

/** Turns the first recorded failure into the error a CLI reports. */
export function restoreFailedError(failures: readonly Failure[]): StepFailedError {
  const first = failures[0];
  return new StepFailedError(
    first?.phase ?? "restore",
    `${failures.length} failure(s); first: ${first?.object ? `${first.object}: ` : ""}${first?.message ?? "unknown"}`,
  );
}
