import type { MetadataRoute } from "next";

/** The web manifest (served at /manifest.webmanifest): what a phone needs to install the app. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Meterbook",
    short_name: "Meterbook",
    description: "Track what you meter: electricity, water, gas and more.",
    id: "/",
    start_url: "/readings",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#4f46e5",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
