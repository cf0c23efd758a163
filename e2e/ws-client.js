// WebSocket checks driven by the e2e tests, with the npm `ws` client.
//   node ws-client.js echo URL [HOST]   text, binary, ping/pong and a close code through the proxy
//   node ws-client.js idle URL [HOST]   connect, stay silent, report when and how the proxy closes
// For wss://, WS_CA names a PEM file of certificates to trust and WS_SERVERNAME the SNI name
// to send (the URL may then name 127.0.0.1).
// Prints one JSON line; exit code 0 when the connection behaved, 1 otherwise.
'use strict';
const WebSocket = require('ws');

const [mode, url, host] = process.argv.slice(2);
const started = Date.now();
const result = { mode, url };
const finish = (ok) => {
  result.ok = ok;
  result.elapsedMs = Date.now() - started;
  console.log(JSON.stringify(result));
  process.exit(ok ? 0 : 1);
};
setTimeout(() => { result.error = 'gave up after 60 s'; finish(false); }, 60000).unref();

const fs = require('fs');
const options = host ? { headers: { Host: host } } : {};
if (process.env.WS_CA) options.ca = fs.readFileSync(process.env.WS_CA);
if (process.env.WS_SERVERNAME) options.servername = process.env.WS_SERVERNAME;
const ws = new WebSocket(url, options);
ws.on('error', (e) => { result.error = String(e.message || e); finish(false); });

if (mode === 'echo') {
  const expected = ['text:hello through the proxy', 'binary:0102ff', 'pong:ping-1'];
  const seen = [];
  ws.on('open', () => {
    ws.send('hello through the proxy');
    ws.send(Buffer.from([1, 2, 255]));
    ws.ping('ping-1');
  });
  ws.on('message', (data, isBinary) => {
    seen.push(isBinary ? 'binary:' + Buffer.from(data).toString('hex') : 'text:' + data.toString());
    if (seen.length === 2 && seen.includes(expected[0])) maybeClose();
  });
  ws.on('pong', (data) => { seen.push('pong:' + data.toString()); maybeClose(); });
  let closing = false;
  function maybeClose() {
    if (!closing && expected.every((e) => seen.includes(e))) {
      closing = true;
      ws.close(4001, 'bye');
    }
  }
  ws.on('close', (code, reason) => {
    result.seen = seen;
    result.closeCode = code;
    result.closeReason = reason.toString();
    finish(expected.every((e) => seen.includes(e)) && code === 4001);
  });
} else if (mode === 'idle') {
  ws.on('open', () => { result.openedMs = Date.now() - started; });
  ws.on('close', (code) => { result.closeCode = code; finish(true); });
} else {
  result.error = 'unknown mode ' + mode;
  finish(false);
}
