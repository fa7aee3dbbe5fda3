/** An image from the API's signed link (it works without a header, so a plain `<img>`). */
export function Photo({
  src,
  alt,
  className,
  width,
  height,
}: {
  src: string;
  alt: string;
  className?: string;
  width?: number;
  height?: number;
}) {
  return (
    // The links are signed and expire within the hour: nothing for Next's image optimiser to cache.
    // eslint-disable-next-line @next/next/no-img-element
    <img src={src} alt={alt} width={width} height={height} className={className} decoding="async" />
  );
}
