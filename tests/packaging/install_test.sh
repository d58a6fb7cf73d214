#!/usr/bin/env bash
# `cmake --install` into a scratch prefix puts every file where it belongs, the unit
# names the installed daemon, the man pages are real pages, and systemd rates the
# service's hardening as SAFE (exposure at most 2.0 of 10).
#   install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
# Its output is kept and shown if it fails (it once failed under a parallel ctest, silently).
if ! cmake --install "$build" --prefix "$prefix" >"$prefix.install.log" 2>&1; then
  cat "$prefix.install.log" >&2
  echo "install_test: cmake --install failed" >&2
  rm -f "$prefix.install.log"
  exit 1
fi
rm -f "$prefix.install.log"
fail=0
for f in sbin/registryd bin/registryctl bin/registry-bench \
         lib/systemd/system/registryd.service lib/systemd/system/registryd.socket \
         lib/sysusers.d/council-registry.conf \
         share/man/man8/registryd.8 share/man/man1/registryctl.1 share/man/man1/registry-bench.1 \
         share/doc/council_registry/README.md share/doc/council_registry/api.md; do
  [ -e "$prefix/$f" ] || { echo "install_test: missing $f" >&2; fail=1; }
done
# The unit is configured for the prefix the build was configured with.
configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
grep -q "^ExecStart=$configured/sbin/registryd " "$prefix/lib/systemd/system/registryd.service" ||
  { echo "install_test: ExecStart does not name $configured/sbin/registryd" >&2; fail=1; }
grep -q '^Type=notify$' "$prefix/lib/systemd/system/registryd.service" || { echo "install_test: not Type=notify" >&2; fail=1; }
for page in share/man/man8/registryd.8 share/man/man1/registryctl.1; do
  head -5 "$prefix/$page" | grep -q '^\.TH ' || { echo "install_test: $page is not a man page" >&2; fail=1; }
  grep -q -- 'socket' "$prefix/$page" || { echo "install_test: $page does not document --socket" >&2; fail=1; }
done
version=$("$prefix/sbin/registryd" --version)
grep -q '^registryd [0-9]' <<<"$version" || { echo "install_test: registryd --version" >&2; fail=1; }
# jemalloc is registryd's allocator unless the build turned it off or uses sanitizers.
if grep -q '^REGISTRY_JEMALLOC:BOOL=ON$' "$build/CMakeCache.txt" &&
   ! grep -q '^REGISTRY_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt"; then
  # Read whole before grep: `ldd | grep -q` under pipefail fails when grep exits first
  # and ldd takes SIGPIPE (this test's intermittent failure).
  libs=$(ldd "$prefix/sbin/registryd")
  grep -q 'libjemalloc' <<<"$libs" || { echo "install_test: registryd does not link jemalloc" >&2; fail=1; }
fi
if command -v systemd-analyze >/dev/null; then
  # --offline reads the unit file; the threshold fails the command above that exposure.
  if ! systemd-analyze security --offline=yes --threshold=20 \
       "$prefix/lib/systemd/system/registryd.service" >"$prefix/security.txt" 2>&1; then
    tail -5 "$prefix/security.txt" >&2
    echo "install_test: the service's exposure is above 2.0" >&2
    fail=1
  fi
  grep 'Overall exposure' "$prefix/security.txt"
else
  echo "install_test: systemd-analyze missing (install-deps names systemd)" >&2
  fail=1
fi
exit $fail
