/**
 * Cross-key rules for the fleet repository, its credentials, secrets storage and DNS.
 */
import { removeFix, setHint, type ConfigProblem } from "./messages.ts";
import { ipv4Pattern, secretKeys, type RawStackConfig } from "./schema.ts";

const basicFields = ["username", "password"] as const;
const sshFields = ["identity", "knownHosts"] as const;

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

/** Credentials must match the URL scheme and never travel in clear text or in the URL. */
export function fleetProblems(raw: RawStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const url = new URL(raw.fleet.url);
  if (url.password !== "" || (url.username !== "" && url.protocol !== "ssh:")) {
    url.password = url.password === "" ? "" : "***";
    problems.push({
      path: ["fleet", "url"],
      problem: "must not contain credentials",
      received: url.toString(),
      fix: "Put them in the secret drkit:fleetCredentials with `pulumi config set --path --secret drkit:fleetCredentials.password <token>` and remove them from the URL.",
    });
  }
  const credentials = raw.fleetCredentials;
  if (credentials === undefined) return problems;
  const ssh = url.protocol === "ssh:";
  const [wanted, unwanted] = ssh ? [sshFields, basicFields] : [basicFields, sshFields];
  const scheme = ssh ? "ssh://" : "http(s)://";
  for (const field of unwanted) {
    if (credentials[field] === undefined) continue;
    problems.push({
      path: ["fleetCredentials", field],
      problem: `does not apply to an ${scheme} fleet URL (drkit:fleet.url is "${raw.fleet.url}")`,
      received: credentials[field],
      fix: removeFix(
        ["fleetCredentials", field],
        `change drkit:fleet.url to the ${ssh ? "https" : "ssh"} form`,
      ),
    });
  }
  for (const field of wanted) {
    if (credentials[field] !== undefined) continue;
    problems.push({
      path: ["fleetCredentials", field],
      problem: `must be set for an ${scheme} fleet URL`,
      received: undefined,
      fix: setHint(["fleetCredentials", field]),
    });
  }
  if (url.protocol === "http:" && !isLoopback(url)) {
    problems.push({
      path: ["fleet", "url"],
      problem:
        "must use https:// when drkit:fleetCredentials is set, or the credentials travel in clear text",
      received: raw.fleet.url,
      fix: setHint(["fleet", "url"]),
    });
  }
  return problems;
}

/** Secrets written without `--secret` sit in clear text in the stack file. */
export function secretStorageProblems(
  raw: RawStackConfig,
  storedAsSecret: ReadonlySet<string> | undefined,
): ConfigProblem[] {
  if (storedAsSecret === undefined) return [];
  return secretKeys
    .filter((key) => raw[key] !== undefined && !storedAsSecret.has(key))
    .map((key) => ({
      path: [key],
      problem: "must be stored as a Pulumi secret",
      received: undefined,
      receivedText: "a plaintext value (not shown)",
      fix: `Remove it with \`pulumi config rm drkit:${key}\`, set it again with \`pulumi config set --secret ...\`, and rotate it: it was written in clear text.`,
    }));
}

/** Each cloud's failover mechanism needs different DNS fields. */
export function dnsProblems(raw: RawStackConfig): ConfigProblem[] {
  const dns = raw.dns;
  if (dns === undefined) {
    return raw.dnsDrained === undefined
      ? []
      : [
          {
            path: ["dnsDrained"],
            problem: "drains a DNS failover member, but drkit:dns is not set",
            received: raw.dnsDrained,
            fix: removeFix(["dnsDrained"], "set drkit:dns"),
          },
        ];
  }
  const problems: ConfigProblem[] = [];
  const { platform } = raw;
  if (platform === "azure" && dns.resourceGroup === undefined) {
    problems.push({
      path: ["dns", "resourceGroup"],
      problem:
        "must name the resource group of the Traffic Manager profile when drkit:platform is azure",
      received: undefined,
      fix: setHint(["dns", "resourceGroup"]),
    });
  }
  if (platform !== "azure" && dns.resourceGroup !== undefined) {
    problems.push({
      path: ["dns", "resourceGroup"],
      problem: `applies only to drkit:platform "azure" (drkit:platform is "${platform}")`,
      received: dns.resourceGroup,
      fix: removeFix(["dns", "resourceGroup"], 'set drkit:platform to "azure"'),
    });
  }
  if (platform === "gcp" && !ipv4Pattern.test(dns.target)) {
    problems.push({
      path: ["dns", "target"],
      problem: "must be an IPv4 address on gcp (Cloud DNS health checks probe addresses)",
      received: dns.target,
      fix: setHint(["dns", "target"]),
    });
  }
  if (platform === "gcp" && dns.role === "primary" && dns.backupTargets === undefined) {
    problems.push({
      path: ["dns", "backupTargets"],
      problem: "must list the secondary region's addresses for the primary record on gcp",
      received: undefined,
      fix: setHint(["dns", "backupTargets"]),
    });
  }
  if (platform === "local" && raw.dnsDrained !== undefined) {
    problems.push({
      path: ["dnsDrained"],
      problem:
        "applies only to cloud platforms: the local platform's record is switched in its DNS server",
      received: raw.dnsDrained,
      fix: removeFix(["dnsDrained"], "run `drkit dns switch --to <stack>`"),
    });
  }
  if (platform !== "gcp" && dns.backupTargets !== undefined) {
    problems.push({
      path: ["dns", "backupTargets"],
      problem: `applies only to drkit:platform "gcp" (drkit:platform is "${platform}")`,
      received: dns.backupTargets,
      fix: removeFix(["dns", "backupTargets"], "give each region its own drkit:dns.target"),
    });
  }
  return problems;
}
