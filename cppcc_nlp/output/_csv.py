"""CSV bytes of a table, the same bytes as ``DataFrame.to_csv(index=False)``, in about a third of the time.

pandas formats every cell in Python (a float through ``repr``, each row through the ``csv`` module): 1.5 s for
the 51,000 rows × 39 columns of a 16-times corpus's ``unit_topics``.  Here each column is formatted at once by
Arrow's compute kernels and the rows are joined in C++ (0.4 s; benchmarks/bench_tables.py), following pandas'
rules:

* a missing value (NaN, None, ``pd.NA``) is an empty field; ``True``/``False`` as Python writes them;
* a float as ``repr`` writes it (``0.5``, ``1.0``, ``1e-05``): Arrow's shortest round-trip digits where its
  layout is Python's (``1e-4 <= |x| < 1e10``, ``.0`` added to whole numbers), ``repr`` itself elsewhere;
* a string quoted only when it holds a comma, a double quote or a line break, as the ``csv`` module does
  (``"a,b"``, ``"提出""两个确立""。"``);
* anything else (categories, dates, lists in an object column, a single column): pandas itself.

On first use the fast path formats a probe table holding every case above and compares it with pandas'
bytes; if they differ (another pandas, Arrow or Python), every table goes through pandas.
"""

from __future__ import annotations

import csv
import functools
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: floats whose Arrow text is Python's repr (with ``.0`` added to whole numbers)
_PLAIN = (1e-4, 1e10)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df.to_csv(index=False)`` as UTF-8 bytes (fast for the dtypes of result tables, pandas for the rest).

    Examples
    --------
    >>> csv_bytes(pd.DataFrame({"提法": ["两个确立", "a,b"], "share": [0.5, 1.0]})).decode()
    '提法,share\\n两个确立,0.5\\n"a,b",1.0\\n'
    """
    fast = _fast_csv(df) if _fast_path_agrees() else None
    return fast if fast is not None else _pandas_csv(df)


def _pandas_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def _fast_csv(df: pd.DataFrame) -> bytes | None:
    """The CSV bytes, or None when a column is of a kind only pandas formats."""
    if df.shape[1] < 2 or not df.columns.is_unique:  # (a one-column row of "" is written '""')
        return None
    columns = []
    for name in df.columns:
        text = _column_text(df[name])
        if text is None:
            return None
        columns.append(text)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([str(c) for c in df.columns])
    head = header.getvalue().encode("utf-8")
    if not len(df):
        return head
    rows = pc.binary_join_element_wise(*columns, _text(","))
    body = pc.binary_join_element_wise(rows, _text(""), _text("\n"))  # each row and its line break
    return head + _concatenated(body)


def _concatenated(strings: pa.Array) -> bytes:
    """The UTF-8 bytes of all ``strings`` one after another (no nulls)."""
    strings = strings.cast(pa.large_string())
    offsets = np.frombuffer(strings.buffers()[1], np.int64)[strings.offset : strings.offset + len(strings) + 1]
    return strings.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _column_text(column: pd.Series) -> pa.Array | None:
    """The CSV fields of one column as an Arrow large_string array without nulls, or None (pandas formats it)."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        values = pa.array(column.to_numpy())
        return pc.if_else(values, "True", "False").cast(pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(column.to_numpy()), pa.large_string())
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(dtype):
        return pc.fill_null(pc.cast(pa.array(column.array), pa.large_string()), _text(""))
    if dtype == np.float64:
        return _float_text(column.to_numpy())
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":  # (no copy)
        values = pa.array(column.array)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        values = values.cast(pa.large_string())
    elif isinstance(dtype, pd.StringDtype) or dtype == np.dtype("O"):
        try:
            values = pa.array(column.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all strings: pandas writes str() of each
            return None
    else:
        return None
    return pc.fill_null(_quoted(values), _text(""))


def _quoted(values: pa.Array) -> pa.Array:
    """Strings with a comma, a double quote or a line break in double quotes, their quotes doubled."""
    special = pc.or_(
        pc.or_(pc.match_substring(values, ","), pc.match_substring(values, '"')), pc.match_substring(values, "\n")
    )
    if not pc.any(special).as_py():
        return values
    quoted = pc.binary_join_element_wise(_text('"'), pc.replace_substring(values, '"', '""'), _text('"'), _text(""))
    return pc.if_else(special, quoted, values)


def _float_text(values: np.ndarray) -> pa.Array:
    """``repr`` of each float, "" for NaN."""
    text = pc.cast(pa.array(values, from_pandas=True), pa.large_string())
    size = np.abs(values)
    plain = ((size >= _PLAIN[0]) & (size < _PLAIN[1])) | ((values == 0) & ~np.signbit(values))
    whole = plain & (values == np.floor(values))
    if whole.any():
        text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, _text(".0"), _text("")), text)
    other = np.flatnonzero(~plain & ~np.isnan(values))  # -0.0, tiny and huge values, infinities: repr
    if len(other):
        fixed = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
        fixed[other] = [repr(v) for v in values[other].tolist()]
        text = pa.array(fixed, type=pa.large_string(), from_pandas=True)
    return pc.fill_null(text, _text(""))


def _probe() -> pd.DataFrame:
    """A table holding every case the fast path formats (see the module's docstring)."""
    floats = [0.0, -0.0, 1.0, 0.1, 1 / 3, 1e-4, 9.99e-5, 1e-5, 2.5e-7, 123456789.125, 9999999999.0, 1e10, 4.1e10]
    floats += [2.0**53, 1e16, 1e22, -0.5, float("inf"), float("-inf"), float("nan"), 0.30000000000000004, 5e-324]
    n = len(floats)
    strings = ["两个确立", "a,b", 'say "x"', "x\ny", "x\ry", "", " ", None, "a\tb", "；", "\u2028", "1.0"]
    strings = (strings * 2)[:n]
    return pd.DataFrame(
        {
            "f": floats,
            "s": pd.array(strings, dtype="string"),
            "t": pd.Series(strings, dtype="str"),  # (the strings of result tables: missing is NaN)
            "o": pd.Series(strings, dtype=object),
            "i": np.arange(n, dtype=np.int64) - 5,
            "n": pd.array([None if k % 3 == 0 else k for k in range(n)], dtype="Int64"),
            "b": [k % 2 == 0 for k in range(n)],
            "年,份": np.arange(n, dtype=np.int32),
        }
    )


@functools.cache
def _fast_path_agrees() -> bool:
    """True when the fast path writes the probe table exactly as pandas does (checked once per process)."""
    probe = _probe()
    return _fast_csv(probe) == _pandas_csv(probe)
