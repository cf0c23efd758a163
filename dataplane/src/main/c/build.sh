#!/usr/bin/env bash
# Builds libclbcrypto (clbcrypto.c, the JNI library behind io.clbingress.dataplane.tls.Libcrypto)
# for this machine into OUT_DIR/native/libclbcrypto-linux-ARCH.so. Run by Maven (dataplane/pom.xml,
# generate-resources); needs Linux, gcc with libc's headers and the JDK's jni.h, not OpenSSL's
# headers. Where it cannot build (no gcc, not Linux, a failed compile) it warns and builds nothing:
# the jar then leaves every private-key operation to BoringSSL (slower full handshakes, nothing
# else changes), and the tests of libcrypto are skipped, saying so.
#   build.sh JAVA_HOME OS_ARCH OUT_DIR
set -euo pipefail
java_home=$1 arch=$2 out=$3
src=$(dirname "$0")/clbcrypto.c
# Maven's java.home is the JDK itself from Java 9 on; a jre/ below it only with Java 8.
include=$java_home/include
[ -f "$include/jni.h" ] || include=$java_home/../include
skip() {
  echo "WARNING: $1, so no libclbcrypto in this build: TLS handshake signatures stay in BoringSSL" >&2
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "not Linux"
command -v gcc >/dev/null 2>&1 || skip "no gcc (apt-get install gcc libc6-dev)"
mkdir -p "$out/native"
gcc -O2 -fPIC -shared -Wall -Wextra -Werror -Wno-unused-parameter \
  -I"$include" -I"$include/linux" \
  -o "$out/native/libclbcrypto-linux-$arch.so" "$src" -ldl || skip "gcc could not build $src"
