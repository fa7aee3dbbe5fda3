import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { File as NodeFile } from "node:buffer";

import type { Attachment } from "@/features/attachments/api/attachments";
import type { Reading } from "@/features/readings/api/readings";
import { ReadingsPage } from "@/features/readings/components/readings-page";
import type { ModedMeter } from "@/lib/meter-modes";

import { API, error, household, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

const MIB = 1024 * 1024;
const TAKEN = new Date(2026, 1, 3, 8, 0);

const HOUSE: ModedMeter = {
  ...meter(1, "House", "electricity", "kWh"),
  mode: "readings",
  rollover_at: null,
  max_per_day: null,
  last_reading: { taken_at: TAKEN.toISOString(), value: 100 },
};

function attachment(id: number, extra: Partial<Attachment> = {}): Attachment {
  return {
    id,
    household_id: 1,
    content_type: "image/jpeg",
    size: 2048,
    width: 1600,
    height: 1200,
    url: `${API}/api/attachments/${id}/content?sig=full${id}`,
    thumbnail_url: `${API}/api/attachments/${id}/thumbnail?sig=thumb${id}`,
    created_at: "2026-02-03T08:00:00+00:00",
    ...extra,
  };
}

function reading(id: number, attachmentIds: number[]): Reading {
  return {
    id,
    household_id: 1,
    meter_id: 1,
    taken_at: TAKEN.toISOString(),
    value: 100,
    kind: "reading",
    previous_final_value: null,
    note: null,
    flags: { wrapped: false, high_rate: false },
    attachment_ids: attachmentIds,
    created_by: 1,
    created_at: TAKEN.toISOString(),
    updated_at: TAKEN.toISOString(),
  };
}

type Upload = { file: File; household_id: FormDataEntryValue | null };
let uploads: Upload[];
let posted: unknown[];
let deleted: string[];
let readings: Reading[];
let readingFetches: number;
/** Set by a test to hold the upload's answer until it says so. */
let holdUpload: Promise<void> | null;
let uploadAnswer: () => Response;

// Node's File, as the Node FormData that sends the upload takes it (jsdom's is another class).
const JsdomFile = globalThis.File;
beforeAll(() => {
  globalThis.File = NodeFile as unknown as typeof File;
  server.listen({ onUnhandledRequest: "error" });
});
beforeEach(() => {
  window.localStorage.clear();
  uploads = [];
  posted = [];
  deleted = [];
  readings = [];
  readingFetches = 0;
  holdUpload = null;
  uploadAnswer = () => HttpResponse.json(attachment(77), { status: 201 });
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [HOUSE] })),
    http.get(`${API}/api/readings`, () => {
      readingFetches += 1;
      return HttpResponse.json({ items: readings, page: 1, per_page: 20, total: readings.length, pages: readings.length ? 1 : 0 });
    }),
    http.post(`${API}/api/readings`, async ({ request }) => {
      posted.push(await request.json());
      return HttpResponse.json(reading(11, []), { status: 201 });
    }),
    http.post(`${API}/api/attachments`, async ({ request }) => {
      const form = await request.formData();
      uploads.push({ file: form.get("file") as File, household_id: form.get("household_id") });
      if (holdUpload) await holdUpload;
      return uploadAnswer();
    }),
    http.get(`${API}/api/attachments/:id`, ({ params }) => HttpResponse.json(attachment(Number(params.id)))),
    http.delete(`${API}/api/attachments/:id`, ({ params }) => {
      deleted.push(String(params.id));
      readings = readings.map((item) => ({ ...item, attachment_ids: item.attachment_ids.filter((id) => String(id) !== params.id) }));
      return new HttpResponse(null, { status: 204 });
    }),
  );
});
afterEach(() => {
  server.resetHandlers();
  jest.restoreAllMocks();
});
afterAll(() => {
  globalThis.File = JsdomFile;
  server.close();
});

function png(name = "meter.png", size = 1024): File {
  return new File([new Uint8Array(size)], name, { type: "image/png" });
}

async function openEntry() {
  const person = userEvent.setup();
  renderInHousehold(<ReadingsPage />);
  const field = await screen.findByLabelText("Reading on House", {}, { timeout: 5000 });
  fireEvent.change(screen.getByLabelText("Taken at"), { target: { value: "2026-02-10T08:00" } });
  return { person, field, photo: screen.getByLabelText("Photo of the register") };
}

test("the photo button opens the rear camera for images only", async () => {
  const { photo } = await openEntry();
  expect(photo).toHaveAttribute("type", "file");
  expect(photo).toHaveAttribute("accept", "image/*");
  expect(photo).toHaveAttribute("capture", "environment");
});

test("a photo uploads with a progress bar, shows its thumbnail, and its id goes with the reading", async () => {
  let release!: () => void;
  holdUpload = new Promise((resolve) => (release = resolve));
  const { person, field, photo } = await openEntry();
  await person.upload(photo, png());

  // While the upload runs: the bar, and Save waits for it.
  const bar = await screen.findByRole("progressbar", { name: "Upload of the photo" });
  expect(bar).toHaveAttribute("value", "0");
  expect(screen.getByText("Uploading the photo… 0%")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Save reading" })).toBeDisabled();
  act(() => release());

  const thumb = await screen.findByRole("img", { name: "Photo 1 of the register (not saved yet)" });
  expect(thumb).toHaveAttribute("src", `${API}/api/attachments/77/thumbnail?sig=thumb77`);
  expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
  expect(uploads).toHaveLength(1);
  expect(uploads[0]!.household_id).toBe("1");
  expect(uploads[0]!.file.name).toBe("meter.png");
  expect(uploads[0]!.file.size).toBe(1024);

  await person.type(field, "150");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toMatchObject({ meter_id: 1, value: 150, note: null, attachment_ids: [77] });
  // Saved: the photo is the reading's now, and the form starts empty again.
  await waitFor(() => expect(screen.queryByRole("img", { name: /not saved yet/ })).not.toBeInTheDocument());
  expect(deleted).toEqual([]);
});

test("a photo removed before saving is deleted and not sent with the reading", async () => {
  const { person, field, photo } = await openEntry();
  await person.upload(photo, png());
  await screen.findByRole("img", { name: "Photo 1 of the register (not saved yet)" });
  await person.click(screen.getByRole("button", { name: "Remove photo 1" }));
  await waitFor(() => expect(deleted).toEqual(["77"]));
  expect(screen.queryByRole("img", { name: /not saved yet/ })).not.toBeInTheDocument();

  await person.type(field, "150");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).not.toHaveProperty("attachment_ids");
});

test("a photo over 5 MiB is drawn again as a JPEG under 5 MiB before it is sent; a smaller one is sent as it is", async () => {
  const bitmap = document.createElement("canvas");
  bitmap.width = 8000;
  bitmap.height = 6000;
  const decode = jest.fn().mockResolvedValue(Object.assign(bitmap, { close: jest.fn() }));
  window.createImageBitmap = decode;
  const draw = jest.spyOn(CanvasRenderingContext2D.prototype, "drawImage");
  // The first quality tried is still too large; the next fits.
  const encode = jest
    .spyOn(HTMLCanvasElement.prototype, "toBlob")
    .mockImplementation((callback: BlobCallback, type?: string, quality?: number) =>
      callback(new Blob([new Uint8Array(quality === 0.85 ? 6 * MIB : 3 * MIB)], { type })),
    );

  const { person, photo } = await openEntry();
  const big = new File([new Uint8Array(5 * MIB + 1)], "IMG_0001.HEIC.jpeg", { type: "image/jpeg" });
  await person.upload(photo, big);
  await screen.findByRole("img", { name: "Photo 1 of the register (not saved yet)" });

  expect(decode).toHaveBeenCalledTimes(1);
  expect(decode.mock.calls[0]![0]).toBe(big);
  expect(draw).toHaveBeenCalledTimes(1);
  expect(draw.mock.calls[0]!.slice(1)).toEqual([0, 0, 2560, 1920]);
  expect(encode.mock.calls.map((call) => [call[1], call[2]])).toEqual([
    ["image/jpeg", 0.85],
    ["image/jpeg", 0.7],
  ]);
  expect(uploads).toHaveLength(1);
  expect(uploads[0]!.file.name).toBe("IMG_0001.HEIC.jpg");
  expect(uploads[0]!.file.type).toBe("image/jpeg");
  expect(uploads[0]!.file.size).toBe(3 * MIB);

  // Exactly 5 MiB is within the API's limit: no canvas.
  await person.upload(photo, png("five.png", 5 * MIB));
  await waitFor(() => expect(uploads).toHaveLength(2));
  expect(decode).toHaveBeenCalledTimes(1);
  expect(uploads[1]!.file.name).toBe("five.png");
  expect(uploads[1]!.file.size).toBe(5 * MIB);
});

test.each([
  [415, "unsupported_media_type", "The file is not an image", "That file is not an image: choose a JPEG, PNG, GIF or WebP photo."],
  [413, "payload_too_large", "The upload is over 5 MiB", "That photo is too large: at most 5 MiB."],
  [
    409,
    "quota_exceeded",
    "The household's 500 MB for attachments are used",
    "This household's storage for photos is full: delete some photos first.",
  ],
  [422, "validation_error", "The image is over 40 megapixels", "The image is over 40 megapixels"],
])("an upload answered %i shows what went wrong, once, and nothing to save", async (status, code, message, shown) => {
  uploadAnswer = () => error(status, code, message);
  const { photo } = await openEntry();
  await userEvent.setup().upload(photo, png());
  expect(await screen.findByRole("alert")).toHaveTextContent(shown);
  expect(screen.getAllByText(shown)).toHaveLength(1);
  expect(screen.queryByRole("img", { name: /not saved yet/ })).not.toBeInTheDocument();
  expect(photo).toHaveAccessibleDescription(shown);
  expect(screen.getByRole("button", { name: "Save reading" })).toBeEnabled();
});

describe("thumbnails and the viewer", () => {
  beforeEach(() => {
    readings = [reading(10, [5])];
  });

  async function openList(role: "owner" | "viewer" = "owner") {
    server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Home", role)] })));
    const person = userEvent.setup();
    renderInHousehold(<ReadingsPage />);
    const list = await screen.findByRole("list", { name: "Readings of House" }, { timeout: 5000 });
    const thumb = await within(list).findByRole("img", { name: /^Photo of the reading of / });
    return { person, list, thumb };
  }

  test("a reading's photo shows as its signed thumbnail; the viewer traps focus, closes on Escape and gives focus back", async () => {
    const { person, thumb } = await openList();
    expect(thumb).toHaveAttribute("src", `${API}/api/attachments/5/thumbnail?sig=thumb5`);
    const opener = thumb.closest("button")!;
    await person.click(opener);

    const dialog = await screen.findByRole("dialog", { name: thumb.getAttribute("alt")! });
    const full = await within(dialog).findByRole("img", { name: thumb.getAttribute("alt")! });
    expect(full).toHaveAttribute("src", `${API}/api/attachments/5/content?sig=full5`);
    expect(within(dialog).getByText("1600 × 1200 px")).toBeInTheDocument();
    // Focus is inside, and Tab goes round the dialog's two controls.
    const close = within(dialog).getByRole("button", { name: "Close" });
    const remove = within(dialog).getByRole("button", { name: "Delete…" });
    expect(close).toHaveFocus();
    await person.tab();
    expect(remove).toHaveFocus();
    await person.tab();
    expect(close).toHaveFocus();
    await person.tab({ shift: true });
    expect(remove).toHaveFocus();

    await person.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
    expect(deleted).toEqual([]);
  });

  test("an editor deletes a photo from the viewer after confirming; the list is fetched again without it", async () => {
    const { person, thumb } = await openList();
    await person.click(thumb.closest("button")!);
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByRole("img");
    await person.click(within(dialog).getByRole("button", { name: "Delete…" }));
    await person.click(within(dialog).getByRole("button", { name: "Keep it" }));
    expect(deleted).toEqual([]);
    await person.click(within(dialog).getByRole("button", { name: "Delete…" }));
    const fetchesBefore = readingFetches;
    await person.click(within(dialog).getByRole("button", { name: "Delete photo" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(deleted).toEqual(["5"]);
    await waitFor(() => expect(readingFetches).toBe(fetchesBefore + 1));
    await waitFor(() => expect(screen.queryByRole("img", { name: /^Photo of the reading of / })).not.toBeInTheDocument());
  });

  test("an edited reading keeps its photo and adds the new one; without a new photo the ids are not sent", async () => {
    const patched: unknown[] = [];
    server.use(
      http.patch(`${API}/api/readings/:id`, async ({ request }) => {
        patched.push(await request.json());
        return HttpResponse.json(readings[0]);
      }),
    );
    const { person, list } = await openList();
    await person.click(within(list).getByRole("button", { name: /^Edit the reading of / }));
    let dialog = screen.getByRole("dialog", { name: "Edit reading" });
    await person.clear(within(dialog).getByLabelText("Note (optional)"));
    await person.type(within(dialog).getByLabelText("Note (optional)"), "Cellar");
    await person.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(patched).toEqual([{ note: "Cellar" }]));

    await person.click(within(list).getByRole("button", { name: /^Edit the reading of / }));
    dialog = screen.getByRole("dialog", { name: "Edit reading" });
    await person.upload(within(dialog).getByLabelText("Photo of the register"), png());
    await within(dialog).findByRole("img", { name: "Photo 1 of the register (not saved yet)" });
    await person.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(patched).toHaveLength(2));
    expect(patched[1]).toEqual({ attachment_ids: [5, 77] });
  });

  test("a viewer sees the photo but no delete and no photo button", async () => {
    const { person, thumb } = await openList("viewer");
    expect(screen.queryByLabelText("Photo of the register")).not.toBeInTheDocument();
    await person.click(thumb.closest("button")!);
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByRole("img");
    expect(within(dialog).queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
  });
});
