// CORS from a browser: Debian's headless Chromium, driven by playwright-core, loads a page from an
// allowed origin and one from another origin (both served here on 127.0.0.1), and each page sends a
// credentialed PUT with a JSON body and a custom header to the API through the proxy: a request
// the browser preflights.
//   node chromium-cors.js API_URL ALLOWED_ORIGIN_URL OTHER_ORIGIN_URL
// Every host name is mapped to 127.0.0.1 (--host-resolver-rules); the origin server listens on the
// port of ALLOWED_ORIGIN_URL (OTHER_ORIGIN_URL has the same port).
// Prints one JSON line; exit code 0 when the allowed page read the answer and the other page was
// refused by the browser, 1 otherwise.
'use strict';
const http = require('http');
const { launch } = require('./chromium');

const [apiUrl, allowedUrl, otherUrl] = process.argv.slice(2);
const result = { apiUrl, allowedUrl, otherUrl };
const finish = (ok) => {
  result.ok = ok;
  console.log(JSON.stringify(result));
  process.exit(ok ? 0 : 1);
};
setTimeout(() => { result.error = 'gave up after 90 s'; finish(false); }, 90000).unref();

const page = '<!doctype html><title>clb-ingress CORS check</title><p>origin page</p>';
const origin = http.createServer((req, res) => res.end(page));

// What a page's script does: a credentialed PUT that needs a preflight (JSON, a custom header).
const callApi = (url) => fetch(url, {
  method: 'PUT',
  credentials: 'include',
  headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'clb-e2e' },
  body: '{"from":"' + location.origin + '"}',
}).then(async (response) => ({ origin: location.origin, status: response.status, body: await response.text() }),
  (error) => ({ origin: location.origin, error: String(error) }));

origin.listen(Number(new URL(allowedUrl).port), '127.0.0.1', async () => {
  let browser;
  let ok = false;
  try {
    browser = await launch(['--host-resolver-rules=MAP * 127.0.0.1']);
    const allowed = await browser.newPage();
    await allowed.goto(allowedUrl);
    result.allowed = await allowed.evaluate(callApi, apiUrl);
    const other = await browser.newPage();
    await other.goto(otherUrl);
    result.other = await other.evaluate(callApi, apiUrl);
    ok = result.allowed.status === 200 && result.allowed.body.includes('backend=blue')
      && result.other.error !== undefined;
  } catch (e) {
    result.error = String(e);
  } finally {
    if (browser) await browser.close();
    origin.close();
  }
  finish(ok);
});
