import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { ApiError, client, type Schema } from "@/lib/api-client";
import { currentHouseholdId, householdKey } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// Photos of a meter's register or of a paper bill (PRODUCT.md §14): uploaded on their own, then
// attached to a reading, a record or a bill by sending their ids with it.
export type Attachment = Schema<"AttachmentOut">;

/** The API's limit on an upload; a larger photo is made smaller in the browser first. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** The API's signed links last an hour: metadata older than half of that is fetched again (fresh links). */
const LINK_LIFETIME_MS = 60 * 60 * 1000;

export const attachmentKeys = {
  all: ["attachments"] as const,
  one: (id: number) => ["attachments", householdKey(), id] as const,
};

/** One attachment's metadata and fresh signed links (for an `<img>`, no header needed). */
export const attachmentQuery = (id: number) =>
  queryOptions({
    queryKey: attachmentKeys.one(id),
    queryFn: ({ signal }) => client.GET("/api/attachments/{attachment_id}", { path: { attachment_id: id }, signal, silent: true }),
    staleTime: LINK_LIFETIME_MS / 2,
    gcTime: LINK_LIFETIME_MS / 2,
  });

/** Upload one image to the current household; the form shows a failure itself (silent). */
export function uploadAttachment(file: File, options: { onProgress?(fraction: number): void; signal?: AbortSignal } = {}) {
  const body = new FormData();
  body.append("file", file, file.name);
  const household = currentHouseholdId();
  if (household !== null) body.append("household_id", String(household));
  return client.upload("/api/attachments", body, { ...options, silent: true });
}

/**
 * Delete an upload or an attached photo. An attached one leaves its reading's or bill's
 * `attachment_ids`, so those lists are fetched again.
 */
export function useDeleteAttachment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/attachments/{attachment_id}", { path: { attachment_id: id }, silent: true }),
    onSuccess: (_answer, id) => {
      queryClient.removeQueries({ queryKey: attachmentKeys.one(id) });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: queryRoots.readings }),
        queryClient.invalidateQueries({ queryKey: queryRoots.records }),
        queryClient.invalidateQueries({ queryKey: queryRoots.bills }),
      ]);
    },
  });
}

/** What went wrong with an upload, in words: the API's envelope says which limit was hit. */
export function uploadErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return "The photo could not be uploaded.";
  if (error.status === 415) return "That file is not an image: choose a JPEG, PNG, GIF or WebP photo.";
  if (error.status === 413) return "That photo is too large: at most 5 MiB.";
  if (error.status === 409 && error.code === "quota_exceeded")
    return "This household's storage for photos is full: delete some photos first.";
  if (error.status === 422) return error.fieldErrors.file ?? error.message;
  return error.message;
}
