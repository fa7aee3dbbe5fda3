"use client";

import { useId } from "react";

import { useTheme, type ThemeChoice } from "@/lib/theme";

/** Light, Dark or System (the default: follow the device), labelled, in the header of every page. */
export function ThemeSetting() {
  const { choice, setChoice } = useTheme();
  const id = useId();
  return (
    <span className="inline-flex items-center gap-1.5 text-sm">
      {/* On a phone the label is read, not shown: the header has no room (the choice itself says Light, Dark or System). */}
      <label htmlFor={id} className="sr-only text-slate-600 sm:not-sr-only dark:text-slate-300">
        Theme
      </label>
      <select
        id={id}
        value={choice}
        onChange={(event) => setChoice(event.target.value as ThemeChoice)}
        className="min-h-11 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:min-h-9 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"
      >
        <option value="light">Light</option>
        <option value="dark">Dark</option>
        <option value="system">System</option>
      </select>
    </span>
  );
}
