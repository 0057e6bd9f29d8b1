// axe-core over pages in the system Chromium, driven by puppeteer-core; used by
// tests/test_web_checkers.py. Usage:
//   node tests/web/axe_pages.mjs CHROMIUM SCREENSHOT_DIR URL...
// Prints one JSON object: {url: [violation, ...], "url (dark)": [...]} with every impact
// (minor included), in the light and the dark colour scheme, and
// writes a 1280x900 screenshot of each article page <locale>/essai.html as article-<locale>.png.
import { createRequire } from "node:module";
import path from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [chromium, shots, ...urls] = process.argv.slice(2);

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  // --no-sandbox: CI runs as root; no background networking on a closed network.
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync"],
});
const results = {};

async function audit(page) {
  return page.evaluate(async () => {
    // Every rule axe runs by default (WCAG A/AA and best practices), no impact filtered out.
    const report = await window.axe.run(document, { resultTypes: ["violations"] });
    return report.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  });
}

try {
  for (const url of urls) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const response = await page.goto(url, { waitUntil: "load" });
    if (!response || !response.ok()) throw new Error(`${url}: HTTP ${response && response.status()}`);
    await page.addScriptTag({ path: axePath });
    results[url] = await audit(page);
    // The theme's dark colours must pass the same contrast rules.
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    results[`${url} (dark)`] = await audit(page);
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    const name = new URL(url).pathname.split("/").filter(Boolean);
    if (name.length === 2 && name[1] === "essai.html") {  // the articles, not their review pages
      await page.screenshot({ path: path.join(shots, `article-${name[0]}.png`) });
    }
    await page.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
