/**
 * Entry point of the detached local Git server process (`drkit local` starts it on demand).
 *
 * Usage: node git-server-main.ts <projectRoot> <port> <stateFile> [<chartsRoot>]
 * Writes `{ pid, port }` to stateFile once listening; with chartsRoot it also serves the chart
 * repositories there at `/charts/<name>/`.
 */
import { writeFileSync } from "node:fs";
import { serveGitHttp } from "./git-http.ts";

const [projectRoot, portArg, stateFile, chartsRoot] = process.argv.slice(2);
if (!projectRoot || !portArg || !stateFile) {
  console.error("usage: git-server-main.ts <projectRoot> <port> <stateFile> [<chartsRoot>]");
  process.exit(2);
}
const { port } = await serveGitHttp({
  projectRoot,
  port: Number(portArg),
  ...(chartsRoot ? { chartsRoot } : {}),
});
writeFileSync(stateFile, JSON.stringify({ pid: process.pid, port }) + "\n");
console.log(`git server listening on http://127.0.0.1:${port}/ serving ${projectRoot}`);
const stop = () => process.exit(0);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
