#!/usr/bin/env node
// Entry point of the `drkit` command: a version gate that every Node since 10 can parse, both as
// the CommonJS script an old Node reads it as and as the ES module a newer one does. So it uses
// no import statement, no top-level await and no syntax newer than ES2017; `import()` hides in a
// Function, which a Node that cannot parse it never calls.
//
// drkit's sources are TypeScript run by Node's own type stripping (Node >= 22.18). On an older
// Node it re-runs this file with the Node LTS that the project's install provides (the `node`
// devDependency), or says in one line which Node drkit needs and how to get it. On a new enough
// Node it loads `drkit-main.js`.
"use strict";

var minimum = "22.18";
var parts = process.versions.node.split(".");
var major = Number(parts[0]);
var minor = Number(parts[1]);
var newEnough = major > 22 || (major === 22 && minor >= 18);

/** Loads a module the same way from a CommonJS script (Node < 12.17) and an ES module. */
function load(specifier) {
  if (typeof require === "function") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- all a CommonJS script has
    return Promise.resolve().then(() => require(specifier));
  }
  return new Function("specifier", "return import(specifier)")(specifier);
}

function crash(err) {
  console.error((err && err.stack) || String(err));
  process.exit(1);
}

Promise.all([load("fs"), load("path"), load("url"), load("child_process")])
  .then((modules) => {
    var fs = modules[0];
    var path = modules[1];
    var url = modules[2];
    var binDir = path.dirname(fs.realpathSync(process.argv[1]));
    var fileUrl = (name) => url.pathToFileURL(path.join(binDir, name)).href;
    if (newEnough) return load(fileUrl("drkit-main.js"));

    var root = path.join(binDir, "..");
    var bundled = path.join(root, "node_modules", "node", "bin", "node");
    if (!fs.existsSync(bundled)) {
      console.error(
        "drkit needs Node >= " +
          minimum +
          ", got " +
          process.versions.node +
          ': run "npm ci" in ' +
          root +
          " to install the project's Node LTS, or install Node " +
          minimum +
          " or newer (https://nodejs.org/en/download)",
      );
      process.exit(3);
    }
    // The engine flags of `node-runtime.js`, when this Node can read that module; otherwise the
    // re-run process adds them itself.
    return load(fileUrl("node-runtime.js"))
      .then(
        (runtime) => runtime.engineNodeFlags,
        () => [],
      )
      .then((flags) => {
        var result = modules[3].spawnSync(bundled, flags.concat(process.argv.slice(1)), {
          stdio: "inherit",
        });
        process.exit(result.status === null ? 1 : result.status);
      });
  })
  .catch(crash);
