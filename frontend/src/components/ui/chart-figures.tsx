/**
 * A chart's text alternative: its figures as a table, behind "Show the figures" (a screen reader,
 * a keyboard or anyone who wants the numbers opens it).
 */
export function ChartFigures({
  label,
  header,
  rows,
  series,
}: {
  /** What the chart shows ("Electricity consumption per month in kWh"). */
  label: string;
  /** The first column's heading ("Period", "Type", "Day"). */
  header: string;
  /** One row per label: its name and one formatted figure per series. */
  rows: { name: string; values: string[] }[];
  series: string[];
}) {
  return (
    <details className="mt-2 text-sm text-slate-700 dark:text-slate-300">
      <summary className="cursor-pointer font-medium text-indigo-700 dark:text-indigo-300">Show the figures</summary>
      <div className="mt-2 max-h-72 overflow-auto">
        <table className="w-full text-left">
          <caption className="sr-only">{label}: the figures</caption>
          <thead>
            <tr>
              <th scope="col" className="py-1 pr-3">
                {header}
              </th>
              {series.map((name) => (
                <th key={name} scope="col" className="py-1 pr-3 text-right">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name} className="border-t border-slate-200 dark:border-slate-700">
                <th scope="row" className="py-1 pr-3 font-normal">
                  {row.name}
                </th>
                {row.values.map((value, index) => (
                  <td key={index} className="py-1 pr-3 text-right tabular-nums">
                    {value}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
