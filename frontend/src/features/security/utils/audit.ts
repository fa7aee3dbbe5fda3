/** The audit log's events in words (PRODUCT.md §13); an event not listed is spelt out from its name. */
const EVENT_WORDS: Record<string, string> = {
  "login.succeeded": "Signed in",
  "login.failed": "Failed sign-in",
  "login.locked": "Account locked after failed sign-ins",
  logout: "Signed out",
  "logout.everywhere": "Signed out everywhere",
  "refresh.reused": "An old session token was used again: that sign-in was ended",
  "password.changed": "Password changed",
  "password.reset": "Password reset through the e-mailed link",
  "email.verified": "E-mail address confirmed",
  "2fa.enabled": "Two-factor sign-in turned on",
  "2fa.disabled": "Two-factor sign-in turned off",
  "2fa.recovery_code_used": "Recovery code used",
  "2fa.recovery_codes_renewed": "New recovery codes made",
  "token.created": "Access token created",
  "token.revoked": "Access token revoked",
  "member.joined": "Joined a household",
  "member.role_changed": "Household role changed",
  "member.removed": "Removed from a household",
  "invitation.sent": "Invitation sent",
  "invitation.accepted": "Invitation accepted",
  "admin.user_updated": "Account changed by an administrator",
  "admin.user_deleted": "Account deleted by an administrator",
};

/** An event without wording spelt out from its name: "webhook.secret_rotated" → "Webhook secret rotated". */
export function eventInWords(event: string): string {
  const known = EVENT_WORDS[event];
  if (known) return known;
  const words = event.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const METHODS: Record<string, string> = { password: "password", totp: "code", recovery_code: "recovery code" };

/** An entry of the log in words, with what its details add: how a sign-in went, which token, codes left. */
export function entryInWords(event: string, details: Record<string, unknown> | null | undefined): string {
  const words = eventInWords(event);
  const method = typeof details?.method === "string" ? METHODS[details.method] : undefined;
  if (event === "login.failed" && method) return `${words}: wrong ${method}`;
  if (event === "login.succeeded" && method && method !== "password") return `${words} with a ${method}`;
  if ((event === "token.created" || event === "token.revoked") && typeof details?.name === "string") {
    return `${words}: “${details.name}”`;
  }
  if (event === "2fa.recovery_code_used" && typeof details?.remaining === "number") {
    return `${words} (${details.remaining} left)`;
  }
  return words;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\//, "Opera"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/^curl\//i, "curl"],
  [/python-requests|aiohttp|httpx|urllib/i, "Python script"],
  [/HomeAssistant/i, "Home Assistant"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** A user agent as people name their device: "Firefox on Linux"; the raw string when nothing is recognised. */
export function deviceInWords(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown";
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent;
}

/** A moment (ISO 8601) in the reader's locale and time zone, to the minute. */
export function formatMoment(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
