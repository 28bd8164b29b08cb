// The live dashboard in a real browser: Debian's chromium (headless), driven by playwright-core.
// Usage: node dashboard.mjs <page url, with ?token=> <screenshot.png> <journey id>
// Runs every check (each with a deadline), prints ok/FAIL per check, saves the screenshot whatever
// happened, and exits 1 if any check failed. Events are sent by dashboard.sh meanwhile.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, screenshot, journey] = process.argv.slice(2);
if (!url || !screenshot || !journey) {
  console.error('usage: node dashboard.mjs <url> <screenshot.png> <journey>');
  process.exit(2);
}
const log = (...a) => console.log('dashboard:', ...a);
const failures = [];
const check = async (name, fn) => {
  try {
    await fn();
    log('ok  ', name);
  } catch (e) {
    failures.push(name);
    log('FAIL', name + ': ' + String((e && e.message) || e).split('\n')[0]);
  }
};

const userDataDir = mkdtempSync(join(tmpdir(), 'journeyd-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];  // console errors: a CSP violation, a script error, a failed request
page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
page.on('pageerror', (e) => problems.push(String(e)));

const q = (id) => `[data-testid="${id}"]`;
const text = (sel) => page.locator(sel).first().textContent({ timeout: 5000 });
const number = (s) => Number(String(s || '').replace(/[^0-9.]/g, '')) || 0;
const updatedAt = () => page.getAttribute(q('updated-at'), 'datetime');
const nextUpdate = (after) => page.waitForFunction(
  ([sel, prev]) => { const v = document.querySelector(sel)?.getAttribute('datetime'); return v && v !== prev; },
  [q('updated-at'), after], { timeout: 15000 });

try {
  await check('the page loads (200)', async () => {
    const res = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    if (!res || res.status() !== 200) throw new Error('HTTP ' + (res && res.status()));
  });
  await check('the status badge shows connected', () =>
    page.waitForSelector(`${q('status')}[data-state="connected"]`, { timeout: 20000 }));
  await check('two snapshots arrive after the first (updated-at changes twice)', async () => {
    await nextUpdate(null);
    const first = await updatedAt();
    await nextUpdate(first);
    await nextUpdate(await updatedAt());
  });
  await check('events/s is above 0 while events flow', () => page.waitForFunction(
    (sel) => parseFloat(document.querySelector(sel)?.textContent) > 0, q('events-per-second'), { timeout: 20000 }));
  await check('a drop-off alert appears in the alerts list', () =>
    page.waitForSelector(`${q('alerts')} ${q('alert')}[data-kind="dropoff"]`, { timeout: 30000 }));
  await check('consumer lag is shown per partition', () =>
    page.waitForSelector(`${q('lag')} table td`, { timeout: 10000 }));

  // These wait on the funnel data of the snapshot (funnels[]).
  await check(`funnel-${journey} is shown, its first step with customers`, async () => {
    await page.waitForSelector(q(`funnel-${journey}`), { timeout: 20000 });
    await page.waitForFunction(
      (sel) => Number(document.querySelector(sel)?.textContent.replace(/[^0-9]/g, '')) > 0,
      `${q(`funnel-${journey}`)} li.step:first-child .count`, { timeout: 20000 });
    for (const step of ['viewed', 'added', 'purchased'])
      await page.waitForSelector(q(`step-${journey}-${step}`), { timeout: 5000 });
  });
  await check(`a count of funnel-${journey} increases while events flow`, async () => {
    const sel = `${q(`funnel-${journey}`)} li.step:first-child .count`;
    const before = number(await text(sel));
    await page.waitForFunction(
      ([s, b]) => Number(document.querySelector(s)?.textContent.replace(/[^0-9]/g, '')) > b,
      [sel, before], { timeout: 20000 });
  });
  await check('no console errors (CSP violations, script errors)', async () => {
    if (problems.length) throw new Error(problems.slice(0, 3).join(' | '));
  });
} finally {
  await page.screenshot({ path: screenshot, fullPage: true }).catch((e) => log('no screenshot:', String(e)));
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
log(`screenshot: ${screenshot}`);
if (failures.length) {
  log(`${failures.length} check(s) failed: ${failures.join('; ')}`);
  process.exit(1);
}
log('all checks passed');
