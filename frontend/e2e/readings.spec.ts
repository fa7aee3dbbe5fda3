/**
 * Meter readings against the real API on a phone-sized screen (375 px): a readings meter made on
 * the meters page, three readings typed in, their derived daily consumption on the dashboard, a
 * meter replacement, an edit and a delete; axe-core over /readings in both themes.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, noHorizontalScroll, PASSWORD, signIn, waitForMail, webUrl } from "./support/helpers";

const email = `ada.readings.${Date.now()}@example.com`;
const METER = "Cellar power";
const DAY_MS = 86_400_000;
const SHOTS = resolve(__dirname, "..", "..", "docs", "screenshots");

/** `make screenshots` saves the page for the docs. */
async function shoot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS !== "1") return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

/** The device's clock is UTC (as is the new household's time zone): the days cut where the test expects. */
test.use({ viewport: { width: 375, height: 812 }, timezoneId: "UTC", locale: "en-US" });
test.describe.configure({ mode: "serial" });

/** A `datetime-local` value ``daysAgo`` days before today at ``hour``:00 (UTC). */
function at(daysAgo: number, hour: number): string {
  const day = new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
  return `${day}T${String(hour).padStart(2, "0")}:00`;
}
const dayOf = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);

async function post(request: APIRequestContext, path: string, data: unknown) {
  const response = await request.post(apiUrl(path), { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

async function accessible(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(
    result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}

async function enter(page: Page, value: string, takenAt: string) {
  await page.getByLabel("Taken at").fill(takenAt);
  await page.getByLabel(`Reading on ${METER}`).fill(value);
}

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
});

test("a readings meter: three readings, the derived days on the dashboard, a replacement, an edit and a delete", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Fmeters");

  // A readings meter, made on the meters page.
  await page.getByRole("button", { name: "Add meter" }).click();
  const form = page.getByRole("dialog", { name: "Add meter" });
  await form.getByLabel("Name").fill(METER);
  await form.getByLabel("Readings (the meter's register)").check();
  await form.getByLabel("Limit per day (optional)").fill("100");
  // The meter form with its readings settings shown passes axe too.
  await accessible(page);
  await form.getByRole("button", { name: "Add meter" }).click();
  await expect(page.getByText("Meter added.")).toBeVisible();
  await expect(page.getByTestId("meter-stats-" + (await meterId(page)))).toContainText("No readings yet");

  await page.getByRole("link", { name: `Readings of ${METER}` }).click();
  await expect(page).toHaveURL(/\/readings\?meter_id=\d+$/);
  await expect(page.getByText("The first reading of this meter")).toBeVisible();
  await noHorizontalScroll(page);

  // Three readings, a day apart at 08:00; the second shows what it means before it is saved.
  await enter(page, "1000", at(3, 8));
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByText("Saved 1,000 kWh.")).toBeVisible();
  await enter(page, "1010,5", at(2, 8));
  await expect(page.getByTestId("implied")).toHaveText("10.5 kWh in 1 day since the last reading (10.5 kWh a day)");
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByText("Saved 1,010.5 kWh.")).toBeVisible();
  await enter(page, "1030", at(1, 8));
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByText("Saved 1,030 kWh.")).toBeVisible();
  await expect(page.getByText(/^Last reading 1,030 kWh on /)).toBeVisible();
  const list = page.getByRole("list", { name: `Readings of ${METER}` });
  await expect(list.getByRole("listitem")).toHaveCount(3);

  // A lower value asks whether the meter was replaced.
  await page.getByLabel(`Reading on ${METER}`).fill("1041,5");
  await expect(page.getByTestId("implied")).toContainText("11.5 kWh in ");
  await shoot(page, "readings-375-light");
  await page.getByLabel(`Reading on ${METER}`).fill("12");
  await expect(page.getByTestId("decrease-warning")).toContainText("lower than the last reading — replaced the meter?");
  await page.getByLabel(`Reading on ${METER}`).fill("");

  // 30 kWh over three days cut at the (UTC) midnights: 7 + 16.5 + 6.5.
  await page.goto(webUrl(`/dashboard?period=custom&from=${dayOf(3)}&to=${dayOf(0)}`));
  await expect(page.getByTestId("kpi-electricity").getByTestId("kpi-total")).toHaveText("30 kWh");
  await expect(page.getByRole("img", { name: "Electricity consumption per day in kWh" })).toBeVisible();
  await expect(page.getByTestId("first-run")).toHaveCount(0);

  // The meter is replaced in the evening: the old one ended at 1,040, the new one starts at 5.
  await page.goto(webUrl("/readings"));
  await page.getByRole("button", { name: "Replace meter" }).click();
  const replace = page.getByRole("dialog", { name: `Replace ${METER}` });
  await replace.getByLabel("Old meter's final value").fill("1040");
  await replace.getByLabel("New meter's start value").fill("5");
  await replace.getByLabel("Replaced at").fill(at(1, 20));
  await replace.getByRole("button", { name: "Record replacement" }).click();
  await expect(page.getByText("Meter replacement recorded.")).toBeVisible();
  await expect(list.getByRole("listitem").first()).toContainText("5 kWh Meter replaced");
  await expect(list.getByRole("listitem").first()).toContainText("old meter ended at 1,040 kWh");

  // Edit the second reading, then delete it.
  const second = list.getByRole("listitem").filter({ hasText: "1,010.5 kWh" });
  await second.getByRole("button", { name: /^Edit the reading of / }).click();
  const edit = page.getByRole("dialog", { name: "Edit reading" });
  await edit.getByLabel("Reading").fill("1012");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Reading saved.")).toBeVisible();
  const edited = list.getByRole("listitem").filter({ hasText: "1,012 kWh" });
  await expect(edited).toHaveCount(1);
  await edited.getByRole("button", { name: /^Delete the reading of / }).click();
  await page.getByRole("dialog", { name: "Delete this reading?" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("Reading deleted.")).toBeVisible();
  await expect(list.getByRole("listitem")).toHaveCount(3);
  await expect(list.getByRole("listitem").filter({ hasText: "1,012 kWh" })).toHaveCount(0);

  // The days still add up: 1,000 → 1,030 → 1,040 before the swap, 40 kWh in all.
  await page.goto(webUrl(`/dashboard?period=custom&from=${dayOf(3)}&to=${dayOf(0)}`));
  await expect(page.getByTestId("kpi-electricity").getByTestId("kpi-total")).toHaveText("40 kWh");
});

test("axe finds nothing on /readings in either theme, with a warning shown and the replacement dialog open", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Freadings");
  await expect(page.getByLabel(`Reading on ${METER}`)).toBeVisible();
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    await page.getByLabel(`Reading on ${METER}`).fill("1");
    await expect(page.getByTestId("decrease-warning")).toBeVisible();
    await accessible(page);
    if (theme === "dark") await shoot(page, "readings-375-dark");
    await page.getByRole("button", { name: "Replace meter" }).click();
    await expect(page.getByRole("dialog", { name: `Replace ${METER}` })).toBeVisible();
    await accessible(page);
    await page.keyboard.press("Escape");
    await page.getByLabel(`Reading on ${METER}`).fill("");
  }
  await page.getByLabel("Theme").selectOption("system");
});

/** The id of the readings meter made above, from its link on the meters page. */
async function meterId(page: Page): Promise<string> {
  const href = await page.getByRole("link", { name: `Readings of ${METER}` }).getAttribute("href");
  return /meter_id=(\d+)/.exec(href ?? "")![1]!;
}
