import type { CSSProperties } from "react";

/** A grey placeholder the size of what is coming (no layout jump when it arrives). */
export function Skeleton({ className = "", style }: { className?: string; style?: CSSProperties }) {
  return (
    <div
      aria-hidden
      className={`animate-pulse rounded-md bg-slate-200 motion-reduce:animate-none dark:bg-slate-700 ${className}`}
      style={style}
    />
  );
}

const WIDTHS = ["92%", "76%", "84%", "64%", "88%", "70%"];

/**
 * What a page or card shows on its first load: lines standing in for its content, and the label
 * for screen readers ("Loading records…").
 */
export function SkeletonBlock({ label = "Loading", lines = 4 }: { label?: string; lines?: number }) {
  return (
    <div role="status" className="space-y-3 py-4" data-testid="skeleton">
      <span className="sr-only">{label}…</span>
      <Skeleton className="h-6 w-1/3" />
      {Array.from({ length: lines }, (_, index) => (
        <Skeleton key={index} className="h-4" style={{ width: WIDTHS[index % WIDTHS.length] }} />
      ))}
    </div>
  );
}
