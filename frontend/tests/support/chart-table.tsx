// react-chartjs-2 for Jest: a bar chart drawn as a table of its bars, so a test reads the
// figures drawn. Use: jest.mock("react-chartjs-2", () => jest.requireActual("./support/chart-table"));

export const Bar = ({
  data,
  "aria-label": label,
}: {
  data: { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };
  "aria-label": string;
}) => (
  <table aria-label={label}>
    <tbody>
      {data.datasets.map((dataset) => (
        <tr key={dataset.label}>
          <th>{dataset.label}</th>
          {dataset.data.map((value, index) => (
            <td key={index}>{value === null ? "–" : value}</td>
          ))}
        </tr>
      ))}
    </tbody>
  </table>
);

export const Doughnut = () => null;
