// Draw the install icons (PNG 192 and 512, any and maskable) from src/app/icon.svg with the
// browser the end-to-end tests use; the PNGs are committed, so a build needs nothing of this.
// Run: node scripts/make-icons.mjs
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "@playwright/test";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const svg = readFileSync(join(root, "src", "app", "icon.svg"), "utf8");
// A maskable icon is cropped to a circle or squircle by the launcher: the glyph keeps to the
// middle 80 % (the safe zone) on a full-bleed background.
const maskable = svg
  .replace('viewBox="0 0 32 32"', 'viewBox="-4 -4 40 40"')
  .replace('<rect width="32" height="32" rx="7"', '<rect x="-4" y="-4" width="40" height="40"');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
for (const [name, source] of [
  ["icon", svg],
  ["maskable", maskable],
]) {
  for (const size of [192, 512]) {
    await page.setViewportSize({ width: size, height: size });
    const sized = source.replace("<svg ", `<svg width="${size}" height="${size}" `);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.locator("svg").screenshot({ path: join(root, "public", "icons", `${name}-${size}.png`), omitBackground: true });
  }
}
await browser.close();
