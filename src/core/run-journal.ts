/**
 * The steps a run has finished, each with the value the steps after it need, so a run whose
 * process died (a worker killed mid-restore) resumes after its last finished step instead of
 * doing again what must happen once (a failure injected, a `pulumi up`).
 *
 * The embedded runner starts every run with an empty journal and keeps it in memory; the
 * Temporal runner saves its snapshot with every activity heartbeat and hands it to the next
 * attempt. The run is the same code either way: a step asks the journal first.
 */

/** A resumption of the run by a later attempt. */
export interface RunInterruption {
  /** The attempt that resumed (the first attempt is 1). */
  readonly attempt: number;
  /** The last step the earlier attempt finished; absent when it finished none. */
  readonly lastFinished?: string;
  /** When the later attempt resumed (ISO 8601). */
  readonly resumedAt: string;
}

/** Which runner ran a drill or a restore, and every time a later attempt had to pick it up again. */
export interface RunnerRecord {
  /** `embedded`: in the drkit process; `temporal`: a workflow on a Temporal worker. */
  readonly engine: "embedded" | "temporal";
  /** The Temporal workflow's id; absent for the embedded runner. */
  readonly workflowId?: string;
  /**
   * Each resumption after the process running it died (a worker killed mid-restore), with the
   * last step finished before: the RTO includes the time lost. Always empty when embedded.
   */
  readonly interruptions: readonly RunInterruption[];
}

/** What a journal holds, as JSON: saved with each heartbeat. */
export interface JournalSnapshot {
  /** Finished steps in the order they finished, each with its saved value. */
  readonly steps: readonly { readonly name: string; readonly value: unknown }[];
  readonly interruptions: readonly RunInterruption[];
}

export class RunJournal {
  readonly #steps = new Map<string, unknown>();
  readonly #interruptions: RunInterruption[] = [];
  readonly #onChange: ((snapshot: JournalSnapshot) => void) | undefined;

  constructor(snapshot?: JournalSnapshot, onChange?: (snapshot: JournalSnapshot) => void) {
    for (const step of snapshot?.steps ?? []) this.#steps.set(step.name, step.value);
    this.#interruptions.push(...(snapshot?.interruptions ?? []));
    this.#onChange = onChange;
  }

  /** Whether `step` finished in this run (in this attempt or an earlier one). */
  has(step: string): boolean {
    return this.#steps.has(step);
  }

  /** The value `step` saved when it finished; undefined when it has not. */
  get<T>(step: string): T | undefined {
    return this.#steps.get(step) as T | undefined;
  }

  /** Records `step` as finished with `value` (JSON-serializable). */
  record(step: string, value: unknown): void {
    this.#steps.set(step, value === undefined ? null : value);
    this.#onChange?.(this.snapshot());
  }

  /**
   * The step's saved value when it already finished; otherwise runs it and records what `save`
   * makes of its result (the value itself by default).
   */
  async step<T>(
    step: string,
    body: () => Promise<T>,
    codec: { save(value: T): unknown; load(saved: unknown): T } = identity<T>(),
  ): Promise<T> {
    if (this.#steps.has(step)) return codec.load(this.#steps.get(step));
    const value = await body();
    this.record(step, codec.save(value));
    return value;
  }

  /** Notes that attempt `attempt` picked the run up again at `at`. */
  resumed(attempt: number, at: Date): void {
    const lastFinished = [...this.#steps.keys()].at(-1);
    this.#interruptions.push({
      attempt,
      ...(lastFinished ? { lastFinished } : {}),
      resumedAt: at.toISOString(),
    });
    this.#onChange?.(this.snapshot());
  }

  get interruptions(): readonly RunInterruption[] {
    return [...this.#interruptions];
  }

  snapshot(): JournalSnapshot {
    return {
      steps: [...this.#steps].map(([name, value]) => ({ name, value })),
      interruptions: [...this.#interruptions],
    };
  }
}

function identity<T>() {
  return { save: (value: T): unknown => value, load: (saved: unknown) => saved as T };
}

/** Whether a heartbeat's details are a journal snapshot (a worker of another version may differ). */
export function isJournalSnapshot(value: unknown): value is JournalSnapshot {
  const v = value as Partial<JournalSnapshot> | undefined;
  return (
    typeof v === "object" &&
    v !== null &&
    Array.isArray(v.steps) &&
    v.steps.every((s) => typeof s?.name === "string") &&
    Array.isArray(v.interruptions)
  );
}
