// Screenshots of HTML pages in headless Chromium (Debian's /usr/bin/chromium, never a
// downloaded build), one browser for all: reads a job list, writes PNGs and a result list.
// Usage: node shoot.cjs JOBS.json RESULTS.json
// A job is {html, png, width}; a result is {png, problems, cut}: what the page reported, and
// the button labels drawn cut short.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const e2e = path.join(__dirname, '..', 'e2e', 'package.json');
const puppeteer = createRequire(e2e)('puppeteer-core');

async function main() {
  const [jobsFile, resultsFile] = process.argv.slice(2);
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files',
      '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--font-render-hinting=none'],
  });
  const results = [];
  try {
    const page = await browser.newPage();
    for (const job of jobs) {
      await page.setViewport({ width: job.width, height: 800, deviceScaleFactor: 1 });
      const errors = [];
      const onError = (error) => errors.push(String(error));
      page.on('pageerror', onError);
      await page.goto('file://' + job.html, { waitUntil: 'load' });
      await page.waitForFunction('window.__ready === true', { timeout: 10000 })
        .catch(() => errors.push('page never got ready'));
      const shot = await page.$('#shot');
      await shot.screenshot({ path: job.png });
      const problems = await page.evaluate('window.__problems || []');
      const cut = await page.evaluate('window.__cut || []');
      page.off('pageerror', onError);
      results.push({ png: job.png, problems: [...problems, ...errors], cut });
    }
  } finally {
    await browser.close();
  }
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 1));
}

main().catch((error) => { console.error(error); process.exit(1); });
