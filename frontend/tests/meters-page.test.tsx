import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { MetersPage } from "@/features/meters/components/meters-page";
import { client } from "@/lib/api-client";

import { API, error, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("units show as m³ and ft³; a taken name shows once and is gone when the dialog opens again", async () => {
  let meters = [meter(1, "Gas", "gas", "ft3"), meter(2, "Water", "water", "m3")];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: meters })),
    http.post(`${API}/api/meters`, async ({ request }) => {
      const body = (await request.json()) as { name: string; household_id: number };
      // A new meter goes into the household on screen.
      expect(body.household_id).toBe(1);
      if (body.name === "Gas") return error(409, "conflict", "You already have a meter with this name.");
      meters = [...meters, meter(3, body.name, "electricity", "kWh")];
      return HttpResponse.json(meters[2], { status: 201 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Gas · ft³")).toBeInTheDocument();
  expect(screen.getByText("Water · m³")).toBeInTheDocument();

  await person.click(screen.getByRole("button", { name: "Add meter" }));
  let dialog = screen.getByRole("dialog", { name: "Add meter" });
  await person.type(within(dialog).getByLabelText("Name"), "Gas");
  await person.click(within(dialog).getByRole("button", { name: "Add meter" }));
  expect(await within(dialog).findByText("You already have a meter with this name.")).toBeInTheDocument();
  expect(screen.getAllByText("You already have a meter with this name.")).toHaveLength(1);

  await person.click(within(dialog).getByRole("button", { name: "Cancel" }));
  await person.click(screen.getByRole("button", { name: "Add meter" }));
  dialog = screen.getByRole("dialog", { name: "Add meter" });
  expect(within(dialog).getByLabelText("Name")).toHaveValue("");
  expect(screen.queryByText("You already have a meter with this name.")).not.toBeInTheDocument();

  // A saved meter shows without a reload: the mutation refetches the list.
  await person.type(within(dialog).getByLabelText("Name"), "House");
  await person.click(within(dialog).getByRole("button", { name: "Add meter" }));
  expect(await screen.findByText("House")).toBeInTheDocument();
  expect(screen.getByText("Meter added.")).toBeInTheDocument();
});

test("a page that goes away cancels its request", async () => {
  server.use(http.get(`${API}/api/meters`, () => new Promise<Response>(() => {})));
  const get = jest.spyOn(client, "GET");
  const { unmount } = renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Loading meters…")).toBeInTheDocument();
  await waitFor(() =>
    expect(get).toHaveBeenCalledWith("/api/meters", { query: { household_id: 1 }, signal: expect.any(AbortSignal), silent: true }),
  );
  const { signal } = get.mock.calls.find(([path]) => path === "/api/meters")![1] as { signal: AbortSignal };
  expect(signal.aborted).toBe(false);

  unmount();
  await waitFor(() => expect(signal.aborted).toBe(true));
  get.mockRestore();
});
