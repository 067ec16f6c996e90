"""The `corpus`, `sections`, `kwic` and `add` commands, called in-process: output, exit codes, messages;
and what every command shares: one `run_<command>` handler each, both spellings of `-j` and `-k`."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from cppcc_nlp.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_corpus_csv_row_for_the_sample(capsys, sample_path):
    status, out, err = run(capsys, "corpus", str(sample_path), "--format", "csv")
    assert status == 0 and err == ""
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == [
        "doc_id",
        "path",
        "title",
        "organ",
        "level",
        "region",
        "session",
        "date",
        "year",
        "speaker",
        "abridged",
        "n_chars",
        "n_sections",
        "n_paragraphs",
    ]
    row = df.iloc[0]
    assert (row.level, row.region, row.organ, row.date, row.year, row.speaker, bool(row.abridged)) == (
        "county",
        "阜新蒙古族自治县",
        "政协常委会",
        "2024-12-25",
        2024,
        "陈忠民",
        True,
    )


def test_sections_json(capsys, sample_path):
    status, out, _ = run(capsys, "sections", str(sample_path), "--format", "json")
    assert status == 0
    rows = json.loads(out)
    tops = [(r["heading"], r["part"], r["period"]) for r in rows if r["depth"] == 1]
    assert tops[:2] == [("2024年工作回顾", "review", 2024), ("2025年工作安排", "plan", 2025)]
    assert set(rows[0]) == {"doc_id", "section_id", "heading", "depth", "kind", "part", "period", "n_chars"}


def test_kwic_table(capsys, sample_path):
    status, out, _ = run(capsys, "kwic", "有事好商量", str(sample_path), "--window", "5")
    assert status == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3  # header + 2 hits
    assert "有事好商量" in lines[1] and "2024" in lines[1]


def test_kwic_regex_and_bad_regex(capsys, sample_path):
    status, out, _ = run(capsys, "kwic", "“[^”]{2}政协”", str(sample_path), "--regex", "--format", "csv")
    assert status == 0 and len(pd.read_csv(io.StringIO(out))) == 7
    status, _, err = run(capsys, "kwic", "(", str(sample_path), "--regex")
    assert status == 2 and err.startswith("Error: ") and "not a valid regular expression" in err


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "the file is empty"),
        (bytes(range(256)) * 20, "binary data"),
        ("各位代表：\n现在，我代表县人民政府报告工作。".encode("utf-8"), "no delivery year"),
        ("各位代表：".encode("utf-8") + b"\x81\x30\xff" * 40, "undecodable bytes"),
    ],
)
def test_bad_files_exit_2_with_one_line_naming_the_file(capsys, tmp_path, content, words):
    path = tmp_path / "report.txt"
    path.write_bytes(content)
    status, out, err = run(capsys, "corpus", str(path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"Error: {path}") and words in err


def test_image_only_pdf_exits_2(capsys, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    fig.add_axes([0, 0, 1, 1]).imshow([[0, 1], [1, 0]])
    fig.savefig(tmp_path / "scan.pdf")
    plt.close(fig)
    status, out, err = run(capsys, "corpus", str(tmp_path / "scan.pdf"))
    assert status == 2 and out == "" and "no text layer" in err and "OCR" in err


def test_unsupported_missing_and_empty_folder_exit_2(capsys, tmp_path):
    odd = tmp_path / "report.doc"
    odd.write_bytes(b"\xd0\xcf\x11\xe0")
    status, _, err = run(capsys, "corpus", str(odd))
    assert status == 2 and "unsupported file type '.doc'" in err
    status, _, err = run(capsys, "sections", str(tmp_path / "absent.txt"))
    assert status == 2 and "no such file" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    status, _, err = run(capsys, "kwic", "政协", str(empty))
    assert status == 2 and "no readable report" in err


def test_folder_skips_bad_files_unless_strict(capsys, tmp_path, sample_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "good.txt").write_bytes(sample_path.read_bytes())
    (folder / "bad.txt").write_bytes(b"")
    status, out, err = run(capsys, "corpus", str(folder), "--format", "csv")
    assert status == 0
    assert pd.read_csv(io.StringIO(out)).doc_id.tolist() == ["good"]
    assert err.startswith("Skipped: ") and str(folder / "bad.txt") in err
    status, out, err = run(capsys, "corpus", str(folder), "--strict")
    assert status == 2 and out == "" and str(folder / "bad.txt") in err


def test_manifest_option(capsys, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("各位代表：\n现在，我代表县人民政府报告工作。", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,year,region\nreport.txt,2022,彰武县\n", encoding="utf-8")
    status, out, _ = run(capsys, "corpus", str(report), "--manifest", str(manifest), "--format", "json")
    assert status == 0
    row = json.loads(out)[0]
    assert (row["year"], row["region"], row["level"]) == (2022, "彰武县", "county")


def test_add_then_duplicate_exits_2(capsys, tmp_path, sample_path):
    store = tmp_path / "store"
    status, out, err = run(capsys, "add", str(sample_path), "--corpus", str(store), "--format", "csv")
    assert status == 0
    df = pd.read_csv(io.StringIO(out))
    assert df.status.tolist() == ["added"] and df.year.tolist() == [2024]
    assert "1 added" in err
    status, out, err = run(capsys, "add", str(sample_path), "--corpus", str(store))
    assert status == 2 and out == ""
    assert err.startswith(f"Error: {sample_path}") and "already in the store" in err
    status, out, err = run(capsys, "add", str(sample_path), "--corpus", str(store), "--skip-duplicates")
    assert status == 0 and "skipped-duplicate" in out
    status, out, _ = run(capsys, "corpus", str(store / "reports"), "--format", "csv")
    assert pd.read_csv(io.StringIO(out)).doc_id.tolist() == ["000_e661db7dabda7a33"]


def test_add_with_overrides_and_bad_override(capsys, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("各位代表：\n现在，我代表县人民政府报告工作。", encoding="utf-8")
    store = tmp_path / "store"
    status, _, err = run(capsys, "add", str(report), "--corpus", str(store))
    assert status == 2 and "no delivery year" in err
    status, _, err = run(capsys, "add", str(report), "--corpus", str(store), "--level", "village")
    assert status == 2 and "level 'village' unknown" in err
    status, out, _ = run(capsys, "add", str(report), "--corpus", str(store), "--year", "2023", "--format", "csv")
    assert status == 0 and pd.read_csv(io.StringIO(out)).year.tolist() == [2023]


def test_help_everywhere(capsys):
    for command in ("corpus", "sections", "kwic", "add"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        assert "--format" in capsys.readouterr().out


def test_json_output_writes_ids_and_paths_as_they_are(capsys, sample_path):
    # emit() promises UTF-8 with no escaping: ids and paths must read as written ("…/s01", not "…\/s01"),
    # so that grep and copy-paste of an id from the JSON work
    status, out, _ = run(capsys, "sections", str(sample_path), "--format", "json")
    assert status == 0
    assert "\\/" not in out
    assert '"section_id":"000_e661db7dabda7a33/s01"' in out.replace(" ", "").replace("\n", "")
    assert '"heading":"2024年工作回顾"' in out.replace(" ", "")
    assert json.loads(out)[0]["section_id"] == "000_e661db7dabda7a33/s01"
    status, out, _ = run(capsys, "corpus", str(sample_path), "--format", "json")
    assert json.loads(out)[0]["path"] == str(sample_path) and f'"{sample_path}"' in out


def test_manifest_line_matching_no_report_is_one_warning_line(capsys, tmp_path, sample_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fx.txt").write_text(sample_path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "manifest.csv").write_text("file,year\nfx.txt,2023\nfx-typo.txt,2022\n", encoding="utf-8")
    status, out, err = run(capsys, "corpus", str(folder), "--format", "csv")
    assert status == 0 and pd.read_csv(io.StringIO(out)).year.tolist() == [2023]
    assert err == (
        f"Warning: {folder / 'manifest.csv'}: the line for 'fx-typo.txt' matches no report read "
        f"from {folder} (check the file name)\n"
    )


def test_a_failed_first_add_leaves_no_empty_store_behind(capsys, tmp_path):
    # the store folder was created before the files were checked: after "Error: … is empty", an empty store
    # remained, and the next `corpus STORE` said "the store holds no report yet"
    bad = tmp_path / "empty_2024.txt"
    bad.write_bytes(b"")
    store = tmp_path / "new_store"
    status, _, err = run(capsys, "add", str(bad), "--corpus", str(store))
    assert status == 2 and err.startswith(f"Error: {bad}: the file is empty")
    assert not store.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    status, _, _ = run(capsys, "add", str(bad), "--corpus", str(existing))
    assert status == 2 and existing.is_dir() and list(existing.iterdir()) == []


def test_every_command_has_help_and_one_run_handler(capsys):
    from cppcc_nlp.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {
        "corpus",
        "sections",
        "kwic",
        "add",
        "tokens",
        "lexicon",
        "slogans",
        "terms",
        "keyness",
        "topics",
        "analyze",
    } <= set(commands)
    for name, sub in commands.items():
        assert sub.get_default("func").__name__ == f"run_{name}", name
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0 and capsys.readouterr().out.startswith(f"usage: cppcc-nlp {name}")


@pytest.mark.parametrize(
    "argv, dest, value",
    [
        (["analyze", "P", "--out", "O"], "jobs", 1),
        (["analyze", "P", "--out", "O", "--jobs", "3"], "jobs", 3),
        (["analyze", "P", "--out", "O", "-j", "3"], "jobs", 3),
        (["analyze", "P", "--out", "O", "--n-process", "3"], "jobs", 3),
        (["tokens", "P"], "jobs", 1),
        (["tokens", "P", "-j", "2"], "jobs", 2),
        (["tokens", "P", "--n-process", "2"], "jobs", 2),
        (["tokens", "P", "--jobs", "-1"], "jobs", -1),
        (["analyze", "P", "--out", "O"], "n_topics", None),
        (["analyze", "P", "--out", "O", "-k", "5"], "n_topics", 5),
        (["analyze", "P", "--out", "O", "--topics", "5"], "n_topics", 5),
        (["analyze", "P", "--out", "O", "--n-topics", "5"], "n_topics", 5),
        (["topics", "P"], "n_topics", None),
        (["topics", "P", "-k", "6"], "n_topics", 6),
        (["topics", "P", "--n-topics", "6"], "n_topics", 6),
        (["topics", "P", "--topics", "6"], "n_topics", 6),
    ],
)
def test_both_spellings_of_jobs_and_topics_are_accepted(argv, dest, value):
    from cppcc_nlp.cli import build_parser

    assert getattr(build_parser().parse_args(argv), dest) == value


@pytest.mark.parametrize(
    "flags, expected",
    [
        ([], {"rechoose_k": False, "refit_topics": False}),
        (["--refit-topics"], {"rechoose_k": False, "refit_topics": True}),
        (["--rechoose-k"], {"rechoose_k": True, "refit_topics": False}),
    ],
)
def test_analyze_passes_how_a_refresh_treats_the_topic_model(flags, expected, monkeypatch):
    from cppcc_nlp import workflow

    class Seen(Exception):
        pass

    def seen(paths, out, **options):
        raise Seen({name: options[name] for name in expected})

    monkeypatch.setattr(workflow, "analyze", seen)
    with pytest.raises(Seen) as info:
        main(["analyze", "P", "--out", "O", *flags])
    assert info.value.args[0] == expected


@pytest.mark.parametrize(
    "command, canonical, alias",
    [
        ("analyze", "-j N, --jobs N", "--n-process N"),
        ("tokens", "-j N, --jobs N", "--n-process N"),
        ("analyze", "-k K, --topics K", "--n-topics K"),
        ("topics", "-k K, --topics K", "--n-topics K"),
    ],
)
def test_help_shows_one_canonical_spelling(capsys, command, canonical, alias):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert canonical in text and alias not in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["tokens", "{missing}", "--jobs", "0"], "n_process=0: give a positive number of processes"),
        (["tokens", "{missing}", "--n-process", "-3"], "n_process=-3: give a positive number of processes"),
        (["topics", "{missing}", "-k", "0"], "n_topics=0: must be a positive integer"),
        (["topics", "{missing}", "--representative", "0"], "n=0: give a positive number of units per topic"),
        (["analyze", "{missing}", "--out", "{out}", "--jobs", "0"], "n_process=0 (-j/--jobs)"),
    ],
)
def test_bad_numbers_are_refused_before_the_reports_are_read(capsys, tmp_path, argv, message):
    # the report path does not exist: an error about the number proves it was checked first
    missing, out = tmp_path / "absent.txt", tmp_path / "results"
    status, stdout, err = run(capsys, *[a.format(missing=missing, out=out) for a in argv])
    assert status == 2 and stdout == ""
    assert err.startswith("Error: ") and message in err and "absent.txt" not in err
    assert not out.exists()
