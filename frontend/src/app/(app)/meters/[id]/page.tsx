import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { MeterDetail } from "@/features/tariffs/components/meter-detail";

export const metadata: Metadata = { title: "Meter" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[1-9]\d{0,17}$/.test(id)) notFound();
  return <MeterDetail id={Number(id)} />;
}
