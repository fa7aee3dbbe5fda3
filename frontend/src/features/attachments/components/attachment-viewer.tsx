"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FormError } from "@/components/ui/field";
import { ErrorState, Spinner } from "@/components/ui/states";

import { attachmentQuery, uploadErrorMessage, useDeleteAttachment } from "../api/attachments";
import { Photo } from "./photo";

/**
 * One photo at full size in a dialog (focus moves in and stays there, Escape closes, focus
 * returns to the thumbnail), with Delete for those who may write; deleting asks first.
 */
export function AttachmentViewer({
  id,
  title,
  canDelete,
  onClose,
}: {
  /** The photo shown; null: closed. */
  id: number | null;
  title: string;
  canDelete: boolean;
  onClose(): void;
}) {
  return (
    <Dialog open={id !== null} title={title} onClose={onClose}>
      {id !== null && <ViewerBody key={id} id={id} title={title} canDelete={canDelete} onClose={onClose} />}
    </Dialog>
  );
}

function ViewerBody({ id, title, canDelete, onClose }: { id: number; title: string; canDelete: boolean; onClose(): void }) {
  const attachment = useQuery(attachmentQuery(id));
  const remove = useDeleteAttachment();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();

  const confirmDelete = async () => {
    setError(undefined);
    try {
      await remove.mutateAsync(id);
      onClose();
    } catch (failure) {
      setError(uploadErrorMessage(failure));
    }
  };

  if (attachment.error) return <ErrorState error={attachment.error} onRetry={() => void attachment.refetch()} />;
  if (!attachment.data) return <Spinner label="Loading the photo" />;
  const { url, width, height } = attachment.data;
  return (
    <div className="space-y-3">
      <Photo src={url} alt={title} width={width} height={height} className="mx-auto h-auto max-h-[65vh] w-auto max-w-full rounded-md" />
      <p className="text-sm text-slate-600 dark:text-slate-300">
        {width} × {height} px
      </p>
      <FormError message={error} />
      {canDelete && (
        <div className="flex flex-wrap items-center justify-end gap-2">
          {confirming ? (
            <>
              <p className="mr-auto text-sm text-slate-700 dark:text-slate-300">Delete this photo for good?</p>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
              <Button variant="danger" busy={remove.isPending} onClick={() => void confirmDelete()}>
                Delete photo
              </Button>
            </>
          ) : (
            <Button variant="danger-ghost" onClick={() => setConfirming(true)}>
              Delete…
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
