import MockAdapter from "axios-mock-adapter";

import { createApiClient, typedClient } from "@/lib/api-client";

function setup() {
  const api = createApiClient("http://api.test");
  return { http: api.http, client: typedClient(api.http), mock: new MockAdapter(api.http) };
}

test("fills path parameters, repeats array query keys and leaves empty ones out", async () => {
  const { http, client, mock } = setup();
  mock.onGet("/api/records").reply(200, { items: [], page: 1, per_page: 20, total: 0, pages: 0 });
  mock.onDelete("/api/records/42").reply(204);

  await client.GET("/api/records", { query: { type: ["gas", "water"], q: "", date_from: undefined, page: 2 } });
  await client.DELETE("/api/records/{record_id}", { path: { record_id: 42 } });

  const request = mock.history.get[0]!;
  expect(mock.history.delete[0]!.url).toBe("/api/records/42");
  expect(request.params).toEqual({ type: ["gas", "water"], page: 2 });
  expect(http.getUri(request)).toBe("http://api.test/api/records?type=gas&type=water&page=2");
});

test("a changed endpoint or wrong parameters do not compile", () => {
  const { client } = setup();
  const never = () => {
    // @ts-expect-error: no such path
    void client.GET("/api/recordz");
    // @ts-expect-error: the path parameter is required
    void client.DELETE("/api/records/{record_id}");
    // @ts-expect-error: record_id is a number
    void client.DELETE("/api/records/{record_id}", { path: { record_id: "7" } });
    // @ts-expect-error: no such query parameter
    void client.GET("/api/records", { query: { colour: "red" } });
    // @ts-expect-error: the body lacks the amount
    void client.POST("/api/records", { body: { meter_id: 1, date: "2026-03-01" } });
    // @ts-expect-error: /api/meters answers no PUT
    void client.PUT("/api/meters", { body: {} });
  };
  expect(typeof never).toBe("function");
});

test("an aborted signal cancels the request (no toast: the caller went away)", async () => {
  const api = createApiClient("http://api.test");
  const mock = new MockAdapter(api.http, { delayResponse: 200 });
  mock.onGet("/api/meters").reply(200, { items: [] });
  const shown: string[] = [];
  api.onError((error) => shown.push(error.code));
  const controller = new AbortController();

  const pending = typedClient(api.http).GET("/api/meters", { signal: controller.signal });
  controller.abort();

  await expect(pending).rejects.toMatchObject({ status: 0, code: "canceled" });
  expect(shown).toEqual([]);
});
