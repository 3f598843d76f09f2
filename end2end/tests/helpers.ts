import { Browser, expect, Locator, Page } from "@playwright/test";
import * as fs from "fs";

/**
 * Notes a secret this run used (link token, code, session cookie) in the ledger that
 * scripts/test.sh searches the run's logs and databases for afterwards.
 */
export function rememberSecret(value: string) {
  const ledger = process.env.TEST_SECRETS_LEDGER;
  if (ledger && value) fs.appendFileSync(ledger, value + "\n");
}

export const AGENT = { email: "agent@janus.example", password: "harbor-lantern-7412", name: "Avery Morgan" };
export const ADMIN = { email: "admin@janus.example", password: "quiet-meadow-4821", name: "Jordan Blake" };

/** Resolves once the WebAssembly bundle has hydrated the page (it marks <body>). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => document.body.dataset.hydrated === "true");
}

const violations = new WeakMap<Page, string[]>();

/** Collects what the browser reports as blocked by the Content-Security-Policy. */
export function watchCsp(page: Page) {
  if (violations.has(page)) return;
  const seen: string[] = [];
  violations.set(page, seen);
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) seen.push(message.text());
  });
}

/** What the policy blocked on `page` so far (its own scripts, styles and wasm: nothing). */
export function cspViolations(page: Page): string[] {
  return violations.get(page) ?? [];
}

export async function signIn(page: Page, next = "/", who = AGENT) {
  watchCsp(page);
  await page.goto(next);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("Work email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("staff-name")).toContainText(who.name);
  for (const cookie of await page.context().cookies()) rememberSecret(cookie.value);
}

/**
 * The development mailbox in a browser of its own, signed in as the agent: it shows live
 * links and codes, so it is a staff page.
 */
async function openMailbox(browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext();
  const signedIn = await context.request.post(`${base}/api/sign_in`, {
    form: { email: AGENT.email, password: AGENT.password },
    headers: { Origin: base },
  });
  expect(signedIn.ok()).toBeTruthy();
  const mailbox = await context.newPage();
  await mailbox.goto(`${base}/dev/mailbox`);
  await expect(mailbox).toHaveURL(/\/dev\/mailbox$/);
  return mailbox;
}

/** The newest PIN link emailed to `email`, read from the development mailbox. */
export async function mailboxLink(browser: Browser, email: string, base = "http://127.0.0.1:3100"): Promise<string> {
  const mailbox = await openMailbox(browser, base);
  const mail = mailbox
    .locator(`article[data-channel="email"][data-recipient="${email}"]`)
    .filter({ has: mailbox.locator("a[href*='/pin/']") })
    .first();
  const href = await mail.locator("a[href*='/pin/']").first().getAttribute("href");
  // Closed and awaited here: a context left closing would fail whichever test runs next.
  await mailbox.context().close();
  expect(href).toMatch(/\/pin\/[A-Za-z0-9_-]{22,}$/);
  rememberSecret(href!.split("/pin/")[1]);
  return href!;
}

/** The newest 2-step code emailed to `email`. */
export async function mailboxCode(browser: Browser, email: string, base = "http://127.0.0.1:3100"): Promise<string> {
  const mailbox = await openMailbox(browser, base);
  const mail = mailbox
    .locator(`article[data-channel="email"][data-recipient="${email}"]`)
    .filter({ hasText: "verification code is" })
    .first();
  const text = (await mail.locator(".mail-text").textContent())!;
  // Closed and awaited here: a context left closing would fail whichever test runs next.
  await mailbox.context().close();
  const code = /verification code is (\d{6})/.exec(text)?.[1];
  expect(code).toBeTruthy();
  rememberSecret(code!);
  return code!;
}

/** The text of the newest email to `email` that contains `hasText`. */
export async function mailboxText(browser: Browser, email: string, hasText: string, base = "http://127.0.0.1:3100"): Promise<string> {
  const mailbox = await openMailbox(browser, base);
  const mail = mailbox
    .locator(`article[data-channel="email"][data-recipient="${email}"]`)
    .filter({ hasText })
    .first();
  await expect(mail).toBeVisible();
  const text = (await mail.locator(".mail-text").textContent())!;
  // Closed and awaited here: a context left closing would fail whichever test runs next.
  await mailbox.context().close();
  return text;
}

/** Opens the lead card of the `index`-th Currently Enrolling client matching `search`. */
export async function openLeadCard(page: Page, search: string, index: number) {
  await signIn(page, `/?tab=currently-enrolling&q=${search}`);
  await hydrated(page);
  const row = page.locator("table.clients tbody tr").nth(index);
  const business = (await row.locator("th").textContent())!.trim();
  await row.locator("th a").click();
  await expect(page.getByRole("heading", { level: 1, name: business })).toBeVisible();
  await hydrated(page);
  const owner = page.locator("table.contacts tbody tr").first();
  await expect(owner.locator("td").first()).toHaveText("Owner");
  const ownerName = (await owner.locator("th").textContent())!.trim();
  const ownerEmail = (await owner.locator("td").nth(1).textContent())!.trim();
  return { business, ownerName, ownerEmail };
}

/** In the Verify PIN step, says who is on the phone: the PIN verifies that person. */
export async function pickCaller(dialog: Locator, name: string) {
  await dialog.getByRole("group", { name: "Who is on the phone?" }).getByRole("radio", { name: new RegExp(name) }).check();
}
