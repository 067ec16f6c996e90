"""Every error the library raises on purpose, with messages that name the file and what to do.

All of them derive from :class:`CppccError`, so a caller can catch one class.  The CLI turns any
``CppccError`` into one ``Error: …`` line on stderr and exit status 2 (bad input) or 1 (failure).
"""

from __future__ import annotations

from pathlib import Path


class CppccError(Exception):
    """Base class of the library's own errors."""

    exit_status = 1


class InputError(CppccError):
    """Bad input that the user can fix (exit status 2 from the CLI)."""

    exit_status = 2


class ReportFileError(InputError):
    """A report file that cannot be read as a report.

    Parameters
    ----------
    path : path of the offending file.
    problem : what is wrong, in a short phrase.
    hint : what the user can do about it.
    """

    def __init__(self, path, problem: str, hint: str = ""):
        self.path = Path(path) if path is not None else None
        self.problem = problem
        self.hint = hint
        message = f"{self.path}: {problem}" if self.path is not None else problem
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def __reduce__(self):  # pickled with its own arguments: it comes back from a forked child as itself
        return type(self), (self.path, self.problem, self.hint)


class EmptyFileError(ReportFileError):
    """The file has no text."""


class BinaryFileError(ReportFileError):
    """The file is binary data, not a text report."""


class DecodingError(ReportFileError):
    """The bytes cannot be decoded in any supported encoding."""


class UnsupportedFormatError(ReportFileError):
    """The file's extension or content type is not supported."""


class NoTextLayerError(ReportFileError):
    """A PDF without a text layer (scanned images)."""


class MissingMetadataError(ReportFileError):
    """A report whose year (or other required field) cannot be determined."""


class DuplicateReportError(ReportFileError):
    """A report whose content is already in the corpus."""


class ManifestError(ReportFileError):
    """A malformed manifest file."""


class NoReportsError(InputError):
    """A path, folder or list that holds no readable report."""


class EmptyCorpusError(InputError):
    """An analysis was asked of a corpus with no documents or no text."""


class LexiconError(InputError):
    """A malformed lexicon file (names file and line)."""

    def __init__(self, path, line: int | None, problem: str):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.problem = problem
        where = f"{self.path}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):
        return type(self), (self.path, self.line, self.problem)


class ModelError(CppccError):
    """A missing, corrupt or incompatible model (pkuseg or a saved topic model)."""


class ParameterError(InputError, ValueError):
    """A parameter value that cannot work (k <= 0, a year absent from the corpus …)."""


class OutputError(InputError):
    """An output location that cannot be used (exists, unwritable …)."""


class StoreError(InputError):
    """A folder that is not a usable corpus store, or one locked by another ``add`` (exit status 2)."""


class SavedModelError(ModelError, InputError):
    """A saved topic model that cannot be used: missing, unreadable or from an incompatible version (exit 2)."""
