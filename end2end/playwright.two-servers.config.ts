import { defineConfig, devices } from "@playwright/test";
import { chromium } from "./chromium";

// The two-server run: scripts/two-servers.sh --test starts PostgreSQL, two servers, nginx
// in front and an SMTP server, then runs this.

export default defineConfig({
  testDir: "./two-servers",
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.JANUS_TWO_SERVERS_PROXY ?? "http://localhost:3200",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromium,
  },
  projects: [{ name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions: chromium } }],
});
