// The `drkit` process proper, loaded by `bin/drkit.js` once it has checked that this Node is new
// enough: V8 flags and the compile cache first (`node-runtime.js`), then the TypeScript CLI.
import { prepareDrkitProcess } from "./node-runtime.js";

prepareDrkitProcess();
const { main } = await import("../src/cli/main.ts");
await main(process.argv);
