import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { HouseholdDetail } from "@/features/households/components/household-detail";
import { WebhooksCard } from "@/features/webhooks/components/webhooks-card";

export const metadata: Metadata = { title: "Household" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[1-9]\d{0,17}$/.test(id)) notFound();
  return <HouseholdDetail id={Number(id)} ownerCards={<WebhooksCard householdId={Number(id)} />} />;
}
