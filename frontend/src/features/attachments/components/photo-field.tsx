"use client";

import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";

import { Button } from "@/components/ui/button";

import { MAX_UPLOAD_BYTES, uploadAttachment, uploadErrorMessage, useDeleteAttachment, type Attachment } from "../api/attachments";
import { shrinkImage } from "../utils/resize";
import { Photo } from "./photo";

type Step = { kind: "resizing" } | { kind: "uploading"; progress: number };

/**
 * A photo button that opens the phone's camera (`capture="environment"`), makes a photo over
 * 5 MiB smaller in the browser, uploads it with a progress bar and shows its thumbnail before
 * the form is saved. Removing a photo deletes the upload.
 */
export function PhotoField({
  label = "Add a photo",
  subject,
  photos,
  onPhotosChange,
  onUploadingChange,
}: {
  label?: string;
  /** What the photos show, for their alt text ("the register", "the bill"). */
  subject: string;
  photos: Attachment[];
  onPhotosChange(photos: Attachment[]): void;
  onUploadingChange?(uploading: boolean): void;
}) {
  const inputId = useId();
  const errorId = useId();
  const [step, setStep] = useState<Step | null>(null);
  const [error, setError] = useState<string>();
  const remove = useDeleteAttachment();
  const [removing, setRemoving] = useState<number | null>(null);
  const photosRef = useRef(photos);
  const inFlight = useRef<AbortController | null>(null);
  useEffect(() => {
    photosRef.current = photos;
  });
  // A form that goes away stops its upload (an upload already stored is removed by the API after 24 h).
  useEffect(() => () => inFlight.current?.abort(), []);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // The same photo may be chosen again after a failure.
    event.target.value = "";
    if (!file) return;
    setError(undefined);
    onUploadingChange?.(true);
    const controller = new AbortController();
    inFlight.current = controller;
    try {
      let upload = file;
      if (file.size > MAX_UPLOAD_BYTES) {
        setStep({ kind: "resizing" });
        try {
          upload = await shrinkImage(file, MAX_UPLOAD_BYTES);
        } catch {
          setError("That photo could not be read or made smaller than 5 MiB: choose a JPEG, PNG, GIF or WebP photo.");
          return;
        }
      }
      setStep({ kind: "uploading", progress: 0 });
      const attachment = await uploadAttachment(upload, {
        signal: controller.signal,
        onProgress: (progress) => setStep({ kind: "uploading", progress }),
      });
      onPhotosChange([...photosRef.current, attachment]);
    } catch (failure) {
      if (!controller.signal.aborted) setError(uploadErrorMessage(failure));
    } finally {
      inFlight.current = null;
      setStep(null);
      onUploadingChange?.(false);
    }
  };

  const discard = async (photo: Attachment) => {
    setError(undefined);
    setRemoving(photo.id);
    try {
      await remove.mutateAsync(photo.id);
      onPhotosChange(photosRef.current.filter((item) => item.id !== photo.id));
    } catch (failure) {
      setError(uploadErrorMessage(failure));
    } finally {
      setRemoving(null);
    }
  };

  return (
    <div className="space-y-2">
      {photos.length > 0 && (
        <ul className="flex flex-wrap gap-2" aria-label="Photos to save with it">
          {photos.map((photo, index) => (
            <li key={photo.id} className="flex flex-col items-center gap-1">
              <Photo
                src={photo.thumbnail_url}
                alt={`Photo ${index + 1} of ${subject} (not saved yet)`}
                className="h-20 w-20 rounded-md border border-slate-200 object-cover dark:border-slate-700"
              />
              <Button
                variant="danger-ghost"
                busy={removing === photo.id}
                aria-label={`Remove photo ${index + 1}`}
                onClick={() => void discard(photo)}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <label
        htmlFor={inputId}
        className={`inline-flex min-h-11 cursor-pointer items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 focus-within:ring-2 focus-within:ring-indigo-500 focus-within:ring-offset-2 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700 dark:focus-within:ring-offset-slate-900 ${step ? "pointer-events-none opacity-50" : ""}`}
      >
        <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M4 7h3l2-3h6l2 3h3v13H4z" />
          <circle cx="12" cy="13" r="4" />
        </svg>
        {label}
        <input
          id={inputId}
          type="file"
          accept="image/*"
          capture="environment"
          className="sr-only"
          disabled={step !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => void choose(event)}
        />
      </label>
      {step?.kind === "resizing" && (
        <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
          Making the photo smaller than 5 MiB…
        </p>
      )}
      {step?.kind === "uploading" && (
        <div>
          <p role="status" className="text-xs text-slate-600 dark:text-slate-400">
            Uploading the photo… {Math.round(step.progress * 100)}%
          </p>
          <progress className="w-full" max={1} value={step.progress} aria-label="Upload of the photo" />
        </div>
      )}
      {error && (
        <p id={errorId} role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
