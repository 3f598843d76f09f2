import { expect, test } from "@playwright/test";
import { ADMIN, AGENT, cspViolations, hydrated, signIn } from "./helpers";

test.afterEach(async ({ page }) => {
  expect(cspViolations(page), "the Content-Security-Policy blocked nothing").toEqual([]);
});

// Runs on its own server (3103): deactivating the demo agent must not disturb the other tests.
test.use({ baseURL: "http://127.0.0.1:3103" });

test("agents see no staff management, and are refused if they go there", async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff users" })).toHaveCount(0);
  await page.goto("/staff");
  await expect(page.getByRole("alert")).toContainText("Only admins manage staff users.");
  await expect(page.getByTestId("staff-users")).toHaveCount(0);
});

test("an admin adds a staff user, and deactivating an agent signs them out at once", async ({ page, browser }) => {
  test.skip(test.info().project.name !== "desktop", "changes shared accounts; runs once");
  // The agent is at work in a browser of their own.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent);

  await signIn(page, "/", ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff users" }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await hydrated(page);
  const table = page.getByTestId("staff-users");
  await expect(table.locator(`tr[data-email="${ADMIN.email}"]`)).toContainText("You");
  const agentRow = table.locator(`tr[data-email="${AGENT.email}"]`);
  await expect(agentRow).toContainText(/Active · (signed in|\d+ sessions)/);

  // A short password is refused with the reason, and nothing is added.
  const form = page.getByRole("region", { name: "Add a staff user" });
  await form.getByLabel("Name", { exact: true }).fill("Riley Chen");
  await form.getByLabel("Work email").fill("riley@janus.example");
  await form.getByLabel("First password").fill("too short");
  await form.getByRole("button", { name: "Add staff user" }).click();
  await expect(form.getByRole("alert")).toContainText("password: use at least 12 characters");
  await expect(table.locator('tr[data-email="riley@janus.example"]')).toHaveCount(0);

  await form.getByLabel("First password").fill("a long first password");
  await form.getByRole("button", { name: "Add staff user" }).click();
  await expect(form.getByRole("status")).toContainText("Riley Chen (riley@janus.example) can now sign in as agent, and will choose their own password first.");
  await expect(table.locator('tr[data-email="riley@janus.example"]')).toContainText("Agent");
  await expect(form.getByLabel("First password")).toHaveValue("");

  await agentRow.getByRole("button", { name: `Deactivate ${AGENT.name}` }).click();
  await expect(page.getByRole("status").first()).toContainText(`${AGENT.name} is deactivated and signed out everywhere.`);
  await expect(agentRow).toContainText("Deactivated");
  await expect(agentRow.getByRole("button", { name: `Reactivate ${AGENT.name}` })).toBeVisible();

  // The agent's very next step takes them to sign-in, and their password no longer works.
  await agent.reload();
  await expect(agent).toHaveURL(/\/login/);
  await hydrated(agent);
  await agent.getByLabel("Work email").fill(AGENT.email);
  await agent.getByLabel("Password").fill(AGENT.password);
  await agent.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(agent.getByRole("alert")).toContainText("do not match an active staff account");

  // Reactivated, they can sign in again.
  await agentRow.getByRole("button", { name: `Reactivate ${AGENT.name}` }).click();
  await expect(agentRow).toContainText("Active");
  await agentContext.close();
  await signIn(await browser.newPage());
});
