"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { NotificationBell } from "@/features/notifications/components/notification-bell";
import { ErrorState, Spinner } from "@/components/ui/states";
import { OfflineSync, PendingEntries } from "@/features/offline";
import { ApiError } from "@/lib/api-client";
import { useAuth } from "@/lib/auth";
import { HouseholdProvider, useHousehold } from "@/lib/household";
import { LiveProvider, useLiveStatus } from "@/lib/live";

import { ThemeSetting } from "./theme-setting";

const LINKS = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/records", label: "Records" },
  { href: "/readings", label: "Readings" },
  { href: "/meters", label: "Meters" },
  { href: "/bills", label: "Bills" },
  { href: "/budgets", label: "Budgets" },
  { href: "/households", label: "Households" },
  { href: "/settings", label: "Settings" },
];

function LiveIndicator() {
  const status = useLiveStatus();
  const text = { live: "Live", connecting: "Connecting", offline: "Offline" }[status];
  const dot = { live: "bg-emerald-500", connecting: "bg-amber-400 animate-pulse", offline: "bg-slate-400" }[status];
  return (
    <span
      data-testid="live-indicator"
      data-status={status}
      className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300"
      title={`Live updates: ${text}`}
    >
      <span className={`h-2 w-2 rounded-full ${dot}`} aria-hidden />
      {text}
    </span>
  );
}

const ROLE_LABELS = { owner: "Owner", editor: "Editor", viewer: "Viewer" } as const;

/** Which household every page shows; the choice is remembered (its id only). */
function HouseholdSwitcher({ className = "" }: { className?: string }) {
  const { households, current, select } = useHousehold();
  if (!current) return null;
  return (
    <label className={`items-center gap-1 text-sm ${className}`}>
      <span className="sr-only">Household</span>
      <select
        data-testid="household-switcher"
        value={current.id}
        onChange={(event) => select(Number(event.target.value))}
        className="max-w-[11rem] truncate rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-800"
      >
        {households.map((household) => (
          <option key={household.id} value={household.id}>
            {household.name}
          </option>
        ))}
      </select>
      <span className="hidden text-xs text-slate-500 sm:inline dark:text-slate-400" data-testid="household-role">
        {ROLE_LABELS[current.role]}
      </span>
    </label>
  );
}

/** The signed-in frame: redirects to /login?next=… without a session, runs the live connection. */
export function AppShell({ children }: { children: ReactNode }) {
  const { status, user, ended, logout, restore } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  const leaving = useRef(false);

  useEffect(() => {
    if (status === "anonymous" && !leaving.current) {
      const here = pathname + window.location.search;
      router.replace(`/login?next=${encodeURIComponent(here)}${ended ? `&reason=${ended}` : ""}`);
    }
  }, [status, ended, pathname, router]);

  useEffect(() => setMenuOpen(false), [pathname]);

  // Opened offline: the session is restored as soon as the connection returns.
  useEffect(() => {
    if (status !== "unreachable") return;
    window.addEventListener("online", restore);
    return () => window.removeEventListener("online", restore);
  }, [status, restore]);

  if (status === "unreachable") {
    return (
      <main className="mx-auto max-w-5xl px-4 py-8">
        <ErrorState
          error={new ApiError(0, "network_error", "Cannot reach the server. You are still signed in; try again when it is back.")}
          onRetry={restore}
        />
        <div className="mt-4">
          <PendingEntries kind={null} title="Saved on this device" />
        </div>
      </main>
    );
  }

  if (status !== "authenticated" || !user) {
    return (
      <main className="mx-auto max-w-5xl px-4">
        <Spinner label="Loading your session" />
      </main>
    );
  }

  const links = user.role === "admin" ? [...LINKS, { href: "/admin/users", label: "Users" }] : LINKS;
  const onLogout = async () => {
    leaving.current = true;
    await logout();
    router.replace("/login");
  };

  return (
    <LiveProvider>
      <OfflineSync />
      <HouseholdProvider
        loading={
          <main className="mx-auto max-w-5xl px-4">
            <Spinner label="Loading your households" />
          </main>
        }
        failed={(retry, error) => (
          <main className="mx-auto max-w-5xl px-4 py-8">
            <ErrorState error={error} onRetry={retry} />
          </main>
        )}
      >
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-2">
            <Link href="/dashboard" className="font-semibold text-indigo-600 dark:text-indigo-400">
              Meterbook
            </Link>
            <nav aria-label="Main" className="hidden gap-1 lg:flex">
              {links.map((link) => (
                <Link
                  key={link.href}
                  href={link.href}
                  aria-current={pathname.startsWith(link.href) ? "page" : undefined}
                  className="rounded-md px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-slate-100 aria-[current=page]:font-medium dark:text-slate-200 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-800"
                >
                  {link.label}
                </Link>
              ))}
            </nav>
            <div className="ml-auto flex items-center gap-1">
              {/* Under 640 px the switcher moves into the menu, and the links under 1024 px: the header has no room for them. */}
              <HouseholdSwitcher className="hidden sm:flex" />
              <LiveIndicator />
              <NotificationBell />
              <ThemeSetting />
              <span className="hidden max-w-[12rem] truncate text-sm text-slate-600 xl:inline dark:text-slate-300" title={user.name}>
                {user.name}
              </span>
              <div className="hidden lg:block">
                <Button variant="secondary" onClick={onLogout}>
                  Log out
                </Button>
              </div>
              <div className="lg:hidden">
                <Button
                  variant="ghost"
                  aria-expanded={menuOpen}
                  aria-controls="mobile-nav"
                  aria-label="Menu"
                  onClick={() => setMenuOpen((open) => !open)}
                >
                  ☰
                </Button>
              </div>
            </div>
          </div>
          {menuOpen && (
            <nav id="mobile-nav" aria-label="Main" className="border-t border-slate-200 px-4 py-2 lg:hidden dark:border-slate-800">
              <HouseholdSwitcher className="flex px-3 py-2 sm:hidden" />
              {links.map((link) => (
                <Link
                  key={link.href}
                  href={link.href}
                  className="block rounded-md px-3 py-2 text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
                >
                  {link.label}
                </Link>
              ))}
              <button
                type="button"
                className="block w-full rounded-md px-3 py-2 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
                onClick={onLogout}
              >
                Log out
              </button>
            </nav>
          )}
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      </HouseholdProvider>
    </LiveProvider>
  );
}

/** The frame of the signed-out pages (sign-in, registration, e-mail links). */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-10">
      <div className="mb-6 flex items-center justify-between">
        <Link href="/login" className="text-lg font-semibold text-indigo-600 dark:text-indigo-400">
          Meterbook
        </Link>
        <ThemeSetting />
      </div>
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-700 dark:bg-slate-900">
        <h1 className="mb-4 text-xl font-semibold">{title}</h1>
        {children}
      </div>
    </main>
  );
}
