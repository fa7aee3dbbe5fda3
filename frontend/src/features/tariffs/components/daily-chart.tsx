"use client";

import { BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import { Bar } from "react-chartjs-2";

import { ChartFigures } from "@/components/ui/chart-figures";
import { useMedia } from "@/components/ui/use-media";
import { formatDate, formatNumber, formatUnit } from "@/lib/format";
import { useTheme } from "@/lib/theme";

Chart.register(BarElement, CategoryScale, LinearScale, Tooltip);

/** One bar per day; a day without records is a gap (null), not a zero. */
export function DailyChart({ points, unit }: { points: { day: string; total: number | null }[]; unit: string }) {
  const { dark } = useTheme();
  const still = useMedia("(prefers-reduced-motion: reduce)");
  const text = dark ? "#cbd5e1" : "#334155";
  const grid = dark ? "rgba(148,163,184,0.2)" : "rgba(100,116,139,0.15)";
  const label = `Daily consumption in ${formatUnit(unit)}`;
  return (
    <div>
      <div className="h-56">
        <Bar
          role="img"
          aria-label={label}
          data={{
            labels: points.map((point) => formatDate(point.day)),
            datasets: [
              { label: formatUnit(unit), data: points.map((point) => point.total), backgroundColor: dark ? "#818cf8" : "#4f46e5" },
            ],
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: still ? false : undefined,
            interaction: { mode: "index", axis: "x", intersect: false },
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: (item) => `${formatNumber(Number(item.raw))} ${formatUnit(unit)}` } },
            },
            scales: {
              x: { ticks: { color: text }, grid: { color: grid } },
              y: {
                beginAtZero: true,
                title: { display: true, text: formatUnit(unit), color: text },
                ticks: { color: text },
                grid: { color: grid },
              },
            },
          }}
        />
      </div>
      <ChartFigures
        label={label}
        header="Day"
        series={[formatUnit(unit)]}
        rows={points.map((point) => ({ name: formatDate(point.day), values: [point.total === null ? "–" : formatNumber(point.total)] }))}
      />
    </div>
  );
}
