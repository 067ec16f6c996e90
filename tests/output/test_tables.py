"""Result tables out: the fast CSV writer writes pandas' bytes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cppcc_nlp.output import _csv
from cppcc_nlp.output.tables import write_table


def test_the_fast_path_is_taken_and_agrees_with_pandas_on_every_kind_of_cell():
    probe = _csv._probe()  # floats of every magnitude, NaN, ±0, ±inf; quoted and bare strings; NA ints; bools
    assert _csv._fast_path_agrees(), "this pandas / Arrow / Python writes the probe otherwise: every table is slow"
    fast = _csv._fast_csv(probe)
    assert fast is not None and fast == probe.to_csv(index=False).encode()
    assert b'"a,b"' in fast and b'"say ""x"""' in fast and b"\n1e-05," in fast and b"\n-0.0," in fast


def test_floats_of_every_magnitude_are_written_as_repr():
    rng = np.random.default_rng(7)
    x = rng.random(200_000) * 10.0 ** rng.integers(-12, 25, 200_000) * rng.choice([-1, 1], 200_000)
    x[::7] = np.round(x[::7])  # whole numbers: 12.0, 1e+17
    x[::11] = np.round(x[::11], 3)
    x[::13] = np.nan
    frame = pd.DataFrame({"a": x, "b": x[::-1]})
    assert _csv._fast_csv(frame) == frame.to_csv(index=False).encode()


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": ["", "x"]}),  # one column: a row of "" is written '""'
        pd.DataFrame({"年": pd.Categorical(["2024", "2025"]), "n": [1, 2]}),
        pd.DataFrame({"list": [["两个确立"], None], "n": [1, 2]}, dtype=object),
        pd.DataFrame({"when": pd.to_datetime(["2024-03-05", None]), "n": [1, 2]}),
    ],
    ids=["one-column", "category", "lists", "dates"],
)
def test_other_tables_go_through_pandas(frame):
    assert _csv._fast_csv(frame) is None
    assert _csv.csv_bytes(frame) == frame.to_csv(index=False).encode()


def test_an_empty_table_is_its_header(tmp_path):
    frame = pd.DataFrame({"term": pd.Series(dtype="string"), "freq": pd.Series(dtype=int)})
    csv, _ = write_table(frame, tmp_path, "terms")
    assert csv.read_bytes() == frame.to_csv(index=False).encode() == b"term,freq\n"
