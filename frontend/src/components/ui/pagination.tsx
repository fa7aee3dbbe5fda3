import { Button } from "./button";

/** The page numbers shown: the first, the last, and two either side of the current page; null is a gap. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const shown = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((value) => value >= 1 && value <= pages));
  const sorted = [...shown].sort((a, b) => a - b);
  const result: (number | null)[] = [];
  sorted.forEach((value, index) => {
    const before = sorted[index - 1];
    if (before !== undefined && value - before > 1) result.push(null);
    result.push(value);
  });
  return result;
}

export function Pagination({ page, pages, total, onPage }: { page: number; pages: number; total: number; onPage(page: number): void }) {
  const last = Math.max(pages, 1);
  const current = Math.min(page, last);
  const tight = "min-w-11 px-2 sm:min-w-9";
  return (
    <nav
      aria-label="Pagination"
      className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600 dark:text-slate-300"
    >
      <span>
        {total.toLocaleString()} {total === 1 ? "item" : "items"} · page {current} of {last}
      </span>
      {last > 1 && (
        <div className="flex flex-wrap items-center gap-1">
          <Button variant="secondary" className={tight} aria-label="First page" disabled={current <= 1} onClick={() => onPage(1)}>
            <span aria-hidden>«</span>
          </Button>
          <Button
            variant="secondary"
            className={tight}
            aria-label="Previous page"
            disabled={current <= 1}
            onClick={() => onPage(current - 1)}
          >
            <span aria-hidden>‹</span>
          </Button>
          {pageWindow(current, last).map((value, index) =>
            value === null ? (
              <span key={`gap-${index}`} aria-hidden className="px-1">
                …
              </span>
            ) : (
              <Button
                key={value}
                variant={value === current ? "primary" : "secondary"}
                className={tight}
                aria-label={`Page ${value}`}
                aria-current={value === current ? "page" : undefined}
                onClick={() => value !== current && onPage(value)}
              >
                {value}
              </Button>
            ),
          )}
          <Button
            variant="secondary"
            className={tight}
            aria-label="Next page"
            disabled={current >= last}
            onClick={() => onPage(current + 1)}
          >
            <span aria-hidden>›</span>
          </Button>
          <Button variant="secondary" className={tight} aria-label="Last page" disabled={current >= last} onClick={() => onPage(last)}>
            <span aria-hidden>»</span>
          </Button>
        </div>
      )}
    </nav>
  );
}
