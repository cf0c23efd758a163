// The WebSocket backend of the benchmarks: echoes every message back, on 127.0.0.1:PORT.
//   node hack/bench/ws-echo-server.js PORT     (npm ws package: NODE_PATH=e2e/node_modules)
// A plain HTTP request gets 426 Upgrade Required (what the scripts wait for before they start).
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
if (!port) {
  console.error('usage: node ws-echo-server.js PORT');
  process.exit(2);
}
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false });
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => ws.terminate());
});
process.on('SIGTERM', () => process.exit(0));
