// A phone's camera easily writes photos over the API's 5 MiB: those are drawn again smaller
// in the browser (canvas → JPEG) before they are sent. Smaller files go as they are: the API
// judges them by their content, applies their orientation and strips their metadata.

/** The longest side of a resized photo: the register's digits stay sharp. */
export const RESIZED_MAX_SIDE = 2560;
const QUALITIES = [0.85, 0.7, 0.55];

function toBlob(canvas: HTMLCanvasElement, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

/** The size to draw at: the longest side at most ``maxSide``, never larger than the original. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * ``file`` as it is when it is at most ``limit`` bytes; otherwise a JPEG drawn at most
 * {@link RESIZED_MAX_SIDE} px on its longest side, at lower qualities (then half the size)
 * until it fits. `createImageBitmap` applies the EXIF orientation as it decodes (its default).
 * Throws when the browser cannot decode the file (the API would refuse it anyway).
 */
export async function shrinkImage(file: File, limit: number): Promise<File> {
  if (file.size <= limit) return file;
  // No options: an `imageOrientation` value an older browser does not know is a TypeError there.
  const bitmap = await createImageBitmap(file);
  try {
    const canvas = document.createElement("canvas");
    for (let maxSide = RESIZED_MAX_SIDE; maxSide >= 320; maxSide = Math.round(maxSide / 2)) {
      const size = fitWithin(bitmap.width, bitmap.height, maxSide);
      canvas.width = size.width;
      canvas.height = size.height;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("This browser cannot resize photos.");
      context.drawImage(bitmap, 0, 0, size.width, size.height);
      for (const quality of QUALITIES) {
        const blob = await toBlob(canvas, quality);
        if (blob && blob.size <= limit) {
          const name = file.name.replace(/\.[^.]*$/, "") || "photo";
          return new File([blob], `${name}.jpg`, { type: "image/jpeg" });
        }
      }
    }
    throw new Error("The photo could not be made small enough.");
  } finally {
    bitmap.close?.();
  }
}
