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

# Compile the shim once per source version (cached beside this script, git-ignored).
shim_src="$here/iosinit_shim.cpp"
shim_flags=(-shared -fPIC -O2 -nostartfiles -fno-threadsafe-statics)
shim_key="$( { cat "$shim_src"; echo "${shim_flags[*]}"; } | sha256sum | cut -c1-16)"
shim="$here/.cache/libphoenix_iosinit-$shim_key.so"
ensure_shim() {
  [ -f "$shim" ] && return 0
  command -v g++ >/dev/null || { echo "fix-libtorchsharp: g++ is required on this system (apt-get install -y g++)" >&2; exit 1; }
  mkdir -p "$here/.cache"
  local tmp; tmp="$(mktemp "$here/.cache/shim.XXXXXX")"
  g++ "${shim_flags[@]}" -o "$tmp" "$shim_src"
  mv -f "$tmp" "$shim"
}

for lib in "${libs[@]}"; do
  dir="$(dirname "$lib")"
  if ! grep -q "GLIBCXX_3.4.32" "$lib"; then continue; fi
  ensure_shim
  # (Re)place the shim when missing or built from another version of the source.
  cmp -s "$shim" "$dir/libphoenix_iosinit.so" || cp -f "$shim" "$dir/libphoenix_iosinit.so"
  if readelf -d "$lib" 2>/dev/null | grep -q "libphoenix_iosinit.so"; then
    # already patched; the ELF step is idempotent, re-run it to be sure
    python3 "$here/weaken-verneed.py" "$lib" GLIBCXX_3.4.32 >/dev/null
    continue
  fi
  command -v patchelf >/dev/null || { echo "fix-libtorchsharp: patchelf is required on this system (apt-get install -y patchelf)" >&2; exit 1; }
  patchelf --add-needed libphoenix_iosinit.so "$lib"
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$lib"
  python3 "$here/weaken-verneed.py" "$lib" GLIBCXX_3.4.32
  echo "fix-libtorchsharp: patched $lib for $(basename "$stdcxx") without GLIBCXX_3.4.32"
done
