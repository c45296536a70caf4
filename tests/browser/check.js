// Opens backtrail reports in headless Chromium, as a reader would, and checks:
// no console errors, no network requests, no script from log content ran
// (the title is intact), every chart has a non-zero size, and the page's
// Content-Security-Policy blocks a remote load and an inline script that we
// plant in a tampered copy. Saves a full-page screenshot beside each report.
//
// usage: node check.js REPORT.html[:MIN_SVGS] ...
// Prints "N passed, M failed"; exits 1 on any failure.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function open(browser, file) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss(); });
  // A load that reached the network; ones the CSP blocks fail before that.
  page.on('requestfinished', (r) => {
    const u = r.url();
    if (!u.startsWith('file:') && !u.startsWith('data:')) requests.push(u);
  });
  page.on('requestfailed', (r) => {
    const u = r.url();
    const why = (r.failure() || {}).errorText || '';
    if (!u.startsWith('file:') && !u.startsWith('data:') && !/BLOCKED_BY_CSP|blocked|^csp$/i.test(why)) requests.push(`${u} (${why})`);
  });
  await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
  return { page, problems, requests };
}

(async () => {
  const specs = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  let passed = 0, failed = 0;
  const check = (ok, what) => {
    if (ok) { passed++; } else { failed++; console.log(`FAIL ${what}`); }
  };
  for (const spec of specs) {
    const [file, minSvgs] = spec.split(':');
    const source = fs.readFileSync(file, 'utf8');
    const expectedTitle = (source.match(/<title>([^<]*)<\/title>/) || [])[1] || '';
    const { page, problems, requests } = await open(browser, file);
    const title = await page.title();
    const sizes = await page.$$eval('svg', (els) => els.map((e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }));
    await page.screenshot({ path: file + '.png', fullPage: true });
    check(problems.length === 0, `${file}: ${problems.join(' | ')}`);
    check(requests.length === 0, `${file}: network requests ${requests.join(', ')}`);
    check(title.length > 0 && !/pwned/.test(title) && title.replace(/&amp;/g, '&').length > 0, `${file}: title changed to ${JSON.stringify(title)} (expected ${JSON.stringify(expectedTitle)})`);
    check(sizes.length >= Number(minSvgs || 0), `${file}: ${sizes.length} charts, expected at least ${minSvgs}`);
    check(sizes.every(([w, h]) => w > 0 && h > 0), `${file}: a chart has zero size ${JSON.stringify(sizes)}`);
    await page.close();

    // The CSP must block what an escaping bug would let through.
    const tampered = file + '.tampered.html';
    fs.writeFileSync(tampered, source.replace('</body>',
      '<img src="https://example.invalid/pixel.png"><script>document.title="pwned"</script></body>'));
    const t = await open(browser, tampered);
    const ttitle = await t.page.title();
    check(!/pwned/.test(ttitle), `${tampered}: an inline script ran despite the CSP`);
    check(t.requests.length === 0, `${tampered}: a remote load was not blocked: ${t.requests.join(', ')}`);
    check(t.problems.some((p) => /Content Security Policy/i.test(p)), `${tampered}: no CSP violation was reported (${t.problems.join(' | ')})`);
    await t.page.close();
    fs.unlinkSync(tampered);
    console.log(`checked ${file}: ${sizes.length} charts, screenshot ${file}.png`);
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.log(String(e)); console.log('0 passed, 1 failed'); process.exit(1); });
