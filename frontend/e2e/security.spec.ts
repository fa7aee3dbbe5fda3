/**
 * Two-factor sign-in, access tokens and the activity log (PRODUCT.md §13) against the real API:
 * turn on two-factor sign-in from a QR code drawn in the page, sign in with a code and with a
 * recovery code, use an access token from a script, revoke it, and run axe-core over
 * /settings/security in both themes.
 */
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, noHorizontalScroll, PASSWORD, signIn, waitForMail, webUrl } from "./support/helpers";

const SHOTS = resolve(__dirname, "..", "..", "docs", "screenshots");
const email = `alan.${Date.now()}@example.com`;
let secret = "";
let recoveryCodes: string[] = [];
/** The last time step whose code was sent: the API refuses a code twice (a replay). */
let lastStep = 0;

test.describe.configure({ mode: "serial" });

function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => parseInt(byte, 2)));
}

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits) for the time step ``step``. */
function totp(key: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", base32(key)).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

/** A code not used yet: this step's or the next (the API accepts one step either side), else wait for the next step. */
async function freshCode(): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = [now, now + 1].find((candidate) => candidate > lastStep);
    if (step !== undefined) {
      lastStep = step;
      return totp(secret, step);
    }
    await new Promise((done) => setTimeout(done, (now + 1) * 30_000 - Date.now() + 200));
  }
}

async function shoot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS !== "1") return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

/** No WCAG 2 A/AA violation on the page as it is. */
async function accessible(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(
    result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}

async function post(request: APIRequestContext, path: string, data: unknown) {
  const response = await request.post(apiUrl(path), { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

async function logOut(page: Page) {
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Alan Turing" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
});

test("turn on two-factor sign-in: the QR code is drawn in the page, the recovery codes show once", async ({ page }) => {
  // Nothing is fetched from anywhere but the app and its API (no QR image service).
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(webUrl("")) && !url.startsWith(apiUrl("")) && !url.startsWith("data:")) elsewhere.push(url);
  });
  await signIn(page, email);
  await expect(page).toHaveURL(webUrl("/dashboard"));
  await page.goto(webUrl("/settings"));
  await page.getByRole("link", { name: "Security settings" }).click();
  await expect(page).toHaveURL(webUrl("/settings/security"));
  await expect(page.getByTestId("two-factor-status")).toHaveText(/^Off:/);

  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Continue" }).click();
  const qr = page.getByRole("img", { name: "QR code to scan with an authenticator app" });
  await expect(qr).toBeVisible();
  expect((await qr.getAttribute("src"))?.startsWith("data:image/svg+xml")).toBe(true);
  secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await shoot(page, "security-setup-light");

  await page.getByLabel("6-digit code").fill(await freshCode());
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = page.getByTestId("recovery-codes").getByRole("listitem");
  await expect(codes).toHaveCount(10);
  recoveryCodes = await codes.allTextContents();
  await shoot(page, "security-recovery-codes-light");
  await expect(page.getByTestId("two-factor-status")).toHaveText(/^On:/);
  await page.getByRole("button", { name: "I have saved them" }).click();
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("two-factor-status")).toHaveText(/^On:/);
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
  expect(elsewhere).toEqual([]);
  await logOut(page);
});

test("sign in with the app's code: the password alone opens no session", async ({ page }) => {
  await signIn(page, email);
  await expect(page.getByLabel("6-digit code")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await shoot(page, "login-second-step-light");
  // A wrong code is refused under the field; the right one signs in.
  await page.getByLabel("6-digit code").fill(totp(secret, lastStep + 1000));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("The code is incorrect or was already used.")).toHaveCount(1);
  await page.getByLabel("6-digit code").fill(await freshCode());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(webUrl("/dashboard"));
  await logOut(page);
});

test("sign in with a recovery code, which then shows in the activity", async ({ page }) => {
  await signIn(page, email, undefined, "/login?next=%2Fsettings%2Fsecurity");
  await page.getByRole("button", { name: "Use a recovery code instead" }).click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(webUrl("/settings/security"));
  const activity = page.getByTestId("audit");
  await expect(activity).toContainText("Signed in with a recovery code");
  await expect(activity).toContainText("Recovery code used (9 left)");
  await expect(activity).toContainText("Two-factor sign-in turned on");
  await logOut(page);

  // A recovery code works once.
  await signIn(page, email);
  await page.getByRole("button", { name: "Use a recovery code instead" }).click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("The code is incorrect or was already used.")).toHaveCount(1);
});

test("an access token works from a script until it is revoked; axe finds nothing on the page in both themes", async ({ page }) => {
  await signIn(page, email, undefined, "/login?next=%2Fsettings%2Fsecurity");
  await page.getByLabel("6-digit code").fill(await freshCode());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(webUrl("/settings/security"));

  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New access token" });
  await dialog.getByLabel(/^Name/).fill("Cellar Pi");
  await dialog.getByRole("checkbox", { name: /^Write/ }).check();
  await dialog.getByLabel("Expires after (days)").fill("30");
  await dialog.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("dialog", { name: "Your new token" });
  const token = await shown.getByTestId("new-token").inputValue();
  await shoot(page, "security-new-token-light");
  expect(token).toMatch(/^mbp_[\w-]{40}$/);
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const row = page.getByTestId("tokens").getByRole("row", { name: /Cellar Pi/ });
  await expect(row).toContainText(`${token.slice(0, 12)}…`);
  await expect(row).toContainText("Never");
  await expect(row).toContainText("read, write");

  const meters = await fetch(apiUrl("/api/meters"), { headers: { Authorization: `Bearer ${token}` } });
  expect(meters.status).toBe(200);
  const names = ((await meters.json()) as { items: { name: string }[] }).items.map((meter) => meter.name);
  expect(names.sort()).toEqual(["Electricity", "Gas", "Water"]);
  // The list says when and from where the token was last used.
  await page.reload();
  await expect(row).toContainText("from 127.0.0.1");

  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    await accessible(page);
    await shoot(page, `security-${theme}`);
  }
  // On a phone the tables scroll inside their card; the page itself does not.
  const desktop = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 800 });
  await noHorizontalScroll(page);
  await shoot(page, "security-375-dark");
  await page.setViewportSize(desktop);

  await row.getByRole("button", { name: "Revoke the token Cellar Pi" }).click();
  await page.getByRole("dialog", { name: "Revoke this token?" }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("tokens")).toHaveCount(0);
  const refused = await fetch(apiUrl("/api/meters"), { headers: { Authorization: `Bearer ${token}` } });
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("token_revoked");
  await expect(page.getByTestId("audit")).toContainText("Access token revoked: “Cellar Pi”");
});
