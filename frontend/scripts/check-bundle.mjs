// Fail when a route's first-load JavaScript (gzip, as `next build` reports it) exceeds the budget.
// Reads the build's manifests: the JavaScript files each App Router page loads, plus the shared
// ones every page loads first. Run after `next build`: node scripts/check-bundle.mjs [--json]
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const BUDGET_KB = 250;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const next = join(root, ".next");
const appManifest = join(next, "app-build-manifest.json");
if (!existsSync(appManifest)) {
  console.error("No build: run `next build` first.");
  process.exit(2);
}
const { pages } = JSON.parse(readFileSync(appManifest, "utf8"));
const build = JSON.parse(readFileSync(join(next, "build-manifest.json"), "utf8"));
const shared = [...(build.rootMainFiles ?? []), ...(build.polyfillFiles ?? [])].filter((file) => !file.includes("polyfill"));

const sizes = new Map();
function gzipKb(file) {
  if (!sizes.has(file)) sizes.set(file, gzipSync(readFileSync(join(next, file))).length / 1000);
  return sizes.get(file);
}

const rows = Object.entries(pages)
  .filter(([name]) => name.endsWith("/page"))
  .map(([name, files]) => {
    const route = name.replace(/\/page$/, "").replace(/\/\([^)]+\)/g, "") || "/";
    const js = [...new Set([...shared, ...files])].filter((file) => file.endsWith(".js"));
    return { route, kb: Math.round(js.reduce((total, file) => total + gzipKb(file), 0) * 10) / 10 };
  })
  .sort((a, b) => a.route.localeCompare(b.route));

if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
else for (const { route, kb } of rows) console.log(`${kb.toFixed(1).padStart(7)} kB  ${route}`);

const over = rows.filter((row) => row.kb > BUDGET_KB);
if (over.length) {
  console.error(`Over the ${BUDGET_KB} kB first-load budget: ${over.map((row) => `${row.route} (${row.kb} kB)`).join(", ")}`);
  process.exit(1);
}
console.log(`Every route's first-load JS is within ${BUDGET_KB} kB (largest ${Math.max(...rows.map((row) => row.kb))} kB).`);
