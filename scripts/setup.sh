#!/usr/bin/env bash
# Brings a fresh clone to a runnable state: Debian packages (apt-get when
# root, otherwise a message naming them), npm dependencies, the native addon
# and the TypeScript build. Cheap when nothing changed, so `npm start` and
# `npm test` both call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: compiler, headers the addon links against, TLS tooling.
# Test peers: SIPp, baresip, Kamailio (reference side in bench/), sipsak.
# Fuzzing and sanitizers: clang with its runtime. bench/ reads INVITE latency with tcpdump and compares our parser with libosip2.
# SRTP interoperability tests and the SRTP test peer: libsrtp2 (the addon itself does not link it).
# Firewall: the addon links libnftables (JSON API); the nft command lists rulesets in tests.
# Vonage stand-in (test/integration/vonage): dnsmasq serves its NAPTR/SRV/A records.
# Admin web UI browser tests (test/integration/webui): Debian's chromium, driven by playwright-core.
# Firefox for the web UI (test/integration/webui/firefox.test.ts): Debian's firefox-esr, driven by puppeteer-core.
# Appliance image (image/build, test/integration/image): mmdebstrap, GRUB for BIOS and UEFI, file system tools, RAUC bundles, QEMU + OVMF to boot it; socat stands in for systemd's notify socket in test/unit/system.
DEB_PACKAGES=(
  build-essential python3 pkg-config libssl-dev libc-ares-dev openssl
  sip-tester baresip-core kamailio kamailio-tls-modules kamailio-sqlite-modules sipsak
  clang libclang-rt-14-dev iproute2 procps tcpdump libosip2-dev
  libsrtp2-dev
  ffmpeg  # issue 6: the independent iLBC decoder the interop test checks our encoder against
  libnftables-dev nftables
  dnsmasq-base
  chromium firefox-esr
  mmdebstrap grub-pc-bin grub-efi-amd64-bin grub-common dosfstools mtools squashfs-tools fdisk rauc qemu-system-x86 qemu-utils ovmf socat
  # issue 6: codec libraries the addon links (G.722/DTMF, Speex, resampling, Opus, G.729A)
  # and the test-signal tools (tones/sweeps, speech)
  libspandsp-dev libbcg729-dev libspeex-dev libspeexdsp-dev libopus-dev
  sox espeak-ng
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them as root:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm dependencies: reinstall when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

# Native addon: configure when binding.gyp or the list of sources changed
# (binding.gyp lists native/**/*.cc at configure time), then incremental builds.
sources=$(node scripts/native-sources.mjs)
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ] || [ "$(cat build/sources.txt 2>/dev/null)" != "$sources" ]; then
  echo "setup: configuring native addon"
  npx --no-install node-gyp configure >/tmp/edgesbc-native-configure.log 2>&1 || { cat /tmp/edgesbc-native-configure.log; exit 1; }
  printf '%s' "$sources" > build/sources.txt
fi
echo "setup: building native addon"
npx --no-install node-gyp build -j 2 >/tmp/edgesbc-native-build.log 2>&1 || { cat /tmp/edgesbc-native-build.log; exit 1; }

echo "setup: compiling TypeScript"
npx --no-install tsc -p tsconfig.json

# Admin web UI (web-ui/, its own package, docs/decisions/0009): its packages
# when its lock file changed, then web-ui/dist (served by sbcd) rebuilt when a
# source is newer than the last build.
if [ ! -f web-ui/node_modules/.package-lock.json ] || [ web-ui/package-lock.json -nt web-ui/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (web-ui)"
  (cd web-ui && npm ci --no-audit --no-fund)
fi
if [ ! -f web-ui/dist/index.html ] || [ -n "$(find web-ui/src web-ui/index.html web-ui/vite.config.ts web-ui/tsconfig.json web-ui/package-lock.json -newer web-ui/dist/index.html -print -quit)" ]; then
  echo "setup: building web-ui"
  (cd web-ui && npm run --silent build -- --logLevel warn)
fi
