"use client";

import { ArcElement, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartOptions } from "chart.js";
import { Bar, Doughnut } from "react-chartjs-2";

import { ChartFigures } from "@/components/ui/chart-figures";
import { useMedia } from "@/components/ui/use-media";
import type { ChartData, Share } from "@/features/analytics/utils/shaping";
import { formatNumber } from "@/lib/format";
import { useTheme } from "@/lib/theme";

Chart.register(ArcElement, BarElement, CategoryScale, Legend, LinearScale, Tooltip);

/** No animation for readers who ask for reduced motion. */
function useStill(): boolean {
  return useMedia("(prefers-reduced-motion: reduce)");
}

function palette(dark: boolean) {
  return { text: dark ? "#cbd5e1" : "#334155", grid: dark ? "rgba(148,163,184,0.2)" : "rgba(100,116,139,0.15)" };
}

/**
 * Bars per period (stacked when there are several datasets), the unit on the y axis. The tooltip
 * shows the period nearest the pointer on the x axis, every dataset at once; a partial first or
 * last period is lighter and says so.
 */
export function BarChart({ data, label, unit }: { data: ChartData; label: string; unit: string }) {
  const { dark } = useTheme();
  const colors = palette(dark);
  const still = useStill();
  const options: ChartOptions<"bar"> = {
    responsive: true,
    animation: still ? false : undefined,
    maintainAspectRatio: false,
    interaction: { mode: "index", axis: "x", intersect: false },
    plugins: {
      legend: { display: data.datasets.length > 1, labels: { color: colors.text } },
      tooltip: {
        callbacks: {
          title: (items) => {
            const index = items[0]?.dataIndex ?? 0;
            return `${data.labels[index] ?? ""}${data.partial[index] ? " (partial)" : ""}`;
          },
          label: (item) => `${item.dataset.label}: ${item.raw === null ? "no records" : `${formatNumber(Number(item.raw))} ${unit}`}`,
        },
      },
    },
    scales: {
      x: { stacked: true, ticks: { color: colors.text, maxRotation: 0, autoSkip: true }, grid: { display: false } },
      y: {
        stacked: true,
        beginAtZero: true,
        title: { display: true, text: unit, color: colors.text },
        ticks: { color: colors.text },
        grid: { color: colors.grid },
      },
    },
  };
  return (
    <div>
      <div className="h-64">
        <Bar data={data} options={options} role="img" aria-label={label} />
      </div>
      <ChartFigures
        label={label}
        header="Period"
        series={data.datasets.map((dataset) => dataset.label ?? "")}
        rows={data.labels.map((name, index) => ({
          name: `${name}${data.partial[index] ? " (partial)" : ""}`,
          values: data.datasets.map((dataset) => {
            const value = dataset.data[index];
            return value === null || value === undefined ? "–" : `${formatNumber(Number(value))} ${unit}`;
          }),
        }))}
      />
    </div>
  );
}

export function ShareDoughnut({ share, label }: { share: Share; label: string }) {
  const { dark } = useTheme();
  const colors = palette(dark);
  const still = useStill();
  return (
    <div>
      <div className="h-64">
        <Doughnut
          role="img"
          aria-label={label}
          data={{ labels: share.labels, datasets: [{ data: share.data, backgroundColor: share.colors, borderWidth: 0 }] }}
          options={{
            responsive: true,
            animation: still ? false : undefined,
            maintainAspectRatio: false,
            plugins: { legend: { position: "bottom", labels: { color: colors.text } } },
          }}
        />
      </div>
      <ChartFigures
        label={label}
        header="Type"
        series={["Cost", "Share"]}
        rows={share.labels.map((name, index) => ({
          name,
          values: [formatNumber(share.data[index] ?? 0, 2, 2), `${formatNumber(share.percents[index] ?? 0, 1)} %`],
        }))}
      />
    </div>
  );
}
