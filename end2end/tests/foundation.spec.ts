import { expect, test } from "@playwright/test";
import { AGENT, cspViolations, hydrated, signIn } from "./helpers";

test.afterEach(async ({ page }) => {
  expect(cspViolations(page), "the Content-Security-Policy blocked nothing").toEqual([]);
});

test("a wrong password is refused with the one sign-in message", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Work email").fill(AGENT.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active staff account.");
  await expect(page).toHaveURL(/\/login/);
});

test("sign in, work Currently Enrolling, search, open a lead card, sign out", async ({ page }) => {
  await signIn(page);
  await hydrated(page);

  // The dashboard opens on Currently Enrolling.
  await expect(page.getByRole("heading", { name: "Enrollment Dashboard" })).toBeVisible();
  const current = page.getByRole("link", { name: "Currently Enrolling" });
  await expect(current).toHaveAttribute("aria-current", "page");
  const rows = page.locator("table.clients tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const stage of await rows.locator("td:nth-child(3)").allTextContents()) {
    expect(stage).toBe("Currently enrolling");
  }

  // Server-side search: by brand name, in this tab.
  await page.getByLabel("Search clients").fill("compeo");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=compeo/);
  await expect(page.getByTestId("result-count")).toContainText("of 4 clients");
  for (const brand of await rows.locator("td:nth-child(2)").allTextContents()) {
    expect(brand.trim()).toBe("Compeo");
  }

  // A search that matches nothing says so.
  await page.getByLabel("Search clients").fill("no such business anywhere");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("empty")).toContainText("No clients in Currently Enrolling match");

  // The All Clients tab pages through all 48 clients.
  await page.goto("/?tab=all");
  await hydrated(page);
  await expect(page.getByTestId("result-count")).toHaveText("Showing 1–20 of 48 clients");
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page.getByTestId("result-count")).toHaveText("Showing 21–40 of 48 clients");

  // The ⋮ menu works from the keyboard: open, move, Escape returns focus.
  // Each viewport's run works on its own client, as they share one server and database.
  // Summit Payroll is outside the PIN workflow, so Sync Employees below needs no caller
  // verification (security-pin.spec.ts covers the clients that do).
  await page.goto("/?tab=currently-enrolling&q=summit");
  await hydrated(page);
  const row = rows.nth(test.info().project.name === "phone" ? 1 : 0);
  const menuButton = row.getByRole("button", { name: /^Options for / });
  await menuButton.focus();
  await page.keyboard.press("Enter");
  const menu = row.getByRole("menu");
  await expect(menu).toBeVisible();
  await expect(menu.getByRole("menuitem").first()).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "View contacts" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(menuButton).toBeFocused();

  // ... and with the mouse: it opens the lead card.
  const business = (await row.locator("th").textContent())!.trim();
  await menuButton.click();
  await menu.getByRole("menuitem", { name: "Open lead card" }).click();
  await expect(page).toHaveURL(/\/clients\/\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: business })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sync Employees" })).toBeVisible();
  await expect(page.getByTestId("beia-indicator")).toBeVisible();
  const contactRows = page.locator("table.contacts tbody tr");
  expect(await contactRows.count()).toBeGreaterThanOrEqual(2);
  await expect(contactRows.first().locator("td").first()).toHaveText("Owner");

  // Sync Employees runs and the card shows when.
  await hydrated(page);
  const synced = page.locator(".facts div", { hasText: "Employees synced" }).locator("dd");
  const today = new Date().toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
  await expect(synced).not.toContainText(today);
  await page.getByRole("button", { name: "Sync Employees" }).click();
  await expect(synced).toContainText(today);

  // Sign out ends the session: staff pages send the browser back to sign-in.
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/?tab=all");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("a deep link survives sign-in", async ({ page }) => {
  await signIn(page, "/clients/5");
  await expect(page).toHaveURL(/\/clients\/5$/);
  await expect(page.getByRole("heading", { name: "Contacts" })).toBeVisible();
});
