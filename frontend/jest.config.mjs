import nextJest from "next/jest.js";

const createJestConfig = nextJest({ dir: "./" });

const config = await createJestConfig({
  // jsdom with Node's fetch, streams and TextEncoder, which MSW needs (its recommended Jest environment).
  testEnvironment: "jest-fixed-jsdom",
  setupFiles: ["jest-canvas-mock"],
  setupFilesAfterEnv: ["<rootDir>/jest.setup.ts"],
  moduleNameMapper: { "^@/(.*)$": "<rootDir>/src/$1" },
  testTimeout: 30000,
  testMatch: ["<rootDir>/tests/**/*.test.{ts,tsx}"],
})();

// MSW 2 depends on packages published as ES modules only: let SWC compile those for Jest.
const esmOnly = ["rettime", "until-async", "@open-draft", "@mswjs"];
config.transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join("|")})/)`, "^.+\\.module\\.(css|sass|scss)$"];

export default config;
