import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

import withSerwistInit from "@serwist/next";
import type { NextConfig } from "next";

/**
 * The app shell: every page without a dynamic segment (read from src/app, so a new page is
 * included), precached by the service worker so the SPA opens with no network.
 */
function shellRoutes(dir = join(process.cwd(), "src", "app"), prefix = ""): string[] {
  const routes: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) {
      if (name === "page.tsx" && prefix !== "") routes.push(prefix);
      continue;
    }
    if (name.startsWith("[") || name.startsWith("_") || name.startsWith("@")) continue;
    // Route groups such as (app) add nothing to the path.
    routes.push(...shellRoutes(path, /^\(.*\)$/.test(name) ? prefix : `${prefix}/${name}`));
  }
  return routes.sort();
}

// One revision per build: the precached pages are fetched again after each deployment.
const revision = randomUUID();

const withSerwist = withSerwistInit({
  swSrc: "src/app/sw.ts",
  swDest: "public/sw.js",
  // next dev and its hot reload stay free of a service worker.
  disable: process.env.NODE_ENV === "development",
  // The offline queue sends what waits when the connection returns: no reload needed.
  reloadOnOnline: false,
  additionalPrecacheEntries: shellRoutes().map((url) => ({ url, revision })),
});

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default withSerwist(nextConfig);
