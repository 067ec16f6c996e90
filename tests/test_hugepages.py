"""Transparent huge pages off for the heavy calls on a VM that reports free memory to its host (_hugepages)."""

from __future__ import annotations

import importlib
import os
import sys

import pytest

from cppcc_nlp import _hugepages
from cppcc_nlp._fork import fork_available, run_in_fork
from cppcc_nlp._hugepages import free_page_reporting, huge_pages_disabled, huge_pages_off, huge_pages_wanted

linux_switch = pytest.mark.skipif(
    huge_pages_disabled() is None, reason="no per-process switch of transparent huge pages here (Linux 3.15+ only)"
)


def balloon(root, *features: str):
    """A sysfs folder of virtio balloon devices with these ``features`` strings."""
    for k, bits in enumerate(features):
        (root / f"virtio{k}").mkdir(parents=True)
        (root / f"virtio{k}" / "features").write_text(bits + "\n")
    return root


def test_free_page_reporting_is_read_from_the_balloon_devices_feature_bits(tmp_path):
    # (the features of this project's machine: stats queue, deflate on OOM and free page reporting, bits 1, 2, 5)
    assert free_page_reporting(balloon(tmp_path / "a", "0110010000000000"))
    assert not free_page_reporting(balloon(tmp_path / "b", "0110000000000000"))  # a balloon without reporting
    assert free_page_reporting(balloon(tmp_path / "c", "0100000000000000", "0000010000000000"))  # the second
    assert not free_page_reporting(balloon(tmp_path / "d", "0110"))  # (too few bits to have it)
    assert not free_page_reporting(tmp_path / "no-balloon")


def test_the_setting_overrides_what_the_machine_suggests(monkeypatch):
    for value, wanted in [("on", True), ("ON", True), ("1", True), ("off", False), ("0", False)]:
        monkeypatch.setenv(_hugepages.ENVIRONMENT_VARIABLE, value)
        assert huge_pages_wanted() is wanted
    monkeypatch.setenv(_hugepages.ENVIRONMENT_VARIABLE, "auto")
    monkeypatch.setattr(_hugepages, "_reports_free_memory", lambda: True)
    assert huge_pages_wanted() is False
    monkeypatch.delenv(_hugepages.ENVIRONMENT_VARIABLE)
    monkeypatch.setattr(_hugepages, "_reports_free_memory", lambda: False)
    assert huge_pages_wanted() is True


@linux_switch
def test_huge_pages_are_off_inside_the_block_and_in_its_children_and_back_after(monkeypatch):
    monkeypatch.setenv(_hugepages.ENVIRONMENT_VARIABLE, "off")
    assert huge_pages_disabled() is False
    outside = _thp_enabled_line()  # (None where /proc/self/status has no such line: Linux before 5.0)
    with huge_pages_off():
        assert huge_pages_disabled() is True
        with huge_pages_off():  # (nested: the outer block puts it back)
            assert huge_pages_disabled() is True
        assert huge_pages_disabled() is True
        assert _thp_enabled_line() == ("0" if outside is not None else None)
        if fork_available():
            assert run_in_fork(huge_pages_disabled) is True  # (a forked child inherits the switch)
    assert huge_pages_disabled() is False
    assert _thp_enabled_line() == outside
    monkeypatch.setenv(_hugepages.ENVIRONMENT_VARIABLE, "on")
    with huge_pages_off():
        assert huge_pages_disabled() is False


@linux_switch
def test_the_heavy_calls_run_with_huge_pages_off_and_give_them_back(monkeypatch, sample_corpus):
    table = importlib.import_module("cppcc_nlp.tokens.table")

    monkeypatch.setenv(_hugepages.ENVIRONMENT_VARIABLE, "off")
    seen = []
    real = table.as_paragraphs
    monkeypatch.setattr(table, "as_paragraphs", lambda *a, **k: seen.append(huge_pages_disabled()) or real(*a, **k))
    table.tokens(sample_corpus)
    monkeypatch.setenv(_hugepages.ENVIRONMENT_VARIABLE, "on")
    table.tokens(sample_corpus)
    assert seen == [True, False]
    assert huge_pages_disabled() is False


def _thp_enabled_line() -> str | None:
    """The ``THP_enabled`` line of /proc/self/status (Linux 5.0+), or None."""
    if not sys.platform.startswith("linux") or not os.path.exists("/proc/self/status"):
        return None
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("THP_enabled:"):
            return line.split()[1]
    return None
