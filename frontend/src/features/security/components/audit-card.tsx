"use client";

import { useQuery } from "@tanstack/react-query";

import { Pagination } from "@/components/ui/pagination";
import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { auditQuery } from "@/features/security/api/security";
import { deviceInWords, entryInWords, formatMoment } from "@/features/security/utils/audit";
import { useSearchState } from "@/lib/url-state";

/** The page of the log in the URL (`?page=2`), so a reload shows the same entries. */
function pageOf(params: URLSearchParams): number {
  const page = Number(params.get("page"));
  return Number.isInteger(page) && page > 1 ? page : 1;
}

/** What happened to the account, newest first (kept 365 days). */
export function AuditCard() {
  const [params, setParams] = useSearchState();
  const page = pageOf(params);
  const audit = useQuery(auditQuery(page));
  const setPage = (next: number) => {
    const query = new URLSearchParams(params);
    if (next > 1) query.set("page", String(next));
    else query.delete("page");
    setParams(query);
  };

  return (
    <Card title="Activity">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Sign-ins, password and two-factor changes, tokens and household changes of the last 365 days. Something you do not recognise? Change
        your password and revoke your tokens.
      </p>
      {audit.error && !audit.data ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : !audit.data ? (
        <Spinner label="Loading the activity" />
      ) : audit.data.total === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <>
          <div
            className={`overflow-x-auto ${audit.isPlaceholderData ? "opacity-60" : ""}`}
            aria-busy={audit.isFetching || undefined}
            // Scrolls sideways on a phone: reachable by keyboard.
            tabIndex={0}
            role="region"
            aria-label="Activity, scrolls sideways"
          >
            <table className="w-full text-left text-sm" data-testid="audit">
              <thead className="text-xs text-slate-600 uppercase dark:text-slate-300">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    When
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Event
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Address
                  </th>
                  <th scope="col" className="py-2">
                    Device
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {audit.data.items.map((entry) => (
                  <tr key={entry.id} className="align-top">
                    <td className="py-2 pr-3 whitespace-nowrap">
                      <time dateTime={entry.at}>{formatMoment(entry.at)}</time>
                    </td>
                    <td className="py-2 pr-3">{entryInWords(entry.event, entry.details)}</td>
                    <td className="py-2 pr-3 font-mono text-xs">{entry.ip ?? "—"}</td>
                    <td className="py-2" title={entry.user_agent ?? undefined}>
                      {deviceInWords(entry.user_agent)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={audit.data.page} pages={audit.data.pages} total={audit.data.total} onPage={setPage} />
        </>
      )}
    </Card>
  );
}
