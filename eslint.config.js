// @ts-check
import tseslint from "typescript-eslint";

const cloudSdks = {
  "@pulumi/aws": "src/cloud/aws/",
  "@pulumi/azure-native": "src/cloud/azure/",
  "@pulumi/gcp": "src/cloud/gcp/",
};

/** `node:child_process` belongs to the one process layer. */
const childProcess = ["node:child_process", "child_process"].map((name) => ({
  name,
  message:
    "Run programs through src/core/exec.ts (exec, execAttached, spawnProcess): one process layer with timeouts, ProcessError and redaction.",
}));

/**
 * The DR side reaches a platform only through its `RegionRuntime` (src/dr/region-runtime.ts),
 * so `dr/`, `drill/`, `dns/` and `status/` never import the local platform's internals.
 */
const localInternals = {
  group: ["../local/*", "../../local/*", "../../../local/*"],
  message:
    "src/local/ is the local platform's internals: reach it through the RegionRuntime (src/cloud/local/runtime.ts, picked by src/cloud/region-runtime.ts).",
};

/** Restrict imports of the given cloud SDKs (one seam per cloud), of `paths` and of `patterns`. */
function restrictImports(files, ignores, sdks, paths, patterns = []) {
  return {
    files,
    ignores,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths,
          patterns: [
            ...sdks.map((sdk) => ({
              group: [sdk, `${sdk}/*`],
              message: `${sdk} may only be imported under ${cloudSdks[sdk]} (one seam per cloud).`,
            })),
            ...patterns,
          ],
        },
      ],
    },
  };
}

const allSdks = Object.keys(cloudSdks);
// One rule setting per file (a later one replaces an earlier one): the product outside the cloud
// seams, the DR side (no local internals either), the process layer itself, tests (which may run
// programs directly), then each cloud seam.
const drSide = ["src/dr/**/*.ts", "src/drill/**/*.ts", "src/dns/**/*.ts", "src/status/**/*.ts"];
const importSeams = [
  restrictImports(
    ["src/**/*.ts"],
    ["src/cloud/**", "src/core/exec.ts", ...drSide],
    allSdks,
    childProcess,
  ),
  restrictImports(drSide, [], allSdks, childProcess, [localInternals]),
  restrictImports(["src/core/exec.ts"], [], allSdks, []),
  restrictImports(["test/**/*.ts"], ["test/unit/cloud/**"], allSdks, []),
  ...Object.entries(cloudSdks).map(([sdk, folder]) =>
    restrictImports(
      [`${folder}**/*.ts`],
      [],
      allSdks.filter((other) => other !== sdk),
      childProcess,
    ),
  ),
];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "coverage/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "List named exports instead of export *." },
      ],
    },
  },
  ...importSeams,
);
