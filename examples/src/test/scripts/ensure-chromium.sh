#!/usr/bin/env bash
# The console's browser test drives Debian's chromium headless. Run by the build (examples/pom.xml, before the tests):
# installs the package when it is missing and this build may (root, with apt-get). Never fails the build: without a
# browser the test reports itself skipped, and why.
set -u
[[ -x /usr/bin/chromium ]] && exit 0
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium missing and cannot install it here (needs root and apt-get)" >&2
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium for the console's browser test" >&2
for attempt in 1 2; do
  if timeout 900 apt-get update -qq >&2 \
      && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >&2; then
    exit 0
  fi
  echo "ensure-chromium: install failed (attempt $attempt)" >&2
  sleep 5
done
exit 0
