import { act, render, screen } from "@testing-library/react";

import { ToastProvider, useToast } from "@/components/ui/toast";
import { formatDate, formatHeadline } from "@/lib/format";

let show: ReturnType<typeof useToast>;
function Capture() {
  show = useToast();
  return null;
}

test("toasts never pile up: a new message replaces the one shown", () => {
  render(
    <ToastProvider>
      <Capture />
    </ToastProvider>,
  );
  act(() => {
    show("Record added.", "success");
    show("Record deleted.", "success");
    show("Could not save.", "error");
  });
  expect(screen.getAllByTestId("toast").map((toast) => toast.textContent)).toEqual(["Could not save.✕"]);
});

test("dates as date inputs show them, headline figures with 0 or 1 decimals", () => {
  expect(formatDate("2026-03-02")).toBe("03/02/2026");
  expect(formatDate("not a date")).toBe("not a date");
  expect(formatHeadline(12.46, "m3")).toBe("12.5 m³");
  expect(formatHeadline(1234.56, "kWh")).toBe("1,235 kWh");
  expect(formatHeadline(99.96)).toBe("100");
});
