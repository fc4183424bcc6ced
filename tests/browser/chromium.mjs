// Headless Debian Chromium through playwright-core: a fresh, empty profile (playwright passes it as --user-data-dir) and no network but the page's own file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const executablePath = process.env.IRSA_CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export async function withPage(fn) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "irsa-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 },
  });
  try {
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    return await fn(page, { requests, errors });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
