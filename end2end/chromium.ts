// Debian's Chromium, never a downloaded browser, for both Playwright configurations. The
// networking flags stop Chromium from calling hosts this machine cannot reach.
export const chromium = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
