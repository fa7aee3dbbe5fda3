import axios, { type AxiosProgressEvent } from "axios";

import { ApiError, createApiClient, typedClient } from "@/lib/api-client";

test("upload posts the form as it is and reports the share sent, from 0 to 1", async () => {
  const sent: { url?: string; method?: string; data?: unknown }[] = [];
  const http = axios.create({
    adapter: async (config) => {
      sent.push({ url: config.url, method: config.method, data: config.data });
      for (const loaded of [0, 50, 200])
        config.onUploadProgress?.({ loaded, total: 200, bytes: loaded, lengthComputable: true } as AxiosProgressEvent);
      return { data: { id: 7 }, status: 201, statusText: "Created", headers: {}, config };
    },
  });
  const form = new FormData();
  form.append("household_id", "3");
  const progress: number[] = [];
  const answer = await typedClient(http).upload("/api/attachments", form, { onProgress: (fraction) => progress.push(fraction) });

  expect(answer).toEqual({ id: 7 });
  expect(sent).toEqual([{ url: "/api/attachments", method: "post", data: form }]);
  expect(progress).toEqual([0, 0.25, 1]);
});

test("an upload without a known total reports axios' own estimate", async () => {
  const http = axios.create({
    adapter: async (config) => {
      config.onUploadProgress?.({ loaded: 10, progress: 0.4, bytes: 10, lengthComputable: false } as AxiosProgressEvent);
      return { data: {}, status: 201, statusText: "Created", headers: {}, config };
    },
  });
  const progress: number[] = [];
  await typedClient(http).upload("/api/attachments", new FormData(), { onProgress: (fraction) => progress.push(fraction) });
  expect(progress).toEqual([0.4]);
});

test("a refused upload is the API's error from its envelope, as for every call", async () => {
  const app = createApiClient("http://api.test");
  app.http.defaults.adapter = async (config) => {
    throw new axios.AxiosError("Request failed", "ERR_BAD_REQUEST", config, null, {
      data: { error: { code: "quota_exceeded", message: "The household's 500 MB for attachments are used" } },
      status: 409,
      statusText: "Conflict",
      headers: {},
      config,
    });
  };
  const failure = await typedClient(app.http)
    .upload("/api/attachments", new FormData(), { silent: true })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApiError);
  expect(failure).toMatchObject({ status: 409, code: "quota_exceeded", message: "The household's 500 MB for attachments are used" });
});
