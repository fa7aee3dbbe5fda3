import { Button } from "./button";

export function Pagination({ page, pages, total, onPage }: { page: number; pages: number; total: number; onPage(page: number): void }) {
  return (
    <nav
      aria-label="Pagination"
      className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600 dark:text-slate-300"
    >
      <span>
        {total} {total === 1 ? "item" : "items"} · page {Math.min(page, Math.max(pages, 1))} of {Math.max(pages, 1)}
      </span>
      <div className="flex gap-2">
        <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </nav>
  );
}
