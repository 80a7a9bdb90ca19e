// @ts-check
import tseslint from "typescript-eslint";

const cloudSdks = {
  "@pulumi/aws": "src/cloud/aws/",
  "@pulumi/azure-native": "src/cloud/azure/",
  "@pulumi/gcp": "src/cloud/gcp/",
};

/** Restrict imports of the given cloud SDKs (one seam per cloud). */
function restrictSdks(files, ignores, sdks) {
  return {
    files,
    ignores,
    rules: {
      "no-restricted-imports": [
        "error",
        {
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
const cloudSeams = [
  restrictSdks(["src/**/*.ts", "test/**/*.ts"], ["src/cloud/**", "test/unit/cloud/**"], allSdks),
  ...Object.entries(cloudSdks).map(([sdk, folder]) =>
    restrictSdks(
      [`${folder}**/*.ts`],
      [],
      allSdks.filter((other) => other !== sdk),
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
  ...cloudSeams,
);
