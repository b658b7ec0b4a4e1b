#!/usr/bin/env bash
# Makes the bundle a GPU node without Java runs the PEFT benchmark from (at most 64 MiB with the tree):
# a jlink'd JRE (xz), the DJL + model + bench jars (natives of other platforms stripped), a PeftPack, the
# torch-compat shim's sources with the JNI headers, and the run scripts. Needs `mvn package` first.
# Usage: deploy/gpu/bundle.sh [DIR [PeftBenchmark flags for the pack]]   (DIR: default .gpu, which
# .git/info/exclude should ignore)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/.gpu}
shift || true
lib=$root/app/target/lib
[ -d "$lib" ] || { echo "build first: mvn -B -q -Dmaven.test.skip=true package" >&2; exit 2; }
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
rm -rf "$dir" && mkdir -p "$dir/lib" "$dir/jni-include/linux"
jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.naming,java.sql \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$dir/jre"
tar -C "$dir" -cJf "$dir/jre.tar.xz" jre && rm -rf "$dir/jre"
cp "$root"/model/target/streamtune-model-*.jar "$root"/bench/target/streamtune-bench-*.jar "$dir/lib/"
for jar in api-* pytorch-engine-* pytorch-jni-* gson-* jna-* commons-compress-1.28* slf4j-api-* slf4j-simple-* \
           jackson-databind-* jackson-core-* jackson-annotations-*; do
  cp $lib/$jar.jar "$dir/lib/"
done
# only the linux-x86_64 CUDA JNI and linux-x86-64 JNA natives travel
zip -q -d "$dir"/lib/pytorch-jni-*.jar 'jnilib/linux-aarch64/*' 'jnilib/linux-x86_64/cpu/*' >/dev/null || true
for platform in $(unzip -Z1 "$dir"/lib/jna-*.jar | grep -o '^com/sun/jna/[a-z0-9-]*-[a-z0-9-]*/' | sort -u \
                  | grep -v linux-x86-64/); do
  zip -q -d "$dir"/lib/jna-*.jar "$platform*" >/dev/null || true
done
cp "$java_home/include/jni.h" "$dir/jni-include/" && cp "$java_home/include/linux/jni_md.h" "$dir/jni-include/linux/"
cp -r "$root/deploy/gpu/torch-compat" "$dir/"
cp "$root"/deploy/gpu/{run-peft.sh,peft-all.sh,peft_torch_baseline.py} "$dir/"
java -Dai.djl.offline=true -cp "$root/bench/target/classes:$root/model/target/classes:$root/datasets/target/classes:$lib/*" \
  dev.streamtune.bench.peft.PeftBenchmark --write-pack "$dir/pack" "$@"
echo "bundle $dir: $(du -sh "$dir" | cut -f1)"
