"""Run folders (issue 13): claimed by one run, one-line errors, only what sim made removed."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from sim.errors import OutputError, RunInterrupted
from sim.results.layout import LOCK, RunFolder, check_out_dir, staged_dir


def test_a_claimed_folder_is_refused_to_a_second_claim(tmp_path):
    first = RunFolder.claim(tmp_path / "run")
    try:
        with pytest.raises(OutputError, match="another sim process is writing"):
            RunFolder.claim(tmp_path / "run")
        (tmp_path / "run" / "manifest.json").write_text(json.dumps({"run_id": first.run_id}))
        with pytest.raises(OutputError, match="another sim process is writing"):
            RunFolder.reopen(tmp_path / "run")
    finally:
        first.release()
    # once released (the run stopped), it can be reopened to resume, as the same run
    again = RunFolder.reopen(tmp_path / "run")
    assert again.run_id == first.run_id
    again.release()


def test_a_folder_with_anything_in_it_is_refused_even_after_the_lock(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "manifest.json").write_text("{}")
    with pytest.raises(OutputError, match="not empty"):
        RunFolder.claim(tmp_path / "run")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (d / "afile").write_text("x") and d / "afile" / "sub", "Not a directory"),
        (lambda d: (d / "afile").write_text("x") and d / "afile", "is a file"),
        (lambda d: (d / "link").symlink_to(d / "nowhere") or d / "link", "broken symbolic link"),
    ],
    ids=["under-a-file", "a-file", "broken-symlink"],
)
def test_an_unusable_out_is_one_line(tmp_path, make, message):
    out = make(tmp_path)
    with pytest.raises(OutputError, match=message) as caught:
        RunFolder.claim(out)
    assert "\n" not in str(caught.value)
    assert str(out) in str(caught.value)


def test_a_read_only_place_is_one_line(tmp_path, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(OutputError, match="cannot create the folder: Read-only file system"):
        RunFolder.claim(tmp_path / "new" / "run")
    with pytest.raises(OutputError, match="Read-only file system"), staged_dir(tmp_path / "x"):
        pass


def _fail_inside(folder: RunFolder, error: BaseException, manifest: dict | None = None):
    with pytest.raises(BaseException) as caught, folder.guard(manifest or {}):
        (folder.path / "table.csv").write_text("partial")
        raise error
    return caught.value


def test_a_failed_run_removes_the_folder_it_made(tmp_path):
    out = tmp_path / "made" / "by" / "sim"
    _fail_inside(RunFolder.claim(out), ValueError("a bug"))
    assert not (tmp_path / "made").exists()  # and the parents it made


def test_a_failed_run_leaves_a_folder_the_user_made(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    _fail_inside(RunFolder.claim(out), ValueError("a bug"))
    assert out.is_dir()
    assert list(out.iterdir()) == []  # emptied of what sim wrote, lock included


def test_a_full_disk_keeps_the_work_and_says_failed(tmp_path):
    folder = RunFolder.claim(tmp_path / "run")
    error = _fail_inside(
        folder, OSError(errno.ENOSPC, "No space left on device"), {"run_id": folder.run_id}
    )
    assert isinstance(error, OutputError)
    assert "could not write the results: No space left on device" in str(error)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert (tmp_path / "run" / "table.csv").exists()  # the caller removes partial tables
    RunFolder.reopen(tmp_path / "run").release()  # unlocked


def test_another_os_error_is_not_called_a_disk_problem(tmp_path):
    error = _fail_inside(RunFolder.claim(tmp_path / "run"), TimeoutError("no scheduler"))
    assert isinstance(error, TimeoutError)
    assert not (tmp_path / "run").exists()


def test_a_stop_says_interrupted_or_complete(tmp_path):
    folder = RunFolder.claim(tmp_path / "run")
    error = _fail_inside(folder, KeyboardInterrupt(), {"status": "running"})
    assert isinstance(error, RunInterrupted)
    assert error.status == "interrupted"
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "interrupted"

    done = RunFolder.claim(tmp_path / "done")
    done.complete = True
    error = _fail_inside(done, KeyboardInterrupt(), {"status": "complete"})
    assert (error.status, error.folder) == ("complete", tmp_path / "done")
    assert not (tmp_path / "done" / LOCK).exists()  # a complete run leaves no lock file


def test_a_stop_before_anything_was_written_removes_the_folder(tmp_path):
    error = _fail_inside(RunFolder.claim(tmp_path / "run"), KeyboardInterrupt())
    assert type(error) is KeyboardInterrupt
    assert not (tmp_path / "run").exists()


def test_the_lock_file_does_not_make_a_folder_look_used(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / LOCK).write_text("")
    check_out_dir(tmp_path / "run")  # no error


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "not a file this run wrote"),
        ("{bad json", "not a file this run wrote"),
        ('{"status": "complete", "run_id": "' + "a" * 32 + '"}', "complete"),
        ('{"status": "interrupted", "run_id": "../x"}', "names no run"),
    ],
)
def test_reopen_refuses_what_is_not_an_unfinished_run(tmp_path, text, message):
    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(OutputError, match=message):
        RunFolder.reopen(tmp_path)
    RunFolder.claim(tmp_path / "sub").release()  # the refusal released the lock of tmp_path
    with pytest.raises(OutputError, match=message):
        RunFolder.reopen(tmp_path)
