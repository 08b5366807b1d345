// SPDX-License-Identifier: MIT
// A tiny Node addon that loads libtensorflow with stderr pointed at /dev/null, then restores it.
// TensorFlow 2.21's static initializers log (oneDNN, absl's "before InitializeLog" notice) while
// the library loads, before TF_CPP_MIN_LOG_LEVEL is consulted; Node has no dup2 of its own.
// Once loaded (RTLD_GLOBAL), the tfjs binding's own dlopen finds the library already there.
#include <dlfcn.h>
#include <stdio.h>
#include <fcntl.h>
#include <node_api.h>
#include <unistd.h>

static napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "load(path): path must be a string");
    return NULL;
  }
  fflush(NULL);
  int saved = dup(2);
  int devnull = open("/dev/null", O_WRONLY);
  if (saved >= 0 && devnull >= 0) dup2(devnull, 2);
  void* handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  const char* err = handle ? NULL : dlerror();
  if (saved >= 0) {
    dup2(saved, 2);
    close(saved);
  }
  if (devnull >= 0) close(devnull);
  napi_value result;
  if (err) napi_create_string_utf8(env, err, NAPI_AUTO_LENGTH, &result);
  else napi_get_undefined(env, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "load", NAPI_AUTO_LENGTH, Load, NULL, &fn);
  napi_set_named_property(env, exports, "load", fn);
  return exports;
}
