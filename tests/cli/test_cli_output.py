"""Every table command writes Parquet (and any format) to a file with --out; parquet without --out is refused."""

from __future__ import annotations

import pandas as pd
import pytest

from cppcc_nlp.cli import main


@pytest.mark.parametrize("command", [["corpus"], ["sections"], ["kwic", "两个确立"]])
def test_parquet_output_reads_back_as_the_csv_table(command, sample_path, tmp_path, capsys):
    assert main([*command, str(sample_path), "--format", "parquet", "--out", str(tmp_path / "t.parquet")]) == 0
    assert main([*command, str(sample_path), "--format", "csv", "--out", str(tmp_path / "t.csv")]) == 0
    assert capsys.readouterr().out == ""  # written to the files, not to stdout
    parquet, csv = pd.read_parquet(tmp_path / "t.parquet"), pd.read_csv(tmp_path / "t.csv")
    assert list(parquet.columns) == list(csv.columns) and len(parquet) == len(csv) > 0
    assert parquet.iloc[:, 0].astype(str).tolist() == csv.iloc[:, 0].astype(str).tolist()


def test_parquet_needs_out_and_is_refused_before_reading(tmp_path, capsys):
    status = main(["corpus", str(tmp_path / "no-such-folder"), "--format", "parquet"])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("Error: --format parquet writes a file") and "no-such-folder" not in err
