#!/usr/bin/env bash
# Usage (on the node, from the bundle that deploy/gpu/bundle.sh made): run-peft.sh --probe | [PeftBenchmark flags]
# The PEFT benchmark on a GPU node that has Python PyTorch (CUDA) but no Java: a carried jlink'd JRE,
# the DJL jars, and a PeftPack (tokenized inputs + half-precision MiniLM weights). DJL's JNI (built
# for libtorch 2.7.1) runs against the node's libtorch; arrays are read back through HostReadback.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-/tmp/out}; mkdir -p "$out"
[ -d /tmp/jre ] || tar -xJf "$here/jre.tar.xz" -C /tmp
torchlib=${TORCH_LIB:-$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
export PYTORCH_LIBRARY_PATH=$torchlib PYTORCH_VERSION=${PYTORCH_VERSION:-2.7.1} PYTORCH_FLAVOR=${PYTORCH_FLAVOR:-cu128}
# DJL finds the GPU through JNA's "cudart"; the wheel ships only a versioned libcudart.so.NN
links=/tmp/cudalinks; mkdir -p $links
cudart=$(find "$(dirname "$(dirname "$torchlib")")" -name 'libcudart.so*' 2>/dev/null | head -1)
[ -n "$cudart" ] && ln -sf "$cudart" $links/libcudart.so
export LD_LIBRARY_PATH=$links:$torchlib:$(dirname "${cudart:-/x}"):${LD_LIBRARY_PATH:-}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null > "$out/gpu.txt"
# the JNI shim, compiled here once against this node's libtorch (deploy/gpu/torch-compat)
shim=/tmp/compat/libdjl_torch_compat.so
if [ -z "${STREAMTUNE_TORCH_COMPAT_LIB:-}" ] && [ -f "$here/torch-compat/build.sh" ]; then
  [ -f $shim ] || "$here/torch-compat/build.sh" /tmp/compat "$here/jni-include"
  [ -f $shim ] && export STREAMTUNE_TORCH_COMPAT_LIB=$shim
fi
java=/tmp/jre/bin/java
cp="$here/lib/*"
if [ "${1:-}" = "--probe" ]; then
  "$java" -Dai.djl.offline=true -cp "$cp" dev.streamtune.model.TorchProbe 2>&1 | grep -v " INFO "
  exit "${PIPESTATUS[0]}"
fi
"$java" -Dai.djl.offline=true -Xmx8g -cp "$cp" dev.streamtune.bench.peft.PeftBenchmark --from-pack "$here/pack" "$@" 2>&1 | grep -v " INFO "
