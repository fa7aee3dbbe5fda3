import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });
const features = [
  "auth",
  "records",
  "meters",
  "analytics",
  "admin",
  "settings",
  "households",
  "readings",
  "security",
  "tariffs",
  "bills",
  "budgets",
  "notifications",
  "webhooks",
  "offline",
];
// The offline queue is a service of the entry forms: readings and records may use it (it imports
// no feature itself, the rule below holds it to that).
const sharedWith = { offline: ["readings", "records"] };

const config = [
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "src/lib/api-types.ts",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      ".e2e/**",
      "public/sw.js",
      "public/swe-worker-*.js",
    ],
  },
  ...compat.extends("next/core-web-vitals", "next/typescript"),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // A feature is its own: features share code only through src/lib, src/components and
  // src/config (the meters list, dates, formatting, the API client), never by importing
  // another feature's api/ or components/.
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: features
            .filter((other) => other !== feature && !(sharedWith[other] ?? []).includes(feature))
            .map((other) => ({
              group: [`@/features/${other}/**`, `@/features/${other}`],
              message: "Features do not import each other: move what both need to src/lib (or src/components).",
            })),
        },
      ],
    },
  })),
  // Attachments are what other features render (a form's photo button, a saved item's
  // thumbnails): they may import it, and it imports none of them.
  {
    files: ["src/features/attachments/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/features/**"], message: "Attachments import no other feature." }] }],
    },
  },
];

export default config;
