import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderOptions } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";

import { ToastProvider } from "@/components/ui/toast";
import { AuthProvider, useAuth } from "@/lib/auth";
import { HouseholdProvider } from "@/lib/household";
import { ThemeProvider } from "@/lib/theme";

/** A fresh cache per test, no retries: a failure shows at once. */
export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } } });
}

/** Render inside the providers every page has (queries, toasts). */
export function renderWithProviders(
  ui: ReactElement,
  { queryClient = testQueryClient(), ...options }: RenderOptions & { queryClient?: QueryClient } = {},
) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
  return { queryClient, ...render(ui, { wrapper, ...options }) };
}

/** A page with a session restored through the (mocked) refresh, as on a page load. */
export function renderSignedIn(ui: ReactElement, options: { queryClient?: QueryClient } = {}) {
  return renderWithProviders(
    <ThemeProvider>
      <AuthProvider>{ui}</AuthProvider>
    </ThemeProvider>,
    options,
  );
}

/** What the app shell does before a page shows: the session restored, then the households loaded. */
function SignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  if (status !== "authenticated") return <p>Loading your session…</p>;
  return (
    <HouseholdProvider loading={<p>Loading your households…</p>} failed={(_retry, error) => <p role="alert">{error.message}</p>}>
      {children}
    </HouseholdProvider>
  );
}

/** A page of the signed-in app, on the current household (the API's `/api/households` answer decides which). */
export function renderInHousehold(ui: ReactElement, options: { queryClient?: QueryClient } = {}) {
  return renderSignedIn(<SignedIn>{ui}</SignedIn>, options);
}
