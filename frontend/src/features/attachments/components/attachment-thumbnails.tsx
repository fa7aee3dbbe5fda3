"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { attachmentQuery } from "../api/attachments";
import { AttachmentViewer } from "./attachment-viewer";
import { Photo } from "./photo";

function Thumbnail({ id, alt, onOpen }: { id: number; alt: string; onOpen(): void }) {
  const attachment = useQuery(attachmentQuery(id));
  if (attachment.error)
    return (
      <span className="inline-flex h-12 w-12 items-center justify-center rounded-md bg-slate-100 text-center text-[10px] text-slate-600 dark:bg-slate-800 dark:text-slate-300">
        Photo gone
      </span>
    );
  return (
    <button
      type="button"
      onClick={onOpen}
      className="block h-12 w-12 overflow-hidden rounded-md border border-slate-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 dark:border-slate-700 dark:focus-visible:ring-offset-slate-900"
    >
      {attachment.data ? (
        <Photo src={attachment.data.thumbnail_url} alt={alt} className="h-full w-full object-cover" />
      ) : (
        <span className="block h-full w-full animate-pulse bg-slate-200 dark:bg-slate-700">
          <span className="sr-only">{alt} (loading)</span>
        </span>
      )}
    </button>
  );
}

/** The photos of a reading or a bill as small thumbnails; a tap opens the viewer. */
export function AttachmentThumbnails({ ids, subject, canDelete }: { ids: number[]; subject: string; canDelete: boolean }) {
  const [open, setOpen] = useState<number | null>(null);
  if (!ids.length) return null;
  const altOf = (index: number) => (ids.length === 1 ? `Photo of ${subject}` : `Photo ${index + 1} of ${subject}`);
  const openIndex = open === null ? -1 : ids.indexOf(open);
  return (
    <>
      <ul className="flex flex-wrap gap-1.5" aria-label={`Photos of ${subject}`}>
        {ids.map((id, index) => (
          <li key={id}>
            <Thumbnail id={id} alt={altOf(index)} onOpen={() => setOpen(id)} />
          </li>
        ))}
      </ul>
      <AttachmentViewer id={open} title={openIndex >= 0 ? altOf(openIndex) : "Photo"} canDelete={canDelete} onClose={() => setOpen(null)} />
    </>
  );
}
