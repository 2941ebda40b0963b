"""``kilauea bench list | run``."""
from __future__ import annotations

from kilauea.cli import ExitCode
from kilauea.cli.bench import bench_dir, bench_scripts


def _bench(tmp_path):
    d = tmp_path / "bench"
    d.mkdir()
    (d / "fast.py").write_text('"""A fast benchmark.\n\nMore text."""\nimport sys\n'
                               'print("args", sys.argv[1:])\nsys.exit(4)\n')
    (d / "other.py").write_text('"""Another one."""\n')
    (d / "_helper.py").write_text("")
    return d


def test_list_the_repository_benchmarks(invoke):
    res = invoke("bench", "list")
    assert res.exit_code == ExitCode.OK
    folder = bench_dir()
    stems = sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))
    assert "chip" in stems and f"({len(stems)} scripts in {folder}" in res.output
    for stem, line in bench_scripts(folder).items():
        assert f"{stem}  {line}" in res.output or f"{stem} " in res.output


def test_list_and_run_a_folder(invoke, tmp_path):
    d = _bench(tmp_path)
    res = invoke("bench", "list", "--dir", d)
    assert "fast   A fast benchmark." in res.output and "_helper" not in res.output
    res = invoke("bench", "run", "fast", "--steps", "3", env={"KILAUEA_BENCH_DIR": str(d)})
    assert res.exit_code == 4          # the script's own status


def test_run_unknown_and_missing(invoke, tmp_path):
    d = _bench(tmp_path)
    res = invoke("bench", "run", "--dir", d, "slow")
    assert res.exit_code == ExitCode.USAGE and "fast, other" in res.output
    res = invoke("bench", "list", "--dir", tmp_path / "none")
    assert res.exit_code == ExitCode.UNAVAILABLE and "no benchmark folder" in res.output
