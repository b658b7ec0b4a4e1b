// Streamtune: a JNI shim that lets DJL 0.36's PyTorch JNI (built against libtorch 2.7.1) run on a
// node whose only CUDA libtorch is newer (the Python wheel's, 2.11 on our GPU nodes).
//
// DJL's libdjl_torch.so inlines libtorch 2.7.1 header code. Operators reach libtorch through its
// exported dispatcher and work across versions, but inline code that touches TensorImpl's fields
// does not: creating an array from Java memory (torch::from_blob) fails with "set_stride is not
// allowed on a Tensor created from .data or .detach()", and reading one back through data_ptr()
// fails with "Cannot access data pointer of Tensor that doesn't have storage".
//
// This library is compiled on the node against that node's own libtorch headers, and its
// JNI_OnLoad re-binds those two native methods of ai.djl.pytorch.jni.PyTorchLibrary to the
// functions below (RegisterNatives wins over DJL's symbols whatever the load order). Handles stay
// what DJL expects: a heap-allocated torch::Tensor per array.
#include <jni.h>

#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

// ai.djl.ndarray.types.DataType ordinals (DJL 0.36) -> ATen scalar types.
bool ScalarTypeFromDjl(jint ordinal, at::ScalarType* out) {
  switch (ordinal) {
    case 0: *out = at::kFloat; return true;
    case 1: *out = at::kDouble; return true;
    case 2: *out = at::kHalf; return true;
    case 3: *out = at::kByte; return true;
    case 4: *out = at::kInt; return true;
    case 5: *out = at::kChar; return true;
    case 6: *out = at::kLong; return true;
    case 7: *out = at::kBool; return true;
    case 11: *out = at::kBFloat16; return true;
    case 15: *out = at::kShort; return true;
    default: return false;
  }
}

void ThrowEngineException(JNIEnv* env, const std::string& message) {
  jclass type = env->FindClass("ai/djl/engine/EngineException");
  if (type == nullptr) {
    env->ExceptionClear();
    type = env->FindClass("java/lang/IllegalStateException");
  }
  env->ThrowNew(type, message.c_str());
}

// Wraps the direct buffer without copying on the CPU (DJL keeps the buffer referenced by the
// array, as it does with its own implementation); copies it to the device otherwise.
jlong FromBlob(JNIEnv* env, jobject, jobject buffer, jlongArray jshape, jint jdtype, jint jlayout,
               jintArray jdevice, jboolean requires_grad) {
  try {
    at::ScalarType type;
    if (!ScalarTypeFromDjl(jdtype, &type)) {
      ThrowEngineException(env, "torch-compat: unsupported DJL data type ordinal " + std::to_string(jdtype));
      return 0;
    }
    if (jlayout != 0) {
      ThrowEngineException(env, "torch-compat: only the dense layout is supported, got layout " +
                                    std::to_string(jlayout));
      return 0;
    }
    jsize rank = env->GetArrayLength(jshape);
    std::vector<int64_t> shape(rank);
    env->GetLongArrayRegion(jshape, 0, rank, reinterpret_cast<jlong*>(shape.data()));
    jint device[2];
    env->GetIntArrayRegion(jdevice, 0, 2, device);
    void* data = env->GetDirectBufferAddress(buffer);
    if (data == nullptr) {
      ThrowEngineException(env, "torch-compat: the buffer must be a direct ByteBuffer");
      return 0;
    }
    at::Tensor tensor = at::from_blob(data, shape, at::TensorOptions().dtype(type).device(at::kCPU));
    if (device[0] != 0) {
      tensor = tensor.to(at::Device(static_cast<c10::DeviceType>(device[0]), static_cast<c10::DeviceIndex>(device[1])),
                         /*non_blocking=*/false, /*copy=*/true);
    }
    if (requires_grad) {
      tensor.set_requires_grad(true);
    }
    return reinterpret_cast<jlong>(new at::Tensor(tensor));
  } catch (const std::exception& e) {
    ThrowEngineException(env, e.what());
    return 0;
  }
}

// A copy of the array's bytes (moved to the CPU and made contiguous first).
jbyteArray DataPtr(JNIEnv* env, jobject, jlong handle) {
  try {
    const at::Tensor* tensor = reinterpret_cast<const at::Tensor*>(handle);
    at::Tensor host = tensor->to(at::kCPU).contiguous();
    jsize bytes = static_cast<jsize>(host.nbytes());
    jbyteArray result = env->NewByteArray(bytes);
    if (result != nullptr && bytes > 0) {
      env->SetByteArrayRegion(result, 0, bytes, static_cast<const jbyte*>(host.data_ptr()));
    }
    return result;
  } catch (const std::exception& e) {
    ThrowEngineException(env, e.what());
    return nullptr;
  }
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) {
    return JNI_ERR;
  }
  jclass library = env->FindClass("ai/djl/pytorch/jni/PyTorchLibrary");
  if (library == nullptr) {
    return JNI_ERR;
  }
  JNINativeMethod methods[] = {
      {const_cast<char*>("torchFromBlob"), const_cast<char*>("(Ljava/nio/ByteBuffer;[JII[IZ)J"),
       reinterpret_cast<void*>(&FromBlob)},
      {const_cast<char*>("torchDataPtr"), const_cast<char*>("(J)[B"), reinterpret_cast<void*>(&DataPtr)},
  };
  if (env->RegisterNatives(library, methods, sizeof(methods) / sizeof(methods[0])) != 0) {
    return JNI_ERR;
  }
  return JNI_VERSION_1_8;
}
