import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { z } from "zod";

import { ApiError } from "@/lib/api-client";

/**
 * Put the API's field errors onto the form's fields. Returns a message for the form as a whole
 * when the error names no field the form has. Forms that show this message send their request
 * with ``silent: true`` so that no toast repeats it.
 */
export function applyApiErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly string[],
): string | undefined {
  if (!(error instanceof ApiError)) return "Something went wrong.";
  let placed = false;
  for (const [field, message] of Object.entries(error.fieldErrors)) {
    if (fields.includes(field)) {
      setError(field as Path<T>, { type: "server", message });
      placed = true;
    }
  }
  return placed ? undefined : error.message;
}

// Rules shared with the API (app/api/common.py, app/api/auth/schemas.py).
export const MAX_AMOUNT = 1_000_000_000;

function places(value: string): number {
  const [, decimals = ""] = value.split(/[.,]/);
  return decimals.length;
}

/** The number a decimal field holds: a decimal comma ("12,5") reads as a point. */
export function decimalNumber(value: string): number {
  return Number(value.trim().replace(",", "."));
}

/** A decimal typed into a text field: ≥ 0, < 10^9, at most ``digits`` decimal places; ".5" is 0.5, "12,5" is 12.5. */
export function decimalString(digits: number, label: string) {
  return (
    z
      .string()
      .trim()
      .min(1, `${label} is required`)
      // ".5" and "5." are read as 0.5 and 5, as the API reads the JSON numbers they become.
      .regex(/^(\d+[.,]?\d*|[.,]\d+)$/, `${label} must be a number of 0 or more, such as 12.5`)
      .refine((value) => places(value) <= digits, `${label} must have at most ${digits} decimal places`)
      .refine((value) => decimalNumber(value) < MAX_AMOUNT, `${label} must be less than 1,000,000,000`)
  );
}

export const passwordSchema = z
  .string()
  .min(8, "Password must be at least 8 characters")
  .max(128, "Password must be at most 128 characters");

/** The API refuses a password equal to the account's e-mail address (case and spaces aside). */
export function notTheEmail(password: string, email: string): boolean {
  return password.trim().toLowerCase() !== email.trim().toLowerCase();
}

export const emailSchema = z
  .string()
  .trim()
  .min(1, "E-mail is required")
  .max(254, "E-mail is too long")
  .pipe(z.email("Enter a valid e-mail address"));

// Worded like the date picker, which shows day, month and year in the reader's order.
export const isoDate = z
  .string()
  .min(1, "Enter a date")
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a complete date: day, month and year")
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= "1900-01-01" && value <= "2999-12-31";
  }, "Enter a real date between 1900 and 2999");
