// Starts the benchmark's restore process the way `bin/drkit.js` starts `drkit restore`: the same
// V8 flags (the process re-executes itself with them) and the same compile cache, before any
// TypeScript loads. Then runs `restore-child.ts`. Usage: node restore-child.js '<ChildInput JSON>'
import { prepareDrkitProcess } from "../../bin/node-runtime.js";

prepareDrkitProcess();
await import("./restore-child.ts");
