// Runs axe-core (WCAG 2.1 A/AA and best practices) on local HTML files in
// Debian's headless Chromium and prints one JSON object per file:
// {"file": ..., "violations": [{"id", "impact", "help", "nodes": [html...]}]}.
// Usage: node run-axe.mjs CHROMIUM FILE...
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const [executablePath, ...files] = process.argv.slice(2);

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  for (const file of files) {
    const page = await browser.newPage();
    // The report forbids scripts (Content-Security-Policy); axe is our test's, not the page's.
    await page.setBypassCSP(true);
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const result = await page.evaluate(() =>
      // eslint-disable-next-line no-undef
      axe.run(document, {
        runOnly: {
          type: "tag",
          values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
        },
        resultTypes: ["violations"],
      }),
    );
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.html).slice(0, 5),
    }));
    console.log(JSON.stringify({ file, violations, passes: result.passes.length }));
    await page.close();
  }
} finally {
  await browser.close();
}
