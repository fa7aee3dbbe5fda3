import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { File as NodeFile } from "node:buffer";

import type { Attachment } from "@/features/attachments/api/attachments";
import type { Bill } from "@/features/bills/api/bills";
import { BillsPage } from "@/features/bills/components/bills-page";

import { API, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

function bill(id: number, attachmentIds: number[]): Bill {
  return {
    id,
    household_id: 1,
    meter_id: 1,
    period_from: "2026-01-01",
    period_to: "2026-01-31",
    amount: 310,
    cost: 112.4,
    note: null,
    attachment_ids: attachmentIds,
    created_at: "2026-02-05T00:00:00+00:00",
    updated_at: "2026-02-05T00:00:00+00:00",
    computed: { amount: 300, cost: 100 },
    difference: { amount: 10, cost: 12.4, cost_pct: 12.4 },
  };
}

function attachment(id: number): Attachment {
  return {
    id,
    household_id: 1,
    content_type: "image/png",
    size: 900,
    width: 800,
    height: 1100,
    url: `${API}/api/attachments/${id}/content?sig=full${id}`,
    thumbnail_url: `${API}/api/attachments/${id}/thumbnail?sig=thumb${id}`,
    created_at: "2026-02-05T00:00:00+00:00",
  };
}

let bills: Bill[];
let posted: Record<string, unknown>[];
let patched: Record<string, unknown>[];
let nextAttachment: number;

// Node's File, as the Node FormData that sends the upload takes it (jsdom's is another class).
const JsdomFile = globalThis.File;
beforeAll(() => {
  globalThis.File = NodeFile as unknown as typeof File;
  server.listen({ onUnhandledRequest: "error" });
});
beforeEach(() => {
  bills = [bill(1, [31])];
  posted = [];
  patched = [];
  nextAttachment = 40;
  window.history.replaceState(null, "", "/bills");
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(1, "Power", "electricity", "kWh")] })),
    http.get(`${API}/api/bills`, () => HttpResponse.json({ items: bills, page: 1, per_page: 100, total: bills.length, pages: 1 })),
    http.post(`${API}/api/bills`, async ({ request }) => {
      posted.push((await request.json()) as Record<string, unknown>);
      return HttpResponse.json(bill(2, []), { status: 201 });
    }),
    http.patch(`${API}/api/bills/:id`, async ({ request }) => {
      patched.push((await request.json()) as Record<string, unknown>);
      return HttpResponse.json(bills[0]);
    }),
    http.post(`${API}/api/attachments`, () => HttpResponse.json(attachment(nextAttachment++), { status: 201 })),
    http.get(`${API}/api/attachments/:id`, ({ params }) => HttpResponse.json(attachment(Number(params.id)))),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => {
  globalThis.File = JsdomFile;
  server.close();
});

const photo = () => new File([new Uint8Array(900)], "bill.png", { type: "image/png" });

test("a bill shows its photo as a thumbnail that opens the viewer", async () => {
  const person = userEvent.setup();
  renderInHousehold(<BillsPage />);
  const row = await screen.findByTestId("bill-1");
  const thumb = await within(row).findByRole("img", { name: /^Photo of the bill of Power, / });
  expect(thumb).toHaveAttribute("src", `${API}/api/attachments/31/thumbnail?sig=thumb31`);
  await person.click(thumb.closest("button")!);
  const dialog = await screen.findByRole("dialog", { name: thumb.getAttribute("alt")! });
  expect(await within(dialog).findByRole("img")).toHaveAttribute("src", `${API}/api/attachments/31/content?sig=full31`);
});

test("a new bill is sent with the photos uploaded in its form", async () => {
  const person = userEvent.setup();
  renderInHousehold(<BillsPage />);
  await screen.findByTestId("bill-1");
  await person.click(screen.getByRole("button", { name: "Add bill" }));
  const dialog = screen.getByRole("dialog", { name: "Add bill" });
  await person.type(within(dialog).getByLabelText("From"), "2026-02-01");
  await person.type(within(dialog).getByLabelText("To"), "2026-02-28");
  await person.type(within(dialog).getByLabelText("Billed cost"), "90");
  await person.upload(within(dialog).getByLabelText("Photo of the bill"), photo());
  await within(dialog).findByRole("img", { name: "Photo 1 of the bill (not saved yet)" });
  await person.upload(within(dialog).getByLabelText("Photo of the bill"), photo());
  await within(dialog).findByRole("img", { name: "Photo 2 of the bill (not saved yet)" });
  await person.click(within(dialog).getByRole("button", { name: "Add bill" }));
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toMatchObject({ meter_id: 1, period_from: "2026-02-01", period_to: "2026-02-28", cost: 90, attachment_ids: [40, 41] });
});

test("an edited bill keeps its photos and adds the new one; without a new photo the ids are not sent", async () => {
  const person = userEvent.setup();
  renderInHousehold(<BillsPage />);
  const row = await screen.findByTestId("bill-1");
  await person.click(within(row).getByRole("button", { name: /^Edit the bill/ }));
  let dialog = screen.getByRole("dialog");
  await person.click(within(dialog).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(patched).toHaveLength(1));
  expect(patched[0]).not.toHaveProperty("attachment_ids");

  await person.click(within(await screen.findByTestId("bill-1")).getByRole("button", { name: /^Edit the bill/ }));
  dialog = screen.getByRole("dialog");
  await person.upload(within(dialog).getByLabelText("Photo of the bill"), photo());
  await within(dialog).findByRole("img", { name: "Photo 1 of the bill (not saved yet)" });
  await person.click(within(dialog).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(patched).toHaveLength(2));
  expect(patched[1]).toMatchObject({ cost: 112.4, attachment_ids: [31, 40] });
});
