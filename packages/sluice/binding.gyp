{
  "targets": [
    {
      "target_name": "sluice_taint",
      "sources": ["native/taint.cc"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"]
    }
  ]
}
