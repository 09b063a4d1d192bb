#!/usr/bin/env bash
# Builds target/bundle/: everything needed to run `inception` (the GPU runbook, and `serve` with its load test) on
# an offline Linux x86_64 machine with no Maven and no JDK: the jar, its dependency jars (without oneDNN, and
# without JCuda's PTX compiler and NVRTC, which this project never loads), the bridges and kernels (inside the
# jar), native-test classes with the JUnit console launcher when they exist, a launcher script, and a jlink'ed JRE
# (java.base, java.desktop, ...); then packs it into target/bundle.tgz, which is what travels to a GPU machine:
#   carry ["target/bundle.tgz"], run: tar -xzf target/bundle.tgz -C /tmp && bash /tmp/bundle/on-device.sh "$OUT"
#
#   bench/make-bundle.sh [--no-jre]
#
# Budget: bundle.tgz under 52 MiB, since the GPU machine receives at most 64 MiB with the source tree (gzip takes
# the JRE from 46 to about 29 MiB; the jars are compressed already).
# A JRE linked here needs glibc >= 2.34 where it runs (this machine: Debian 12).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/target/bundle"
budget_mib=52
with_jre=1
[ "${1:-}" = "--no-jre" ] && with_jre=0

if [ ! -f "$root/target/inception.jar" ]; then
  (cd "$root" && mvn -B -q package -DskipTests)
fi
rm -rf "$out"
mkdir -p "$out/lib"
cp "$root/target/inception.jar" "$out/"
# exactly the jars the main jar's manifest names: target/lib also keeps the jars of earlier builds' dependencies,
# and the native tests' class path takes every jar in the bundle's lib/
classpath="$(unzip -p "$root/target/inception.jar" META-INF/MANIFEST.MF | tr -d '\r' \
  | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n //g' | sed -n 's/^Class-Path: //p')"
if [ -z "$classpath" ]; then
  echo "bundle: target/inception.jar names no Class-Path in its manifest; rebuild it (mvn -B package -DskipTests)" >&2
  exit 1
fi
for entry in $classpath; do
  j="$root/target/$entry"
  if [ ! -f "$j" ]; then
    echo "bundle: $entry, named by target/inception.jar, is not in target/lib; rebuild (mvn -B package -DskipTests)" >&2
    exit 1
  fi
  case "$(basename "$j")" in
    # oneDNN (the fast CPU executor) and what its presets pull in: 27 MB that a GPU host does not need; without
    # them 'auto' falls back from the GPU to the reference executor, and says so
    dnnl-*|opencl-*|javacpp-*) ;;
    jcuda-natives-*)
      cp "$j" "$out/lib/"
      zip -q -d "$out/lib/$(basename "$j")" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' >/dev/null ;;
    *) cp "$j" "$out/lib/" ;;
  esac
done

# GPU tests (native-tests/, compiled into target/test-classes by every build) and JUnit's console launcher
if [ -d "$root/target/test-classes/dev/inception/nativetests" ]; then
  mkdir -p "$out/native-test-classes/dev/inception"
  cp -r "$root/target/test-classes/dev/inception/nativetests" "$out/native-test-classes/dev/inception/"
  console="$(find "$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone" -name '*.jar' 2>/dev/null \
    | sort | tail -n 1)"
  if [ -n "$console" ]; then
    cp "$console" "$out/junit-platform-console-standalone.jar"
  else
    echo "bundle: WARNING: junit-platform-console-standalone not in ~/.m2: native tests cannot run from the bundle" >&2
  fi
fi

# The commit the bundle was built from ("-dirty" when the tree differs from it), for the results' git_commit: on
# the device the working directory is the device's copy of the tree, whose git history is not this one's.
head="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [ "$head" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  head="$head-dirty"
fi
echo "$head" > "$out/COMMIT"

cat > "$out/inception" <<'LAUNCHER'
#!/usr/bin/env bash
# Bundle launcher: the bundled JRE if present, else java from PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java="$here/jre/bin/java"
[ -x "$java" ] || java="$(command -v java || true)"
if [ -z "$java" ]; then
  echo "inception: no Java found: this bundle has no jre/ and there is no java on PATH" >&2
  exit 1
fi
cuda_dirs="$("$java" -cp "$here/inception.jar" dev.inception.nativelib.LibraryPath 2>/dev/null || true)"
if [ -n "$cuda_dirs" ]; then
  export LD_LIBRARY_PATH="$cuda_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# results record the bundle's commit (bench/make-bundle.sh wrote it), not that of the directory it runs in
if [ -z "${INCEPTION_GIT_COMMIT:-}" ] && [ -f "$here/COMMIT" ]; then
  export INCEPTION_GIT_COMMIT="$(cat "$here/COMMIT")"
fi
exec "$java" ${INCEPTION_JAVA_OPTS:-} -Dinception.natives.dir="${INCEPTION_NATIVES_DIR:-$here/natives}" \
  -jar "$here/inception.jar" "$@"
LAUNCHER
chmod +x "$out/inception"
cp "$root/bench/gpu-run.sh" "$out/gpu-run.sh"
cp "$root/bench/on-device.sh" "$out/on-device.sh"
cp "$root/bench/serve-load.sh" "$out/serve-load.sh"
mkdir -p "$out/peers"
cp "$root/bench/peers/torch_inception.py" "$root/bench/peers/inductor-cache.sh" "$out/peers/"
# max-autotune's choices measured on earlier H200 runs (unpack-gpu-results.sh files them there)
if [ -d "$root/bench/peers/inductor-autotune" ]; then
  cp -r "$root/bench/peers/inductor-autotune" "$out/peers/"
fi
cp -r "$root/examples" "$out/examples"

if [ "$with_jre" = 1 ]; then
  jlink --add-modules java.base,java.desktop,java.logging,java.management,java.net.http,java.sql,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"
  # Debian ships libjvm.so with its symbol table (4 MiB); the device takes 64 MiB with the sources, so drop it
  # (dynamic symbols stay: strip --strip-unneeded keeps what the loader needs)
  if command -v strip >/dev/null; then
    chmod u+w "$out/jre/lib/server/libjvm.so"
    strip --strip-unneeded "$out/jre/lib/server/libjvm.so"
  fi
  # Debian's JDK links its JPEG and colour-management natives against system libraries that Ubuntu names
  # differently (libjpeg.so.62 there is libjpeg.so.8 here); both natives have RPATH $ORIGIN, so copies in jre/lib
  # are found first. Without them every JPEG fails to decode on the GPU host.
  for native in libjavajpeg.so liblcms.so; do
    for dep in $(ldd "$out/jre/lib/$native" | awk '$1 ~ /^(libjpeg|liblcms2)\.so/ {print $1 "=" $3}'); do
      name="${dep%%=*}"; path="${dep#*=}"
      if [ ! -f "$path" ]; then
        echo "bundle: $native needs $name, which this machine does not have" >&2
        exit 1
      fi
      [ -f "$out/jre/lib/$name" ] || cp -L "$path" "$out/jre/lib/$name"
    done
  done
fi

chmod +x "$out/gpu-run.sh" "$out/on-device.sh" "$out/serve-load.sh"
tar -czf "$out.tgz" -C "$(dirname "$out")" "$(basename "$out")"
size_mib=$(( $(du -sb "$out" | cut -f1) / 1048576 ))
tgz_mib=$(( $(stat -c %s "$out.tgz") / 1048576 ))
echo "bundle: $out, ${size_mib} MiB; $out.tgz ${tgz_mib} MiB (budget ${budget_mib} MiB)$([ "$with_jre" = 1 ] && echo ', with JRE')"
if [ "$tgz_mib" -ge "$budget_mib" ]; then
  echo "bundle: over budget" >&2
  exit 1
fi
