import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";

import { apiUrl, linkIn, PASSWORD, signIn, today, waitForMail, webUrl } from "./support/helpers";

// Households (PRODUCT.md §9): an owner shares a household with an editor and a viewer by
// e-mailed invitations, and with anyone through a read-only share link.
const stamp = Date.now();
const owner = `owner.${stamp}@example.com`;
const editor = `editor.${stamp}@example.com`;
const viewer = `viewer.${stamp}@example.com`;
const SHARED = "Lovelace flat";
const day = today();
let shareUrl = "";

test.describe.configure({ mode: "serial" });

/** An account with a confirmed e-mail address, made through the API and the e-mailed link. */
async function registerVerified(request: APIRequestContext, email: string, name: string) {
  const registered = await request.post(apiUrl("/api/auth/register"), { data: { email, password: PASSWORD, name } });
  expect(registered.status()).toBe(201);
  const link = linkIn(await waitForMail(email, /verif|confirm/i), "verify-email");
  const token = new URL(link).searchParams.get("token");
  expect((await request.post(apiUrl("/api/auth/verify-email"), { data: { token } })).status()).toBe(200);
}

/** Open an invitation e-mailed to ``email`` signed out: sign in on the way, come back, join. */
async function acceptInvitation(page: Page, email: string) {
  const link = linkIn(await waitForMail(email, /invit/i), "invitations/accept");
  expect(link.startsWith(webUrl("/invitations/accept?token="))).toBe(true);
  await page.goto(link);
  await expect(page).toHaveURL(/\/login\?next=%2Finvitations%2Faccept%3Ftoken%3D/);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(link);
  await page.getByRole("button", { name: "Join household" }).click();
  await expect(page).toHaveURL(webUrl("/dashboard"));
  await expect(page.getByText(`You joined ${SHARED}.`)).toBeVisible();
  await expect(page.getByTestId("household-switcher").locator("option:checked")).toHaveText(SHARED);
}

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("the owner renames their household and invites an editor and a viewer by e-mail", async ({ page, request }) => {
  await registerVerified(request, owner, "Ada Owner");
  await registerVerified(request, editor, "Grace Editor");
  await registerVerified(request, viewer, "Vera Viewer");

  await signIn(page, owner, PASSWORD, "/login?next=%2Fhouseholds");
  await expect(page).toHaveURL(webUrl("/households"));
  await page.getByTestId("households-list").getByRole("link", { name: "Home" }).click();
  await expect(page.getByText("Your role: Owner")).toBeVisible();
  await page.getByLabel("Name").fill(SHARED);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: SHARED })).toBeVisible();
  await expect(page.getByTestId("household-switcher").locator("option:checked")).toHaveText(SHARED);

  for (const [email, role] of [
    [editor, "Editor"],
    [viewer, "Viewer"],
  ] as const) {
    await page.getByLabel("E-mail to invite").fill(email);
    await page.getByLabel("Role", { exact: true }).selectOption({ label: role });
    await page.getByRole("button", { name: "Invite" }).click();
    await expect(page.getByTestId("invitations")).toContainText(email);
  }
});

test("the editor accepts from the e-mailed link and sees the owner's new record live on the dashboard", async ({ page, browser }) => {
  await acceptInvitation(page, editor);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  // The shared household has no record yet: the editor is offered the first steps.
  await expect(page.getByTestId("first-run")).toContainText("Add your first reading");

  const ownerPage = await newPage(browser);
  await signIn(ownerPage, owner, PASSWORD, "/login?next=%2Frecords");
  await expect(ownerPage).toHaveURL(webUrl("/records"));
  await ownerPage.getByRole("button", { name: "Add record" }).click();
  const dialog = ownerPage.getByRole("dialog", { name: "Add record" });
  await dialog.getByLabel("Meter").selectOption({ label: "Electricity (kWh)" });
  await dialog.getByLabel("Date").fill(day);
  await dialog.getByLabel("Amount").fill("12.5");
  await dialog.getByRole("button", { name: "Add record" }).click();
  await expect(dialog).toBeHidden();
  await ownerPage.context().close();

  // No reload: the household's event reaches the editor's socket.
  await expect(page.getByTestId("kpi-electricity").getByTestId("kpi-total")).toHaveText("12.5 kWh");
  // An editor writes: the records page offers to add.
  await page.goto(webUrl("/records"));
  await expect(page.getByRole("button", { name: "Add record" })).toBeVisible();
});

test("the viewer accepts and sees no write control anywhere", async ({ page }) => {
  await acceptInvitation(page, viewer);
  await expect(page.getByTestId("household-role")).toHaveText("Viewer");
  await expect(page.getByTestId("kpi-electricity").getByTestId("kpi-total")).toHaveText("12.5 kWh");

  await page.goto(webUrl("/records"));
  await expect(page.getByTestId("records-table")).toContainText("12.50 kWh");
  for (const name of ["Add record", "Import CSV", "Edit", "Delete"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await page.goto(webUrl("/meters"));
  await expect(page.getByText("Electricity", { exact: true })).toBeVisible();
  for (const name of ["Add meter", "Edit", "Archive", "Delete"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await page.goto(webUrl("/households"));
  await page.getByTestId("households-list").getByRole("link", { name: SHARED }).click();
  await expect(page.getByText("Your role: Viewer")).toBeVisible();
  await expect(page.getByLabel("Name")).toBeDisabled();
  for (const name of ["Save settings", "Invite", "Create link", "Delete household"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }

  // Their own household is still theirs to write in.
  await page.getByTestId("household-switcher").selectOption({ label: "Home" });
  await page.goto(webUrl("/records"));
  await expect(page.getByTestId("household-role")).toHaveText("Owner");
  await expect(page.getByRole("button", { name: "Add record" })).toBeVisible();
});

test("a share link opens the public dashboard without a session, and stops at once when revoked", async ({ page, browser }) => {
  await signIn(page, owner, PASSWORD, "/login?next=%2Fhouseholds");
  await page.getByTestId("households-list").getByRole("link", { name: SHARED }).click();
  await expect(page.getByTestId("members")).toContainText(editor);
  await expect(page.getByTestId("members")).toContainText(viewer);
  await page.getByLabel("Label").fill("Landlord");
  await page.getByRole("button", { name: "Create link" }).click();
  shareUrl = await page.getByTestId("share-link-url").inputValue();
  expect(shareUrl).toMatch(new RegExp(`^${webUrl("/shared/")}\\S+$`));

  const visitor = await newPage(browser);
  await visitor.goto(shareUrl);
  await expect(visitor.getByRole("heading", { name: SHARED })).toBeVisible();
  await expect(visitor.getByTestId("shared-kpi-electricity").getByTestId("shared-kpi-total")).toHaveText("12.5 kWh");
  // Read-only: not one button that writes, and no records or members on the page.
  await expect(visitor.getByRole("button", { name: /add|edit|delete|import|invite/i })).toHaveCount(0);
  await expect(visitor.getByText(editor)).toHaveCount(0);

  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("button", { name: "Revoke the link Landlord" }).click();
  await expect(page.getByText("No share links.")).toBeVisible();
  await visitor.reload();
  await expect(visitor.getByText("This link does not work")).toBeVisible();
  await visitor.context().close();
});
