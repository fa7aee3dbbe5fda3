"use client";

import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  type ChartOptions,
} from "chart.js";
import { Bar, Doughnut, Line } from "react-chartjs-2";

import type { ChartData, Share } from "@/features/analytics/utils/shaping";
import { useTheme } from "@/lib/theme";

Chart.register(ArcElement, BarElement, CategoryScale, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip);

function palette(dark: boolean) {
  return { text: dark ? "#cbd5e1" : "#334155", grid: dark ? "rgba(148,163,184,0.2)" : "rgba(100,116,139,0.15)" };
}

export function StackedBarChart({ data, label }: { data: ChartData; label: string }) {
  const { dark } = useTheme();
  const colors = palette(dark);
  const options: ChartOptions<"bar"> = {
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: colors.text } } },
    scales: {
      x: { stacked: true, ticks: { color: colors.text }, grid: { color: colors.grid } },
      y: { stacked: true, beginAtZero: true, ticks: { color: colors.text }, grid: { color: colors.grid } },
    },
  };
  return (
    <div className="h-64" role="img" aria-label={label}>
      <Bar data={data} options={options} />
    </div>
  );
}

export function LineChart({ data, label }: { data: ChartData; label: string }) {
  const { dark } = useTheme();
  const colors = palette(dark);
  const options: ChartOptions<"line"> = {
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: colors.text } } },
    scales: {
      x: { ticks: { color: colors.text, maxRotation: 0, autoSkip: true }, grid: { color: colors.grid } },
      y: { beginAtZero: true, ticks: { color: colors.text }, grid: { color: colors.grid } },
    },
  };
  const filled = { ...data, datasets: data.datasets.map((dataset) => ({ ...dataset, fill: true, tension: 0.25, pointRadius: 2 })) };
  return (
    <div className="h-64" role="img" aria-label={label}>
      <Line data={filled} options={options} />
    </div>
  );
}

export function ShareDoughnut({ share, label }: { share: Share; label: string }) {
  const { dark } = useTheme();
  const colors = palette(dark);
  return (
    <div className="h-64" role="img" aria-label={label}>
      <Doughnut
        data={{ labels: share.labels, datasets: [{ data: share.data, backgroundColor: share.colors, borderWidth: 0 }] }}
        options={{
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { position: "bottom", labels: { color: colors.text } } },
        }}
      />
    </div>
  );
}
