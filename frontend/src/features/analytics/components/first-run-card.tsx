import Link from "next/link";

import { Card } from "@/components/ui/states";
import { useCanWrite } from "@/lib/household";

const STEPS = [
  { href: "/records?new=1", title: "Add your first reading", text: "Pick a meter, the day and the amount." },
  { href: "/records?import=1", title: "Import a CSV", text: "Bring your history from a spreadsheet in one go." },
  { href: "/meters", title: "Review your meters", text: "Rename them, set their units, add the ones you read." },
];

/** What a new account (or household) sees instead of empty charts; a viewer is only told it is empty. */
export function FirstRunCard() {
  const canWrite = useCanWrite();
  if (!canWrite) {
    return (
      <Card title="Nothing recorded yet">
        <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="first-run">
          This household has no readings yet. The dashboard fills in as its editors record them.
        </p>
      </Card>
    );
  }
  return (
    <Card title="Welcome to Meterbook">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Your dashboard fills in as you record readings. Three ways to start:
      </p>
      <ol className="grid grid-cols-1 gap-3 sm:grid-cols-3" data-testid="first-run">
        {STEPS.map((step, index) => (
          <li key={step.href}>
            <Link
              href={step.href}
              className="block h-full rounded-lg border border-slate-200 p-3 hover:border-indigo-400 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800"
            >
              <span className="block font-medium text-indigo-700 dark:text-indigo-300">
                {index + 1}. {step.title}
              </span>
              <span className="mt-1 block text-sm text-slate-600 dark:text-slate-300">{step.text}</span>
            </Link>
          </li>
        ))}
      </ol>
    </Card>
  );
}
