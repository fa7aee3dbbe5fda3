/**
 * The installed app on a phone without a connection (Chromium, the production build): the
 * manifest and the service worker, the app shell opened offline, a reading typed offline kept
 * across a reload and sent once when the network returns (and seen live in another browser), and
 * a queued reading the API refuses shown for correction.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, PASSWORD, signIn, waitForMail, webUrl } from "./support/helpers";

const email = `ada.offline.${Date.now()}@example.com`;
const METER = "Cellar meter";
const SHOTS = resolve(__dirname, "..", "..", "docs", "screenshots");
let access = "";
let meterId = 0;

test.use({ viewport: { width: 375, height: 812 }, timezoneId: "UTC", locale: "en-US" });
test.describe.configure({ mode: "serial" });

async function shoot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS !== "1") return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

async function post(request: APIRequestContext, path: string, data: unknown, token?: string) {
  const response = await request.post(apiUrl(path), { data, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

/** The meter's readings as the API has them (newest first). */
async function apiReadings(request: APIRequestContext): Promise<{ value: number }[]> {
  const response = await request.get(apiUrl(`/api/readings?meter_id=${meterId}&per_page=100`), {
    headers: { Authorization: `Bearer ${access}` },
  });
  expect(response.ok()).toBe(true);
  return (await response.json()).items;
}

/** The service worker is active and controls the page (so the shell is precached). */
async function controlled(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  ({ access_token: access } = await post(request, "/api/auth/login", { email, password: PASSWORD }));
  ({ id: meterId } = await post(request, "/api/meters", { name: METER, type: "electricity", unit: "kWh", mode: "readings" }, access));
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 19) + "+00:00";
  await post(request, "/api/readings", { meter_id: meterId, taken_at: twoDaysAgo, value: 1000 }, access);
});

test("installable: the manifest is linked and the service worker controls the app", async ({ page }) => {
  await page.goto(webUrl("/login"));
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  const manifest = await (await page.request.get(webUrl("/manifest.webmanifest"))).json();
  expect(manifest).toMatchObject({ name: "Meterbook", display: "standalone", start_url: "/readings", scope: "/" });
  expect(manifest.icons.map((icon: { sizes: string; purpose: string }) => `${icon.sizes} ${icon.purpose}`)).toEqual([
    "192x192 any",
    "512x512 any",
    "192x192 maskable",
    "512x512 maskable",
  ]);
  for (const icon of manifest.icons as { src: string }[]) {
    const response = await page.request.get(webUrl(icon.src));
    expect(response.headers()["content-type"]).toBe("image/png");
  }
  await controlled(page);
  const worker = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return { scope: registration.scope, script: registration.active?.scriptURL };
  });
  expect(worker).toEqual({ scope: webUrl("/"), script: webUrl("/sw.js") });
});

test("a reading typed offline is kept, survives a reload, and is sent once when the network returns", async ({
  page,
  browser,
  request,
}) => {
  const context = page.context();
  await signIn(page, email, PASSWORD, "/login?next=%2Freadings");
  const field = page.getByLabel(`Reading on ${METER}`);
  await expect(field).toBeVisible();
  await controlled(page);

  // Another browser watches the list.
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "UTC", locale: "en-US" });
  const watcher = await other.newPage();
  await signIn(watcher, email, PASSWORD, "/login?next=%2Freadings");
  await expect(watcher.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");

  await context.setOffline(true);
  await expect(page.getByTestId("offline-banner")).toBeVisible();

  // The app shell opens with no network at all (from the service worker), and says so.
  const shell = await context.newPage();
  await shell.goto(webUrl("/dashboard"));
  await expect(shell.getByTestId("offline-banner")).toContainText("You are offline.");
  await expect(shell.getByText(/Cannot reach the server/)).toBeVisible();
  await shell.close();

  // Typed offline: kept on the device, listed as pending (taken yesterday at noon).
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Taken at").fill(`${yesterday}T12:00`);
  await field.fill("1012,5");
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByText("Saved 1,012.5 kWh on this device: it is sent when the connection returns.")).toBeVisible();
  await expect(page.getByTestId("pending-entry")).toHaveCount(1);
  await expect(page.getByTestId("pending-entry")).toContainText("1,012.5 kWh on");
  await expect(page.getByTestId("pending-entry")).toContainText("Pending");
  await shoot(page, "offline-readings-375-light");

  // Opened again, still offline: the entry is still there.
  const reloaded = await context.newPage();
  await reloaded.goto(webUrl("/readings"));
  await expect(reloaded.getByTestId("offline-banner")).toBeVisible();
  await expect(reloaded.getByTestId("pending-entry")).toContainText("1,012.5 kWh on");
  await shoot(reloaded, "offline-shell-375-light");
  expect((await apiReadings(request)).map((item) => item.value)).toEqual([1000]);

  // The network returns: both open tabs try to send it; the API gets it once.
  await context.setOffline(false);
  await expect(reloaded.getByLabel(`Reading on ${METER}`)).toBeVisible();
  await expect(reloaded.getByTestId("pending-entry")).toHaveCount(0);
  await expect(page.getByTestId("pending-entry")).toHaveCount(0);
  await expect(reloaded.getByText("1,012.5 kWh", { exact: true })).toBeVisible();
  await expect(watcher.getByText("1,012.5 kWh", { exact: true })).toBeVisible();
  // A few more sync passes find nothing to send.
  await reloaded.waitForTimeout(1000);
  expect((await apiReadings(request)).map((item) => item.value)).toEqual([1012.5, 1000]);
  await other.close();
  await page.close();

  // A queued reading the API refuses (below the last one) is shown for correction.
  await context.setOffline(true);
  await reloaded.getByLabel(`Reading on ${METER}`).fill("900");
  await expect(reloaded.getByTestId("decrease-warning")).toBeVisible();
  await reloaded.getByRole("button", { name: "Save reading" }).click();
  await expect(reloaded.getByTestId("pending-entry")).toContainText("900 kWh on");
  await context.setOffline(false);
  const refused = reloaded.getByTestId("pending-entry");
  await expect(refused.getByRole("alert")).toContainText("Refused:");
  await expect(refused).toContainText("Refused");
  expect((await apiReadings(request)).map((item) => item.value)).toEqual([1012.5, 1000]);

  // Corrected, it is sent (with a new key: the body changed).
  await refused.getByLabel("Corrected reading").fill("1020");
  await refused.getByRole("button", { name: "Send again" }).click();
  await expect(reloaded.getByTestId("pending-entry")).toHaveCount(0);
  await expect(reloaded.getByText("1,020 kWh", { exact: true })).toBeVisible();
  expect((await apiReadings(request)).map((item) => item.value)).toEqual([1020, 1012.5, 1000]);
});
