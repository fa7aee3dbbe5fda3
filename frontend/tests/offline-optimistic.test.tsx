import { QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import { delay, http } from "msw";
import type { ReactNode } from "react";

import { useDeleteReading, useSaveReading, type Reading, type ReadingPage } from "@/features/readings/api/readings";
import { useDeleteRecord, type RecordItem, type RecordPage } from "@/features/records/api/records";

import { API, error, server } from "./support/api";
import { testQueryClient } from "./support/render";

const AT = "2026-02-03T08:00:00+00:00";
const READING: Reading = {
  id: 7,
  household_id: 1,
  meter_id: 1,
  taken_at: AT,
  value: 100,
  kind: "reading",
  previous_final_value: null,
  note: null,
  flags: { wrapped: false, high_rate: false },
  attachment_ids: [],
  created_by: 1,
  created_at: AT,
  updated_at: AT,
};
const RECORD: RecordItem = {
  id: 3,
  household_id: 1,
  meter_id: 1,
  meter_name: "House",
  type: "electricity",
  unit: "kWh",
  date: "2026-02-03",
  amount: 5,
  attachment_ids: [],
  cost: null,
  note: null,
  created_by: 1,
  created_at: AT,
  updated_at: AT,
};
const READINGS_KEY = ["readings", "list", { household_id: null }, 1, 1];
const RECORDS_KEY = ["records", "list", { household_id: null }, { sort: "-date", page: 1, per_page: 20 }];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup() {
  const queryClient = testQueryClient();
  queryClient.setQueryData<ReadingPage>(READINGS_KEY, { items: [READING], page: 1, pages: 1, per_page: 20, total: 1 });
  queryClient.setQueryData<RecordPage>(RECORDS_KEY, { items: [RECORD], page: 1, pages: 1, per_page: 20, total: 1 });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
  return { queryClient, wrapper };
}

const values = (page: ReadingPage | undefined) => page?.items.map((item) => item.value);

test("a new reading shows on its meter's first page before the API answers, and goes when the API refuses it", async () => {
  server.use(
    http.post(`${API}/api/readings`, async () => {
      await delay(300);
      return error(422, "validation_error", "Some fields are not valid.", [
        { loc: ["body", "value"], msg: "is below", type: "value_error" },
      ]);
    }),
  );
  const { queryClient, wrapper } = setup();
  const { result } = renderHook(() => useSaveReading(), { wrapper });
  let done!: Promise<unknown>;
  act(() => {
    done = result.current
      .mutateAsync({ body: { meter_id: 1, taken_at: "2026-02-04T08:00:00+00:00", value: 90 } })
      .catch((caught) => caught);
  });
  await waitFor(() => expect(values(queryClient.getQueryData(READINGS_KEY))).toEqual([90, 100]));
  const shown = queryClient.getQueryData<ReadingPage>(READINGS_KEY)!;
  expect(shown.total).toBe(2);
  expect(shown.items[0]!.id).toBeLessThan(0);
  await act(() => done);
  expect(queryClient.getQueryData<ReadingPage>(READINGS_KEY)).toEqual({ items: [READING], page: 1, pages: 1, per_page: 20, total: 1 });
});

test("an edit shows at once and is put back on an error; a delete too", async () => {
  server.use(
    http.patch(`${API}/api/readings/7`, async () => {
      await delay(300);
      return error(409, "conflict", "Another reading is at that time.");
    }),
    http.delete(`${API}/api/readings/7`, async () => {
      await delay(300);
      return error(500, "internal_error", "boom");
    }),
  );
  const { queryClient, wrapper } = setup();
  const save = renderHook(() => useSaveReading(), { wrapper });
  let done!: Promise<unknown>;
  act(() => {
    done = save.result.current.mutateAsync({ id: 7, body: { value: 101 } }).catch((caught) => caught);
  });
  await waitFor(() => expect(values(queryClient.getQueryData(READINGS_KEY))).toEqual([101]));
  await act(() => done);
  expect(values(queryClient.getQueryData(READINGS_KEY))).toEqual([100]);

  const remove = renderHook(() => useDeleteReading(), { wrapper });
  act(() => {
    done = remove.result.current.mutateAsync(7).catch((caught) => caught);
  });
  await waitFor(() => expect(queryClient.getQueryData<ReadingPage>(READINGS_KEY)?.total).toBe(0));
  await act(() => done);
  expect(values(queryClient.getQueryData(READINGS_KEY))).toEqual([100]);
});

test("a deleted record leaves the list at once and comes back when the API refuses", async () => {
  server.use(
    http.delete(`${API}/api/records/3`, async () => {
      await delay(300);
      return error(403, "forbidden", "You are not allowed to do that.");
    }),
  );
  const { queryClient, wrapper } = setup();
  const { result } = renderHook(() => useDeleteRecord(), { wrapper });
  let done!: Promise<unknown>;
  act(() => {
    done = result.current.mutateAsync(3).catch((caught) => caught);
  });
  await waitFor(() => expect(queryClient.getQueryData<RecordPage>(RECORDS_KEY)?.items).toEqual([]));
  await act(() => done);
  expect(queryClient.getQueryData<RecordPage>(RECORDS_KEY)?.items).toEqual([RECORD]);
});
