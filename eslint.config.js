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

/** Restrict imports of the given cloud SDKs (one seam per cloud) and of the given `paths`. */
function restrictImports(files, ignores, sdks, paths) {
  return {
    files,
    ignores,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths,
          patterns: sdks.map((sdk) => ({
            group: [sdk, `${sdk}/*`],
            message: `${sdk} may only be imported under ${cloudSdks[sdk]} (one seam per cloud).`,
          })),
        },
      ],
    },
  };
}

const allSdks = Object.keys(cloudSdks);
// One rule setting per file (a later one replaces an earlier one): the product outside the cloud
// seams, the process layer itself, tests (which may run programs directly), then each cloud seam.
const importSeams = [
  restrictImports(["src/**/*.ts"], ["src/cloud/**", "src/core/exec.ts"], allSdks, childProcess),
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
