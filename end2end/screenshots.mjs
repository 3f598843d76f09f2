// Takes the README's screenshots from a running server: `node screenshots.mjs [base-url]`.
// Not part of the test suite; rerun it when the pages change and look at the results.
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = new URL("../docs/", import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const hydrated = () => page.waitForFunction(() => document.body.dataset.hydrated === "true");

await page.goto(`${base}/login`);
await hydrated();
await page.screenshot({ path: `${out}sign-in.png` });
await page.getByLabel("Work email").fill("agent@janus.example");
await page.getByLabel("Password").fill("enroll-demo-agent");
await page.getByRole("button", { name: "Sign in" }).click();
await page.getByTestId("staff-name").waitFor();
await hydrated();
await page.locator("table.clients tbody tr").first().getByRole("button").click();
await page.screenshot({ path: `${out}dashboard.png` });
await page.keyboard.press("Escape");
await page.locator("table.clients tbody tr th a").first().click();
await page.getByRole("heading", { name: "Contacts" }).waitFor();
await page.screenshot({ path: `${out}lead-card.png`, fullPage: true });
await browser.close();
console.log(`screenshots written to ${out}`);
