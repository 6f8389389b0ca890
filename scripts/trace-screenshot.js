#!/usr/bin/env node
// Screenshot a Chrome Trace Event JSON file in the Performance panel of the
// DevTools frontend bundled with Chromium (devtools://devtools/bundled/trace_app.html).
//
// usage: scripts/trace-screenshot.sh TRACE.json OUT.png [WIDTHxHEIGHT] (it installs what this needs)
// env:   CHROMIUM (default /usr/bin/chromium)
//
// Prints every console warning/error and page exception from the viewer
// (prefixed "viewer:"); exits 1 if the trace did not load.
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [tracePath, outPath, size = '1600x1000'] = process.argv.slice(2);
if (!tracePath || !outPath) {
  console.error('usage: node trace-screenshot.js TRACE.json OUT.png [WIDTHxHEIGHT]');
  process.exit(2);
}
const [width, height] = size.split('x').map(Number);
const sleep = ms => new Promise(r => setTimeout(r, ms));

// Thread tracks of a single-process trace are expanded (so the span names
// show); with several processes they are left collapsed.
const events = JSON.parse(fs.readFileSync(tracePath, 'utf8')).traceEvents;
const pids = new Set(events.map(e => e.pid));
const nThreads = events.filter(e => e.ph === 'M' && e.name === 'thread_name').length;

async function visibleBox(page, sel) {
  for (const h of await page.$$(sel)) {
    const b = await h.boundingBox();
    if (b && b.width > 0) return b;
  }
  return null;
}
async function clickCenter(page, sel) {
  const b = await visibleBox(page, sel);
  if (b) await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  return b;
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--headless=new'],
  });
  let problems = 0, loaded = false;
  try {
    const page = await browser.newPage();
    await page.setViewport({ width, height });
    page.on('console', m => {
      if (m.type() !== 'warn' && m.type() !== 'error') return;
      // Headless-environment noise, not about the trace.
      if (/software WebGL|enable-unsafe-swiftshader/.test(m.text())) return;
      problems++;
      console.log(`viewer: console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', e => { problems++; console.log(`viewer: page error: ${e.message}`); });

    await page.goto('devtools://devtools/bundled/trace_app.html', { waitUntil: 'load' });
    await sleep(2000);
    await page.keyboard.press('Escape');
    await page.click('pierce/#tab-timeline');                       // Performance panel
    await page.waitForSelector('pierce/input[type=file]', { timeout: 10000 });
    const input = await page.$('pierce/input[type=file]');          // "Load trace…" input
    await input.uploadFile(path.resolve(tracePath));
    await page.waitForSelector('pierce/canvas.flame-chart-canvas', { visible: true, timeout: 30000 });
    await sleep(4000);

    await clickCenter(page, 'pierce/button[title="Close"]');        // shortcuts pop-up
    await clickCenter(page, 'pierce/button[title="Hide sidebar"]');
    await sleep(1000);
    const ov = await visibleBox(page, 'pierce/[aria-label="Overview grid window"]');
    await page.mouse.click(ov.x + ov.width / 2, ov.y + ov.height - 5, { clickCount: 2 }); // zoom to whole trace
    await sleep(1000);

    const cv = await visibleBox(page, 'pierce/canvas.flame-chart-canvas');
    await page.mouse.click(cv.x + 12, cv.y + 25);                  // expand the process group
    await sleep(1000);
    if (pids.size === 1) {
      const rowTop = 42, rowHeight = 20.94;                         // collapsed thread header rows
      for (let i = nThreads - 1; i >= 0; i--) {                     // bottom-up: rows above stay put
        await page.mouse.click(cv.x + 20, cv.y + rowTop + i * rowHeight);
        await sleep(150);
      }
    }
    await page.mouse.move(width - 5, height - 5);                   // drop hover tooltip
    await sleep(1000);

    const summary = await page.evaluate(() => {                     // text incl. shadow roots
      const parts = [];
      (function walk(n) {
        if (n.shadowRoot) walk(n.shadowRoot);
        for (const c of n.childNodes) c.nodeType === 3 ? parts.push(c.textContent) : walk(c);
      })(document.documentElement);
      return parts.join(' ');
    });
    loaded = /Range:/.test(summary);
    if (!loaded) { problems++; console.log('viewer: trace did not load (no Summary range)'); }
    await page.screenshot({ path: outPath });
    console.log(`wrote ${outPath} (${width}x${height}); viewer problems: ${problems}`);
  } finally {
    await browser.close();
  }
  process.exit(loaded ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
