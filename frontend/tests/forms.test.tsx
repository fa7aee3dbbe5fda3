import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import MockAdapter from "axios-mock-adapter";

import { RegisterForm } from "@/features/auth/components/register-form";
import type { Meter } from "@/features/meters/api/meters";
import { MeterForm } from "@/features/meters/components/meters-page";
import type { RecordInput } from "@/features/records/api/records";
import { RecordForm } from "@/features/records/components/record-form";
import { ProfileForm } from "@/features/settings/components/settings-page";
import { ToastProvider } from "@/components/ui/toast";
import { api, ApiError } from "@/lib/api-client";
import type { User } from "@/lib/auth";

const meters: Meter[] = [
  { id: 1, name: "Electricity", type: "electricity", unit: "kWh", archived: false, created_at: "2026-01-01T00:00:00+00:00", updated_at: "2026-01-01T00:00:00+00:00" },
  { id: 2, name: "Water", type: "water", unit: "m3", archived: false, created_at: "2026-01-01T00:00:00+00:00", updated_at: "2026-01-01T00:00:00+00:00" },
  { id: 3, name: "Old gas", type: "gas", unit: "m3", archived: true, created_at: "2026-01-01T00:00:00+00:00", updated_at: "2026-01-01T00:00:00+00:00" },
];

const user: User = {
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

let mock: MockAdapter;
beforeEach(() => {
  mock = new MockAdapter(api);
});
afterEach(() => mock.restore());

describe("record form", () => {
  test("shows the API's rules as validation messages and sends nothing", async () => {
    const onSubmit = jest.fn();
    render(<RecordForm meters={meters} onSubmit={onSubmit} onCancel={() => {}} />);
    const person = userEvent.setup();

    expect(screen.getByRole("option", { name: "Electricity (kWh)" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "Old gas (m3)" })).not.toBeInTheDocument();

    await person.clear(screen.getByLabelText("Date"));
    await person.type(screen.getByLabelText("Amount"), "1.2345");
    await person.type(screen.getByLabelText("Cost (optional)"), "3.456");
    await person.click(screen.getByLabelText("Note (optional)"));
    await person.paste("x".repeat(501));
    await person.click(screen.getByRole("button", { name: "Add record" }));

    expect(await screen.findByText("Amount must have at most 3 decimal places")).toBeInTheDocument();
    expect(screen.getByText("Cost must have at most 2 decimal places")).toBeInTheDocument();
    expect(screen.getByText("Note must be at most 500 characters")).toBeInTheDocument();
    expect(screen.getByText("Use the form YYYY-MM-DD")).toBeInTheDocument();
    expect(screen.getByLabelText("Amount")).toHaveAttribute("aria-invalid", "true");
    expect(onSubmit).not.toHaveBeenCalled();

    await person.clear(screen.getByLabelText("Amount"));
    await person.type(screen.getByLabelText("Amount"), "-1");
    await person.click(screen.getByRole("button", { name: "Add record" }));
    expect(await screen.findByText("Amount must be a number of 0 or more")).toBeInTheDocument();

    await person.clear(screen.getByLabelText("Amount"));
    await person.type(screen.getByLabelText("Amount"), "1000000000");
    await person.click(screen.getByRole("button", { name: "Add record" }));
    expect(await screen.findByText("Amount must be less than 1,000,000,000")).toBeInTheDocument();
  });

  test("submits string values and puts API field errors on the fields", async () => {
    const onSubmit = jest.fn<Promise<unknown>, [RecordInput]>().mockRejectedValueOnce(
      new ApiError(422, "validation_error", "The request is not valid.", [{ loc: ["body", "meter_id"], msg: "Meter not found", type: "not_found" }]),
    );
    render(<RecordForm meters={meters} onSubmit={onSubmit} onCancel={() => {}} />);
    const person = userEvent.setup();
    await person.selectOptions(screen.getByLabelText("Meter"), "2");
    await person.clear(screen.getByLabelText("Date"));
    await person.type(screen.getByLabelText("Date"), "2026-03-04");
    await person.type(screen.getByLabelText("Amount"), "12.345");
    await person.type(screen.getByLabelText("Cost (optional)"), "4.5");
    await person.click(screen.getByRole("button", { name: "Add record" }));

    expect(await screen.findByText("Meter not found")).toBeInTheDocument();
    expect(screen.getByLabelText("Meter")).toHaveAttribute("aria-invalid", "true");
    expect(onSubmit).toHaveBeenCalledWith({ meter_id: "2", date: "2026-03-04", amount: "12.345", cost: "4.5", note: "" });
  });
});

describe("register form", () => {
  test("checks the password rules before sending", async () => {
    render(<RegisterForm />);
    const person = userEvent.setup();
    await person.type(screen.getByLabelText("Name"), "Ada");
    await person.type(screen.getByLabelText("E-mail"), "not-an-email");
    await person.type(screen.getByLabelText("Password"), "short");
    await person.type(screen.getByLabelText("Confirm password"), "other");
    await person.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Enter a valid e-mail address")).toBeInTheDocument();
    expect(screen.getByText("Password must be at least 8 characters")).toBeInTheDocument();
    expect(screen.getByText("The passwords do not match")).toBeInTheDocument();
    expect(mock.history.post).toHaveLength(0);
  });

  test("shows the API's field error on the e-mail field and the conflict message", async () => {
    mock.onPost("/api/auth/register").replyOnce(422, {
      error: { code: "validation_error", message: "The request is not valid.", details: [{ loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error" }] },
    });
    mock.onPost("/api/auth/register").replyOnce(409, { error: { code: "conflict", message: "An account with this e-mail already exists." } });
    render(
      <ToastProvider>
        <RegisterForm />
      </ToastProvider>,
    );
    const person = userEvent.setup();
    await person.type(screen.getByLabelText("Name"), "Ada");
    await person.type(screen.getByLabelText("E-mail"), "ada@example.com");
    await person.type(screen.getByLabelText("Password"), "correct horse");
    await person.type(screen.getByLabelText("Confirm password"), "correct horse");
    await person.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("value is not a valid email address")).toBeInTheDocument();
    expect(JSON.parse(mock.history.post[0]!.data)).toEqual({ name: "Ada", email: "ada@example.com", password: "correct horse" });

    await person.click(screen.getByRole("button", { name: "Create account" }));
    const messages = await screen.findAllByText("An account with this e-mail already exists.");
    // once on the form, once in the toast
    expect(messages).toHaveLength(2);
  });
});

describe("meter form", () => {
  test("offers the units of the chosen type", async () => {
    const person = userEvent.setup();
    render(<MeterForm onSaved={() => {}} onCancel={() => {}} />);
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual(["Electricity", "Water", "Gas", "Other", "kWh", "Wh", "MWh"]);
    await person.selectOptions(screen.getByLabelText("Type"), "gas");
    expect(screen.getByLabelText("Unit")).toHaveValue("m3");
    expect(screen.getAllByRole("option").slice(4).map((option) => option.textContent)).toEqual(["m3", "ft3"]);
    await person.selectOptions(screen.getByLabelText("Type"), "other");
    expect(screen.getByLabelText("Unit")).toHaveValue("");
  });

  test("sends the meter and shows a name conflict on the form", async () => {
    mock.onPost("/api/meters").replyOnce(409, { error: { code: "conflict", message: "You already have a meter with this name." } });
    const person = userEvent.setup();
    render(<MeterForm onSaved={() => {}} onCancel={() => {}} />);
    await person.type(screen.getByLabelText("Name"), "Garage");
    await person.click(screen.getByRole("button", { name: "Add meter" }));
    expect(await screen.findByText("You already have a meter with this name.")).toBeInTheDocument();
    expect(JSON.parse(mock.history.post[0]!.data)).toEqual({ name: "Garage", type: "electricity", unit: "kWh" });
  });
});

describe("profile form", () => {
  test("maps nested preference errors onto the fields", async () => {
    mock.onPatch("/api/auth/me").replyOnce(422, {
      error: {
        code: "validation_error",
        message: "The request is not valid.",
        details: [{ loc: ["body", "preferences", "timezone"], msg: "Value error, must be an IANA time zone such as UTC or Europe/Berlin", type: "value_error" }],
      },
    });
    const onSaved = jest.fn();
    const person = userEvent.setup();
    render(
      <ToastProvider>
        <ProfileForm user={user} onSaved={onSaved} />
      </ToastProvider>,
    );
    await person.click(screen.getByRole("button", { name: "Save profile" }));
    await waitFor(() => expect(screen.getByLabelText("Time zone")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getAllByText("must be an IANA time zone such as UTC or Europe/Berlin")).toHaveLength(1);
    expect(JSON.parse(mock.history.patch[0]!.data)).toEqual({ name: "Ada", preferences: { currency: "USD", timezone: "UTC" } });
    expect(onSaved).not.toHaveBeenCalled();
  });
});
