{
  "targets": [
    {
      "target_name": "garou_udp",
      "sources": ["native/udp_io.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
