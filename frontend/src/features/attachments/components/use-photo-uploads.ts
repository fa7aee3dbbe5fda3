"use client";

import { useCallback, useState } from "react";

import type { Attachment } from "../api/attachments";

/**
 * The photos uploaded for a form that is not saved yet: `field` goes to {@link PhotoField},
 * `withIds` adds their ids to the body after those an edited item keeps (left out when nothing
 * was uploaded), `clear` forgets them once the form is saved (they belong to the saved item then).
 */
export function usePhotoUploads() {
  const [photos, setPhotos] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(false);
  const withIds = useCallback(
    <T extends object>(body: T, kept: number[] = []): T & { attachment_ids?: number[] } =>
      photos.length ? { ...body, attachment_ids: [...kept, ...photos.map((photo) => photo.id)] } : body,
    [photos],
  );
  return {
    field: { photos, onPhotosChange: setPhotos, onUploadingChange: setUploading },
    /** A save now would leave the photo in flight behind. */
    uploading,
    withIds,
    clear: useCallback(() => setPhotos([]), []),
  };
}
