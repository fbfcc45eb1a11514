#!/bin/bash
# issue #31's GPU bench on a lent device machine (payload: bench/device/pack.sh): unpack Deno and
# node_modules, point Vulkan at the NVIDIA driver, then run bench:gpu in phases, each under its
# own timeout so that one slow phase cannot eat the lease. Every run prints as it ends.
set -u
T0=$(date +%s)
log() { echo "[$(($(date +%s) - T0)) s] $*"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -e $icd ] && export VK_DRIVER_FILES=$icd
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -e $egl ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
python3 -c "import lzma,shutil; shutil.copyfileobj(lzma.open('.gpu/deno.xz'), open('/tmp/deno','wb'))"
chmod +x /tmp/deno
python3 -c "import tarfile; tarfile.open('.gpu/nm.tar.xz').extractall('.', filter='fully_trusted')"
log unpacked
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv
export DENO_DIR=/tmp/dd
D="/tmp/deno run -A --cached-only bench/gpu_side_by_side.ts"
log phase gemm && timeout 70 $D --sizes 1024,2048,4096 --slides ""
log phase diffusion && timeout 120 $D --sizes "" --slides 11
log phase trainability && timeout 150 $D --sizes "" --slides "" --defaults trainability --backends webgpu
log phase slides && timeout 150 $D --sizes "" --slides 22,23,9,14,19 --backends webgpu
log end
