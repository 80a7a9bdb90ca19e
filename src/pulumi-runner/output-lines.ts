/**
 * Pulumi CLI output as log lines: the CLI's animation ("@ updating....", lone dots) is not
 * progress for a log, so it is dropped (pure).
 */
export function pulumiOutputLines(out: string): string[] {
  return out
    .split("\n")
    .filter(
      (line) =>
        line.trim() && !/^[@\s]*(updating|refreshing|previewing|destroying)?\.*$/.test(line.trim()),
    )
    .map((line) => line.trimEnd());
}
