"""The main job's output folder: checks before any output, no half-written folder after a failure."""

from __future__ import annotations

import pytest

from cppcc_nlp import workflow
from cppcc_nlp.errors import LexiconError, OutputError


def _boom(job):
    raise RuntimeError("a step failed")


def test_a_bad_lexicon_fails_before_any_output(tmp_path, sample_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bad: [\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(LexiconError, match="bad.yaml, line 2"):
        workflow.analyze(sample_path, out, slogan_lexicons=[bad], progress=False)
    assert not out.exists()


def test_a_failed_run_leaves_no_folder_of_its_own_and_does_not_block_the_next(tmp_path, sample_path, monkeypatch):
    monkeypatch.setattr(workflow, "STEPS", [workflow.STEPS[0], ("boom", _boom)])
    out = tmp_path / "new"
    with pytest.raises(RuntimeError):
        workflow.analyze(sample_path, out, progress=False)
    assert not out.exists()  # created by the failed run: removed
    given = tmp_path / "given"
    given.mkdir()
    with pytest.raises(RuntimeError):
        workflow.analyze(sample_path, given, progress=False)
    assert (given / workflow.MARKER).read_text(encoding="utf-8").startswith(workflow.INCOMPLETE)
    # the next run into the same folder needs no --force: it only holds a failed run's partial results
    monkeypatch.setattr(workflow, "STEPS", [workflow.STEPS[0]])
    result = workflow.analyze(sample_path, given, progress=False)
    assert result.report.is_file()
    assert (given / workflow.MARKER).read_text(encoding="utf-8").startswith(workflow.COMPLETE)
    # a finished run's folder is still protected
    with pytest.raises(OutputError, match="earlier run"):
        workflow.analyze(sample_path, given, progress=False)
