"""What the zoo reads of the machine it runs on, at run time: the CPU's model and whether it computes bfloat16
natively (Intel AMX, or AVX512_BF16 on Intel and AMD Zen 4 and later), since the same code trains on machines
that differ from one session to the next, and a timing or a precision choice means little without them."""
from __future__ import annotations

import platform
from pathlib import Path

BFLOAT16_FLAGS = ("amx_bf16", "avx512_bf16")  # /proc/cpuinfo's names for native bfloat16 arithmetic
CPUINFO = Path("/proc/cpuinfo")


def _cpuinfo_field(name: str, cpuinfo: Path) -> str | None:
    """The first `name : value` line's value in a Linux /proc/cpuinfo, or None (no such file or field)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == name:
            return value.strip()
    return None


def cpu_model(cpuinfo: Path = CPUINFO) -> str | None:
    """The CPU's model name ('Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz'), or the platform's processor
    string where there is no /proc/cpuinfo; None when neither says."""
    return _cpuinfo_field("model name", cpuinfo) or platform.processor() or None


def native_bfloat16(cpuinfo: Path = CPUINFO) -> bool:
    """Whether the CPU has bfloat16 matrix or vector instructions (AMX-BF16 or AVX512-BF16), where Keras'
    mixed_bfloat16 networks train faster than float32 ones; elsewhere bfloat16 is emulated and slower."""
    flags = set((_cpuinfo_field("flags", cpuinfo) or "").split())
    return any(f in flags for f in BFLOAT16_FLAGS)
