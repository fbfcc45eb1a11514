#!/bin/bash
# Builds what a lent GPU machine needs to run `bench:gpu` (it has no Deno and reaches no
# registry): .gpu/deno.xz (this Deno, 96 MB → 30 MB), .gpu/nm.tar.xz (node_modules without the
# packages the bench never loads — kept as empty, initialised stubs so Deno's lockfile check
# passes offline — nor source maps and .d.ts; 13 MB) and .gl/ (the Vulkan and GL loaders).
# Both folders are ignored by git; name them in the device call's `carry`. Then:
#   device run: bash bench/device/run.sh 2>&1 | tee $OUT/log      (carry .gl and .gpu)
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude || echo /.gpu/ >>.git/info/exclude
grep -qx '/.gl/' .git/info/exclude || echo /.gl/ >>.git/info/exclude
mkdir -p .gpu .gl /tmp/amd64/partial
xz -T0 -9 -c "$(deno eval 'console.log(Deno.execPath())')" >.gpu/deno.xz
tmp=$(mktemp -d)
cp -a node_modules "$tmp/"
(
  cd "$tmp/node_modules/.deno"
  for d in playwright-core@* bullmq@* ioredis@* @ioredis* linkedom@* @observablehq* d3* luxon@* \
    msgpackr* @msgpackr* @types* cron-parser@* htmlparser2@* css-select@*; do
    find "$d" -type f ! -name package.json ! -name .initialized -delete
  done
)
find "$tmp/node_modules" \( -name '*.map' -o -name '*.d.ts' \) -delete
tar -C "$tmp" -cf - node_modules | xz -T0 -6 >.gpu/nm.tar.xz
rm -rf "$tmp"
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update >/dev/null
(cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .gpu .gl
