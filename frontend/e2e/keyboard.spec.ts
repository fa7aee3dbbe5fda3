/**
 * Keyboard only (Tab, Shift+Tab, Enter, Space and typing): sign in, add a reading, add a record.
 * Focus goes back to the button that opened a dialog when it closes.
 */
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";

import { apiUrl, linkIn, PASSWORD, waitForMail, webUrl } from "./support/helpers";

const email = `ada.keys.${Date.now()}@example.com`;
const METER = "Hall meter";

test.use({ viewport: { width: 1280, height: 900 }, timezoneId: "UTC", locale: "en-US" });
test.describe.configure({ mode: "serial" });

async function post(request: APIRequestContext, path: string, data: unknown, token?: string) {
  const response = await request.post(apiUrl(path), { data, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

/** Press Tab until ``target`` has the focus (at most ``max`` times). */
async function tabTo(page: Page, target: Locator, max = 60) {
  for (let presses = 0; presses < max; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

async function focused(target: Locator) {
  await expect.poll(() => target.evaluate((element) => element === document.activeElement)).toBe(true);
}

async function signInByKeyboard(page: Page, next: string) {
  await page.goto(webUrl(`/login?next=${encodeURIComponent(next)}`));
  await tabTo(page, page.getByLabel("E-mail"));
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await focused(page.getByLabel("Password"));
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(webUrl(next));
}

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  const { access_token: access } = await post(request, "/api/auth/login", { email, password: PASSWORD });
  await post(request, "/api/meters", { name: METER, type: "electricity", unit: "kWh", mode: "readings" }, access);
});

test("sign in and add a reading with the keyboard alone", async ({ page }) => {
  await signInByKeyboard(page, "/readings");
  const field = page.getByLabel(`Reading on ${METER}`);
  await tabTo(page, field);
  await page.keyboard.type("4321,5");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Saved 4,321.5 kWh.")).toBeVisible();
  await expect(page.getByText("4,321.5 kWh", { exact: true })).toBeVisible();
});

test("add a record with the keyboard alone; focus returns to the button that opened the dialog", async ({ page }) => {
  await signInByKeyboard(page, "/records");
  const add = page.getByRole("button", { name: "Add record" });
  await tabTo(page, add);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Add record" });
  await expect(dialog).toBeVisible();
  // Focus moved into the dialog (its first field); Tab goes on to the amount.
  await focused(dialog.getByLabel("Meter"));
  await tabTo(page, dialog.getByLabel("Amount"), 10);
  await page.keyboard.type("7,25");
  // Enter in a field is "Save and add another" (the first submit button); "Add record" closes.
  await tabTo(page, dialog.getByRole("button", { name: "Add record" }), 10);
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("cell", { name: /^7\.25\b/ }).first()).toBeVisible();
  await focused(add);

  // Opened with Space and closed with Escape: focus comes back all the same.
  await page.keyboard.press(" ");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await focused(add);
});
