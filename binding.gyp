{
  "targets": [
    {
      "target_name": "edgesbc",
      "sources": ["<!@(node scripts/native-sources.mjs)"],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "OPENSSL_API_COMPAT=0x10100000L"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "<!@(pkg-config --cflags openssl libcares libnftables spandsp speex speexdsp opus libbcg729)"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-O2", "-Wall", "-Wextra", "-Werror"],
      "libraries": ["<!@(pkg-config --libs openssl libcares libnftables spandsp speex speexdsp opus libbcg729)", "-lpthread"]
    }
  ]
}
