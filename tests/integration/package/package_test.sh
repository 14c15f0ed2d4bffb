#!/usr/bin/env bash
# Builds the .deb from the already built tree (cpack; nothing is compiled),
# unpacks it into a scratch root with dpkg -x, and runs the packaged binary
# from there: --version, and --check on the packaged example config. Also
# checks the layout (unit, configs, schema, page) and that the package
# declares its library dependencies. No servers, no root needed.
set -euo pipefail
build="$1"
scratch="$(mktemp -d /tmp/pgwamp-package-XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" >"$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; exit 1; }
deb="$(ls "$scratch"/out/*.deb)"
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for lib in libpq5 libprometheus-cpp-core; do
  [[ $depends == *"$lib"* ]] || { echo "FAIL: Depends lacks $lib"; exit 1; }
done

root="$scratch/root"
dpkg -x "$deb" "$root"
for f in usr/bin/pgwamp usr/share/pgwamp/pgwamp.json usr/share/pgwamp/demo_schema.sql \
         usr/share/pgwamp/pgwamp.env.example usr/share/pgwamp/web/index.htm usr/share/pgwamp/web/js/health.js \
         usr/lib/systemd/system/pgwamp.service usr/share/doc/pgwamp/deploy.md; do
  [[ -e $root/$f ]] || { echo "FAIL: $f missing from the package"; exit 1; }
done
grep -q '^NoNewPrivileges=yes' "$root/usr/lib/systemd/system/pgwamp.service"
grep -q '^EnvironmentFile=' "$root/usr/lib/systemd/system/pgwamp.service"

version="$("$root/usr/bin/pgwamp" --version)"
echo "$version"
[[ $version == "pgwamp "[0-9]* ]] || { echo "FAIL: --version said '$version'"; exit 1; }

# --check reads the secrets the config names: a throwaway ticket, never a real one.
PGWAMP_TICKET=package-test "$root/usr/bin/pgwamp" --check --config "$root/usr/share/pgwamp/pgwamp.json"
# (websocket-wampcra.json names a password file that only a real deployment has.)
PGWAMP_TICKET=package-test "$root/usr/bin/pgwamp" --check --config "$root/usr/share/pgwamp/examples/unix-socket.json"
echo "ok"
