import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import MockAdapter from "axios-mock-adapter";

import { RegisterForm } from "@/features/auth/components/register-form";
import type { Meter } from "@/lib/meters";
import { MeterForm } from "@/features/meters/components/meters-page";
import { toRecordBody, type RecordInput } from "@/features/records/api/records";
import { RecordForm } from "@/features/records/components/record-form";
import { PasswordForm, ProfileForm } from "@/features/settings/components/settings-page";
import { api, ApiError } from "@/lib/api-client";
import type { User } from "@/lib/auth";

import { renderWithProviders as render } from "./support/render";

const meters: Meter[] = [
  {
    id: 1,
    household_id: 1,
    name: "Electricity",
    type: "electricity",
    unit: "kWh",
    archived: false,
    created_at: "2026-01-01T00:00:00+00:00",
    updated_at: "2026-01-01T00:00:00+00:00",
  },
  {
    id: 2,
    household_id: 1,
    name: "Water",
    type: "water",
    unit: "m3",
    archived: false,
    created_at: "2026-01-01T00:00:00+00:00",
    updated_at: "2026-01-01T00:00:00+00:00",
  },
  {
    id: 3,
    household_id: 1,
    name: "Old gas",
    type: "gas",
    unit: "m3",
    archived: true,
    created_at: "2026-01-01T00:00:00+00:00",
    updated_at: "2026-01-01T00:00:00+00:00",
  },
];

const user: User = {
  id: 1,
  default_household_id: 1,
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
    expect(screen.getByText("Enter a date")).toBeInTheDocument();
    expect(screen.getByLabelText("Amount")).toHaveAttribute("aria-invalid", "true");
    expect(onSubmit).not.toHaveBeenCalled();

    await person.clear(screen.getByLabelText("Amount"));
    await person.type(screen.getByLabelText("Amount"), "-1");
    await person.click(screen.getByRole("button", { name: "Add record" }));
    expect(await screen.findByText("Amount must be a number of 0 or more, such as 12.5")).toBeInTheDocument();

    await person.clear(screen.getByLabelText("Amount"));
    await person.type(screen.getByLabelText("Amount"), "1000000000");
    await person.click(screen.getByRole("button", { name: "Add record" }));
    expect(await screen.findByText("Amount must be less than 1,000,000,000")).toBeInTheDocument();
  });

  test("submits string values and puts API field errors on the fields", async () => {
    const onSubmit = jest
      .fn<Promise<unknown>, [RecordInput]>()
      .mockRejectedValueOnce(
        new ApiError(422, "validation_error", "The request is not valid.", [
          { loc: ["body", "meter_id"], msg: "Meter not found", type: "not_found" },
        ]),
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
    expect(onSubmit).toHaveBeenCalledWith(
      { meter_id: "2", date: "2026-03-04", amount: "12.345", cost: "4.5", note: "" },
      { another: false },
    );
  });

  test('accepts ".5" as 0.5, as the API reads the number it becomes', async () => {
    const onSubmit = jest.fn<Promise<unknown>, [RecordInput]>().mockResolvedValue(undefined);
    render(<RecordForm meters={meters} onSubmit={onSubmit} onCancel={() => {}} />);
    const person = userEvent.setup();
    await person.type(screen.getByLabelText("Amount"), ".5");
    await person.type(screen.getByLabelText("Cost (optional)"), ".25");
    await person.click(screen.getByRole("button", { name: "Add record" }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const values = onSubmit.mock.calls[0]![0];
    expect(toRecordBody(values)).toEqual({ meter_id: 1, date: values.date, amount: 0.5, cost: 0.25, note: null });
  });
});

describe("record form: commas, warnings, the next record", () => {
  test('a decimal comma "12,5" is 12.5, and the unit shows in the amount field', async () => {
    const onSubmit = jest.fn<Promise<unknown>, [RecordInput, { another: boolean }]>().mockResolvedValue(undefined);
    render(<RecordForm meters={meters} onSubmit={onSubmit} onCancel={() => {}} />);
    const person = userEvent.setup();
    expect(screen.getByTestId("field-suffix")).toHaveTextContent("kWh");
    await person.selectOptions(screen.getByLabelText("Meter"), "2");
    expect(screen.getByTestId("field-suffix")).toHaveTextContent("m³");
    await person.type(screen.getByLabelText("Amount"), "12,5");
    await person.type(screen.getByLabelText("Cost (optional)"), "3,25");
    await person.click(screen.getByRole("button", { name: "Add record" }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const values = onSubmit.mock.calls[0]![0];
    expect(toRecordBody(values)).toEqual({ meter_id: 2, date: values.date, amount: 12.5, cost: 3.25, note: null });

    await person.clear(screen.getByLabelText("Amount"));
    await person.type(screen.getByLabelText("Amount"), "1,2345");
    await person.click(screen.getByRole("button", { name: "Add record" }));
    expect(await screen.findByText("Amount must have at most 3 decimal places")).toBeInTheDocument();
  });

  test("a future date and a second record of the meter that day are warned about, and still saved", async () => {
    mock.onGet(/\/api\/records/).reply((config) => {
      const params = config.params as Record<string, unknown>;
      const found = params.meter_id === 1 && params.date_from === "2026-03-04";
      return [
        200,
        {
          items: found
            ? [
                {
                  id: 9,
                  meter_id: 1,
                  meter_name: "Electricity",
                  type: "electricity",
                  unit: "kWh",
                  date: "2026-03-04",
                  amount: 7.5,
                  cost: null,
                  note: null,
                  created_at: "2026-03-04T00:00:00+00:00",
                  updated_at: "2026-03-04T00:00:00+00:00",
                },
              ]
            : [],
          page: 1,
          per_page: 10,
          total: found ? 1 : 0,
          pages: found ? 1 : 0,
        },
      ];
    });
    const onSubmit = jest.fn<Promise<unknown>, [RecordInput, { another: boolean }]>().mockResolvedValue(undefined);
    render(<RecordForm meters={meters} onSubmit={onSubmit} onCancel={() => {}} />);
    const person = userEvent.setup();
    const date = screen.getByLabelText("Date");

    await person.clear(date);
    await person.type(date, "2026-03-04");
    expect(await screen.findByTestId("date-warning")).toHaveTextContent(
      "Electricity already has a record on this day (7.5 kWh): saving adds another.",
    );
    await person.selectOptions(screen.getByLabelText("Meter"), "2");
    await waitFor(() => expect(screen.queryByTestId("date-warning")).not.toBeInTheDocument());

    await person.clear(date);
    await person.type(date, "2999-01-01");
    expect(await screen.findByTestId("date-warning")).toHaveTextContent("This date is in the future.");
    await person.type(screen.getByLabelText("Amount"), "1");
    await person.click(screen.getByRole("button", { name: "Add record" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
  });

  test("Save and add another keeps the meter and day, clears the amount, and says so once", async () => {
    const onSubmit = jest.fn<Promise<unknown>, [RecordInput, { another: boolean }]>().mockResolvedValue(undefined);
    render(<RecordForm meters={meters} onSubmit={onSubmit} onCancel={() => {}} />);
    const person = userEvent.setup();
    await person.selectOptions(screen.getByLabelText("Meter"), "2");
    await person.type(screen.getByLabelText("Amount"), "4,5");
    await person.click(screen.getByRole("button", { name: "Save and add another" }));

    expect(await screen.findByRole("status")).toHaveTextContent("Added 4.5 m³. Add the next one.");
    expect(onSubmit.mock.calls[0]![1]).toEqual({ another: true });
    expect(screen.getByLabelText("Meter")).toHaveValue("2");
    expect(screen.getByLabelText("Amount")).toHaveValue("");
    await waitFor(() => expect(screen.getByLabelText("Amount")).toHaveFocus());
    expect(screen.queryAllByTestId("toast")).toEqual([]);
    expect(screen.getByRole("button", { name: "Done" })).toBeInTheDocument();
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
      error: {
        code: "validation_error",
        message: "The request is not valid.",
        details: [{ loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error" }],
      },
    });
    mock
      .onPost("/api/auth/register")
      .replyOnce(409, { error: { code: "conflict", message: "An account with this e-mail already exists." } });
    render(
      <>
        <RegisterForm />
      </>,
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
    // Under the e-mail field, and only there: no banner, no toast.
    const message = await screen.findByText("An account with this e-mail already exists.");
    expect(screen.getAllByText("An account with this e-mail already exists.")).toHaveLength(1);
    expect(message).toHaveAttribute("id", screen.getByLabelText("E-mail").getAttribute("aria-describedby"));
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
  });

  test("refuses the e-mail as the password before sending", async () => {
    render(<RegisterForm />);
    const person = userEvent.setup();
    await person.type(screen.getByLabelText("Name"), "Ada");
    await person.type(screen.getByLabelText("E-mail"), "ada@example.com");
    await person.type(screen.getByLabelText("Password"), "ADA@example.com");
    await person.type(screen.getByLabelText("Confirm password"), "ADA@example.com");
    await person.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("Password must not be the e-mail address")).toBeInTheDocument();
    expect(mock.history.post).toHaveLength(0);
  });
});

describe("meter form", () => {
  test("offers the units of the chosen type", async () => {
    const person = userEvent.setup();
    render(<MeterForm onSaved={() => {}} onCancel={() => {}} />);
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual([
      "Electricity",
      "Water",
      "Gas",
      "Other",
      "kWh",
      "Wh",
      "MWh",
    ]);
    await person.selectOptions(screen.getByLabelText("Type"), "gas");
    // Shown as m³ and ft³; the API's unit strings stay m3 and ft3.
    expect(screen.getByLabelText("Unit")).toHaveValue("m3");
    expect(
      screen
        .getAllByRole("option")
        .slice(4)
        .map((option) => option.textContent),
    ).toEqual(["m³", "ft³"]);
    await person.selectOptions(screen.getByLabelText("Type"), "other");
    expect(screen.getByLabelText("Unit")).toHaveValue("");
  });

  test("sends the meter, shows a name conflict once under the name, and drops it when the name changes", async () => {
    mock.onPost("/api/meters").replyOnce(409, { error: { code: "conflict", message: "You already have a meter with this name." } });
    const person = userEvent.setup();
    render(<MeterForm onSaved={() => {}} onCancel={() => {}} />);
    await person.type(screen.getByLabelText("Name"), "Garage");
    await person.click(screen.getByRole("button", { name: "Add meter" }));
    expect(await screen.findByText("You already have a meter with this name.")).toBeInTheDocument();
    expect(screen.getAllByText("You already have a meter with this name.")).toHaveLength(1);
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
    expect(JSON.parse(mock.history.post[0]!.data)).toEqual({ name: "Garage", type: "electricity", unit: "kWh" });

    await person.type(screen.getByLabelText("Name"), " 2");
    expect(screen.queryByText("You already have a meter with this name.")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
  });
});

describe("profile form", () => {
  test("maps nested preference errors onto the fields", async () => {
    mock.onPatch("/api/auth/me").replyOnce(422, {
      error: {
        code: "validation_error",
        message: "The request is not valid.",
        details: [
          {
            loc: ["body", "preferences", "timezone"],
            msg: "Value error, must be an IANA time zone such as UTC or Europe/Berlin",
            type: "value_error",
          },
        ],
      },
    });
    const onSaved = jest.fn();
    const person = userEvent.setup();
    render(
      <>
        <ProfileForm user={user} onSaved={onSaved} />
      </>,
    );
    await person.click(screen.getByRole("button", { name: "Save profile" }));
    await waitFor(() => expect(screen.getByLabelText("Time zone")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getAllByText("must be an IANA time zone such as UTC or Europe/Berlin")).toHaveLength(1);
    expect(JSON.parse(mock.history.patch[0]!.data)).toEqual({ name: "Ada", preferences: { currency: "USD", timezone: "UTC" } });
    expect(onSaved).not.toHaveBeenCalled();
  });
});

describe("password form", () => {
  test("refuses the account's e-mail as the new password before sending", async () => {
    render(<PasswordForm email="ada@example.com" />);
    const person = userEvent.setup();
    await person.type(screen.getByLabelText("Current password"), "old password");
    await person.type(screen.getByLabelText("New password"), " Ada@Example.com ");
    await person.type(screen.getByLabelText("Confirm new password"), " Ada@Example.com ");
    await person.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByText("Password must not be the e-mail address")).toBeInTheDocument();
    expect(screen.getByLabelText("New password")).toHaveAttribute("aria-invalid", "true");
    expect(mock.history.post).toHaveLength(0);
  });

  test("shows a wrong current password once, under its field", async () => {
    mock.onPost("/api/auth/me/password").replyOnce(422, {
      error: {
        code: "validation_error",
        message: "The request is invalid.",
        details: [{ loc: ["body", "current_password"], msg: "The password is incorrect.", type: "invalid_password" }],
      },
    });
    render(<PasswordForm email="ada@example.com" />);
    const person = userEvent.setup();
    await person.type(screen.getByLabelText("Current password"), "wrong one");
    await person.type(screen.getByLabelText("New password"), "correct horse");
    await person.type(screen.getByLabelText("Confirm new password"), "correct horse");
    await person.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByText("The password is incorrect.")).toBeInTheDocument();
    expect(screen.getAllByText("The password is incorrect.")).toHaveLength(1);
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
    expect(JSON.parse(mock.history.post[0]!.data)).toEqual({ current_password: "wrong one", password: "correct horse" });
  });
});
