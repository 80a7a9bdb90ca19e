/**
 * Why the API server refused a request, in one short line: its Status `message`, with the long
 * values an Invalid status quotes (a Job's whole pod template) cut, else the error's first line.
 */
import { ApiException } from "@kubernetes/client-node";

/** The longest a refusal gets before it is cut with "…". */
const maxLength = 300;

/** The API server's own words for `err` (pure). */
export function apiMessage(err: unknown): string {
  const status = statusOf(err);
  if (status?.message) return shorten(status.message);
  return shorten(err instanceof Error ? (err.message.split("\n")[0] ?? err.message) : String(err));
}

function statusOf(err: unknown): { message?: string } | undefined {
  const body = err instanceof ApiException ? err.body : (err as { body?: unknown } | null)?.body;
  if (body && typeof body === "object") return body as { message?: string };
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body) as { message?: string };
  } catch {
    return undefined; // not a Status document
  }
}

/** Cuts the quoted values (`Invalid value: {...}`) and then the whole line to `maxLength`. */
function shorten(message: string): string {
  const cut = message.replace(/Invalid value: \{[^]*?\}: /g, "Invalid value: {…}: ");
  return cut.length > maxLength ? `${cut.slice(0, maxLength - 1)}…` : cut;
}
