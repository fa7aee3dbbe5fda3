"use client";

import QRCode from "qrcode";
import { useEffect, useState } from "react";

import { Spinner } from "@/components/ui/states";

/** A QR code drawn in the browser (an SVG from the `qrcode` library): the secret never leaves the page. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [svg, setSvg] = useState<{ text: string; svg: string } | null>(null);
  useEffect(() => {
    let live = true;
    void QRCode.toString(text, { type: "svg", margin: 2, errorCorrectionLevel: "M" }).then((drawn) => {
      if (live) setSvg({ text, svg: drawn });
    });
    return () => {
      live = false;
    };
  }, [text]);
  if (!svg || svg.text !== text) return <Spinner label="Drawing the QR code" />;
  return (
    // A data: URL of an SVG drawn here; next/image has nothing to optimise in it.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.svg)}`}
      alt={label}
      width={200}
      height={200}
      data-testid="totp-qr"
      className="rounded-md bg-white"
    />
  );
}
