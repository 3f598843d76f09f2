import { APIRequestContext, Browser, expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { ADMIN, AGENT, hydrated, rememberSecret } from "../tests/helpers";

// Two server processes on one PostgreSQL behind nginx (scripts/two-servers.sh --test):
// the product works the same whichever process a request reaches.
const PROXY = process.env.JANUS_TWO_SERVERS_PROXY ?? "http://localhost:3200";
const [A, B] = (process.env.JANUS_TWO_SERVERS_DIRECT ?? "http://127.0.0.1:3201 http://127.0.0.1:3202").split(" ");
const MAILDIR = process.env.JANUS_TWO_SERVERS_MAILDIR ?? "";

test.describe.configure({ mode: "serial" });

/** Calls a server function on one server, as the browser would (form post, same origin). */
async function call(api: APIRequestContext, base: string, fn: string, form: Record<string, string>, cookie?: string) {
  const headers: Record<string, string> = { Origin: base, Accept: "application/json" };
  if (cookie) headers.Cookie = cookie;
  return api.post(`${base}/api/${fn}`, { form, headers, maxRedirects: 0 });
}

/** Signs in on `base` and returns the Cookie header value of the session. */
async function signInOn(api: APIRequestContext, base: string, who = AGENT): Promise<string> {
  const r = await call(api, base, "sign_in", { email: who.email, password: who.password });
  expect(r.status(), await r.text()).toBeLessThan(400);
  const session = r.headersArray().find((h) => h.name.toLowerCase() === "set-cookie" && /session/.test(h.value));
  expect(session, "a session cookie").toBeTruthy();
  const cookie = session!.value.split(";")[0];
  rememberSecret(cookie.split("=")[1]);
  return cookie;
}

/** A Compeo client being enrolled (in the PIN workflow) and its owner's contact id and email. */
async function compeoClient(api: APIRequestContext, cookie: string, index: number) {
  const listed = await call(api, A, "list_clients", { tab: "currently-enrolling", search: "compeo", page: "1" }, cookie);
  expect(listed.status()).toBe(200);
  const row = (await listed.json()).rows[index];
  const status = await call(api, B, "get_security_status", { client_id: String(row.id) }, cookie);
  expect(status.status()).toBe(200);
  const owner = (await status.json()).contacts.find((c: { role: string }) => c.role === "owner");
  return { id: row.id as number, name: row.business_name as string, owner: owner.id as number, email: owner.email as string };
}

/** Every file the SMTP server stored, as text. */
function maildir(): string[] {
  const files: string[] = [];
  for (const sub of ["new", "cur"]) {
    const dir = path.join(MAILDIR, sub);
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) files.push(fs.readFileSync(path.join(dir, f), "utf8"));
  }
  return files;
}

test("a session opened through the proxy works on either server", async ({ playwright }) => {
  const api = await playwright.request.newContext();
  const cookie = await signInOn(api, PROXY);
  for (const base of [A, B]) {
    const me = await call(api, base, "current_staff", {}, cookie);
    expect(me.status(), base).toBe(200);
    expect((await me.json()).name).toBe(AGENT.name);
  }
  // Signed out on one, signed out on both.
  expect((await call(api, A, "sign_out", {}, cookie)).status()).toBeLessThan(400);
  for (const base of [A, B]) expect((await call(api, base, "current_staff", {}, cookie)).status(), base).toBe(401);
  await api.dispose();
});

test("throttles and send limits count across both servers", async ({ playwright }) => {
  const api = await playwright.request.newContext();
  // Sign-in attempts for one email, alternating servers: the eleventh is held back by both.
  for (let i = 0; i < 10; i++) {
    const r = await call(api, i % 2 ? B : A, "sign_in", { email: "nobody@janus.example", password: `wrong-${i}` });
    expect(r.status(), `attempt ${i + 1}`).toBe(401);
  }
  for (const base of [A, B]) {
    const r = await call(api, base, "sign_in", { email: "nobody@janus.example", password: "wrong-again" });
    expect(r.status(), base).toBe(429);
  }

  // Five 2-step codes per contact per 10 minutes, sent through alternate servers.
  const cookie = await signInOn(api, A);
  const client = await compeoClient(api, cookie, 0);
  for (let i = 0; i < 5; i++) {
    const r = await call(api, i % 2 ? B : A, "send_two_step_code", { client_id: String(client.id), contact_id: String(client.owner) }, cookie);
    expect(r.status(), `code ${i + 1}: ${await r.text()}`).toBe(200);
  }
  for (const base of [A, B]) {
    const r = await call(api, base, "send_two_step_code", { client_id: String(client.id), contact_id: String(client.owner) }, cookie);
    expect(r.status(), base).toBe(429);
  }

  // Each message leaves once, though both servers' delivery workers race for the outbox.
  const queued = async () => {
    const r = await call(api, B, "dev_mailbox", {}, cookie);
    return (await r.json()).filter((m: { recipient: string; channel: string }) => m.recipient === client.email && m.channel === "email");
  };
  await expect.poll(async () => (await queued()).every((m: { status: string }) => m.status === "sent"), { timeout: 30_000 }).toBe(true);
  const emails = await queued();
  expect(emails).toHaveLength(5);
  await expect.poll(() => maildir().filter((m) => m.includes(`To: ${client.email}`)).length, { timeout: 10_000 }).toBe(5);
  const stored = maildir().filter((m) => m.includes(`To: ${client.email}`));
  const codes = stored.map((m) => /verification code is (\d{6})/.exec(m.replace(/=\r?\n/g, ""))?.[1]);
  for (const code of codes) if (code) rememberSecret(code);
  expect(new Set(codes).size, "five different codes, each stored once").toBe(5);
  await api.dispose();
});

async function leadCardOf(browser: Browser, base: string, who: typeof AGENT, client: { id: number; name: string }): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto(`/clients/${client.id}`);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("Work email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: client.name })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  for (const cookie of await context.cookies()) rememberSecret(cookie.value);
  return page;
}

/** Agent A verifies the owner with a 2-step code on `a`; returns when A sees it done. */
async function verifyByCode(a: Page, browser: Browser, base: string, owner: string) {
  await a.getByTestId("security-pin-button").click();
  const dialog = a.getByRole("dialog", { name: /Security Verification/ });
  await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send code" }).click();
  await expect(dialog.getByRole("status")).toContainText("Code sent to");
  const mailbox = await (await browser.newContext({ baseURL: base })).newPage();
  await mailbox.request.post(`${base}/api/sign_in`, { form: { email: AGENT.email, password: AGENT.password }, headers: { Origin: base } });
  await mailbox.goto("/dev/mailbox");
  const text = await mailbox
    .locator(`article[data-channel="email"][data-recipient="${owner}"]`)
    .filter({ hasText: "verification code is" })
    .first()
    .locator(".mail-text")
    .textContent();
  await mailbox.context().close();
  const code = /verification code is (\d{6})/.exec(text!)![1];
  rememberSecret(code);
  await dialog.getByLabel("Code the client reads back").fill(code);
  await dialog.getByRole("button", { name: "Check code" }).click();
  await expect(dialog.getByRole("status")).toContainText("Code verified");
}

test("agent A's verification turns agent B's button green within 2 s, through the proxy", async ({ browser, playwright }) => {
  const api = await playwright.request.newContext();
  const cookie = await signInOn(api, A);
  const client = await compeoClient(api, cookie, 1);
  await api.dispose();
  const a = await leadCardOf(browser, PROXY, AGENT, client);
  const b = await leadCardOf(browser, PROXY, ADMIN, client);
  const bButton = b.getByTestId("security-pin-button");
  await expect(bButton).toHaveAttribute("data-verified", "false");
  await verifyByCode(a, browser, PROXY, client.email);
  const verifiedAt = Date.now();
  await expect(bButton).toHaveAttribute("data-verified", "true", { timeout: 2_000 });
  console.log(`B's button turned green ${Date.now() - verifiedAt} ms after A saw the verification`);
  // B's activity list shows it too, without a reload.
  await expect(b.getByTestId("audit-list")).toContainText("2-step code verified");
  if (process.env.DOCS_SCREENSHOTS) {
    await a.screenshot({ path: "../docs/live-two-servers-agent-a.png" });
    await b.screenshot({ path: "../docs/live-two-servers-agent-b.png" });
  }
  await a.context().close();
  await b.context().close();
});

test("each agent on a server of their own: the change crosses from one process to the other", async ({ browser, playwright }) => {
  const api = await playwright.request.newContext();
  const cookie = await signInOn(api, A);
  const client = await compeoClient(api, cookie, 2);
  await api.dispose();
  const a = await leadCardOf(browser, A, AGENT, client);
  const b = await leadCardOf(browser, B, ADMIN, client);
  const bButton = b.getByTestId("security-pin-button");
  await expect(bButton).toHaveAttribute("data-verified", "false");
  await verifyByCode(a, browser, A, client.email);
  await expect(bButton).toHaveAttribute("data-verified", "true", { timeout: 2_000 });
  await a.context().close();
  await b.context().close();
});

test("a server shutting down ends its streams; they reconnect to the other and catch up", async ({ browser, playwright }) => {
  const api = await playwright.request.newContext();
  const cookie = await signInOn(api, A);
  const client = await compeoClient(api, cookie, 3);
  await api.dispose();
  // B's stream goes through the proxy to one of the servers: the response names it.
  const context = await browser.newContext({ baseURL: PROXY });
  const b = await context.newPage();
  const upstream = new Promise<string>((resolve) =>
    b.on("response", (r) => {
      if (r.url().endsWith("/api/events")) resolve(r.headers()["x-upstream"] ?? "");
    }),
  );
  await b.goto(`/clients/${client.id}`);
  await hydrated(b);
  await b.getByLabel("Work email").fill(ADMIN.email);
  await b.getByLabel("Password").fill(ADMIN.password);
  await b.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(b.getByRole("heading", { level: 1, name: client.name })).toBeVisible();
  await expect(b.getByTestId("live-status")).toHaveText("Live");
  const holder = await upstream;
  const pids = Object.fromEntries((process.env.JANUS_TWO_SERVERS_PIDS ?? "").trim().split(" ").map((p) => p.split("=")));
  expect(pids[holder], `the stream's server (${holder}) is one of ours`).toBeTruthy();

  // Its reconnections are held off while the change is made, so it surely misses it.
  await b.route("**/api/events", (route) => route.abort());
  process.kill(Number(pids[holder]), "SIGTERM");
  await expect(b.getByTestId("live-status")).toHaveText("Reconnecting…");
  const a = await leadCardOf(browser, PROXY, AGENT, client);
  await verifyByCode(a, browser, PROXY, client.email);
  const bButton = b.getByTestId("security-pin-button");
  await expect(bButton).toHaveAttribute("data-verified", "false");

  // Let it through: the stream opens on the server still running and reads everything afresh.
  await b.unroute("**/api/events");
  await expect(b.getByTestId("live-status")).toHaveText("Live", { timeout: 10_000 });
  await expect(bButton).toHaveAttribute("data-verified", "true", { timeout: 2_000 });
  await a.context().close();
  await context.close();
});
