import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

import { expect, test, type Page } from "@playwright/test";

import { linkIn, noHorizontalScroll, PASSWORD, signIn, today, waitForMail, webUrl } from "./support/helpers";

const SHOTS = resolve(__dirname, "..", "..", "docs", "screenshots");
const email = `ada.${Date.now()}@example.com`;
const day = today();

/** Screenshots for the docs only when asked (make screenshots): they are committed files. */
async function shoot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS !== "1") return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(400); // let charts finish their animation
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

function row(page: Page, text: string) {
  return page.getByTestId("records-table").getByRole("row").filter({ hasText: text });
}

test.describe.configure({ mode: "serial" });

test("register, verify through the e-mailed link, sign in and come back to the page asked for", async ({ page }) => {
  await page.goto(webUrl("/register"));
  await shoot(page, "register-light");
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`we sent a confirmation link to ${email}`)).toBeVisible();

  // Signing in before confirming is refused with the API's message.
  await signIn(page, email);
  await expect(
    page
      .getByRole("alert")
      .filter({ hasText: /verif|confirm/i })
      .first(),
  ).toBeVisible();

  const mail = await waitForMail(email, /verif|confirm/i);
  const link = linkIn(mail, "verify-email");
  expect(link.startsWith(webUrl("/verify-email?token="))).toBe(true);
  await page.goto(link);
  await expect(page.getByText("Your e-mail address is confirmed.")).toBeVisible();

  // A protected page sends us to sign in, then back.
  await page.goto(webUrl("/records"));
  await expect(page).toHaveURL(webUrl("/login?next=%2Frecords"));
  await shoot(page, "login-light");
  // Keyboard only: the fields and the button are reachable with Tab.
  await page.getByLabel("E-mail").focus();
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(webUrl("/records"));
  await expect(page.getByText("No records yet")).toBeVisible();
  // The browser finds the icon (no 404 in its console).
  expect((await page.request.get(webUrl("/favicon.ico"))).status()).toBe(200);
});

test("add, edit and delete records; the session survives a reload", async ({ page }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Frecords");
  await expect(page).toHaveURL(webUrl("/records"));

  const addRecord = async (meter: string, amount: string, cost: string, note: string) => {
    await page.getByRole("button", { name: "Add record" }).click();
    const dialog = page.getByRole("dialog", { name: "Add record" });
    await dialog.getByLabel("Meter").selectOption({ label: meter });
    await dialog.getByLabel("Date").fill(day);
    await dialog.getByLabel("Amount").fill(amount);
    await dialog.getByLabel("Cost (optional)").fill(cost);
    await dialog.getByLabel("Note (optional)").fill(note);
    await dialog.getByRole("button", { name: "Add record" }).click();
    await expect(dialog).toBeHidden();
  };

  // The form enforces the API's rules before sending.
  await page.getByRole("button", { name: "Add record" }).click();
  const dialog = page.getByRole("dialog", { name: "Add record" });
  await dialog.getByLabel("Amount").fill("1.2345");
  await dialog.getByRole("button", { name: "Add record" }).click();
  await expect(dialog.getByText("Amount must have at most 3 decimal places")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await addRecord("Electricity (kWh)", "12.5", "3.75", "first reading");
  await expect(row(page, "first reading")).toContainText("12.50 kWh");
  await expect(row(page, "first reading")).toContainText("$3.75");

  await row(page, "first reading").getByRole("button", { name: /^Edit/ }).click();
  const edit = page.getByRole("dialog", { name: "Edit record" });
  await expect(edit.getByLabel("Amount")).toHaveValue("12.5");
  await edit.getByLabel("Amount").fill("15.25");
  await edit.getByLabel("Cost (optional)").fill("4.5");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(row(page, "first reading")).toContainText("15.25 kWh");
  await expect(row(page, "first reading")).toContainText("$4.50");

  await addRecord("Water (m³)", "2.5", "1.2", "to be deleted");
  await expect(row(page, "to be deleted")).toContainText("2.50 m³");
  await row(page, "to be deleted")
    .getByRole("button", { name: /^Delete/ })
    .click();
  const confirm = page.getByRole("dialog", { name: "Delete this record?" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "to be deleted")).toHaveCount(0);
  await expect(page.getByTestId("records-table").getByRole("row")).toHaveCount(2); // header + one record

  // Filters the API would refuse say so, and the old rows do not stay on screen.
  await page.getByLabel("From", { exact: true }).fill("2026-03-10");
  await page.getByLabel("To", { exact: true }).fill("2026-03-01");
  await expect(page.getByText("The end must not be before the start")).toBeVisible();
  await expect(page.getByTestId("records-table")).toHaveCount(0);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(row(page, "first reading")).toContainText("15.25 kWh");

  // The access token lives in memory only: a reload restores the session from the cookie.
  await page.reload();
  await expect(row(page, "first reading")).toContainText("15.25 kWh");
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("ey");
  await shoot(page, "records-light");
});

test("the dashboard shows the period's figures", async ({ page }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Fdashboard");
  const card = page.getByTestId("kpi-electricity");
  await expect(card.getByTestId("kpi-total")).toHaveText("15.3 kWh");
  await expect(card.getByTestId("kpi-cost")).toContainText("Cost: $4.50 · 1 record");
  // Every type has a card; one whose only record was deleted shows zero, not a stale figure.
  await expect(card.getByTestId("kpi-change")).toHaveText("New this period");
  await expect(page.getByTestId("kpi-water").getByTestId("kpi-total")).toHaveText("0 m³");
  await expect(page.getByTestId("kpi-water").getByTestId("kpi-change")).toHaveText("Nothing in either period");
  await expect(page.getByTestId("cost-share")).toContainText("Electricity$4.50 (100%)");
  await shoot(page, "dashboard-light");
});

test("import a CSV: a bad row is reported and nothing is written, then a good file is imported", async ({ page }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Frecords");
  await page.getByRole("button", { name: "Import CSV" }).click();
  const dialog = page.getByRole("dialog", { name: "Import records from CSV" });
  const bad = `date,meter,amount,cost,note\n${day},Electricity,1.5,0.45,imported one\n${day},Electricity,lots,,imported bad\n`;
  await dialog.getByLabel("CSV file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await dialog.getByRole("button", { name: "Import" }).click();
  const errors = dialog.getByTestId("import-errors");
  await expect(errors.getByRole("row")).toHaveCount(2);
  await expect(errors.getByRole("row").nth(1)).toContainText("2amount");
  await expect(dialog.getByText("Nothing was imported: 1 problem in the file.")).toBeVisible();
  await expect(row(page, "imported one")).toHaveCount(0);

  const good = `date,meter,amount,cost,note\n${day},Electricity,1.5,0.45,imported one\n${day},Water,3.25,,imported two\n`;
  await dialog.getByLabel("CSV file").setInputFiles({ name: "good.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByText("Imported 2 records.")).toBeVisible();
  // The same file again would only be skipped: Import waits for a new file.
  await expect(dialog.getByRole("button", { name: "Import" })).toBeDisabled();
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(row(page, "imported one")).toContainText("1.50 kWh");
  await expect(row(page, "imported two")).toContainText("3.25 m³");
});

test("a record created in another browser appears live", async ({ page, browser }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Frecords");
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");

  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await signIn(elsewhere, email, PASSWORD, "/login?next=%2Frecords");
  await elsewhere.getByRole("button", { name: "Add record" }).click();
  const dialog = elsewhere.getByRole("dialog", { name: "Add record" });
  await dialog.getByLabel("Date").fill(day);
  await dialog.getByLabel("Amount").fill("7");
  await dialog.getByLabel("Note (optional)").fill("made elsewhere");
  await dialog.getByRole("button", { name: "Add record" }).click();
  await expect(dialog).toBeHidden();
  await other.close();

  // No reload here: the socket's event refreshes the table.
  await expect(row(page, "made elsewhere")).toContainText("7.00 kWh");
});

test("dark mode is remembered, pages fit 375 px, and logging out ends the session", async ({ page }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Fmeters");
  await expect(page).toHaveURL(webUrl("/meters"));
  await shoot(page, "meters-light");
  await page.goto(webUrl("/settings"));
  await expect(page.getByLabel("Time zone")).toHaveValue("UTC");
  await shoot(page, "settings-light");

  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.getByLabel("Theme").selectOption("dark");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByLabel("Theme")).toHaveValue("dark");
  await shoot(page, "settings-dark");
  for (const path of ["/records", "/meters", "/dashboard"]) {
    await page.goto(webUrl(path));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await shoot(page, `${path.slice(1)}-dark`);
  }

  await page.setViewportSize({ width: 375, height: 812 });
  for (const path of ["/records", "/meters", "/settings", "/dashboard"]) {
    await page.goto(webUrl(path));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await noHorizontalScroll(page);
    await shoot(page, `${path.slice(1)}-375-dark`);
  }
  await page.getByLabel("Theme").selectOption("light");
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.goto(webUrl("/records"));
  await shoot(page, "records-375-light");

  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(webUrl("/login"));
  await page.goto(webUrl("/records"));
  await expect(page).toHaveURL(webUrl("/login?next=%2Frecords"));
});
