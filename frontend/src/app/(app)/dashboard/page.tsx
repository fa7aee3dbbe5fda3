import type { Metadata } from "next";

import { Dashboard } from "@/features/analytics/components/dashboard";
import { BudgetProgressCard } from "@/features/budgets/components/budget-progress-card";

export const metadata: Metadata = { title: "Dashboard" };

export default function Page() {
  return <Dashboard budgets={<BudgetProgressCard />} />;
}
