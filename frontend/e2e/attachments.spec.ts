/**
 * Photos against the real API on a phone-sized screen (375 px): an HTML page named .png refused,
 * a reading saved with a photo of
 * the register (the file input the camera button opens), its thumbnail in the list from the
 * signed link, the viewer, and the photo deleted from it; axe-core over the page with the
 * photo waiting to be saved and with the viewer open, in both themes.
 */
import { resolve } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, noHorizontalScroll, PASSWORD, signIn, waitForMail } from "./support/helpers";

const email = `ada.photos.${Date.now()}@example.com`;
const METER = "Hall power";
const PHOTO = resolve(__dirname, "fixtures", "meter.png");

test.use({ viewport: { width: 375, height: 812 }, timezoneId: "UTC", locale: "en-US" });
test.describe.configure({ mode: "serial" });

async function post(request: APIRequestContext, path: string, data: unknown, token?: string) {
  const response = await request.post(apiUrl(path), { data, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

async function accessible(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(
    result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  const { access_token: access } = await post(request, "/api/auth/login", { email, password: PASSWORD });
  await post(request, "/api/meters", { name: METER, type: "electricity", unit: "kWh", mode: "readings" }, access);
});

test("a reading saved with a photo shows its thumbnail; the viewer shows the photo and deletes it", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Freadings");
  await expect(page.getByLabel(`Reading on ${METER}`)).toBeVisible();

  // The button opens the rear camera on a phone; here the file is handed to its input.
  const camera = page.getByLabel("Photo of the register");
  await expect(camera).toHaveAttribute("capture", "environment");
  await expect(camera).toHaveAttribute("accept", "image/*");
  // A page named .png is judged by its content: refused, and said so under the button.
  await camera.setInputFiles({ name: "not-a-photo.png", mimeType: "image/png", buffer: Buffer.from("<html><body>hi</body></html>") });
  const refused = "That file is not an image: choose a JPEG, PNG, GIF or WebP photo.";
  await expect(page.getByRole("alert").filter({ hasText: refused })).toBeVisible();
  await expect(camera).toHaveAccessibleDescription(refused);
  await camera.setInputFiles(PHOTO);
  await expect(page.getByText(refused)).toHaveCount(0);
  const pending = page.getByRole("img", { name: "Photo 1 of the register (not saved yet)" });
  await expect(pending).toBeVisible();
  // The thumbnail is the API's own, loaded from its signed link without a header.
  expect(await pending.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await noHorizontalScroll(page);

  await page.getByLabel(`Reading on ${METER}`).fill("1234,5");
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByText("Saved 1,234.5 kWh.")).toBeVisible();
  await expect(pending).toHaveCount(0);

  const list = page.getByRole("list", { name: `Readings of ${METER}` });
  const row = list.getByRole("listitem").filter({ hasText: "1,234.5 kWh" });
  const thumb = row.getByRole("img", { name: /^Photo of the reading of / });
  await expect(thumb).toBeVisible();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);

  // The viewer: the full image, focus inside, Escape closes and gives focus back.
  await thumb.click();
  const viewer = page.getByRole("dialog", { name: /^Photo of the reading of / });
  const full = viewer.getByRole("img", { name: /^Photo of the reading of / });
  await expect(full).toBeVisible();
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  await expect(viewer.getByText("64 × 48 px")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Close" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);
  // The thumbnail's button is named by its image's alt text.
  await expect(row.getByRole("button", { name: /^Photo of the reading of / })).toBeFocused();

  // Delete it from the viewer: the reading stays, its photo goes.
  await thumb.click();
  await viewer.getByRole("button", { name: "Delete…" }).click();
  await viewer.getByRole("button", { name: "Delete photo" }).click();
  await expect(viewer).toHaveCount(0);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("img")).toHaveCount(0);
});

test("axe finds nothing on /readings with a photo waiting to be saved and with the viewer open, in either theme", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Freadings");
  await expect(page.getByLabel(`Reading on ${METER}`)).toBeVisible();
  await page.getByLabel("Photo of the register").setInputFiles(PHOTO);
  await expect(page.getByRole("img", { name: "Photo 1 of the register (not saved yet)" })).toBeVisible();
  await page.getByLabel(`Reading on ${METER}`).fill("1300");
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByText("Saved 1,300 kWh.")).toBeVisible();
  await page.getByLabel("Photo of the register").setInputFiles(PHOTO);
  await expect(page.getByRole("img", { name: "Photo 1 of the register (not saved yet)" })).toBeVisible();

  const thumb = page.getByRole("list", { name: `Readings of ${METER}` }).getByRole("img", { name: /^Photo of the reading of / });
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    await accessible(page);
    await thumb.click();
    await expect(page.getByRole("dialog").getByRole("img")).toBeVisible();
    await accessible(page);
    await page.keyboard.press("Escape");
  }
  // The upload left unsaved is removed before leaving.
  await page.getByRole("button", { name: "Remove photo 1" }).click();
  await expect(page.getByRole("img", { name: /not saved yet/ })).toHaveCount(0);
  await page.getByLabel("Theme").selectOption("system");
});
