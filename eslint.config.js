import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdk.out/", ".data/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/functions/**", "**/infra/**"], message: "lib/ never imports functions/ or infra/" }] }],
    },
    files: ["lib/**/*.ts"],
  },
  {
    files: ["lib/hedgehog/**/*.ts", "lib/gitops/**/*.ts", "lib/state/**/*.ts", "lib/operator/**/*.ts", "lib/feedback/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["**/functions/**", "**/infra/**"], message: "lib/ never imports functions/ or infra/" },
          { group: ["@aws-sdk/*", "@octokit/*", "@kubernetes/*", "isomorphic-git", "isomorphic-git/*"], message: "pure core: no I/O or SDKs" },
        ],
        paths: ["fs", "node:fs", "node:fs/promises", "http", "node:http", "https", "node:https", "net", "node:net", "child_process", "node:child_process"],
      }],
    },
  },
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
);
