/**
 * Test file order: vitest's own (failed and slow files first), except that in each project the
 * files that wait for the optional toolchain's background build (they import
 * `support/optional-toolchain.ts`) run after every other file, by when that build is done.
 */
import { readFileSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const waitsForOptionalToolchain = /from "\.\/support\/optional-toolchain\.ts"/;

/** `files` in their order, with each group's waiters moved after the group's other files. */
export function waitersLast<T>(
  files: readonly T[],
  group: (file: T) => string,
  waits: (file: T) => boolean,
): T[] {
  const rank = new Map<string, number>();
  for (const file of files) if (!rank.has(group(file))) rank.set(group(file), rank.size);
  return files
    .map((file, index) => ({
      file,
      index,
      key: rank.get(group(file))! * 2 + (waits(file) ? 1 : 0),
    }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ file }) => file);
}

export default class OptionalToolchainLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return waitersLast(
      await super.sort(files),
      (spec) => spec.project.name,
      (spec) => waitsForOptionalToolchain.test(readFileSync(spec.moduleId, "utf8")),
    );
  }
}
