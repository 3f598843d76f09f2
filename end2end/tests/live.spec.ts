import { devices, expect, test } from "@playwright/test";
import { ADMIN, hydrated, mailboxCode, mailboxLink, openLeadCard, signIn } from "./helpers";

// Live updates on one server: what one person does shows on everyone else's screens
// within a second, without a reload. (Two servers behind nginx, and a stream that drops and
// catches up: end2end/two-servers/, run by scripts/two-servers.sh --test.)
const desktopOnly = () =>
  test.skip(test.info().project.name !== "desktop", "runs once; uses a phone viewport inside");

/** Within a second of a change, as the live feed promises. */
const LIVE = { timeout: 1_000 };

test("the dashboard's rows, the modal, the button and the activity list follow others' changes", async ({ page, browser }) => {
  desktopOnly();
  test.setTimeout(120_000);
  // Agent A has the lead card of a PeoPayGo client open (one no other test on this server
  // uses: the test leaves it verified).
  const { business, ownerEmail } = await openLeadCard(page, "peopaygo", 1);
  await expect(page.getByTestId("live-status")).toHaveText("Live");

  // Admin B watches the dashboard, searched to the same client.
  const other = await browser.newContext();
  const b = await other.newPage();
  await signIn(b, `/?tab=currently-enrolling&q=${encodeURIComponent(business)}`, ADMIN);
  await hydrated(b);
  await expect(b.getByTestId("live-status")).toHaveText("Live");
  const pinCell = b.locator("table.clients tbody tr").filter({ hasText: business }).locator('[data-label="Security PIN"]');
  await expect(pinCell).toContainText("No PIN");

  // A sends the setup link: B's row says so.
  await page.getByTestId("security-pin-button").click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await dialog.getByRole("button", { name: "Create PIN" }).click();
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send setup link" }).click();
  await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");
  await expect(pinCell).toContainText("Link sent", LIVE);

  // The client sets the PIN on a phone: A's open modal and B's row follow.
  const link = await mailboxLink(browser, ownerEmail);
  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const client = await phone.newPage();
  await client.goto(link);
  await hydrated(client);
  await client.getByLabel("New PIN").fill("582039");
  await client.getByLabel("Type it again").fill("582039");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client.getByTestId("setup-complete")).toContainText("Setup complete");
  await expect(dialog.getByTestId("pin-line")).toContainText("Set on", LIVE);
  await expect(dialog.getByRole("button", { name: "Verify PIN" })).toBeEnabled();
  await expect(pinCell).toContainText("PIN set", LIVE);
  await phone.close();
  await dialog.getByRole("button", { name: "Close" }).click();

  // B opens the card and verifies the owner with a 2-step code: A's button turns green and
  // A's activity list shows the check.
  await b.locator("table.clients tbody tr").filter({ hasText: business }).locator("th a").click();
  await expect(b.getByRole("heading", { level: 1, name: business })).toBeVisible();
  await hydrated(b);
  const aButton = page.getByTestId("security-pin-button");
  await expect(aButton).toHaveAttribute("data-verified", "false");
  await b.getByTestId("security-pin-button").click();
  const bDialog = b.getByRole("dialog", { name: /Security Verification/ });
  await bDialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
  await bDialog.getByRole("radio", { name: /Owner/ }).check();
  await bDialog.getByRole("button", { name: "Send code" }).click();
  await expect(bDialog.getByRole("status")).toContainText("Code sent to");
  await expect(page.getByTestId("audit-list")).toContainText("2-step code sent", LIVE);
  const code = await mailboxCode(browser, ownerEmail);
  await bDialog.getByLabel("Code the client reads back").fill(code);
  await bDialog.getByRole("button", { name: "Check code" }).click();
  await expect(bDialog.getByRole("status")).toContainText("Code verified");
  await expect(aButton).toHaveAttribute("data-verified", "true", LIVE);
  await expect(page.getByTestId("audit-list")).toContainText("2-step code verified", LIVE);
  if (process.env.DOCS_SCREENSHOTS) await page.screenshot({ path: "../docs/live-lead-card.png" });
  await other.close();
});
