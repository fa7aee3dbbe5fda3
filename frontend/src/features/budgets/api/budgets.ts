import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { ApiError, client, type Schema } from "@/lib/api-client";
import { decimalNumber, decimalString } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// Budgets (PRODUCT.md §12): a limit on a meter or on every meter of a type, per month or billing
// period, in consumption or in money, with thresholds (percentages) that raise alerts.
export type Budget = Schema<"BudgetOut">;
export type BudgetProgress = Budget["progress"];
export type BudgetBody = Schema<"BudgetCreate">;
export type BudgetChanges = Schema<"BudgetUpdate">;

export const DEFAULT_THRESHOLDS = [80, 100];

/** "80, 100" → [80, 100]; a value that is not a whole number stays NaN (the schema refuses it). */
export function parseThresholds(text: string): number[] {
  return text
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
}

export const budgetSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(64, "Name must be at most 64 characters"),
    scope: z.enum(["meter", "type"]),
    meter_id: z.string(),
    type: z.string(),
    period: z.enum(["month", "billing"]),
    limit_kind: z.enum(["amount", "cost"]),
    limit: z.string(),
    thresholds: z.string(),
  })
  .superRefine((input, context) => {
    if (input.scope === "meter" && !/^\d+$/.test(input.meter_id))
      context.addIssue({ code: "custom", path: ["meter_id"], message: "Choose a meter" });
    if (input.scope === "type" && !input.type) context.addIssue({ code: "custom", path: ["type"], message: "Choose a type" });
    const limit = decimalString(input.limit_kind === "cost" ? 2 : 3, "The limit").safeParse(input.limit);
    if (!limit.success) context.addIssue({ code: "custom", path: ["limit"], message: limit.error.issues[0]!.message });
    else if (decimalNumber(input.limit) <= 0)
      context.addIssue({ code: "custom", path: ["limit"], message: "The limit must be more than 0" });
    const thresholds = parseThresholds(input.thresholds);
    if (!thresholds.length) context.addIssue({ code: "custom", path: ["thresholds"], message: "Give at least one threshold" });
    else if (thresholds.length > 10) context.addIssue({ code: "custom", path: ["thresholds"], message: "Give at most 10 thresholds" });
    else if (thresholds.some((value) => !Number.isInteger(value) || value < 1 || value > 500))
      context.addIssue({ code: "custom", path: ["thresholds"], message: "Thresholds are whole percentages from 1 to 500" });
  });
export type BudgetInput = z.infer<typeof budgetSchema>;

export function budgetInput(budget?: Budget): BudgetInput {
  if (!budget)
    return {
      name: "",
      scope: "meter",
      meter_id: "",
      type: "electricity",
      period: "month",
      limit_kind: "amount",
      limit: "",
      thresholds: DEFAULT_THRESHOLDS.join(", "),
    };
  const cost = budget.limit_cost !== null && budget.limit_cost !== undefined;
  return {
    name: budget.name,
    scope: budget.meter_id ? "meter" : "type",
    meter_id: budget.meter_id ? String(budget.meter_id) : "",
    type: budget.type ?? "electricity",
    period: budget.period,
    limit_kind: cost ? "cost" : "amount",
    limit: String(cost ? budget.limit_cost : budget.limit_amount),
    thresholds: budget.thresholds.join(", "),
  };
}

/** Exactly one of meter_id / type and one of limit_amount / limit_cost, as the API asks; the other is null. */
export function budgetBody(input: BudgetInput): BudgetBody {
  const limit = decimalNumber(input.limit);
  return {
    name: input.name.trim(),
    meter_id: input.scope === "meter" ? Number(input.meter_id) : null,
    type: input.scope === "type" ? (input.type as NonNullable<Budget["type"]>) : null,
    period: input.period,
    limit_amount: input.limit_kind === "amount" ? limit : null,
    limit_cost: input.limit_kind === "cost" ? limit : null,
    thresholds: [...new Set(parseThresholds(input.thresholds))].sort((a, b) => a - b),
  };
}

/**
 * What an edit changes, and only that: the API refuses nulls in a PATCH and both fields of a pair,
 * so a new target or limit is sent alone (it replaces the other one of its pair).
 */
export function budgetChanges(budget: Budget, input: BudgetInput): BudgetChanges {
  const body = budgetBody(input);
  const changes: BudgetChanges = {};
  if (body.name !== budget.name) changes.name = body.name;
  if (body.meter_id && body.meter_id !== budget.meter_id) changes.meter_id = body.meter_id;
  if (body.type && body.type !== budget.type) changes.type = body.type;
  if (body.period && body.period !== budget.period) changes.period = body.period;
  if (body.limit_amount && body.limit_amount !== budget.limit_amount) changes.limit_amount = body.limit_amount;
  if (body.limit_cost && body.limit_cost !== budget.limit_cost) changes.limit_cost = body.limit_cost;
  if (body.thresholds && body.thresholds.join() !== budget.thresholds.join()) changes.thresholds = body.thresholds;
  return changes;
}

/** Where the API's 422s go in the form: its body fields are the form's, but for the limit and the thresholds' items. */
export function budgetFieldErrors(error: unknown): { fields: Partial<Record<keyof BudgetInput, string>>; rest?: string } {
  if (!(error instanceof ApiError)) return { fields: {}, rest: "Something went wrong." };
  const fields: Partial<Record<keyof BudgetInput, string>> = {};
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    const field = path.split(".")[0]!;
    const target = (
      {
        name: "name",
        meter_id: "meter_id",
        type: "type",
        period: "period",
        limit_amount: "limit",
        limit_cost: "limit",
        thresholds: "thresholds",
      } as const
    )[field];
    if (target) fields[target] ??= message;
  }
  return Object.keys(fields).length ? { fields } : { fields, rest: error.message };
}

export const budgetKeys = {
  all: queryRoots.budgets,
  list: () => [...queryRoots.budgets, householdKey()] as const,
};

/** The household's budgets with their progress (a household has a handful: one page of the API's largest holds them). */
export const budgetsQuery = () =>
  queryOptions({
    queryKey: budgetKeys.list(),
    queryFn: async ({ signal }) =>
      (await client.GET("/api/budgets", { query: withHousehold({ per_page: 100 }), signal, silent: true })).items,
  });

function useInvalidateBudgets() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryRoots.budgets });
}

/** Adds a budget (no id) or changes one; the form shows the failure (silent). */
export function useSaveBudget() {
  const invalidate = useInvalidateBudgets();
  return useMutation({
    mutationFn: ({ budget, input }: { budget?: Budget; input: BudgetInput }) =>
      budget === undefined
        ? client.POST("/api/budgets", { body: withHousehold(budgetBody(input)), silent: true })
        : client.PATCH("/api/budgets/{budget_id}", { path: { budget_id: budget.id }, body: budgetChanges(budget, input), silent: true }),
    onSuccess: invalidate,
  });
}

export function useDeleteBudget() {
  const invalidate = useInvalidateBudgets();
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/budgets/{budget_id}", { path: { budget_id: id } }),
    onSuccess: invalidate,
  });
}
