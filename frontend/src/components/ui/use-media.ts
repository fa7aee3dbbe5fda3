"use client";

import { useSyncExternalStore } from "react";

/** Whether a CSS media query matches (false on the server and where matchMedia is missing). */
export function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia?.(query);
      list?.addEventListener("change", onChange);
      return () => list?.removeEventListener("change", onChange);
    },
    () => window.matchMedia?.(query).matches ?? false,
    () => false,
  );
}

/** A phone-sized screen (below Tailwind's `sm`). */
export const PHONE = "(max-width: 639px)";
