"use client";

import { useCallback, useSyncExternalStore } from "react";

/**
 * A page's view state kept in the URL's query string, so a reload or a shared link shows the
 * same view. Changes replace the history entry (Next's router follows `history.replaceState`);
 * the back button still leaves the page. The server render (static export) sees no parameters.
 */
const CHANGE = "meterbook:search";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

const current = () => window.location.search;
const none = () => "";

export function useSearchState(): [URLSearchParams, (next: URLSearchParams) => void] {
  const search = useSyncExternalStore(subscribe, current, none);
  const params = new URLSearchParams(search);
  const set = useCallback((next: URLSearchParams) => {
    const query = next.toString();
    const url = `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`;
    if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
    window.history.replaceState(window.history.state, "", url);
    window.dispatchEvent(new Event(CHANGE));
  }, []);
  return [params, set];
}
