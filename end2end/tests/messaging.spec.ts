import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { cspViolations, hydrated, openLeadCard, rememberSecret, signIn } from "./helpers";

test.afterEach(async ({ page }) => {
  expect(cspViolations(page), "the Content-Security-Policy blocked nothing").toEqual([]);
});

// The server on 3102 sends email over SMTP to the aiosmtpd process Playwright starts on
// port 2526 (see playwright.config.ts), which stores each message in this maildir.
const MAILDIR = path.join(__dirname, "..", ".tmp", "maildir", "new");

function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Every message the SMTP server received for `address`, decoded. */
function receivedBy(address: string): string[] {
  if (!fs.existsSync(MAILDIR)) return [];
  return fs
    .readdirSync(MAILDIR)
    .map((f) => decodeQuotedPrintable(fs.readFileSync(path.join(MAILDIR, f), "utf8")))
    .filter((m) => m.includes(`To: ${address}`));
}

test.describe("with SMTP pointed at a local mail server", () => {
  test.use({ baseURL: "http://127.0.0.1:3102" });

  test("a setup link sent from the modal arrives over SMTP with both parts, and the modal shows it sent", async ({
    page,
  }) => {
    test.skip(test.info().project.name !== "desktop", "runs once");
    const { ownerEmail } = await openLeadCard(page, "peopaygo", 0);
    await page.getByTestId("security-pin-button").click();
    const dialog = page.getByRole("dialog", { name: /Security Verification/ });
    await dialog.getByRole("button", { name: "Create PIN" }).click();
    await dialog.getByRole("radio", { name: /Owner/ }).check();
    await dialog.getByRole("button", { name: "Send setup link" }).click();
    await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");

    // The modal follows the outbox: queued, then sent, without being reopened.
    const email = dialog.getByRole("table", { name: "Link messages" }).locator('tr[data-channel="Email"]');
    await expect(email.getByTestId("delivery-status")).toHaveText("Sent", { timeout: 20_000 });
    const [local, domain] = ownerEmail.split("@");
    await expect(email).toContainText(`${local[0]}•••${local[local.length - 1]}@${domain}`);
    await expect(email).not.toContainText(ownerEmail);

    await expect.poll(() => receivedBy(ownerEmail).length, { timeout: 10_000 }).toBe(1);
    const mail = receivedBy(ownerEmail)[0];
    expect(mail).toContain("Subject: PeoPayGo: set your security PIN for");
    expect(mail).toContain("multipart/alternative");
    expect(mail).toContain("Content-Type: text/plain");
    expect(mail).toContain("Content-Type: text/html");
    const link = /Set my security PIN: (http:\/\/127\.0\.0\.1:3102\/pin\/[A-Za-z0-9_-]{22,})/.exec(mail)?.[1];
    expect(link, "the plain-text part carries the link").toBeTruthy();
    rememberSecret(link!.split("/pin/")[1]);
    expect(mail, "the HTML part carries the same link").toContain(`href="${link}"`);

    // The link in the email works.
    const client = await page.context().newPage();
    await client.goto(link!);
    await hydrated(client);
    await expect(client.getByRole("heading", { name: "Set your security PIN" })).toBeVisible();
    await expect(client.locator(".client-brand")).toHaveText("PeoPayGo");
    await client.close();
  });

  test("a contact without a mobile number gets the code by email only, and the modal says so", async ({ page }) => {
    test.skip(test.info().project.name !== "desktop", "runs once");
    await signIn(page, "/?tab=currently-enrolling&q=coguardhr");
    await hydrated(page);
    const cards = await page.locator("table.clients tbody th a").evaluateAll((links) =>
      links.map((a) => (a as HTMLAnchorElement).getAttribute("href")!));
    let name: string | undefined;
    for (const card of cards) {
      await page.goto(card);
      await expect(page.getByRole("heading", { name: "Contacts" })).toBeVisible();
      const noMobile = page.locator("table.contacts tbody tr").filter({ has: page.locator('td[data-label="Mobile"]', { hasText: "—" }) });
      if ((await noMobile.count()) > 0) {
        name = (await noMobile.first().locator("th").textContent())!.trim();
        break;
      }
    }
    expect(name, "the demo data has a contact without a mobile number").toBeTruthy();
    await hydrated(page);
    await page.getByTestId("security-pin-button").click();
    const dialog = page.getByRole("dialog", { name: /Security Verification/ });
    await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
    const choice = dialog.locator("li.choice").filter({ hasText: name! });
    await expect(choice).toContainText("Email only (no mobile number)");
    await choice.getByRole("radio").check();
    await dialog.getByRole("button", { name: "Send code" }).click();
    await expect(dialog.getByRole("status")).toContainText(`Code sent to ${name} by email only (no mobile number on file)`);
    await dialog.getByRole("button", { name: "Back" }).click();
    const messages = dialog.getByRole("table", { name: "Code messages" });
    await expect(messages.locator("tr")).toHaveCount(1);
    await expect(messages.locator('tr[data-channel="Email"] [data-testid=delivery-status]')).toHaveText("Sent", { timeout: 20_000 });
    await expect(dialog.getByTestId("email-only")).toHaveText("No mobile number on file: sent by email only.");
  });

  test("staff preview every message for each brand", async ({ page }) => {
    await signIn(page, "/messages");
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1, name: "Message templates" })).toBeVisible();
    await expect(page.getByTestId("preview")).toHaveCount(10);
    await page.getByRole("link", { name: "CoGuardHR" }).click();
    await expect(page).toHaveURL(/\/messages\?brand=coguardhr$/);
    const brands = page.getByRole("navigation", { name: "Brand" });
    await expect(brands.getByRole("link", { name: "CoGuardHR" })).toHaveAttribute("aria-current", "page");
    await expect(brands.locator("[aria-current]")).toHaveCount(1);
    const sms = page.locator('[data-folder="code-sms"]');
    await expect(sms).toContainText("CoGuardHR: your verification code is 482915");
    await expect(sms).toContainText("never for anything else");
    const setup = page.locator('[data-folder="pin-setup-email"]');
    await expect(setup).toContainText("CoGuardHR: set your security PIN for Riverside Bakery & Café");
    const html = setup.frameLocator("iframe.mail-html");
    await expect(html.getByRole("link", { name: "Set my security PIN" })).toBeVisible();
  });
});
