import { defineConfig, devices } from "@playwright/test";
import { chromium } from "./chromium";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: "http://127.0.0.1:3100",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromium,
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions: chromium } },
    { name: "phone", use: { ...devices["Pixel 7"], launchOptions: chromium } },
  ],
  webServer: [
    {
      // The suite signs in here from one address more often than a person would (about
      // 35 times in a few minutes): the per-address limit is raised so it is not met.
      command: "JANUS_THROTTLE__SIGN_IN_PER_ADDRESS=100 ../scripts/e2e-server.sh 3100",
      url: "http://127.0.0.1:3100/health",
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      // The same app with a one-minute verified window, to watch the button turn red.
      command: "JANUS_VERIFICATION__WINDOW_MINUTES=1 ../scripts/e2e-server.sh 3101",
      url: "http://127.0.0.1:3101/health",
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      // A real SMTP server (Debian's python3-aiosmtpd) that stores what it receives in a
      // maildir the messaging test reads.
      command:
        "rm -rf .tmp/maildir && mkdir -p .tmp && exec /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2526 -c aiosmtpd.handlers.Mailbox .tmp/maildir",
      port: 2526,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The app sending email over SMTP to it (plain: a relay on this machine).
      command:
        "JANUS_MAIL__TRANSPORT=smtp JANUS_MAIL__SMTP_HOST=127.0.0.1 JANUS_MAIL__SMTP_PORT=2526 JANUS_MAIL__SMTP_SECURITY=plain ../scripts/e2e-server.sh 3102",
      url: "http://127.0.0.1:3102/health",
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      // Tight limits, to meet them in a few clicks: the first lockout holds PIN checks
      // until lifted, and two links per client per hour.
      command:
        "JANUS_PIN__ESCALATE_AFTER_LOCKS=1 JANUS_SETUP_LINK__MAX_SENDS=2 ../scripts/e2e-server.sh 3104",
      url: "http://127.0.0.1:3104/health",
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      // Second factors required, as in production: the staff-door test enrols passkeys
      // and authenticator apps here. Passkeys need a host name, so it is opened at
      // localhost (the relying party of a development site on a loopback address).
      command: "JANUS_STAFF__SECOND_FACTOR=required JANUS_STAFF__STEP_UP_MINUTES=1 ../scripts/e2e-server.sh 3105",
      url: "http://127.0.0.1:3105/health",
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      // The staff-management test deactivates the demo agent; it gets a server of its own.
      command: "../scripts/e2e-server.sh 3103",
      url: "http://127.0.0.1:3103/health",
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
  ],
});
