// WebSocket load for the benchmarks (npm ws package: NODE_PATH=e2e/node_modules).
//   node ws-client.js idle URL N READY_FILE   opens N WebSockets (200 handshakes at a time), writes
//       the number open to READY_FILE, holds them silent until SIGTERM, then prints
//       {"open", "failed", "closedWhileHeld"}.
//   node ws-client.js echo URL N SECONDS      N WebSockets each send a 100-byte message and wait for
//       its echo, again and again, for SECONDS; prints {"open", "failed", "messages",
//       "perSecond", "p99Ms", "closedEarly"}.
// Exit code 0 when every WebSocket opened and none closed before its time, 1 otherwise.
'use strict';
const WebSocket = require('ws');
const fs = require('fs');

const [mode, url, nArg, arg] = process.argv.slice(2);
const n = Number(nArg);
if (!['idle', 'echo'].includes(mode) || !url || !(n > 0) || !arg) {
  console.error('usage: node ws-client.js idle URL N READY_FILE | echo URL N SECONDS');
  process.exit(2);
}
const result = { open: 0, failed: 0 };
const sockets = [];
let closedEarly = 0;
let ending = false;

// Opens the N WebSockets, at most 200 handshakes in flight; calls then() once all have settled.
function openAll(then) {
  let started = 0;
  let settled = 0;
  const next = () => {
    if (started >= n) return;
    started++;
    const ws = new WebSocket(url, { perMessageDeflate: false, rejectUnauthorized: false, handshakeTimeout: 15000 });
    let done = false;
    const settle = (ok) => {
      if (done) return;
      done = true;
      if (ok) { result.open++; sockets.push(ws); } else { result.failed++; }
      if (++settled === n) then(); else next();
    };
    ws.on('open', () => settle(true));
    ws.on('error', () => settle(false));
    ws.on('close', () => { if (!done) settle(false); else if (!ending) closedEarly++; });
  };
  for (let i = 0; i < Math.min(200, n); i++) next();
}

function finish(extra) {
  ending = true;
  sockets.forEach((ws) => ws.terminate());
  Object.assign(result, extra);
  console.log(JSON.stringify(result));
  process.exit(result.failed === 0 && closedEarly === 0 ? 0 : 1);
}

if (mode === 'idle') {
  openAll(() => {
    fs.writeFileSync(arg, String(result.open));
    process.on('SIGTERM', () => finish({ closedWhileHeld: closedEarly }));
  });
} else {
  const payload = 'x'.repeat(100);
  const latencies = [];
  let messages = 0;
  openAll(() => {
    const started = process.hrtime.bigint();
    sockets.forEach((ws) => {
      let sent = process.hrtime.bigint();
      ws.on('message', () => {
        const now = process.hrtime.bigint();
        messages++;
        latencies.push(Number(now - sent) / 1e6);
        if (ending) return;
        sent = now;
        ws.send(payload);
      });
      ws.send(payload);
    });
    setTimeout(() => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      latencies.sort((a, b) => a - b);
      finish({ messages, perSecond: Math.round(messages / seconds), closedEarly,
        p99Ms: latencies.length ? Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(3)) : 0 });
    }, Number(arg) * 1000);
  });
}
