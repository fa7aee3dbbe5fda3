import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { SecurityPage } from "@/features/security/components/security-page";
import type { AuditEntry, PersonalToken } from "@/features/security/api/security";
import { recoveryCodesText } from "@/features/security/components/recovery-codes";
import { deviceInWords, entryInWords, eventInWords } from "@/features/security/utils/audit";
import { apiClient } from "@/lib/api-client";

import { API, error, HOME, household, server, USER } from "./support/api";
import { renderInHousehold } from "./support/render";

jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace: jest.fn(), push: jest.fn() }),
  usePathname: () => "/settings/security",
  useSearchParams: () => new URLSearchParams(),
}));

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const URI = `otpauth://totp/Meterbook:ada%40example.com?secret=${SECRET}&issuer=Meterbook`;
const CODES = Array.from({ length: 10 }, (_, index) => `code${index}-abcde`);

function token(id: number, name: string, extra: Partial<PersonalToken> = {}): PersonalToken {
  return {
    id,
    name,
    scopes: ["read"],
    household_ids: [],
    prefix: `mbp_ab${id}`,
    created_at: "2026-11-01T10:00:00+00:00",
    expires_at: "2027-01-30T10:00:00+00:00",
    last_used_at: null,
    last_used_ip: null,
    ...extra,
  };
}

function entry(id: number, event: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: "2026-11-20T08:30:00+00:00",
    event,
    ip: "192.0.2.7",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0",
    details: {},
    ...extra,
  };
}

let tokens: PersonalToken[] = [];
let auditRequests: string[] = [];

/** The clipboard's writes (after userEvent.setup(), which puts its own clipboard in place). */
function watchClipboard() {
  return jest.spyOn(navigator.clipboard, "writeText").mockResolvedValue(undefined);
}

/** The session's user, with two-factor sign-in on or off. */
function signedInAs(twoFactor: boolean) {
  server.use(
    http.post(`${API}/api/auth/refresh`, () =>
      HttpResponse.json({
        access_token: "tok",
        refresh_token: "r",
        token_type: "Bearer",
        expires_in: 900,
        user: { ...USER, two_factor_enabled: twoFactor },
      }),
    ),
  );
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  tokens = [];
  auditRequests = [];
  window.history.replaceState(null, "", "/settings/security");
  signedInAs(false);
  server.use(
    http.get(`${API}/api/auth/tokens`, () => HttpResponse.json({ items: tokens })),
    http.get(`${API}/api/auth/audit`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      auditRequests.push(query.toString());
      return HttpResponse.json({ items: [], page: Number(query.get("page")), per_page: 20, total: 0, pages: 0 });
    }),
  );
});
afterEach(() => {
  server.resetHandlers();
  apiClient.setToken(null);
});
afterAll(() => server.close());

test("setting up two-factor sign-in: password, a QR code drawn locally with the key, a code, then the 10 recovery codes once", async () => {
  const sent: { path: string; body: unknown }[] = [];
  server.use(
    http.post(`${API}/api/auth/2fa/setup`, async ({ request }) => {
      const body = (await request.json()) as { password: string };
      sent.push({ path: "setup", body });
      if (body.password !== "correct horse")
        return error(422, "validation_error", "Some fields are not valid.", [
          { loc: ["body", "password"], msg: "The password is incorrect.", type: "invalid_password" },
        ]);
      return HttpResponse.json({ secret: SECRET, otpauth_uri: URI });
    }),
    http.post(`${API}/api/auth/2fa/enable`, async ({ request }) => {
      const body = (await request.json()) as { code: string };
      sent.push({ path: "enable", body });
      if (body.code !== "123456")
        return error(422, "validation_error", "Some fields are not valid.", [
          { loc: ["body", "code"], msg: "The code is incorrect or was already used.", type: "invalid_code" },
        ]);
      return HttpResponse.json({ recovery_codes: CODES });
    }),
  );
  const person = userEvent.setup();
  const clipboard = watchClipboard();
  renderInHousehold(<SecurityPage />);
  expect(await screen.findByTestId("two-factor-status")).toHaveTextContent(/^Off:/);

  await person.click(screen.getByRole("button", { name: "Set up two-factor sign-in" }));
  await person.type(screen.getByLabelText("Password"), "wrong");
  await person.click(screen.getByRole("button", { name: "Continue" }));
  expect(await screen.findByText("The password is incorrect.")).toBeInTheDocument();
  expect(screen.getAllByText("The password is incorrect.")).toHaveLength(1);
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();

  await person.clear(screen.getByLabelText("Password"));
  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.click(screen.getByRole("button", { name: "Continue" }));

  // The QR code is an SVG drawn in the page from the otpauth URI: no image is fetched from anywhere.
  const qr = await screen.findByRole("img", { name: "QR code to scan with an authenticator app" });
  const src = qr.getAttribute("src") ?? "";
  expect(src.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
  expect(decodeURIComponent(src)).toContain("<svg");
  expect(screen.getByTestId("totp-secret")).toHaveTextContent("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
  await person.click(screen.getByRole("button", { name: "Copy the key" }));
  expect(clipboard.mock.calls).toEqual([[SECRET]]);

  await person.type(screen.getByLabelText("6-digit code"), "654321");
  await person.click(screen.getByRole("button", { name: "Turn on" }));
  expect(await screen.findByText("The code is incorrect or was already used.")).toBeInTheDocument();

  await person.clear(screen.getByLabelText("6-digit code"));
  await person.type(screen.getByLabelText("6-digit code"), "123 456");
  await person.click(screen.getByRole("button", { name: "Turn on" }));
  const list = await screen.findByTestId("recovery-codes");
  expect(
    within(list)
      .getAllByRole("listitem")
      .map((item) => item.textContent),
  ).toEqual(CODES);
  expect(screen.getByTestId("two-factor-status")).toHaveTextContent(/^On:/);
  expect(sent).toEqual([
    { path: "setup", body: { password: "wrong" } },
    { path: "setup", body: { password: "correct horse" } },
    { path: "enable", body: { code: "654321" } },
    { path: "enable", body: { code: "123456" } },
  ]);

  await person.click(screen.getByRole("button", { name: "Copy the codes" }));
  expect(clipboard.mock.calls).toEqual([[SECRET], [CODES.join("\n")]]);

  // The download is a text file of the codes.
  const created: Blob[] = [];
  const createObjectURL = jest.fn((blob: Blob) => {
    created.push(blob);
    return "blob:codes";
  });
  Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
  const click = jest.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    expect(this.download).toBe("meterbook-recovery-codes.txt");
  });
  await person.click(screen.getByRole("button", { name: "Download (.txt)" }));
  expect(click).toHaveBeenCalledTimes(1);
  click.mockRestore();
  expect(created).toHaveLength(1);
  expect(await created[0]!.text()).toBe(recoveryCodesText(CODES, USER.email));
  expect(recoveryCodesText(CODES, USER.email).split("\n").slice(3, 13)).toEqual(CODES);

  // Shown once: gone for good once saved.
  await person.click(screen.getByRole("button", { name: "I have saved them" }));
  expect(screen.queryByTestId("recovery-codes")).not.toBeInTheDocument();
  expect(screen.queryByText(CODES[0]!)).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Turn off" })).toBeInTheDocument();
});

test("turning two-factor sign-in off asks for the password and a code", async () => {
  signedInAs(true);
  let sent: unknown = null;
  server.use(
    http.post(`${API}/api/auth/2fa/disable`, async ({ request }) => {
      sent = await request.json();
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<SecurityPage />);
  expect(await screen.findByTestId("two-factor-status")).toHaveTextContent(/^On:/);
  await person.click(screen.getByRole("button", { name: "Turn off" }));
  await person.click(screen.getByRole("button", { name: "Turn off two-factor sign-in" }));
  expect(await screen.findByText("Enter your password")).toBeInTheDocument();
  expect(screen.getByText("Enter the 6-digit code from your app")).toBeInTheDocument();
  expect(sent).toBeNull();

  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.type(screen.getByLabelText("6-digit code from your app"), "000111");
  await person.click(screen.getByRole("button", { name: "Turn off two-factor sign-in" }));
  await waitFor(() => expect(screen.getByTestId("two-factor-status")).toHaveTextContent(/^Off:/));
  expect(sent).toEqual({ password: "correct horse", code: "000111" });
  expect(screen.getByRole("button", { name: "Set up two-factor sign-in" })).toBeInTheDocument();
});

test("new recovery codes replace the old ones and show once", async () => {
  signedInAs(true);
  const fresh = CODES.map((code) => code.replace("code", "new"));
  let sent: unknown = null;
  server.use(
    http.post(`${API}/api/auth/2fa/recovery-codes`, async ({ request }) => {
      sent = await request.json();
      return HttpResponse.json({ recovery_codes: fresh });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<SecurityPage />);
  await person.click(await screen.findByRole("button", { name: "New recovery codes" }));
  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.type(screen.getByLabelText("6-digit code from your app"), "222333");
  await person.click(screen.getByRole("button", { name: "Make new recovery codes" }));
  const list = await screen.findByTestId("recovery-codes");
  expect(
    within(list)
      .getAllByRole("listitem")
      .map((item) => item.textContent),
  ).toEqual(fresh);
  expect(sent).toEqual({ password: "correct horse", code: "222333" });
});

test("a new token is shown once with a warning and a copy button, and is gone after closing", async () => {
  tokens = [token(1, "Home Assistant", { last_used_at: "2026-11-26T07:00:00+00:00", last_used_ip: "198.51.100.4" })];
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [HOME, household(2, "Cabin", "editor")] })));
  const SECRET_TOKEN = "mbp_0123456789abcdefghijABCDEFGHIJ-_klmnopq";
  let sent: unknown = null;
  server.use(
    http.post(`${API}/api/auth/tokens`, async ({ request }) => {
      sent = await request.json();
      const created = token(2, "Pi", { scopes: ["read", "write"], household_ids: [2], prefix: "mbp_0123" });
      tokens = [...tokens, created];
      return HttpResponse.json({ ...created, token: SECRET_TOKEN }, { status: 201 });
    }),
  );
  const person = userEvent.setup();
  const clipboard = watchClipboard();
  renderInHousehold(<SecurityPage />);
  const table = await screen.findByTestId("tokens");
  const first = within(table).getAllByRole("row")[1]!;
  expect(within(first).getByText("Home Assistant")).toBeInTheDocument();
  expect(within(first).getByText("mbp_ab1…")).toBeInTheDocument();
  expect(within(first).getByText("All")).toBeInTheDocument();
  expect(within(first).getByText("from 198.51.100.4")).toBeInTheDocument();

  await person.click(screen.getByRole("button", { name: "New token" }));
  const dialog = screen.getByRole("dialog", { name: "New access token" });
  await person.click(within(dialog).getByRole("checkbox", { name: /^Read/ }));
  await person.clear(within(dialog).getByLabelText("Expires after (days)"));
  await person.type(within(dialog).getByLabelText("Expires after (days)"), "366");
  await person.click(within(dialog).getByRole("button", { name: "Create token" }));
  expect(await within(dialog).findByText("Name is required")).toBeInTheDocument();
  expect(within(dialog).getByText("Choose at least one scope")).toBeInTheDocument();
  expect(within(dialog).getByText("Expiry is 1 to 365 days")).toBeInTheDocument();
  expect(sent).toBeNull();

  await person.type(within(dialog).getByLabelText(/^Name/), "Pi");
  await person.click(within(dialog).getByRole("checkbox", { name: /^Read/ }));
  await person.click(within(dialog).getByRole("checkbox", { name: /^Write/ }));
  await person.click(within(dialog).getByRole("checkbox", { name: "Cabin" }));
  await person.clear(within(dialog).getByLabelText("Expires after (days)"));
  await person.type(within(dialog).getByLabelText("Expires after (days)"), "30");
  await person.click(within(dialog).getByRole("button", { name: "Create token" }));

  const shown = await screen.findByRole("dialog", { name: "Your new token" });
  expect(sent).toEqual({ name: "Pi", scopes: ["read", "write"], household_ids: [2], expires_in_days: 30 });
  expect(within(shown).getByTestId("new-token")).toHaveValue(SECRET_TOKEN);
  expect(within(shown).getByText(/it is shown only once/)).toBeInTheDocument();
  await person.click(within(shown).getByRole("button", { name: "Copy the token" }));
  expect(clipboard.mock.calls).toEqual([[SECRET_TOKEN]]);
  expect(await within(shown).findByText("Copied")).toBeInTheDocument();

  // The list shows the new token by its prefix only.
  await waitFor(() => expect(within(screen.getByTestId("tokens")).getAllByRole("row")).toHaveLength(3));
  const second = within(screen.getByTestId("tokens")).getAllByRole("row")[2]!;
  expect(within(second).getByText("read, write")).toBeInTheDocument();
  expect(within(second).getByText("Cabin")).toBeInTheDocument();
  expect(within(second).getByText("Never")).toBeInTheDocument();

  await person.click(within(shown).getByRole("button", { name: "Done" }));
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  expect(document.body.innerHTML).not.toContain(SECRET_TOKEN);

  // Opening the dialog again offers a fresh form, never the token.
  await person.click(screen.getByRole("button", { name: "New token" }));
  const again = screen.getByRole("dialog", { name: "New access token" });
  expect(within(again).getByLabelText(/^Name/)).toHaveValue("");
  expect(document.body.innerHTML).not.toContain(SECRET_TOKEN);
});

test("closing the new token's dialog with Escape also forgets the token", async () => {
  server.use(
    http.post(`${API}/api/auth/tokens`, () =>
      HttpResponse.json({ ...token(3, "curl"), token: "mbp_secretsecretsecretsecretsecretsecret12" }, { status: 201 }),
    ),
  );
  const person = userEvent.setup();
  renderInHousehold(<SecurityPage />);
  await screen.findByText("No access tokens");
  await person.click(screen.getByRole("button", { name: "New token" }));
  await person.type(screen.getByLabelText(/^Name/), "curl");
  await person.click(screen.getByRole("button", { name: "Create token" }));
  expect(await screen.findByTestId("new-token")).toHaveValue("mbp_secretsecretsecretsecretsecretsecret12");
  await person.keyboard("{Escape}");
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  await person.click(screen.getByRole("button", { name: "New token" }));
  expect(screen.queryByTestId("new-token")).not.toBeInTheDocument();
  expect(document.body.innerHTML).not.toContain("mbp_secretsecret");
});

test("the API's refusal of a household shows once, under the households", async () => {
  server.use(
    http.get(`${API}/api/households`, () => HttpResponse.json({ items: [HOME, household(2, "Cabin", "viewer")] })),
    http.post(`${API}/api/auth/tokens`, () =>
      error(422, "validation_error", "Some fields are not valid.", [
        { loc: ["body", "household_ids", 0], msg: "Value error, you are not a member of household 2", type: "value_error" },
      ]),
    ),
  );
  const person = userEvent.setup();
  renderInHousehold(<SecurityPage />);
  await screen.findByText("No access tokens");
  await person.click(screen.getByRole("button", { name: "New token" }));
  const dialog = screen.getByRole("dialog", { name: "New access token" });
  await person.type(within(dialog).getByLabelText(/^Name/), "Cabin script");
  await person.click(within(dialog).getByRole("checkbox", { name: "Cabin" }));
  await person.click(within(dialog).getByRole("button", { name: "Create token" }));
  expect(await within(dialog).findByText("you are not a member of household 2")).toBeInTheDocument();
  expect(within(dialog).getAllByRole("alert")).toHaveLength(1);
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
});

test("revoking a token asks first, then removes it from the list", async () => {
  tokens = [token(1, "Home Assistant"), token(2, "Pi")];
  const deleted: string[] = [];
  server.use(
    http.delete(`${API}/api/auth/tokens/:id`, ({ params }) => {
      deleted.push(String(params.id));
      tokens = tokens.filter((item) => String(item.id) !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<SecurityPage />);
  await person.click(await screen.findByRole("button", { name: "Revoke the token Pi" }));
  const confirm = screen.getByRole("dialog", { name: "Revoke this token?" });
  expect(confirm).toHaveTextContent("Scripts using “Pi” stop working at once");
  await person.click(within(confirm).getByRole("button", { name: "Cancel" }));
  expect(deleted).toEqual([]);

  await person.click(screen.getByRole("button", { name: "Revoke the token Pi" }));
  await person.click(within(screen.getByRole("dialog", { name: "Revoke this token?" })).getByRole("button", { name: "Revoke" }));
  await waitFor(() => expect(screen.queryByText("Pi")).not.toBeInTheDocument());
  expect(deleted).toEqual(["2"]);
  expect(screen.getByText("Home Assistant")).toBeInTheDocument();
  expect(screen.getByTestId("toast")).toHaveTextContent("Token “Pi” revoked.");
});

test("the activity is a paged table in words, newest first as the API sends it; the page is in the URL", async () => {
  const pageOne = [
    entry(31, "login.failed", { details: { method: "totp" } }),
    entry(30, "login.succeeded", { at: "2026-11-20T08:30:00+00:00", details: { method: "password" } }),
    entry(29, "2fa.enabled", { user_agent: "curl/8.5.0", ip: "2001:db8::1" }),
    entry(28, "webhook.secret_rotated", { user_agent: null, ip: null }),
  ];
  server.use(
    http.get(`${API}/api/auth/audit`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      auditRequests.push(query.toString());
      const page = Number(query.get("page"));
      const items = page === 1 ? pageOne : [entry(5, "token.revoked", { details: { token_id: 2, name: "Pi" } })];
      return HttpResponse.json({ items, page, per_page: 20, total: 21, pages: 2 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<SecurityPage />);
  const table = await screen.findByTestId("audit");
  const rows = within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole("cell")
        .slice(1)
        .map((cell) => cell.textContent),
    );
  expect(rows).toEqual([
    ["Failed sign-in: wrong code", "192.0.2.7", "Firefox on Linux"],
    ["Signed in", "192.0.2.7", "Firefox on Linux"],
    ["Two-factor sign-in turned on", "2001:db8::1", "curl"],
    ["Webhook secret rotated", "—", "Unknown"],
  ]);
  expect(auditRequests).toEqual(["page=1&per_page=20"]);

  await person.click(screen.getByRole("button", { name: "Next page" }));
  expect(await within(screen.getByTestId("audit")).findByText("Access token revoked: “Pi”")).toBeInTheDocument();
  expect(auditRequests).toEqual(["page=1&per_page=20", "page=2&per_page=20"]);
  expect(window.location.search).toBe("?page=2");
});

test("events and devices in words", () => {
  expect(eventInWords("2fa.recovery_code_used")).toBe("Recovery code used");
  expect(eventInWords("something_new.happened")).toBe("Something new happened");
  expect(entryInWords("login.succeeded", { method: "totp" })).toBe("Signed in with a code");
  expect(entryInWords("login.failed", { method: "password" })).toBe("Failed sign-in: wrong password");
  expect(entryInWords("login.failed", { method: "recovery_code" })).toBe("Failed sign-in: wrong recovery code");
  expect(entryInWords("token.revoked", { token_id: 4, name: "Pi" })).toBe("Access token revoked: “Pi”");
  expect(entryInWords("2fa.recovery_code_used", { remaining: 9 })).toBe("Recovery code used (9 left)");
  expect(entryInWords("logout", {})).toBe("Signed out");
  expect(
    deviceInWords("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1"),
  ).toBe("Safari on iOS");
  expect(deviceInWords("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36 Edg/140.0")).toBe(
    "Edge on Windows",
  );
  expect(deviceInWords("python-requests/2.32.3")).toBe("Python script");
  expect(deviceInWords("HomeAssistant/2026.11")).toBe("Home Assistant");
  expect(deviceInWords("my-own-tool/1")).toBe("my-own-tool/1");
  expect(deviceInWords(null)).toBe("Unknown");
});
