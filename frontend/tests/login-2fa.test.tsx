import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { LoginForm } from "@/features/auth/components/login-form";
import { apiClient } from "@/lib/api-client";

import { API, error, server, USER } from "./support/api";
import { renderSignedIn } from "./support/render";

const replace = jest.fn();
let search = new URLSearchParams();
jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push: jest.fn() }),
  usePathname: () => "/login",
  useSearchParams: () => search,
}));

const WRONG = "The code is incorrect or was already used.";
const GONE = "This sign-in step has expired or was already completed; sign in again.";
const SESSION = { access_token: "access-2", refresh_token: "r", token_type: "Bearer", expires_in: 900, user: USER };

let logins = 0;
let secondSteps: unknown[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  replace.mockReset();
  search = new URLSearchParams("next=%2Fmeters");
  logins = 0;
  secondSteps = [];
  server.use(
    // No session to restore: the visitor is on the login page.
    http.post(`${API}/api/auth/refresh`, () => error(401, "unauthorized", "Authentication is required.")),
    http.post(`${API}/api/auth/login`, () => {
      logins += 1;
      return HttpResponse.json({ mfa_required: true, mfa_token: `mfa-${logins}`, expires_in: 300 });
    }),
  );
});
afterEach(() => {
  server.resetHandlers();
  apiClient.setToken(null);
});
afterAll(() => server.close());

/** The second step's endpoint: ``answer`` decides per request (after recording the body). */
function secondStep(answer: (body: Record<string, string>) => Response) {
  server.use(
    http.post(`${API}/api/auth/login/2fa`, async ({ request }) => {
      const body = (await request.json()) as Record<string, string>;
      secondSteps.push(body);
      return answer(body);
    }),
  );
}

async function signInWithPassword(person: ReturnType<typeof userEvent.setup>) {
  await person.type(screen.getByLabelText("E-mail"), "ada@example.com");
  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.click(screen.getByRole("button", { name: "Sign in" }));
  return screen.findByLabelText("6-digit code");
}

test("a password that needs a code asks for it; a wrong code shows once under the field, the right one signs in", async () => {
  secondStep((body) => (body.code === "123456" ? HttpResponse.json(SESSION) : error(401, "unauthorized", WRONG)));
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);

  const code = await signInWithPassword(person);
  expect(code).toHaveAttribute("inputmode", "numeric");
  expect(code).toHaveAttribute("autocomplete", "one-time-code");
  expect(screen.queryByLabelText("Password")).not.toBeInTheDocument();
  expect(apiClient.getToken()).toBeNull();
  expect(replace).not.toHaveBeenCalled();

  await person.type(code, "12345");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  expect(await screen.findByText("Enter the 6-digit code from your app")).toBeInTheDocument();
  expect(secondSteps).toEqual([]);

  await person.clear(code);
  await person.type(code, "999 999");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  expect(await screen.findByText(WRONG)).toBeInTheDocument();
  expect(screen.getAllByText(WRONG)).toHaveLength(1);
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();

  await person.clear(screen.getByLabelText("6-digit code"));
  await person.type(screen.getByLabelText("6-digit code"), "123456");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  await waitFor(() => expect(replace).toHaveBeenCalledWith("/meters"));
  expect(secondSteps).toEqual([
    { mfa_token: "mfa-1", code: "999999" },
    { mfa_token: "mfa-1", code: "123456" },
  ]);
  expect(apiClient.getToken()).toBe("access-2");
});

test("the link switches to a recovery code, which is sent as recovery_code", async () => {
  secondStep((body) => (body.recovery_code === "abcde-fghjk" ? HttpResponse.json(SESSION) : error(401, "unauthorized", WRONG)));
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);
  await signInWithPassword(person);

  await person.click(screen.getByRole("button", { name: "Use a recovery code instead" }));
  expect(screen.queryByLabelText("6-digit code")).not.toBeInTheDocument();
  await person.click(screen.getByRole("button", { name: "Verify" }));
  expect(await screen.findByText("Enter a recovery code")).toBeInTheDocument();

  await person.type(screen.getByLabelText("Recovery code"), "  abcde-fghjk ");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  await waitFor(() => expect(replace).toHaveBeenCalledWith("/meters"));
  expect(secondSteps).toEqual([{ mfa_token: "mfa-1", recovery_code: "abcde-fghjk" }]);
  expect(apiClient.getToken()).toBe("access-2");
});

test("the link back from a recovery code shows the code field again; Start again returns to the password", async () => {
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);
  await signInWithPassword(person);
  await person.click(screen.getByRole("button", { name: "Use a recovery code instead" }));
  await person.click(screen.getByRole("button", { name: "Use a code from the app instead" }));
  expect(screen.getByLabelText("6-digit code")).toBeInTheDocument();
  expect(screen.queryByLabelText("Recovery code")).not.toBeInTheDocument();

  await person.click(screen.getByRole("button", { name: "Start again" }));
  expect(screen.getByLabelText("E-mail")).toHaveValue("ada@example.com");
  expect(screen.getByLabelText("Password")).toHaveValue("");
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  expect(secondSteps).toEqual([]);
});

test("an expired sign-in step goes back to the password once, with the e-mail kept; signing in again gets a new step", async () => {
  secondStep((body) => (body.mfa_token === "mfa-1" ? error(401, "unauthorized", GONE) : HttpResponse.json(SESSION)));
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);
  await signInWithPassword(person);

  await person.type(screen.getByLabelText("6-digit code"), "123456");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  expect(await screen.findByText("That sign-in took too long. Enter your password again.")).toBeInTheDocument();
  expect(screen.getAllByText("That sign-in took too long. Enter your password again.")).toHaveLength(1);
  expect(screen.queryByText(GONE)).not.toBeInTheDocument();
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
  expect(screen.getByLabelText("E-mail")).toHaveValue("ada@example.com");
  expect(screen.getByLabelText("Password")).toHaveValue("");

  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.click(screen.getByRole("button", { name: "Sign in" }));
  await person.type(await screen.findByLabelText("6-digit code"), "123456");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  await waitFor(() => expect(replace).toHaveBeenCalledWith("/meters"));
  expect(secondSteps).toEqual([
    { mfa_token: "mfa-1", code: "123456" },
    { mfa_token: "mfa-2", code: "123456" },
  ]);
});

test("a step past its expires_in is not sent: the password is asked again", async () => {
  server.use(http.post(`${API}/api/auth/login`, () => HttpResponse.json({ mfa_required: true, mfa_token: "old", expires_in: 0 })));
  secondStep(() => HttpResponse.json(SESSION));
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);
  await signInWithPassword(person);
  await person.type(screen.getByLabelText("6-digit code"), "123456");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  expect(await screen.findByText("That sign-in took too long. Enter your password again.")).toBeInTheDocument();
  expect(secondSteps).toEqual([]);
});

test("too many wrong codes lock the account: the lock's message shows once, on the password step", async () => {
  const locked = "Too many failed sign-ins. Try again in 15 minutes.";
  secondStep(() => error(423, "account_locked", locked));
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);
  await signInWithPassword(person);
  await person.type(screen.getByLabelText("6-digit code"), "111111");
  await person.click(screen.getByRole("button", { name: "Verify" }));
  expect(await screen.findByText(locked)).toBeInTheDocument();
  expect(screen.getAllByText(locked)).toHaveLength(1);
  expect(screen.getByLabelText("Password")).toBeInTheDocument();
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
});

test("an account without two-factor sign-in signs in with the password alone", async () => {
  server.use(http.post(`${API}/api/auth/login`, () => HttpResponse.json(SESSION)));
  const person = userEvent.setup();
  renderSignedIn(<LoginForm />);
  await person.type(screen.getByLabelText("E-mail"), "ada@example.com");
  await person.type(screen.getByLabelText("Password"), "correct horse");
  await person.click(screen.getByRole("button", { name: "Sign in" }));
  await waitFor(() => expect(replace).toHaveBeenCalledWith("/meters"));
  expect(screen.queryByLabelText("6-digit code")).not.toBeInTheDocument();
  expect(secondSteps).toEqual([]);
});
