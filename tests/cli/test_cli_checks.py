"""Bad CLI arguments are refused at once (exit 2) before any file is read or model fitted; ``slogans --by``
says which time axis, with ``--by-year`` kept as a deprecated spelling of ``--track --by year``."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from cppcc_nlp.cli import main
from cppcc_nlp.topics.model import TopicModel


@pytest.fixture
def no_work(monkeypatch):
    """Record any fit or corpus reading: a refused command must do neither."""
    calls = []
    monkeypatch.setattr(TopicModel, "fit", lambda self, *a, **k: calls.append("fit") or self)
    import cppcc_nlp.cli._common as common

    original = common.load_corpus
    monkeypatch.setattr(common, "load_corpus", lambda args: calls.append("read") or original(args))
    for module in ("cppcc_nlp.cli.topics", "cppcc_nlp.cli.slogans"):
        monkeypatch.setattr(f"{module}.load_corpus", lambda args: calls.append("read") or original(args))
    return calls


@pytest.mark.parametrize(
    "argv, message",
    [
        (["topics", "PATH", "--shares", "decade"], "--shares 'decade': group by one of"),
        (["topics", "PATH", "--shares", "yaer"], "did you mean 'year'"),
        (["topics", "PATH", "--trends", "doc_id"], "trends run along 'year' or 'period'"),
        (["topics", "PATH", "--trends", "--min-chars", "-5"], "--min-chars -5"),
        (["slogans", "PATH", "--by-year", "--by", "period"], "--by-year (deprecated) means --track --by year"),
        (["slogans", "PATH", "--families", "--by", "year"], "--by applies to --track and --summary only"),
    ],
)
def test_bad_arguments_exit_2_before_any_work(argv, message, sample_path, no_work, capsys):
    argv = [str(sample_path) if a == "PATH" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error:") and message in err
    assert no_work == []  # neither read the reports nor fitted a model


def test_the_checks_let_good_arguments_through(sample_path, no_work, capsys):
    """Control for the fixture: a good command does read the reports."""
    assert main(["slogans", str(sample_path), "--track", "--by", "year", "--format", "csv"]) == 0
    assert no_work == ["read"]


def _csv(capsys) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(capsys.readouterr().out))


def test_slogans_by_year_or_period(sample_path, capsys):
    # the sample report, delivered 2024-12-25: its review speaks about 2024 and its plan about 2025
    assert main(["slogans", str(sample_path), "--by", "year", "--format", "csv"]) == 0
    by_year = _csv(capsys)
    assert "year" in by_year.columns and set(by_year["year"]) == {2024}
    assert main(["slogans", str(sample_path), "--track", "--by", "period", "--format", "csv"]) == 0
    by_period = _csv(capsys)
    assert set(by_period["period"]) == {2024, 2025} and set(by_period["n_reports"]) == {1}
    assert by_period.groupby("canonical")["count"].sum().equals(by_year.groupby("canonical")["count"].sum())
    assert set(by_period["series"]) == {"政协常委会/county/阜新蒙古族自治县"}
    # the deprecated spelling: the tracking table by delivery year, with a note
    assert main(["slogans", str(sample_path), "--by-year", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert "--by-year is deprecated" in captured.err
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(captured.out)), by_year)
