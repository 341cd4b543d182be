#!/usr/bin/env bash
# Makes TorchSharp's libLibTorchSharp.so load on systems whose libstdc++ lacks GLIBCXX_3.4.32
# (Debian 12 ships 3.4.30). The only missing symbol is std::ios_base_library_init(); we provide it in a
# one-function shim (libphoenix_iosinit.so), add the shim as NEEDED, clear the symbol's version and mark
# the GLIBCXX_3.4.32 version need weak. Idempotent; does nothing where the system already has 3.4.32.
# Usage: fix-libtorchsharp.sh <output dir containing runtimes/linux-x64/native/libLibTorchSharp.so or the .so itself>
set -euo pipefail
out="${1:?usage: fix-libtorchsharp.sh <dir>}"
[ "$(uname -s)" = "Linux" ] || exit 0
here="$(cd "$(dirname "$0")" && pwd)"

mapfile -t libs < <(find "$out" -name libLibTorchSharp.so 2>/dev/null)
[ ${#libs[@]} -gt 0 ] || exit 0

stdcxx="$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 \(libc6,x86-64\)/ {print $NF; exit}')"
[ -n "$stdcxx" ] || stdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if grep -q "GLIBCXX_3.4.32" "$stdcxx" 2>/dev/null; then exit 0; fi

for lib in "${libs[@]}"; do
  dir="$(dirname "$lib")"
  if ! grep -q "GLIBCXX_3.4.32" "$lib"; then continue; fi
  if readelf -d "$lib" 2>/dev/null | grep -q "libphoenix_iosinit.so"; then
    # already patched (NEEDED present); the ELF step below is idempotent, re-run it to be sure
    python3 "$here/weaken-verneed.py" "$lib" GLIBCXX_3.4.32 >/dev/null
    [ -f "$dir/libphoenix_iosinit.so" ] && continue
  fi
  command -v patchelf >/dev/null || { echo "fix-libtorchsharp: patchelf is required on this system (apt-get install -y patchelf)" >&2; exit 1; }
  command -v g++ >/dev/null || { echo "fix-libtorchsharp: g++ is required on this system (apt-get install -y g++)" >&2; exit 1; }
  shim_src="$here/iosinit_shim.cpp"
  tmp="$(mktemp -d)"
  g++ -shared -fPIC -O2 -o "$tmp/libphoenix_iosinit.so" "$shim_src"
  cp "$tmp/libphoenix_iosinit.so" "$dir/libphoenix_iosinit.so"
  rm -rf "$tmp"
  if ! readelf -d "$lib" | grep -q "libphoenix_iosinit.so"; then
    patchelf --add-needed libphoenix_iosinit.so "$lib"
  fi
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$lib"
  python3 "$here/weaken-verneed.py" "$lib" GLIBCXX_3.4.32
  echo "fix-libtorchsharp: patched $lib for $(basename "$stdcxx") without GLIBCXX_3.4.32"
done
