import { devices, expect, Page, test } from "@playwright/test";
import { ADMIN, cspViolations, hydrated, mailboxCode, mailboxLink, mailboxText, openLeadCard, pickCaller, signIn, watchCsp } from "./helpers";

test.afterEach(async ({ page }) => {
  expect(cspViolations(page), "the Content-Security-Policy blocked nothing").toEqual([]);
});

// The walk-throughs below change shared state (one server and database for both
// viewports), so each works on its own client and most run once, in the desktop project;
// the client's own page is opened in a phone viewport inside them.
const desktopOnly = () =>
  test.skip(test.info().project.name !== "desktop", "runs once; uses a phone viewport inside");

test("the whole PIN walk-through: create, set on a phone, verify, reset, verify", async ({ page, browser }) => {
  desktopOnly();
  test.setTimeout(120_000);
  const { ownerName, ownerEmail } = await openLeadCard(page, "compeo", 0);
  const pinButton = page.getByTestId("security-pin-button");
  await expect(pinButton).toHaveAttribute("data-verified", "false");
  await expect(pinButton).toContainText("Not verified");

  // Sensitive work waits for a verified caller, and the notice says who and offers the way there.
  await expect(page.getByTestId("authority-needs")).toContainText(
    "Sync Employees needs the Owner or an Authorized Representative, verified by you within the last 60 minutes.",
  );
  await page.getByRole("button", { name: "Sync Employees" }).click();
  const gate = page.getByRole("alert").filter({ hasText: "nobody is verified now" });
  await expect(gate).toBeVisible();
  await gate.getByRole("button", { name: "Open Security PIN" }).click();

  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("pin-line")).toHaveText("No PIN yet");
  await expect(dialog.getByRole("button", { name: "Verify PIN" })).toBeDisabled();
  await expect(dialog.getByTestId("verify-blocked")).toContainText("create one first");

  // Create PIN: only the Owner and Authorized Representatives can be chosen.
  await dialog.getByRole("button", { name: "Create PIN" }).click();
  await expect(dialog.getByRole("group", { name: "Create PIN: who sets it?" })).toBeVisible();
  const radios = dialog.getByRole("radio");
  for (let i = 0; i < (await radios.count()); i++) {
    const li = dialog.locator("li.choice").nth(i);
    const role = (await li.locator(".role").textContent())!;
    if (role === "Owner" || role === "Authorized Representative") {
      await expect(radios.nth(i)).toBeEnabled();
    } else {
      await expect(radios.nth(i)).toBeDisabled();
      await expect(li).toContainText("Only the Owner or an Authorized Representative may set the PIN.");
    }
  }
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send setup link" }).click();
  await expect(dialog.getByTestId("pin-line")).toContainText(`Setup link sent`);
  await expect(dialog.getByTestId("pin-line")).toContainText(`to ${ownerName}`);
  // Each message of the link, by email and SMS, with its delivery status.
  const linkMessages = dialog.getByRole("table", { name: "Link messages" });
  await expect(linkMessages.locator("tr")).toHaveCount(2);
  await expect(linkMessages.locator('tr[data-channel="SMS"] [data-testid=delivery-status]')).toHaveText("Sent");

  // The client opens the link from the mailbox on a phone and sets a PIN, while staff
  // keep the modal open.
  const link = await mailboxLink(browser, ownerEmail);
  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const client = await phone.newPage();
  watchCsp(client);
  const fetched: string[] = [];
  client.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await client.goto(link);
  await hydrated(client);
  await expect(client.getByRole("heading", { name: "Set your security PIN" })).toBeVisible();
  await expect(client.locator(".client-brand")).toHaveText("Compeo");
  // The page runs its own small bundle, never the staff app's.
  expect(fetched.filter((p) => /^\/pkg\/pin-page\.[\w-]{16,}\.wasm$/.test(p))).toHaveLength(1);
  expect(fetched.filter((p) => p.includes("janus") && !p.endsWith(".css"))).toEqual([]);
  // Its one stylesheet, the app's, named by its content so phones keep it.
  expect(fetched.filter((p) => /^\/pkg\/janus\.[\w-]{16,}\.css$/.test(p))).toHaveLength(1);
  await client.getByLabel("New PIN").fill("4");
  await client.getByLabel("Show digits").check();
  await expect(client.getByLabel("New PIN")).toHaveAttribute("type", "text");
  await client.getByLabel("Show digits").uncheck();
  await expect(client.getByLabel("New PIN")).toHaveAttribute("type", "password");
  await expect(client.getByTestId("pin-problem")).toBeEmpty();
  await client.getByLabel("New PIN").fill("123456");
  await expect(client.getByTestId("pin-problem")).toContainText("counting up or down");
  await expect(client.getByRole("button", { name: "Save my PIN" })).toBeDisabled();
  await client.getByLabel("New PIN").fill("731946");
  await client.getByLabel("Type it again").fill("731947");
  await expect(client.getByTestId("confirm-problem")).toContainText("do not match");
  await client.getByLabel("Type it again").fill("731946");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client.getByTestId("setup-complete")).toContainText("Setup complete");

  // The open modal hears of the new PIN on the live feed, within a second. Staff verify:
  // wrong once (ask again), wrong twice (the ways out), then right.
  await expect(dialog.getByTestId("pin-line")).toContainText("Set on", { timeout: 1_000 });
  await dialog.getByRole("button", { name: "Verify PIN" }).click();
  const pinField = dialog.getByLabel("PIN the caller reads out");
  await expect(pinField).toBeFocused();
  await pickCaller(dialog, ownerName);
  await pinField.fill("284617");
  await dialog.getByRole("button", { name: "Check PIN" }).click();
  const mismatch = dialog.getByTestId("pin-mismatch");
  await expect(mismatch).toContainText("Ask the client to repeat the number");
  await expect(mismatch.getByRole("button")).toHaveCount(0);
  await pinField.fill("284618");
  await dialog.getByRole("button", { name: "Check PIN" }).click();
  await expect(mismatch).toContainText("2 in a row");
  await expect(mismatch.getByRole("button", { name: "Reset PIN" })).toBeVisible();
  await expect(mismatch.getByRole("button", { name: "Send 2-Step Verification Code" })).toBeVisible();
  await pinField.fill("731946");
  await dialog.getByRole("button", { name: "Check PIN" }).click();
  await expect(dialog.getByRole("status")).toContainText("PIN verified");
  const who = `Verified: ${ownerName} (Owner) · PIN · by Avery Morgan`;
  await expect(dialog.getByTestId("verification-line")).toContainText(who);

  // Green, naming who is verified, with a countdown that moves on its own.
  await expect(pinButton).toHaveAttribute("data-verified", "true");
  await expect(pinButton).toContainText(who);
  expect(await pinButton.getAttribute("title")).toContain(`${who} · `);
  await expect(page.getByTestId("verified-people")).toContainText(who);
  await expect(pinButton).toHaveClass(/pin-green/);
  const shown = (await pinButton.locator("[role=timer]").textContent())!;
  expect(shown).toMatch(/^(1:00:00|59:[0-5]\d)$/);
  await expect(pinButton.locator("[role=timer]")).not.toHaveText(shown, { timeout: 3_000 });
  await page.keyboard.press("Escape");
  await expect(pinButton).toBeFocused();

  // Now sensitive work runs, and everything is in the audit list, newest first.
  await page.getByRole("button", { name: "Sync Employees" }).click();
  const audit = page.getByTestId("audit-list");
  await expect(audit.locator("tbody tr").first()).toContainText("Sync Employees");
  for (const action of ["PIN verification", "PIN set by client", "PIN link sent"]) {
    await expect(audit).toContainText(action);
  }
  await expect(audit).not.toContainText("731946");

  // Reset: the old PIN stops working at once and Verify PIN waits for the new one.
  await pinButton.click();
  await dialog.getByRole("button", { name: "Reset PIN" }).click();
  await expect(dialog).toContainText("The current PIN stops working as soon as you send the reset link.");
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Reset PIN and send link" }).click();
  await expect(dialog.getByTestId("pin-line")).toContainText("Reset in progress");
  await expect(dialog.getByRole("button", { name: "Verify PIN" })).toBeDisabled();
  await expect(dialog.getByTestId("verify-blocked")).toContainText("The PIN was reset");
  await page.keyboard.press("Escape");

  const resetLink = await mailboxLink(browser, ownerEmail);
  expect(resetLink).not.toBe(link);
  await client.goto(resetLink);
  await hydrated(client);
  await expect(client.getByRole("heading", { name: "Choose a new security PIN" })).toBeVisible();
  await client.getByLabel("New PIN").fill("582931");
  await client.getByLabel("Type it again").fill("582931");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client.getByTestId("setup-complete")).toContainText("the old one no longer works");
  await client.goto(link);
  await expect(client.getByTestId("link-problem")).toContainText("ask your enrollment contact to send you a new link");
  expect(cspViolations(client), "the client page's policy blocked nothing").toEqual([]);
  await phone.close();

  // The reset ended the verification the old PIN gave.
  await expect(pinButton).toHaveAttribute("data-verified", "false");
  await pinButton.click();
  await expect(dialog.getByTestId("verification-line")).toContainText("(the PIN was reset)");
  await dialog.getByRole("button", { name: "Verify PIN" }).click();
  await pickCaller(dialog, ownerName);
  await dialog.getByLabel("PIN the caller reads out").fill("582931");
  await dialog.getByRole("button", { name: "Check PIN" }).click();
  await expect(dialog.getByRole("status")).toContainText("PIN verified");
});

test("a 2-step code verifies the caller", async ({ page, browser }) => {
  desktopOnly();
  const { ownerName, ownerEmail } = await openLeadCard(page, "compeo", 1);
  const pinButton = page.getByTestId("security-pin-button");
  await pinButton.click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
  await expect(dialog.getByRole("group", { name: /2-step verification code/ })).toBeVisible();
  // Every contact can receive a code; the picker says on which channels.
  for (const radio of await dialog.getByRole("radio").all()) {
    await expect(radio).toBeEnabled();
  }
  await expect(dialog.locator("li.choice").first()).toContainText("Email and SMS");
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send code" }).click();
  await expect(dialog.getByRole("status")).toContainText("Code sent to");
  const field = dialog.getByLabel("Code the client reads back");
  await expect(field).toBeFocused();

  const code = await mailboxCode(browser, ownerEmail);
  const wrong = code.slice(0, 5) + String((Number(code[5]) + 1) % 10);
  await field.fill(wrong);
  await dialog.getByRole("button", { name: "Check code" }).click();
  await expect(dialog.getByRole("alert").filter({ hasText: "does not match" })).toContainText("4 checks left");
  await field.fill(code);
  await dialog.getByRole("button", { name: "Check code" }).click();
  await expect(dialog.getByRole("status")).toContainText("Code verified");
  await expect(dialog.getByTestId("verification-line")).toContainText(`Verified: ${ownerName} (Owner) · 2-step code · by Avery Morgan`);
  await expect(pinButton).toHaveAttribute("data-verified", "true");
});

test("a code read back by another contact does not unlock Send to BEIA; the owner's does", async ({ page, browser }) => {
  desktopOnly();
  const { ownerName, ownerEmail } = await openLeadCard(page, "compeo", 3);
  // Someone who does not speak for the business: a payroll, HR or accounting contact.
  const others = page.locator("table.contacts tbody tr").filter({ hasText: /Payroll Contact|HR Contact|Accountant/ });
  const other = others.first();
  const otherName = (await other.locator("th").textContent())!.trim();
  const otherRole = (await other.locator("td").first().textContent())!.trim();
  const otherEmail = (await other.locator("td").nth(1).textContent())!.trim();
  const pinButton = page.getByTestId("security-pin-button");
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });

  const verifyByCode = async (name: string, email: string) => {
    await pinButton.click();
    await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
    await dialog.getByRole("radio", { name: new RegExp(name) }).check();
    await dialog.getByRole("button", { name: "Send code" }).click();
    await expect(dialog.getByRole("status")).toContainText("Code sent to");
    await dialog.getByLabel("Code the client reads back").fill(await mailboxCode(browser, email));
    await dialog.getByRole("button", { name: "Check code" }).click();
    await expect(dialog.getByRole("status")).toContainText(`Code verified: ${name} (`);
    await page.keyboard.press("Escape");
  };

  await verifyByCode(otherName, otherEmail);
  await expect(pinButton).toContainText(`Verified: ${otherName} (${otherRole}) · 2-step code · by Avery Morgan`);
  await page.getByRole("button", { name: "Send to BEIA" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Send to BEIA needs the Owner or an Authorized Representative" });
  await expect(refusal).toContainText(`${otherName} (${otherRole}) is verified.`);
  await expect(page.getByTestId("beia-indicator")).toHaveText("Not sent to BEIA");
  await page.screenshot({ path: screenshotPath("authority-refused.png"), fullPage: false });

  await verifyByCode(ownerName, ownerEmail);
  await expect(page.getByTestId("verified-people").locator("li")).toHaveCount(2);
  await page.getByRole("button", { name: "Send to BEIA" }).click();
  await expect(page.getByTestId("beia-indicator")).toHaveText("Sent to BEIA");
  const audit = page.getByTestId("audit-list");
  await expect(audit.locator("tbody tr").first()).toContainText(`authorized by ${ownerName} (Owner) · 2-step code`);
});

test("Prove it's us delivers the same words the modal shows", async ({ page, browser }) => {
  desktopOnly();
  const { ownerName, ownerEmail } = await openLeadCard(page, "compeo", 1);
  await page.getByTestId("security-pin-button").click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await dialog.getByRole("button", { name: "Prove it's us" }).click();
  await expect(dialog.getByRole("group", { name: "Prove it's us: who is on the phone?" })).toBeVisible();
  await dialog.getByRole("radio", { name: new RegExp(ownerName) }).check();
  await dialog.getByRole("button", { name: "Send the words" }).click();
  const shown = dialog.getByTestId("proof-words");
  await expect(shown).toHaveText(/^[a-z]+ [a-z]+ [a-z]+$/);
  const words = (await shown.textContent())!.trim();
  await expect(dialog.getByTestId("read-words")).toContainText(`Read these words to ${ownerName}. They just received them from us by email and SMS`);
  await dialog.screenshot({ path: screenshotPath("modal-prove-its-us.png") });
  const mail = await mailboxText(browser, ownerEmail, "will read you the words");
  expect(mail).toContain(`Avery Morgan from Compeo is on the phone with you now and will read you the words: ${words}`);
  await dialog.getByRole("button", { name: "Back" }).click();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("audit-list").locator("tbody tr").first()).toContainText("Prove it's us");
});

test("an owner's email changes only once the owner is verified; the new address cools off until an admin approves", async ({ page, browser }) => {
  desktopOnly();
  test.setTimeout(120_000);
  const { ownerName, ownerEmail } = await openLeadCard(page, "peopaygo", 2);
  const newEmail = `new.${ownerEmail}`;
  const pinButton = page.getByTestId("security-pin-button");

  // As an agent, without verification: refused with the reason, and nothing is lost.
  await page.getByRole("button", { name: `Edit ${ownerName}` }).click();
  const form = page.getByTestId("contact-form");
  await form.getByLabel("Email").fill(newEmail);
  await expect(form.getByTestId("contact-guarded")).toContainText("decides who speaks for the business");
  await page.locator("#contacts").screenshot({ path: screenshotPath("contact-editor.png") });
  await form.getByRole("button", { name: "Save contact" }).click();
  const refusal = form.getByTestId("contact-refused");
  await expect(refusal).toContainText("Changing an Owner or Authorized Representative needs the Owner or an Authorized Representative");
  await expect(refusal).toContainText("nobody is verified now");
  await expect(form.getByLabel("Email")).toHaveValue(newEmail);
  await form.screenshot({ path: screenshotPath("contact-refused.png") });
  await expect(page.locator("table.contacts")).toContainText(ownerEmail);

  // Verify the owner (a 2-step code they read back), and the change goes through.
  await refusal.getByRole("button", { name: "Open Security PIN" }).click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
  await dialog.getByRole("radio", { name: new RegExp(ownerName) }).check();
  await dialog.getByRole("button", { name: "Send code" }).click();
  await dialog.getByLabel("Code the client reads back").fill(await mailboxCode(browser, ownerEmail));
  await dialog.getByRole("button", { name: "Check code" }).click();
  await expect(dialog.getByRole("status")).toContainText(`Code verified: ${ownerName} (Owner)`);
  await page.keyboard.press("Escape");
  await expect(pinButton).toHaveAttribute("data-verified", "true");
  await form.getByRole("button", { name: "Save contact" }).click();
  const ownerRow = page.locator("table.contacts tbody tr").filter({ hasText: ownerName });
  await expect(ownerRow).toContainText(newEmail);
  await expect(ownerRow.getByTestId("cooling-off")).toContainText("email address was changed recently");
  // The verification proved the person at the old address: it ends with the change.
  await expect(pinButton).toHaveAttribute("data-verified", "false");
  await expect(page.getByTestId("audit-list").locator("tbody tr").first()).toContainText("authorized by");
  // The old address hears of it.
  const notice = await mailboxText(browser, ownerEmail, "contact details");
  expect(notice).toContain("Your email address on file for");
  expect(notice).toContain("If this was not you");

  // No setup link goes to the new address while it cools off.
  await pinButton.click();
  await dialog.getByRole("button", { name: "Create PIN" }).click();
  const ownerChoice = dialog.locator("li.choice").filter({ hasText: ownerName });
  await expect(ownerChoice.getByRole("radio")).toBeDisabled();
  await expect(ownerChoice).toContainText(/no link or code goes to it for 2[34] h( \d+ min)? more, unless an admin approves/);
  await dialog.screenshot({ path: screenshotPath("cooling-off-picker.png") });
  await page.keyboard.press("Escape");

  // An admin approves with a reason, and the link goes.
  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, new URL(page.url()).pathname, ADMIN);
  await hydrated(adminPage);
  await adminPage.getByTestId("security-pin-button").click();
  const adminDialog = adminPage.getByRole("dialog", { name: /Security Verification/ });
  await adminDialog.getByRole("button", { name: "Create PIN" }).click();
  const choice = adminDialog.locator("li.choice").filter({ hasText: ownerName });
  await choice.getByRole("button", { name: "Approve sending now…" }).click();
  await choice.getByLabel("Why may messages go to the new address now?").fill("owner confirmed the new address on a call back to the number on file");
  await choice.getByRole("button", { name: "Approve sending now", exact: true }).click();
  await expect(adminDialog.getByRole("status")).toContainText("Approved: links and codes may go to");
  await expect(choice.getByRole("radio")).toBeEnabled();
  await choice.getByRole("radio").check();
  await adminDialog.getByRole("button", { name: "Send setup link" }).click();
  await expect(adminDialog.getByTestId("pin-line")).toContainText("Setup link sent");
  expect(await mailboxLink(browser, newEmail)).toMatch(/\/pin\//);
  await adminPage.context().close();
});

test("moving a client to Enrolled without a PIN is refused, with the way to send the link", async ({ page, browser }) => {
  desktopOnly();
  test.setTimeout(90_000);
  const { ownerName, ownerEmail } = await openLeadCard(page, "cornerstone", 2);
  const stage = page.getByTestId("stage-control");
  await expect(stage).toContainText("Enrollment stage: Currently enrolling");
  await stage.getByRole("button", { name: "Move to Enrolled" }).click();
  const refusal = stage.getByTestId("stage-refused");
  await expect(refusal).toContainText("Cornerstone clients become Enrolled only once they have a security PIN");
  await page.screenshot({ path: screenshotPath("stage-refused.png"), fullPage: false });
  await expect(page.getByTestId("audit-list").locator("tbody tr").first()).toContainText("without a security PIN");

  // The shortcut opens the modal at the setup link's contact picker.
  await refusal.getByRole("button", { name: "Send setup link" }).click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await expect(dialog.getByRole("group", { name: "Create PIN: who sets it?" })).toBeVisible();
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send setup link" }).click();
  await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");
  const client = await (await browser.newContext({ ...devices["Pixel 7"] })).newPage();
  watchCsp(client);
  await client.goto(await mailboxLink(browser, ownerEmail));
  await hydrated(client);
  // Clients are told to ask a caller to prove it is us before giving the PIN.
  await expect(client.getByTestId("prove-its-us-advice")).toContainText("Never give your PIN to a caller who cannot do this.");
  await client.getByLabel("New PIN").fill("582937");
  await client.getByLabel("Type it again").fill("582937");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client.getByTestId("setup-complete")).toContainText("Setup complete");
  await expect(dialog.getByTestId("pin-line")).toContainText("Set on", { timeout: 1_000 });
  // The number on file, to call back on; never one the caller gives.
  const callBack = dialog.getByTestId("call-back");
  await expect(callBack).toContainText("Never call a number the caller gives you.");
  await expect(callBack.getByRole("link").first()).toHaveAttribute("href", /^tel:\+\d{8,15}$/);
  await expect(callBack).toContainText(`${ownerName} (Owner)`);
  await dialog.screenshot({ path: screenshotPath("modal-call-back.png") });
  await page.keyboard.press("Escape");

  // With the PIN set, the gate opens; the Enrolled client keeps its PIN tools.
  await stage.getByRole("button", { name: "Move to Enrolled" }).click();
  await expect(stage).toContainText("Enrollment stage: Enrolled");
  await expect(page.getByTestId("security-pin-button")).toBeVisible();
  await expect(page.getByTestId("audit-list").locator("tbody tr").first()).toContainText("Currently enrolling → Enrolled");

  // Back a stage only with a reason.
  await stage.getByRole("button", { name: "Move back to Currently enrolling…" }).click();
  const why = stage.getByLabel("Why is the client moving back to Currently enrolling?");
  await why.fill("no");
  await stage.getByRole("button", { name: "Move back to Currently enrolling", exact: true }).click();
  await expect(stage.getByRole("alert")).toContainText("Say why the client moves back to Currently enrolling");
  await why.fill("benefits paperwork came back incomplete");
  await stage.getByRole("button", { name: "Move back to Currently enrolling", exact: true }).click();
  await expect(stage).toContainText("Enrollment stage: Currently enrolling");
  await expect(page.getByTestId("audit-list").locator("tbody tr").first()).toContainText(
    "Enrolled → Currently enrolling: benefits paperwork came back incomplete",
  );
});

test("the dashboard's ⋮ menu sends a setup link after a confirmation", async ({ page }) => {
  // Each viewport on a client of its own brand.
  const brand = test.info().project.name === "phone" ? "peopaygo" : "cornerstone";
  await signIn(page, `/?tab=currently-enrolling&q=${brand}`);
  await hydrated(page);
  const row = page.locator("table.clients tbody tr").first();
  const business = (await row.locator("th").textContent())!.trim();
  await expect(row.getByTestId("row-verification")).toHaveText("Not verified");
  const menuButton = row.getByRole("button", { name: /^Options for / });

  await menuButton.click();
  await row.getByRole("menuitem", { name: "Send Security PIN Setup Link" }).click();
  const confirm = page.getByRole("dialog", { name: `Send a Security PIN setup link to ${business}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(menuButton).toBeFocused();

  await menuButton.click();
  await row.getByRole("menuitem", { name: "Send Security PIN Setup Link" }).click();
  await confirm.getByRole("button", { name: "Continue" }).click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await expect(dialog).toContainText(business);
  await expect(dialog.getByRole("group", { name: "Create PIN: who sets it?" })).toBeVisible();
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send setup link" }).click();
  await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row.locator("td[data-label='Security PIN']")).toContainText("Link sent");
});

test("the client PIN page works with JavaScript turned off", async ({ page, browser }) => {
  desktopOnly();
  const { ownerEmail } = await openLeadCard(page, "compeo", 2);
  await page.getByTestId("security-pin-button").click();
  const dialog = page.getByRole("dialog", { name: /Security Verification/ });
  await dialog.getByRole("button", { name: "Create PIN" }).click();
  await dialog.getByRole("radio", { name: /Owner/ }).check();
  await dialog.getByRole("button", { name: "Send setup link" }).click();
  await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");
  const link = await mailboxLink(browser, ownerEmail);

  const noScript = await browser.newContext({ ...devices["Pixel 7"], javaScriptEnabled: false });
  const client = await noScript.newPage();
  await client.goto(link);
  await expect(client.getByRole("heading", { name: "Set your security PIN" })).toBeVisible();
  await client.getByLabel("New PIN").fill("111111");
  await client.getByLabel("Type it again").fill("111111");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client).toHaveURL(/\?problem=repeated$/);
  await expect(client.getByTestId("pin-problem")).toContainText("one digit repeated");

  await client.getByLabel("New PIN").fill("731946");
  await client.getByLabel("Type it again").fill("731964");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client.getByTestId("confirm-problem")).toContainText("do not match");

  await client.getByLabel("New PIN").fill("731946");
  await client.getByLabel("Type it again").fill("731946");
  await client.getByRole("button", { name: "Save my PIN" }).click();
  await expect(client).toHaveURL(/\/pin\/complete\/compeo\?purpose=setup$/);
  await expect(client.getByRole("heading", { name: "Setup complete" })).toBeVisible();
  await noScript.close();
});

test.describe("with a one-minute verified window", () => {
  test.use({ baseURL: "http://127.0.0.1:3101" });

  test("the button turns red by itself when the window ends", async ({ page, browser }) => {
    desktopOnly();
    test.setTimeout(150_000);
    const { ownerName, ownerEmail } = await openLeadCard(page, "compeo", 0);
    const pinButton = page.getByTestId("security-pin-button");
    await pinButton.click();
    const dialog = page.getByRole("dialog", { name: /Security Verification/ });
    await dialog.getByRole("button", { name: "Send 2-Step Verification Code" }).click();
    await dialog.getByRole("radio", { name: /Owner/ }).check();
    await dialog.getByRole("button", { name: "Send code" }).click();
    const code = await mailboxCode(browser, ownerEmail, "http://127.0.0.1:3101");
    await dialog.getByLabel("Code the client reads back").fill(code);
    await dialog.getByRole("button", { name: "Check code" }).click();
    await expect(dialog.getByRole("status")).toContainText("Code verified");
    await page.keyboard.press("Escape");

    await expect(pinButton).toHaveClass(/pin-green/);
    await expect(pinButton.locator("[role=timer]")).toHaveText(/^(01:00|00:[0-5]\d)$/);
    // A mark on the page: if it survives, nothing reloaded the page.
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 42));
    await expect(pinButton).toHaveClass(/pin-red/, { timeout: 75_000 });
    await expect(pinButton).toContainText("Not verified");
    expect(await page.evaluate(() => (window as unknown as { mark: number }).mark)).toBe(42);
    await expect(page.getByTestId("verified-people")).toHaveCount(0);
  });
});

/** Where a screenshot goes: docs/ when `DOCS_SCREENSHOTS=1` (to refresh the README's), else the test's own output. */
const screenshotPath = (name: string) =>
  process.env.DOCS_SCREENSHOTS ? `../docs/${name}` : test.info().outputPath(name);

test.describe("with tight limits", () => {
  const base = "http://127.0.0.1:3104";
  test.use({ baseURL: base });

  test("a link past the send limit is refused in the modal; a held lock is shown and an admin lifts it", async ({ page, browser }) => {
    desktopOnly();
    test.setTimeout(120_000);
    const { ownerName, ownerEmail } = await openLeadCard(page, "compeo", 0);
    const pinButton = page.getByTestId("security-pin-button");
    await pinButton.click();
    const dialog = page.getByRole("dialog", { name: /Security Verification/ });
    const sendLink = async () => {
      await dialog.getByRole("button", { name: "Create PIN" }).click();
      await dialog.getByRole("radio", { name: /Owner/ }).check();
      await dialog.getByRole("button", { name: "Send setup link" }).click();
    };
    await sendLink();
    await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");
    await sendLink();
    await expect(dialog.getByTestId("pin-line")).toContainText("Setup link sent");
    await sendLink();
    await expect(dialog.getByRole("alert").filter({ hasText: "setup or reset links" })).toContainText(
      "2 setup or reset links were sent for this client in the last 60 minutes",
    );

    // The client sets the PIN through the newest link.
    const link = await mailboxLink(browser, ownerEmail, base);
    const phone = await browser.newContext({ ...devices["Pixel 7"] });
    const client = await phone.newPage();
    await client.goto(link);
    await hydrated(client);
    await client.getByLabel("New PIN").fill("731946");
    await client.getByLabel("Type it again").fill("731946");
    await client.getByRole("button", { name: "Save my PIN" }).click();
    await expect(client.getByTestId("setup-complete")).toContainText("Setup complete");
    await phone.close();

    // Five wrong PINs: with these settings the first lockout already holds.
    await page.keyboard.press("Escape");
    await pinButton.click();
    await expect(dialog.getByTestId("pin-line")).toContainText("Set on");
    await dialog.getByRole("button", { name: "Verify PIN" }).click();
    const pinField = dialog.getByLabel("PIN the caller reads out");
    await pickCaller(dialog, ownerName);
    for (const wrong of ["284610", "284611", "284612", "284613", "284614"]) {
      await pinField.fill(wrong);
      await dialog.getByRole("button", { name: "Check PIN" }).click();
      await expect(dialog.getByRole("alert").filter({ hasText: "does not match" })).toBeVisible();
      if (wrong !== "284614") await expect(pinField).toBeFocused();
    }
    await expect(dialog.getByRole("alert").filter({ hasText: "does not match" })).toContainText(
      "locked after 1 lockout within 24 hours",
    );
    await expect(dialog.getByTestId("lockout-line")).toContainText("until a 2-step code succeeds or an admin unlocks PIN checks");
    await expect(dialog.getByRole("button", { name: "Verify PIN" })).toBeDisabled();
    await expect(dialog.getByTestId("verify-blocked")).toContainText("stays locked until");
    await expect(dialog.getByRole("button", { name: "Unlock PIN checks" })).toHaveCount(0);
    await dialog.screenshot({ path: screenshotPath("modal-lock-held.png") });

    // An admin, in a browser of their own, unlocks with a reason.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, new URL(page.url()).pathname, ADMIN);
    await hydrated(admin);
    await admin.getByTestId("security-pin-button").click();
    const adminDialog = admin.getByRole("dialog", { name: /Security Verification/ });
    await adminDialog.getByRole("button", { name: "Unlock PIN checks" }).click();
    const reason = adminDialog.getByLabel("Why are PIN checks being unlocked?");
    await expect(reason).toBeVisible();
    await adminDialog.screenshot({ path: screenshotPath("modal-unlock.png") });
    await reason.fill("ok");
    await adminDialog.getByRole("button", { name: "Unlock PIN checks" }).click();
    await expect(adminDialog.getByRole("alert").filter({ hasText: "at least 5 characters" })).toBeVisible();
    await reason.fill("Owner called from the number on file; confirmed by callback.");
    await adminDialog.getByRole("button", { name: "Unlock PIN checks" }).click();
    await expect(adminDialog.getByRole("status")).toContainText("PIN checks unlocked");
    await expect(adminDialog.getByTestId("lockout-line")).toHaveCount(0);
    await expect(adminDialog.getByRole("button", { name: "Verify PIN" })).toBeEnabled();
    expect(cspViolations(admin)).toEqual([]);
    await adminContext.close();

    // The agent's modal, opened again, verifies the caller's PIN.
    await page.keyboard.press("Escape");
    await pinButton.click();
    await dialog.getByRole("button", { name: "Verify PIN" }).click();
    await pickCaller(dialog, ownerName);
    await pinField.fill("731946");
    await dialog.getByRole("button", { name: "Check PIN" }).click();
    await expect(dialog.getByRole("status")).toContainText("PIN verified");
    const audit = page.getByTestId("audit-list");
    await page.keyboard.press("Escape");
    await page.reload();
    await expect(audit).toContainText("PIN checks unlocked");
    await expect(audit).toContainText("PIN checks held locked");
  });
});
