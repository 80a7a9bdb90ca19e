/**
 * Keeps secrets out of logs, reports and errors.
 *
 * Values registered here are replaced by `***` wherever drkit prints text. Register a secret as
 * soon as it is read (age keys, repo passwords, kubeconfig tokens); patterns catch the common
 * shapes even when nobody registered them.
 */

const known = new Set<string>();

const patterns: readonly RegExp[] = [
  /AGE-SECRET-KEY-1[0-9A-Z]+/g,
  /(client-key-data|client-certificate-data|token|password)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /(https?:\/\/[^:/\s]+:)[^@/\s]+@/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Registers a secret value so that `redact` hides it everywhere. Short values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 6) known.add(value);
}

/** Returns text with every registered secret and every secret-shaped token replaced by `***`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join("***");
  out = out.replace(patterns[0]!, "AGE-SECRET-KEY-***");
  out = out.replace(patterns[1]!, "$1$2***");
  out = out.replace(patterns[2]!, "$1***@");
  out = out.replace(patterns[3]!, "***PRIVATE KEY***");
  return out;
}
