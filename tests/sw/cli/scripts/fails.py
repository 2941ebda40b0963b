"""A script that raises (for `kilauea run`'s exit status)."""
raise RuntimeError("this script fails on purpose")
