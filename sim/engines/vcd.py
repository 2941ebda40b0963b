"""Waveform helpers: cut a VCD file down to a time window.

`window_vcd(src, dst, t0, t1)` keeps the header, emits the value of every
variable at t0 as a `$dumpvars` block, then every change in (t0, t1]. Times
are in the file's own units (Amaranth writes 1 fs).
"""
from __future__ import annotations

__all__ = ["window_vcd"]


def _var_id(line: str) -> str | None:
    """The identifier a value-change line sets, or None for other lines."""
    c = line[0]
    if c in "01xzXZ":
        return line[1:]
    if c in "bBrRsS":
        parts = line.split()
        return parts[1] if len(parts) == 2 else None
    return None


def window_vcd(src, dst, t0: int, t1: int) -> None:
    """Write to `dst` the part of VCD file `src` from time t0 to t1."""
    state: dict[str, str] = {}
    with open(src) as fin, open(dst, "w") as fout:
        for line in fin:
            fout.write(line)
            if line.strip().startswith("$enddefinitions"):
                break
        now = 0
        started = False
        for raw in fin:
            line = raw.strip()
            if not line:
                continue
            if line[0] == "#":
                now = int(line[1:])
                if now > t1:
                    break
                if now > t0 and not started:
                    started = True
                    fout.write(f"#{t0}\n$dumpvars\n")
                    fout.writelines(v + "\n" for v in state.values())
                    fout.write("$end\n")
                if started:
                    fout.write(line + "\n")
                continue
            vid = _var_id(line)
            if vid is None:          # $dumpvars, $end, $comment ...
                continue
            if started:
                fout.write(line + "\n")
            else:
                state[vid] = line
        if not started:
            fout.write(f"#{t0}\n$dumpvars\n")
            fout.writelines(v + "\n" for v in state.values())
            fout.write("$end\n")
