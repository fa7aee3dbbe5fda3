/**
 * axe-core (WCAG 2 A and AA) over every page of the app, signed out and signed in, in both
 * themes at 375 and 1280 px: no serious or critical violation. The pages are read from
 * src/app (every page.tsx), so a new page is checked without being listed here.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, PASSWORD, signIn, waitForMail, webUrl } from "./support/helpers";

const APP = resolve(__dirname, "..", "src", "app");

interface Route {
  /** The path as in src/app, route groups removed: /households/[id]. */
  pattern: string;
  signedIn: boolean;
}

/** Every page of the app directory; pages under the (app) group need a session. */
function routes(dir = APP, prefix = "", signedIn = false): Route[] {
  const found: Route[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) {
      if (name === "page.tsx") found.push({ pattern: prefix || "/", signedIn });
    } else if (!name.startsWith("_") && !name.startsWith("@")) {
      const group = /^\((.*)\)$/.exec(name);
      found.push(...routes(path, group ? prefix : `${prefix}/${name}`, signedIn || group?.[1] === "app"));
    }
  }
  return found;
}

const email = `ada.a11y.${Date.now()}@example.com`;
/** What fills the dynamic segments: ids of the test user's own data. */
const ids: Record<string, string> = {};

async function post(request: APIRequestContext, path: string, data: unknown, token?: string) {
  const response = await request.post(apiUrl(path), { data, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

/** The path to open for a route: its dynamic segments filled with the user's household, meter, share link. */
function pathOf(pattern: string): string {
  return pattern.replace(/\[(\w+)\]/g, (_, name: string) => {
    const owner = pattern.split("/")[1] ?? "";
    // An unknown dynamic page opens with id 1: what the page shows for it is checked all the same.
    return ids[`${owner}.${name}`] ?? "1";
  });
}

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  const { access_token: access } = await post(request, "/api/auth/login", { email, password: PASSWORD });
  const auth = { headers: { Authorization: `Bearer ${access}` } };
  const households = await (await request.get(apiUrl("/api/households"), auth)).json();
  const household = households.items[0].id;
  const meters = await (await request.get(apiUrl("/api/meters"), auth)).json();
  const meter = meters.items[0].id;
  await post(request, "/api/records", { meter_id: meter, date: new Date().toISOString().slice(0, 10), amount: 12.5 }, access);
  const link = await post(request, `/api/households/${household}/share-links`, { label: "Family" }, access);
  ids["households.id"] = String(household);
  ids["meters.id"] = String(meter);
  ids["shared.token"] = link.token;
});

async function settled(page: Page) {
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("skeleton")).toHaveCount(0);
}

async function violations(page: Page, path: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${path} ${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

const all = routes();

test("the app directory's pages are found", () => {
  const patterns = all.map((route) => route.pattern);
  for (const expected of ["/login", "/register", "/shared/[token]", "/dashboard", "/readings", "/records", "/households/[id]"])
    expect(patterns).toContain(expected);
});

for (const width of [375, 1280]) {
  for (const colorScheme of ["light", "dark"] as const) {
    test.describe(`${width} px, ${colorScheme}`, () => {
      test.use({ viewport: { width, height: 900 }, colorScheme });

      test("every page signed out", async ({ page }) => {
        const found: string[] = [];
        for (const route of all.filter((item) => !item.signedIn && item.pattern !== "/")) {
          const path = pathOf(route.pattern);
          await page.goto(webUrl(path));
          await settled(page);
          found.push(...(await violations(page, path)));
        }
        expect(found).toEqual([]);
      });

      test("every page signed in", async ({ page }) => {
        test.setTimeout(240_000);
        await signIn(page, email, PASSWORD, "/login?next=%2Fdashboard");
        await expect(page).toHaveURL(webUrl("/dashboard"));
        const found: string[] = [];
        for (const route of all.filter((item) => item.signedIn)) {
          const path = pathOf(route.pattern);
          await page.goto(webUrl(path));
          await expect(page.locator("header")).toBeVisible();
          await settled(page);
          found.push(...(await violations(page, path)));
        }
        expect(found).toEqual([]);
      });
    });
  }
}
