"""The report's side process: its files are there after the block, its error is raised here,
and the block's own error wins."""

from __future__ import annotations

import pytest

from sim.report.side_process import side_process


def test_the_side_job_writes_while_the_block_runs(tmp_path):
    with side_process(lambda: (tmp_path / "side.txt").write_text("side")):
        (tmp_path / "here.txt").write_text("here")
    assert (tmp_path / "side.txt").read_text() == "side"
    assert (tmp_path / "here.txt").read_text() == "here"


def test_the_side_jobs_error_is_raised_here():
    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(RuntimeError, match="disk full"), side_process(fail):
        pass


def test_the_blocks_own_error_wins(tmp_path):
    with pytest.raises(ValueError, match="block"), side_process(lambda: None):
        raise ValueError("block")
