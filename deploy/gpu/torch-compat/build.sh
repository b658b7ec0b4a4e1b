#!/usr/bin/env bash
# Builds libdjl_torch_compat.so against the libtorch of the Python torch on this node.
# Usage: build.sh OUT_DIR [JNI_INCLUDE_DIR]   (JNI headers: $JAVA_HOME/include by default)
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR [JNI_INCLUDE_DIR]}
jni=${2:-${JAVA_HOME:-}/include}
[ -f "$jni/jni.h" ] || { echo "no jni.h under '$jni'; pass the JDK include directory" >&2; exit 2; }
torch=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
mkdir -p "$out"
g++ -O2 -std=c++17 -shared -fPIC -D_GLIBCXX_USE_CXX11_ABI="$abi" \
  -I"$jni" -I"$jni/linux" -I"$torch/include" -I"$torch/include/torch/csrc/api/include" \
  "$(dirname "$0")/djl_torch_compat.cc" -o "$out/libdjl_torch_compat.so" \
  -L"$torch/lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -Wl,-rpath,"$torch/lib"
echo "built $out/libdjl_torch_compat.so against torch $(python3 -c 'import torch; print(torch.__version__)')"
