{
  "targets": [
    {
      "target_name": "fd_store",
      "sources": ["fd_store.c"],
      "libraries": ["-lsystemd"],
      "cflags": ["-Wall", "-Wextra", "-Werror"]
    }
  ]
}
