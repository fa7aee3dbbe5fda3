import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";

export function webUrl(path = "/"): string {
  return `${process.env.E2E_WEB_URL}${path}`;
}

export function apiUrl(path: string): string {
  return `${process.env.E2E_API_URL}${path}`;
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
}

/** Wait for a message to ``address`` in the SMTP sink's directory. */
export async function waitForMail(address: string, subject: RegExp, timeoutMs = 20_000): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  const dir = process.env.E2E_MAIL_DIR!;
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((name) => name.endsWith(".json") && !name.startsWith("."));
    } catch {
      files = [];
    }
    for (const name of files.sort()) {
      const mail = JSON.parse(readFileSync(join(dir, name), "utf-8")) as Mail;
      if (mail.to.includes(address) && subject.test(mail.subject)) return mail;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`no e-mail to ${address} matching ${subject} within ${timeoutMs / 1000} s`);
}

export function linkIn(mail: Mail, path: string): string {
  const match = new RegExp(`https?://\\S+/${path}\\?token=[\\w.\\-]+`).exec(mail.text);
  if (!match) throw new Error(`no /${path} link in: ${mail.text}`);
  return match[0];
}

/** Which of the contract's features this API serves (some land separately). */
export async function signIn(page: Page, email: string, password = PASSWORD, path = "/login"): Promise<void> {
  await page.goto(webUrl(path));
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Today's date (UTC, the new user's default time zone) and a day of this month before it. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function noHorizontalScroll(page: Page): Promise<void> {
  const culprits = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const clipped = (element: Element) => {
      for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
        if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(node).overflowX)) return true;
      }
      return false;
    };
    return Array.from(document.querySelectorAll("body *"))
      .filter((element) => element.getBoundingClientRect().right > width + 1 && !clipped(element))
      .slice(0, 5)
      .map(
        (element) =>
          `${element.tagName.toLowerCase()}.${String(element.className).slice(0, 60)} right=${Math.round(element.getBoundingClientRect().right)}`,
      );
  });
  expect(culprits).toEqual([]);
}
