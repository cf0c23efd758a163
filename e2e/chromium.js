// Debian's headless Chromium for the browser tests, launched by playwright-core (CHROMIUM: another
// binary), with what a test machine needs: no sandbox, no GPU, no background traffic.
//   launch(extraArgs): a browser; extraArgs add switches (--host-resolver-rules, ...)
'use strict';
const { chromium } = require('playwright-core');

exports.launch = (extraArgs) => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', ...extraArgs],
});
