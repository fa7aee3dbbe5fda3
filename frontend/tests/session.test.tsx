import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { AppShell } from "@/components/app-shell";
import { LoginForm } from "@/features/auth/components/login-form";
import { MetersPage } from "@/features/meters/components/meters-page";
import { apiClient } from "@/lib/api-client";

import { API, error, server, USER } from "./support/api";
import { renderSignedIn } from "./support/render";

const replace = jest.fn();
let search = new URLSearchParams();
jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push: jest.fn() }),
  usePathname: () => "/meters",
  useSearchParams: () => search,
}));

class QuietSocket {
  close() {}
  send() {}
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  replace.mockReset();
  search = new URLSearchParams();
  globalThis.WebSocket = QuietSocket as unknown as typeof WebSocket;
});
afterEach(() => {
  server.resetHandlers();
  apiClient.setToken(null);
});
afterAll(() => server.close());

test("a deactivated account's session ends on the login page with the reason", async () => {
  let refreshes = 0;
  server.use(
    http.post(`${API}/api/auth/refresh`, () => {
      refreshes += 1;
      return refreshes === 1
        ? HttpResponse.json({ access_token: "tok", refresh_token: "r", token_type: "Bearer", expires_in: 900, user: USER })
        : error(401, "unauthorized", "The account no longer exists or has been deactivated.");
    }),
    http.get(`${API}/api/meters`, () => error(401, "unauthorized", "The account no longer exists or has been deactivated.")),
  );
  renderSignedIn(
    <AppShell>
      <MetersPage />
    </AppShell>,
  );
  await waitFor(() => expect(replace).toHaveBeenCalledWith("/login?next=%2Fmeters&reason=deactivated"));
  expect(refreshes).toBe(2);
});

test("the login page says why the session ended", () => {
  search = new URLSearchParams("next=%2Fmeters&reason=deactivated");
  renderSignedIn(<LoginForm />);
  expect(screen.getByTestId("session-ended")).toHaveTextContent(
    "Your account has been deactivated. Contact an administrator if you think this is a mistake.",
  );
});

test("an unknown reason says nothing", () => {
  search = new URLSearchParams("reason=<script>");
  renderSignedIn(<LoginForm />);
  expect(screen.queryByTestId("session-ended")).not.toBeInTheDocument();
});

test("signing in to a deactivated account shows the API's answer once (no toast)", async () => {
  server.use(
    http.post(`${API}/api/auth/refresh`, () => error(401, "unauthorized", "Authentication is required.")),
    http.post(`${API}/api/auth/login`, () => error(403, "forbidden", "This account has been deactivated.")),
  );
  renderSignedIn(<LoginForm />);
  const person = userEvent.setup();
  await person.type(screen.getByLabelText("E-mail"), "ada@example.com");
  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.click(screen.getByRole("button", { name: "Sign in" }));

  expect(await screen.findByText("This account has been deactivated.")).toBeInTheDocument();
  expect(screen.getAllByText("This account has been deactivated.")).toHaveLength(1);
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
});
