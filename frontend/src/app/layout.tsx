import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";

import { Providers } from "@/components/providers";
import { serverEnv } from "@/config/env";
import { themeScript } from "@/lib/theme-script";

import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Meterbook", template: "%s · Meterbook" },
  description: "Track what you meter: electricity, water, gas and more.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The API and WebSocket URLs are read per request, so one build serves any deployment.
  await connection();
  const runtimeEnv = `window.__MB_ENV__=${JSON.stringify(serverEnv()).replace(/</g, "\\u003c")};`;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: runtimeEnv + themeScript }} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
