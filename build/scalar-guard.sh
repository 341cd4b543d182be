#!/usr/bin/env bash
# Builds libphoenix_scalarguard.so (build/scalar_guard.c) and puts it beside every libLibTorchSharp.so in the
# given output folder. The library is linked with NEEDED libLibTorchSharp.so and RUNPATH $ORIGIN, so that
# resolving TorchSharp's imports through it finds every other symbol in the real library.
# Usage: scalar-guard.sh <output dir>. Needs gcc; without it the guard is skipped with a warning and
# PhoenixSlt runs with TorchSharp's own (racy) Scalar release.
set -euo pipefail
out="${1:?usage: scalar-guard.sh <dir>}"
[ "$(uname -s)" = "Linux" ] || exit 0
here="$(cd "$(dirname "$0")" && pwd)"

mapfile -t libs < <(find "$out" -name libLibTorchSharp.so 2>/dev/null)
[ ${#libs[@]} -gt 0 ] || exit 0

src="$here/scalar_guard.c"
flags=(-shared -fPIC -O2 -fvisibility=hidden -Wall -Werror)
key="$( { cat "$src"; echo "${flags[*]}"; } | sha256sum | cut -c1-16)"
guard="$here/.cache/libphoenix_scalarguard-$key.so"
if [ ! -f "$guard" ]; then
  if ! command -v gcc >/dev/null; then
    echo "scalar-guard: warning: gcc not found (apt-get install -y gcc); TorchSharp Scalars are released unguarded" >&2
    exit 0
  fi
  mkdir -p "$here/.cache/stub"
  # An empty stand-in to link against: only the NEEDED entry matters, the real library is found at run time.
  gcc -shared -fPIC -o "$here/.cache/stub/libLibTorchSharp.so" -x c /dev/null
  tmp="$(mktemp "$here/.cache/guard.XXXXXX")"
  gcc "${flags[@]}" -o "$tmp" "$src" -L"$here/.cache/stub" -Wl,--no-as-needed -l:libLibTorchSharp.so \
      -Wl,-rpath,'$ORIGIN' -Wl,--enable-new-dtags -lpthread
  mv -f "$tmp" "$guard"
fi
for lib in "${libs[@]}"; do
  cmp -s "$guard" "$(dirname "$lib")/libphoenix_scalarguard.so" || cp -f "$guard" "$(dirname "$lib")/libphoenix_scalarguard.so"
done
