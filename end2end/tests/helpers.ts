import { expect, Page } from "@playwright/test";

export const AGENT = { email: "agent@janus.example", password: "enroll-demo-agent", name: "Avery Morgan" };

/** Resolves once the WebAssembly bundle has hydrated the page (it marks <body>). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => document.body.dataset.hydrated === "true");
}

export async function signIn(page: Page, next = "/") {
  await page.goto(next);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("Work email").fill(AGENT.email);
  await page.getByLabel("Password").fill(AGENT.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(AGENT.name);
}
