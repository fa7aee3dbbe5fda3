import type { Metadata } from "next";
import Link from "next/link";

import { ThemeSetting } from "@/components/theme-setting";
import { SharedDashboard } from "@/features/households/components/shared-dashboard";

export const metadata: Metadata = { title: "Shared dashboard", referrer: "no-referrer", robots: { index: false, follow: false } };

/** Public: no sign-in, the token in the path is the only key. */
export default async function Page({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-2">
          <Link href="/login" className="font-semibold text-indigo-600 dark:text-indigo-400">
            Meterbook
          </Link>
          <div className="ml-auto">
            <ThemeSetting />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6">
        <SharedDashboard token={token} />
      </main>
    </>
  );
}
