// Lint rules we actually enforce. Type-aware rules are left to `tsc --noEmit`, which CI runs first.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "data/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
    },
  },
  {
    // src/ is the pure core: it never imports actors/ (only the composition root, src/main.ts, may).
    files: ["src/**/*.ts"],
    ignores: ["src/main.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/actors/**"], message: "src/ never imports actors/" }] }],
    },
  },
  {
    files: ["spec/**/*.ts", "bench/**/*.ts", "src/cli/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
