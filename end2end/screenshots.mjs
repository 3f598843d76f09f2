// Takes the README's screenshots from a running server with fresh demo data:
// `node screenshots.mjs [base-url]`. Not part of the test suite; rerun it when the pages
// change and look at the results in docs/.
import { chromium, devices } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = new URL("../docs/", import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const hydrated = (p = page) => p.waitForFunction(() => document.body.dataset.hydrated === "true");
const shot = (name, p = page, fullPage = false) => p.screenshot({ path: `${out}${name}.png`, fullPage });

await page.goto(`${base}/login`);
await hydrated();
await shot("sign-in");
await page.getByLabel("Work email").fill("agent@janus.example");
await page.getByLabel("Password").fill("harbor-lantern-7412");
await page.getByRole("button", { name: "Sign in", exact: true }).click();
await page.getByTestId("staff-name").waitFor();
await hydrated();
await page.locator("table.clients tbody tr").first().getByRole("button").click();
await shot("dashboard");
await page.keyboard.press("Escape");

// The dashboard path: ⋮ → Send Security PIN Setup Link → confirmation.
await page.goto(`${base}/?tab=currently-enrolling&q=cornerstone`);
await hydrated();
const row = page.locator("table.clients tbody tr").first();
await row.getByRole("button", { name: /^Options for / }).click();
await row.getByRole("menuitem", { name: "Send Security PIN Setup Link" }).click();
await page.getByRole("button", { name: "Continue" }).waitFor();
await shot("dashboard-confirm");
await page.keyboard.press("Escape");

// The lead card and the modal in each state.
await page.goto(`${base}/?tab=currently-enrolling&q=compeo`);
await hydrated();
await page.locator("table.clients tbody tr th a").first().click();
await page.getByRole("heading", { name: "Contacts" }).waitFor();
await hydrated();
const ownerEmail = (await page.locator("table.contacts tbody tr").first().locator("td").nth(1).textContent()).trim();
await shot("lead-card", page, true);
const dialog = page.getByRole("dialog", { name: /Security Verification/ });
await page.getByTestId("security-pin-button").click();
await dialog.getByTestId("security-status").waitFor();
await shot("modal-no-pin");
await dialog.getByRole("button", { name: "Create PIN" }).click();
await shot("contact-picker");
await dialog.getByRole("radio", { name: /Owner/ }).check();
await dialog.getByRole("button", { name: "Send setup link" }).click();
await dialog.getByText("Setup link sent to").first().waitFor();
// The modal follows the outbox; wait until both messages show as sent.
await page.waitForFunction(() =>
  [...document.querySelectorAll("dialog [data-testid=delivery-status]")].filter((s) => s.textContent === "Sent").length === 2);
await shot("modal-link-sent");

const mailbox = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await mailbox.goto(`${base}/dev/mailbox`);
await shot("dev-mailbox", mailbox);
const link = await mailbox.locator(`article[data-recipient="${ownerEmail}"] a[href*='/pin/']`).first().getAttribute("href");

const phone = await browser.newContext({ ...devices["Pixel 7"] });
const client = await phone.newPage();
await client.goto(link);
await hydrated(client);
await shot("client-page", client);
await client.getByLabel("New PIN").fill("121212");
await shot("client-page-weak", client);
await client.getByLabel("New PIN").fill("731946");
await client.getByLabel("Type it again").fill("731946");
await client.getByRole("button", { name: "Save my PIN" }).click();
await client.getByTestId("setup-complete").waitFor();
await shot("client-page-complete", client);

await dialog.getByText("Set on").waitFor({ timeout: 15_000 });
await dialog.getByRole("button", { name: "Verify PIN" }).click();
const pin = dialog.getByLabel("PIN the caller reads out");
for (const wrong of ["284617", "284618"]) {
  await pin.fill(wrong);
  await dialog.getByRole("button", { name: "Check PIN" }).click();
  await dialog.getByTestId("pin-mismatch").waitFor();
}
await dialog.getByText("2 in a row").waitFor();
await shot("modal-second-mismatch");
await pin.fill("731946");
await dialog.getByRole("button", { name: "Check PIN" }).click();
await dialog.getByText("PIN verified.").waitFor();
await shot("modal-verified");
await page.keyboard.press("Escape");
await page.waitForTimeout(500);
await shot("lead-card-verified");

await page.getByTestId("security-pin-button").click();
await dialog.getByRole("button", { name: "Reset PIN" }).click();
await dialog.getByRole("radio", { name: /Owner/ }).check();
await dialog.getByRole("button", { name: "Reset PIN and send link" }).click();
await dialog.getByText("Reset in progress").waitFor();
await shot("modal-reset-in-progress");
await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
await shot("code-contact-picker");
await page.keyboard.press("Escape");

// A lockout, on another client.
await page.goto(`${base}/?tab=currently-enrolling&q=compeo`);
await hydrated();
await page.locator("table.clients tbody tr th a").nth(1).click();
await page.getByRole("heading", { name: "Contacts" }).waitFor();
await hydrated();
const owner2 = (await page.locator("table.contacts tbody tr").first().locator("td").nth(1).textContent()).trim();
await page.getByTestId("security-pin-button").click();
await dialog.getByRole("button", { name: "Create PIN" }).click();
await dialog.getByRole("radio", { name: /Owner/ }).check();
await dialog.getByRole("button", { name: "Send setup link" }).click();
await dialog.getByText("Setup link sent to").first().waitFor();
await mailbox.reload();
const link2 = await mailbox.locator(`article[data-recipient="${owner2}"] a[href*='/pin/']`).first().getAttribute("href");
await client.goto(link2);
await hydrated(client);
await client.getByLabel("New PIN").fill("582931");
await client.getByLabel("Type it again").fill("582931");
await client.getByRole("button", { name: "Save my PIN" }).click();
await client.getByTestId("setup-complete").waitFor();
await dialog.getByText("Set on").waitFor({ timeout: 15_000 });
await dialog.getByRole("button", { name: "Verify PIN" }).click();
for (let i = 0; i < 5; i++) {
  await dialog.getByLabel("PIN the caller reads out").fill(`10203${i}`);
  await dialog.getByRole("button", { name: "Check PIN" }).click();
  await page.waitForTimeout(400);
}
await dialog.getByTestId("verify-blocked").waitFor();
await shot("modal-locked");

// The message templates, as staff preview them.
await page.goto(`${base}/messages?brand=compeo`);
await page.locator("[data-folder=pin-setup-email] iframe").waitFor();
await shot("message-templates");

// Staff users, as an admin sees them.
const admin = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await admin.goto(`${base}/login`);
await hydrated(admin);
await admin.getByLabel("Work email").fill("admin@janus.example");
await admin.getByLabel("Password").fill("quiet-meadow-4821");
await admin.getByRole("button", { name: "Sign in", exact: true }).click();
await admin.getByTestId("staff-name").waitFor();
await admin.goto(`${base}/staff`);
await hydrated(admin);
await admin.getByTestId("staff-users").waitFor();
await shot("staff-users", admin, true);

await browser.close();
console.log(`screenshots written to ${out}`);
