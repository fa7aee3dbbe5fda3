import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import MockAdapter from "axios-mock-adapter";

import { emailOfResetToken } from "@/features/auth/api/auth-requests";
import { ResetPasswordForm } from "@/features/auth/components/reset-password-form";
import { api } from "@/lib/api-client";

import { renderWithProviders as render } from "./support/render";

// A reset token as the API signs it: base64url JSON payload, then timestamp and signature.
const PAYLOAD = Buffer.from(JSON.stringify({ u: 1, f: "0123456789abcdef", e: "ada@example.com" })).toString("base64url");
const TOKEN = `${PAYLOAD}.aBcDeF.c2lnbmF0dXJl`;

let search = new URLSearchParams();
jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace: jest.fn(), push: jest.fn() }),
  useSearchParams: () => search,
}));

let mock: MockAdapter;
beforeEach(() => {
  mock = new MockAdapter(api);
  search = new URLSearchParams({ token: TOKEN });
});
afterEach(() => mock.restore());

test("the reset link's token gives the address it was sent to", () => {
  expect(emailOfResetToken(TOKEN)).toBe("ada@example.com");
  expect(emailOfResetToken(".eJzLSM3JyQcABiwCFQ.aBc.sig")).toBeNull(); // compressed: nothing to read
  expect(emailOfResetToken("not base64!.x.y")).toBeNull();
});

test("refuses the e-mail as the new password before sending", async () => {
  render(<ResetPasswordForm />);
  const person = userEvent.setup();
  await person.type(screen.getByLabelText("New password"), " Ada@Example.com ");
  await person.type(screen.getByLabelText("Confirm new password"), " Ada@Example.com ");
  await person.click(screen.getByRole("button", { name: /password/i }));

  expect(await screen.findByText("Password must not be the e-mail address")).toBeInTheDocument();
  expect(mock.history.post).toHaveLength(0);
});
