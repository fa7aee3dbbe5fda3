import { safeNext } from "@/lib/auth";

describe("safeNext: where to go after signing in", () => {
  it.each(["/dashboard", "/records?page=2", "/settings#password", "/admin/users"])("keeps the same-origin path %s", (next) => {
    expect(safeNext(next)).toBe(next);
  });

  it.each([
    null,
    "",
    "dashboard",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example/../x y",
    "\\\\evil.example",
    "javascript:alert(1)",
  ])("refuses %p and falls back to the dashboard", (next) => {
    expect(safeNext(next)).toBe("/dashboard");
  });
});
