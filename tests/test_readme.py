"""The README's runnable examples run: every ``bash`` or ``python`` block marked with an
``<!-- runnable -->`` line just before it is run as written, only made fast.

Fast means fewer replications and samples (``-n 2``, ``--samples 8``, ``replications=2``)
and no charts where a command draws them by default; nothing else is changed, so a
renamed command, option, file or function fails here. Blocks run in a temporary folder
that sees the repository's scenarios, experiments and seeds, so their output folders
never land in the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARK = "<!-- runnable -->"
FAST = [
    (r"(--replications|-n) (\d+|auto)( --precision [\d.]+)?", r"\1 2"),
    (r"--samples \d+", "--samples 8"),
    (r"replications=\d+", "replications=2"),
    (r"--moment \d+", ""),
    (r"--budget \d+", "--budget 12"),
    (r"--futures \d+", "--futures 3"),
]
DRAWS = (
    "sim run ",
    "sim compare ",
    "sim sweep ",
    "sim robustness ",
    "sim sensitivity ",
    "sim backtest ",
)


def runnable_blocks() -> list[tuple[int, str, str]]:
    """(line, language, code) of each marked block."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").split("\n")
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        fence = lines[i + 1].strip()
        assert fence in ("```bash", "```python"), f"README.md:{i + 2}: {MARK} before {fence!r}"
        end = lines.index("```", i + 2)
        blocks.append((i + 2, fence[3:], "\n".join(lines[i + 2 : end])))
    return blocks


def fast(code: str, language: str, folder: Path) -> str:
    for pattern, repl in FAST:
        code = re.sub(pattern, repl, code)
    code = code.replace("/tmp/", f"{folder}/")
    if language == "bash":
        code = "\n".join(
            line.split("#")[0].rstrip() + " --format none"
            if line.startswith(DRAWS) and "--format" not in line
            else line
            for line in code.split("\n")
        )
    return code


BLOCKS = runnable_blocks()


def test_the_readme_marks_its_examples():
    # The commands of the quick start, the comparisons and the Python API at least.
    assert len(BLOCKS) >= 6
    assert {language for _, language, _ in BLOCKS} == {"bash", "python"}


@pytest.mark.parametrize(("line", "language", "code"), BLOCKS, ids=[f"line{b[0]}" for b in BLOCKS])
def test_a_readme_example_runs(tmp_path, line, language, code):
    for name in ("scenarios", "experiments", "seeds"):
        (tmp_path / name).symlink_to(ROOT / name)
    code = fast(code, language, tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if language == "python":  # as a plain script, the way a reader would save it
        script = tmp_path / "example.py"
        script.write_text(code, encoding="utf-8")
        command = [sys.executable, str(script)]
    else:
        command = ["bash", "-euo", "pipefail", "-c", code]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"README.md:{line}:\n{code}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, f"README.md:{line}:\n{done.stderr[-3000:]}"
