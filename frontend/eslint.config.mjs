import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });
const features = ["auth", "records", "meters", "analytics", "admin", "settings"];

const config = [
  { ignores: [".next/**", "node_modules/**", "src/lib/api-types.ts", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...compat.extends("next/core-web-vitals", "next/typescript"),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // A feature's components are its own: other features may use its api/ only.
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: features
            .filter((other) => other !== feature)
            .map((other) => ({
              group: [`@/features/${other}/components/*`],
              message: "Features share code through their api/ modules or src/lib, not components.",
            })),
        },
      ],
    },
  })),
];

export default config;
