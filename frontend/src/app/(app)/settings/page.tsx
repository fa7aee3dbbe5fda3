import type { Metadata } from "next";
import Link from "next/link";

import { Card } from "@/components/ui/states";
import { SettingsPage } from "@/features/settings/components/settings-page";

export const metadata: Metadata = { title: "Settings" };

export default function Page() {
  return (
    <div className="space-y-4">
      <SettingsPage />
      <Card title="Security">
        <p className="text-sm text-slate-700 dark:text-slate-200">
          Two-factor sign-in, access tokens for scripts, and the activity of your account.{" "}
          <Link className="text-indigo-700 underline dark:text-indigo-300" href="/settings/security">
            Security settings
          </Link>
        </p>
      </Card>
    </div>
  );
}
