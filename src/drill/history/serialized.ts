/** A history written by several drills of one process at once. */
import { createInFlightLimit } from "../../core/in-flight.ts";
import type { DrillHistoryStore } from "./store.ts";

/** The history with one append at a time: a Git-backed history commits and pushes each. */
export function serializedHistory(store: DrillHistoryStore): DrillHistoryStore {
  const exclusive = createInFlightLimit(1);
  return { ...store, append: (result) => exclusive(() => store.append(result)) };
}
