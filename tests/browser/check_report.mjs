// Opens a neurocodec report (DIR/index.html) in headless Chromium and checks that every image
// loaded (naturalWidth > 0) and that nothing was logged as an error; keeps a screenshot.
//   node check_report.mjs DIR [SCREENSHOT.png]
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); playwright-core only drives it.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';

const [, , dir, shot = path.join(dir ?? '.', 'screenshot.png')] = process.argv;
if (!dir) {
  console.error('usage: node check_report.mjs DIR [SCREENSHOT.png]');
  process.exit(2);
}
const index = path.resolve(dir, 'index.html');
if (!fs.existsSync(index)) {
  console.error(`error: ${index} does not exist`);
  process.exit(1);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // As root Chromium needs --no-sandbox; the network is closed, so nothing runs in the background.
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed to load ${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(pathToFileURL(index).href, { waitUntil: 'load', timeout: 60000 });
  const images = await page.$$eval('img', (els) => els.map((e) => ({
    src: e.getAttribute('src'), complete: e.complete, width: e.naturalWidth, height: e.naturalHeight })));
  if (images.length === 0) problems.push('the page has no <img>');
  for (const im of images)
    if (!im.complete || im.width <= 0) problems.push(`image did not load: ${im.src}`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`${images.length} images on the page (${images.map((i) => `${i.width}x${i.height}`).slice(0, 3).join(', ')}, ...); ` +
              `screenshot: ${shot}`);
} finally {
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`error: ${p}`);
  process.exit(1);
}
console.log('report OK: every image loaded, no console errors');
