import { BrowserContext, expect, Page, test } from "@playwright/test";
import * as crypto from "crypto";
import { ADMIN, AGENT, cspViolations, hydrated, rememberSecret, watchCsp } from "./helpers";

// A server of its own (3105) with second factors required, as in production, and a
// one-minute step-up window so the test meets it. Passkeys need a host name: the site is
// opened at localhost. Every test changes the demo accounts, so they run once, in order.
const BASE = "http://localhost:3105";
test.use({ baseURL: BASE });
test.describe.configure({ mode: "serial" });
test.beforeEach(() => {
  test.skip(test.info().project.name !== "desktop", "enrols the demo accounts; runs once");
});
test.afterEach(async ({ page }) => {
  expect(cspViolations(page), "the Content-Security-Policy blocked nothing").toEqual([]);
});

/** RFC 6238 with SHA-1, 6 digits and 30-second steps, as an authenticator app computes it. */
function totp(secret: string, step: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/\s/g, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) key.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * The app's codes, each used once: the server refuses a code for a time step it already
 * accepted one for, so each code is for a later step than the last (the next step's code
 * is accepted early; when that was used too, this waits for the clock).
 */
class AuthenticatorApp {
  private last = 0;
  constructor(readonly secret: string) {}

  async code(page: Page): Promise<string> {
    let step = Math.floor(Date.now() / 30_000) + 1;
    while (step <= this.last) {
      await page.waitForTimeout(1_000);
      step = Math.floor(Date.now() / 30_000) + 1;
    }
    this.last = step;
    return totp(this.secret, step);
  }
}

/** A browser with Chromium's virtual authenticator: a platform passkey that verifies its user. */
async function withVirtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

async function password(page: Page, who: { email: string; password: string }) {
  watchCsp(page);
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Work email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: /^Sign out/ }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
}

const docs = process.env.DOCS_SCREENSHOTS ? (name: string) => `../docs/${name}` : undefined;

let app: AuthenticatorApp;
let recoveryCodes: string[] = [];

test("a passkey is set up right after the password, then signs in on its own and as the second factor", async ({ page, context }) => {
  await withVirtualAuthenticator(context, page);
  await password(page, AGENT);
  // Nothing else opens until a factor is set up.
  await expect(page).toHaveURL(/\/login\/set-up-second-factor/);
  await hydrated(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\/set-up-second-factor/);
  await hydrated(page);
  const refused = await page.request.post("/api/list_clients", {
    form: { tab: "currently-enrolling", search: "", page: "1" },
    headers: { Origin: BASE },
  });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain("SignInUnfinished");
  if (docs) await page.screenshot({ path: docs("staff-set-up-second-factor.png"), fullPage: true });

  await page.getByLabel("Name it, so you know it later").fill("Work laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(AGENT.name);
  for (const cookie of await context.cookies()) rememberSecret(cookie.value);

  // Sign in with the passkey alone.
  await signOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(AGENT.name);

  // Or with the password, then the passkey.
  await signOut(page);
  await password(page, AGENT);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await hydrated(page);
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(AGENT.name);

  // The account page lists it.
  await page.getByTestId("staff-name").click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByTestId("passkeys")).toContainText("Work laptop");
  await expect(page.getByTestId("sessions").getByTestId("session-row").filter({ hasText: "This browser" })).toHaveCount(1);
});

test("an authenticator app is set up from the code it shows, and signs in", async ({ page }) => {
  await password(page, ADMIN);
  await expect(page).toHaveURL(/\/login\/set-up-second-factor/);
  await hydrated(page);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.getByText("Cannot scan? Type this key instead").click();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  rememberSecret(secret.replace(/\s/g, ""));
  app = new AuthenticatorApp(secret);
  await page.getByTestId("totp-setup-code").fill("000000");
  await page.getByRole("button", { name: "Finish set-up" }).click();
  await expect(page.getByRole("alert")).toContainText("that code is not right");
  await page.getByTestId("totp-setup-code").fill(await app.code(page));
  await page.getByRole("button", { name: "Finish set-up" }).click();
  const codes = page.getByTestId("recovery-codes");
  await expect(codes.locator("li")).toHaveCount(10);
  recoveryCodes = (await codes.locator("code").allTextContents()).map((c) => c.trim());
  recoveryCodes.forEach(rememberSecret);
  if (docs) await page.screenshot({ path: docs("staff-recovery-codes.png"), fullPage: true });
  await page.getByRole("link", { name: /I have saved them/ }).click();
  await expect(page.getByTestId("staff-name")).toContainText(ADMIN.name);

  await signOut(page);
  await password(page, ADMIN);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await hydrated(page);
  if (docs) await page.screenshot({ path: docs("staff-second-factor.png"), fullPage: true });
  await page.getByTestId("second-factor-code").fill(await app.code(page));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(ADMIN.name);
});

test("a recovery code works once, and a second use is refused", async ({ page }) => {
  await password(page, ADMIN);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await hydrated(page);
  // Typed as people do: upper case, spaces for dashes.
  await page.getByTestId("second-factor-code").fill(recoveryCodes[0].toUpperCase().replace(/-/g, " "));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(ADMIN.name);

  await signOut(page);
  await password(page, ADMIN);
  await hydrated(page);
  await page.getByTestId("second-factor-code").fill(recoveryCodes[0]);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("that code is not right");
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await page.getByTestId("second-factor-code").fill(recoveryCodes[1]);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(ADMIN.name);
  await page.getByTestId("staff-name").click();
  await expect(page.getByTestId("authenticator-status")).toContainText("8 of 10 recovery codes left");
});

test("an admin action asks for step-up, then runs", async ({ page }) => {
  // It waits out the step-up window, and perhaps a time step of the app.
  test.setTimeout(150_000);
  await password(page, ADMIN);
  await hydrated(page);
  await page.getByTestId("second-factor-code").fill(await app.code(page));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("staff-name")).toContainText(ADMIN.name);
  await page.goto("/staff");
  await hydrated(page);
  // The step-up window on this server is one minute.
  await page.waitForTimeout(61_000);
  const agentRow = page.getByTestId("staff-users").locator(`tr[data-email="${AGENT.email}"]`);
  await agentRow.getByRole("button", { name: `Make verifier ${AGENT.name}` }).click();
  const stepUp = page.getByTestId("step-up");
  await expect(stepUp).toContainText("Confirm it is you");
  await expect(agentRow.getByRole("cell", { name: "Agent", exact: true })).toBeVisible();
  if (docs) await page.screenshot({ path: docs("staff-step-up.png"), fullPage: true });
  await stepUp.getByTestId("step-up-input").fill(await app.code(page));
  await stepUp.getByRole("button", { name: "Confirm" }).click();
  // Confirmed, the change runs by itself.
  await expect(page.getByRole("status").first()).toContainText(`${AGENT.name} is an active verifier.`);
  await expect(agentRow.getByRole("cell", { name: "Verifier", exact: true })).toBeVisible();
  await expect(page.getByTestId("sign-in-audit")).toContainText("authenticator code for an admin action");
});

test("a verifier checks callers and cannot send a link", async ({ page, context }) => {
  test.setTimeout(90_000);
  // The demo agent is a verifier now (the test before); their passkey still signs them in.
  await withVirtualAuthenticator(context, page);
  watchCsp(page);
  await page.goto("/login");
  await hydrated(page);
  // A fresh virtual authenticator holds no passkey: sign in with the password and a
  // new passkey is not possible without the old one, so the admin resets the factor.
  const admin = await context.browser()!.newContext({ baseURL: BASE });
  const adminPage = await admin.newPage();
  await password(adminPage, ADMIN);
  await hydrated(adminPage);
  await adminPage.getByTestId("second-factor-code").fill(recoveryCodes[2]);
  await adminPage.getByRole("button", { name: "Continue" }).click();
  await adminPage.goto("/staff");
  await hydrated(adminPage);
  const row = adminPage.getByTestId("staff-users").locator(`tr[data-email="${AGENT.email}"]`);
  await row.getByRole("button", { name: `Reset second factor ${AGENT.name}` }).click();
  await expect(adminPage.getByRole("status").first()).toContainText("authenticator app and recovery codes are removed");
  await expect(row.getByTestId("sign-in-factors")).toHaveText("Password only");
  await row.getByRole("button", { name: `Reset password of ${AGENT.name}` }).click();
  const issued = (await adminPage.getByTestId("issued-password").locator("code").textContent())!.trim();
  rememberSecret(issued);
  await expect(row.getByTestId("sign-in-factors")).toContainText("must choose a password");
  await admin.close();

  // The first password an admin issued is changed at once, then a factor is set up.
  await password(page, { email: AGENT.email, password: issued });
  await expect(page).toHaveURL(/\/login\/new-password/);
  await hydrated(page);
  if (docs) await page.screenshot({ path: docs("staff-new-password.png"), fullPage: true });
  await page.getByLabel("Current password").fill(issued);
  await page.getByLabel("New password").fill("password1234");
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page.getByRole("alert")).toContainText("too easy to guess");
  await page.getByLabel("Current password").fill(issued);
  await page.getByLabel("New password").fill("avery-lantern-harbor");
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page.getByRole("alert")).toContainText("your own name or email");
  await page.getByLabel("Current password").fill(issued);
  await page.getByLabel("New password").fill("copper kettle morning");
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page).toHaveURL(/\/login\/set-up-second-factor/);
  await hydrated(page);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("staff-name")).toContainText("Verifier");

  // No setup link in the row menu; Verify PIN and Prove it's us, but no Create PIN.
  await page.goto("/?tab=currently-enrolling&q=compeo");
  await hydrated(page);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Message templates" })).toHaveCount(0);
  const clientRow = page.locator("table.clients tbody tr").first();
  await clientRow.getByRole("button", { name: /^Options for / }).click();
  await expect(clientRow.getByRole("menuitem", { name: "Open lead card" })).toBeVisible();
  await expect(clientRow.getByRole("menuitem", { name: "Send Security PIN Setup Link" })).toHaveCount(0);
  await page.keyboard.press("Escape");
  await clientRow.locator("th a").click();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Sync Employees" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Add contact" })).toBeHidden();
  await page.getByRole("button", { name: /Security PIN/ }).first().click();
  const modal = page.getByRole("dialog");
  await expect(modal.getByRole("button", { name: "Prove it's us" })).toBeVisible();
  await expect(modal.getByRole("button", { name: "Send 2-Step Verification Code" })).toBeVisible();
  await expect(modal.getByRole("button", { name: /^(Create|Reset) PIN$/ })).toBeHidden();
  if (docs) await page.screenshot({ path: docs("staff-verifier-modal.png"), fullPage: true });

  // And the server says no, with the reason, whatever the page shows.
  const clientId = new URL(page.url()).pathname.split("/").pop()!;
  const answer = await page.request.post("/api/send_pin_link", {
    form: { client_id: clientId, contact_id: "1", purpose: "setup" },
    headers: { Origin: BASE },
  });
  expect(answer.status()).toBe(403);
  expect(await answer.text()).toContain("Verifiers check callers only");
});
