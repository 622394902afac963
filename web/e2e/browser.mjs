// Debian's Chromium, headless, as every end-to-end script launches it (playwright-core drives
// it; nothing is downloaded). `CHROMIUM` names another build (CI's runner has its own Chrome).
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
}
