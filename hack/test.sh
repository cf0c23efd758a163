#!/usr/bin/env bash
# Runs every test: unit and integration tests of each module, then the end-to-end tests that
# start the built jar and drive it with curl, openssl, the npm `ws` client and headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd e2e && npm ci --no-audit --no-fund --silent)
mvn -B verify
