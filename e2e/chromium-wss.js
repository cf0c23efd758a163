// WSS from a browser: Debian's headless Chromium, driven by playwright-core, loads a page from a
// local origin (served here on 127.0.0.1) and that page opens wss:// to the proxy.
//   node chromium-wss.js WSS_URL CERT_PEM
// The host of WSS_URL is mapped to 127.0.0.1 (--host-resolver-rules) and is sent as SNI; only the
// certificate in CERT_PEM is trusted, by its public key hash (--ignore-certificate-errors-spki-list).
// The page sends a text and a binary message, expects both echoed, closes with 4001.
// Prints one JSON line; exit code 0 when the exchange behaved, 1 otherwise.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const { launch } = require('./chromium');

const [wssUrl, certPem] = process.argv.slice(2);
const result = { wssUrl };
const finish = (ok) => {
  result.ok = ok;
  console.log(JSON.stringify(result));
  process.exit(ok ? 0 : 1);
};
setTimeout(() => { result.error = 'gave up after 90 s'; finish(false); }, 90000).unref();

const spki = crypto.createHash('sha256')
  .update(new crypto.X509Certificate(fs.readFileSync(certPem)).publicKey.export({ type: 'spki', format: 'der' }))
  .digest('base64');
const host = new URL(wssUrl).hostname;

const page = '<!doctype html><title>clb-ingress WSS check</title><p>origin page</p>';
const origin = http.createServer((req, res) => res.end(page));

origin.listen(0, '127.0.0.1', async () => {
  let browser;
  let ok = false;
  try {
    browser = await launch([`--host-resolver-rules=MAP ${host} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${spki}`]);
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${origin.address().port}/`);
    result.page = await tab.evaluate((url) => new Promise((resolve) => {
      const seen = [];
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        ws.send('hello from chromium');
        ws.send(new Uint8Array([1, 2, 255]));
      };
      ws.onmessage = (event) => {
        seen.push(typeof event.data === 'string' ? 'text:' + event.data
          : 'binary:' + Array.from(new Uint8Array(event.data), (b) => b.toString(16).padStart(2, '0')).join(''));
        if (seen.length === 2) ws.close(4001, 'bye');
      };
      ws.onerror = () => seen.push('error');
      ws.onclose = (event) => resolve({ origin: location.origin, seen, closeCode: event.code });
    }), wssUrl);
    const expected = ['text:hello from chromium', 'binary:0102ff'];
    ok = expected.every((e) => result.page.seen.includes(e)) && result.page.closeCode === 4001;
  } catch (e) {
    result.error = String(e.message || e);
  }
  if (browser) await browser.close().catch(() => {});
  finish(ok);
});
