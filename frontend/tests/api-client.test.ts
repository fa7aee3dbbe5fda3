import MockAdapter from "axios-mock-adapter";

import { ApiError, createApiClient, toApiError } from "@/lib/api-client";

const USER = {
  id: 1,
  email: "ada@example.com",
  name: "Ada",
  role: "user",
  is_active: true,
  email_verified: true,
  preferences: { currency: "USD", timezone: "UTC" },
  created_at: "2026-01-01T00:00:00+00:00",
  updated_at: "2026-01-01T00:00:00+00:00",
};

function pair(token: string) {
  return { access_token: token, refresh_token: `r-${token}`, token_type: "Bearer", expires_in: 900, user: USER };
}

function setup() {
  const client = createApiClient("http://api.test");
  const mock = new MockAdapter(client.http);
  const errors: ApiError[] = [];
  client.onError((error) => errors.push(error));
  return { client, mock, errors };
}

beforeEach(() => {
  document.cookie = "csrf_refresh_token=csrf-123; path=/";
});

test("attaches the in-memory access token", async () => {
  const { client, mock } = setup();
  client.setToken("tok-1");
  mock.onGet("/api/meters").reply((config) => [200, { auth: config.headers?.Authorization }]);
  const { data } = await client.http.get("/api/meters");
  expect(data).toEqual({ auth: "Bearer tok-1" });
});

test("refreshes once on 401 with the CSRF header and the cookie, then retries", async () => {
  const { client, mock } = setup();
  client.setToken("old");
  const refreshCalls: { csrf: unknown; withCredentials: unknown }[] = [];
  mock.onPost("/api/auth/refresh").reply((config) => {
    refreshCalls.push({ csrf: config.headers?.["X-CSRF-TOKEN"], withCredentials: config.withCredentials });
    return [200, pair("new")];
  });
  mock
    .onGet("/api/records")
    .reply((config) =>
      config.headers?.Authorization === "Bearer new"
        ? [200, { items: [], total: 0 }]
        : [401, { error: { code: "token_expired", message: "The access token has expired." } }],
    );
  const sessions: string[] = [];
  client.onSession((session) => sessions.push(session.access_token));

  const { data } = await client.http.get("/api/records");

  expect(data).toEqual({ items: [], total: 0 });
  expect(refreshCalls).toEqual([{ csrf: "csrf-123", withCredentials: true }]);
  expect(client.getToken()).toBe("new");
  expect(sessions).toEqual(["new"]);
});

test("concurrent 401s share one refresh", async () => {
  const { client, mock } = setup();
  client.setToken("old");
  let refreshes = 0;
  mock.onPost("/api/auth/refresh").reply(async () => {
    refreshes += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return [200, pair("fresh")];
  });
  mock
    .onGet(/\/api\/r\/\d/)
    .reply((config) =>
      config.headers?.Authorization === "Bearer fresh"
        ? [200, { url: config.url }]
        : [401, { error: { code: "token_expired", message: "expired" } }],
    );

  const answers = await Promise.all([1, 2, 3, 4].map((n) => client.http.get(`/api/r/${n}`)));

  expect(answers.map((answer) => answer.data.url)).toEqual(["/api/r/1", "/api/r/2", "/api/r/3", "/api/r/4"]);
  expect(refreshes).toBe(1);
});

test("a second 401 after the retry is not refreshed again", async () => {
  const { client, mock, errors } = setup();
  client.setToken("old");
  let refreshes = 0;
  mock.onPost("/api/auth/refresh").reply(() => {
    refreshes += 1;
    return [200, pair("new")];
  });
  mock.onGet("/api/me").reply(401, { error: { code: "unauthorized", message: "Nope." } });

  await expect(client.http.get("/api/me")).rejects.toMatchObject({ status: 401, code: "unauthorized", message: "Nope." });
  expect(refreshes).toBe(1);
  expect(errors.map((error) => error.code)).toEqual(["unauthorized"]);
});

test("a failed refresh ends the session with the refresh's reason and rejects with the original error", async () => {
  const { client, mock, errors } = setup();
  client.setToken("old");
  const expired: string[] = [];
  client.onSessionExpired((error) => expired.push(error.code));
  mock.onPost("/api/auth/refresh").reply(401, { error: { code: "token_revoked", message: "The session was revoked." } });
  mock.onGet("/api/meters").reply(401, { error: { code: "token_expired", message: "The access token has expired." } });

  const error = await client.http.get("/api/meters").catch((caught: unknown) => caught);

  expect(error).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ status: 401, code: "token_expired" });
  expect(client.getToken()).toBeNull();
  // The refresh's answer says why the session ended (the login page explains it).
  expect(expired).toEqual(["token_revoked"]);
  expect(errors).toEqual([]);
});

test("requests marked skipAuthRefresh are never refreshed", async () => {
  const { client, mock } = setup();
  mock.onPost("/api/auth/login").reply(401, { error: { code: "unauthorized", message: "Wrong e-mail or password." } });
  const refresh = jest.fn(() => [200, pair("x")] as [number, unknown]);
  mock.onPost("/api/auth/refresh").reply(refresh);

  await expect(client.http.post("/api/auth/login", {}, { skipAuthRefresh: true })).rejects.toMatchObject({
    message: "Wrong e-mail or password.",
  });
  expect(refresh).not.toHaveBeenCalled();
});

test("maps the validation envelope to field errors and a message", async () => {
  const { client, mock, errors } = setup();
  mock.onPost("/api/records").reply(422, {
    error: {
      code: "validation_error",
      message: "The request is not valid.",
      details: [
        { loc: ["body", "amount"], msg: "Value error, must have at most 3 decimal places", type: "value_error" },
        { loc: ["body", "preferences", "currency"], msg: "must be a three-letter ISO 4217 code such as USD or EUR", type: "value_error" },
        { loc: ["body", "amount"], msg: "second message for the same field", type: "x" },
      ],
    },
  });

  const error = (await client.http.post("/api/records", {}).catch((caught: unknown) => caught)) as ApiError;

  expect(error.status).toBe(422);
  expect(error.code).toBe("validation_error");
  expect(error.message).toBe("The request is not valid.");
  expect(error.fieldErrors).toEqual({
    amount: "must have at most 3 decimal places",
    "preferences.currency": "must be a three-letter ISO 4217 code such as USD or EUR",
  });
  expect(errors.map((item) => item.message)).toEqual(["The request is not valid."]);
});

test("keeps import row errors", async () => {
  const { client, mock } = setup();
  mock.onPost("/api/records/import").reply(422, {
    error: {
      code: "validation_error",
      message: "The file has errors.",
      details: [{ row: 2, field: "amount", message: "must be a number" }],
    },
  });
  const error = (await client.http.post("/api/records/import", {}, { silent: true }).catch((caught: unknown) => caught)) as ApiError;
  expect(error.rowErrors).toEqual([{ row: 2, field: "amount", message: "must be a number" }]);
  expect(error.fieldErrors).toEqual({});
});

test("non-envelope answers and network failures still become ApiErrors", async () => {
  const { client, mock } = setup();
  mock.onGet("/api/a").reply(502, "<html>bad gateway</html>");
  mock.onGet("/api/b").networkError();
  await expect(client.http.get("/api/a")).rejects.toMatchObject({ status: 502, code: "http_error", message: "The server answered 502." });
  await expect(client.http.get("/api/b")).rejects.toMatchObject({ status: 0, code: "network_error" });
});

test("reads an error envelope out of a blob answer (downloads)", async () => {
  const blob = new Blob([JSON.stringify({ error: { code: "not_found", message: "Meter not found." } })], { type: "application/json" });
  const error = await toApiError({ isAxiosError: true, response: { status: 404, data: blob }, toJSON: () => ({}) });
  expect(error).toMatchObject({ status: 404, code: "not_found", message: "Meter not found." });
});
