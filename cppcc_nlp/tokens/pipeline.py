"""The Chinese pipeline: spaCy + pkuseg with the domain vocabulary kept whole.

Every analysis (slogans, terms, topics, keyness) reads the token table made with it
(:mod:`cppcc_nlp.tokens.table`); none segments text itself.

:func:`nlp` returns a blank spaCy ``zh`` pipeline whose tokenizer is pkuseg with its pretrained ``default``
model (research use only, see the pkuseg licence), loaded offline from the installed ``pkuseg`` package
(``<site-packages>/pkuseg/models/default``).  Point to another pkuseg model folder with ``pkuseg_model=`` or
the environment variable ``CPPCC_NLP_PKUSEG_MODEL``.

The domain lexicon (:mod:`cppcc_nlp.resources.lexicon`) goes in twice:

1. into pkuseg's user dictionary (``nlp.tokenizer.pkuseg_update_user_dict``), which forces the segmenter to
   cut around every entry (leftmost, longest match first), and
2. through the registered component ``cppcc_merge_lexicon_v1`` (:mod:`cppcc_nlp.tokens.components`), which
   merges every entry found in ``doc.text`` into one token flagged ``token._.in_lexicon``.  The component is
   the guarantee: it also holds when the tokenizer is not pkuseg, or when pkuseg's whitespace handling shifts
   a boundary.

So ``两个确立``, ``四个意识``, ``全过程人民民主``, ``专门协商机构`` and ``习近平新时代中国特色社会主义思想`` are one
token each, where raw pkuseg gives ``两 / 个 / 确立``.

Examples
--------
>>> import cppcc_nlp as cn
>>> [t.text for t in cn.nlp()("做到“两个维护”，发展全过程人民民主")]
['做到', '“', '两个维护', '”', '，', '发展', '全过程人民民主']
>>> table = cn.tokens(cn.Corpus.from_path("corpora"))                        # doctest: +SKIP
>>> cn.token_lists(table, unit="paragraph", keep_boilerplate=False)          # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
from pathlib import Path

from cppcc_nlp._hugepages import huge_pages_off
from cppcc_nlp._version import __version__
from cppcc_nlp.errors import ModelError, ParameterError
from cppcc_nlp.resources.lexicon import Lexicon, load_lexicon
from cppcc_nlp.tokens.components import MERGE_COMPONENT, register_components, with_traditional

#: bump when the layout of cached token rows or the segmentation procedure changes
TOKEN_FORMAT = 2  # 2: traditional-character spellings of the entries are merged too
MODEL_ENV = "CPPCC_NLP_PKUSEG_MODEL"
PKUSEG_INSTALL = (
    "install it with `pip install numpy cython setuptools wheel && "
    "pip install --no-build-isolation pkuseg==0.0.25`, or point CPPCC_NLP_PKUSEG_MODEL "
    "(or nlp(pkuseg_model=...)) to a pkuseg model folder holding features.pkl and weights.npz"
)

# ----------------------------------------------------------------------------------------------------------
# model lookup


def default_model_dir() -> Path:
    """The pkuseg model folder used when none is given.

    ``$CPPCC_NLP_PKUSEG_MODEL`` when set, else ``models/default`` inside the installed ``pkuseg`` package.

    Raises
    ------
    ModelError
        The ``pkuseg`` package is not installed (the message says how to install it).
    """
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env).expanduser()
    spec = importlib.util.find_spec("pkuseg")
    if spec is None or not spec.origin:
        raise ModelError(
            f"the pkuseg package, which ships the pretrained segmentation model, is not installed; {PKUSEG_INSTALL}"
        )
    return Path(spec.origin).resolve().parent / "models" / "default"


def _check_model_dir(folder: Path) -> Path:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ModelError(f"{folder}: no pkuseg model folder here; {PKUSEG_INSTALL}")
    has_features = (folder / "features.pkl").is_file() or (folder / "features.msgpack").is_file()
    if not has_features or not (folder / "weights.npz").is_file():
        raise ModelError(
            f"{folder}: not a pkuseg model folder (features.pkl and weights.npz are needed); {PKUSEG_INSTALL}"
        )
    return folder.resolve()


def _model_id(folder: Path) -> str:
    parts = []
    for name in ("features.pkl", "features.msgpack", "weights.npz"):
        p = folder / name
        if p.is_file():
            parts.append(f"{name}:{p.stat().st_size}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def pipeline_version(model_dir: Path | str | None = None) -> str:
    """The version string of the segmentation pipeline, a part of every token cache key.

    It changes with cppcc-nlp's version, spaCy's version, the merge component, the token row format and the
    pkuseg model (its file sizes).  The lexicon has its own version (:attr:`Lexicon.version`).

    spaCy's version is read from its package metadata, not by importing it: a run that reads every token from the
    cache (the main process of ``analyze``) never loads spaCy (2 s, 50 MB).
    """
    from importlib.metadata import version

    folder = _check_model_dir(Path(model_dir) if model_dir else default_model_dir())
    return f"cppcc{__version__}-spacy{version('spacy')}-{MERGE_COMPONENT}-f{TOKEN_FORMAT}-m{_model_id(folder)}"


# ----------------------------------------------------------------------------------------------------------
# the Language

_NLP_CACHE: dict[tuple, object] = {}
_SEGMENTERS: dict[str, object] = {}  # model folder -> loaded pkuseg segmenter with the default user dictionary


def _copy_segmenter(seg):
    """A pkuseg segmenter sharing ``seg``'s model but with its own copy of the user dictionary."""
    import copy

    new = copy.copy(seg)
    new.preprocesser = copy.deepcopy(seg.preprocesser)
    return new


@huge_pages_off()  # (the model's arrays: cppcc_nlp._hugepages)
def nlp(*, lexicon=None, pkuseg_model=None):
    """The Chinese pipeline: pkuseg segmentation with the domain lexicon kept whole.

    Cached per arguments: loading the pkuseg model takes a few seconds, so the same object is returned for
    the same lexicon files (and contents) and model folder.

    Parameters
    ----------
    lexicon : path, list of paths or :class:`~cppcc_nlp.resources.lexicon.Lexicon`, optional
        Extra lexicon files added to the bundled lexicon (see :func:`~cppcc_nlp.resources.lexicon.load_lexicon`), or a
        ready Lexicon used as it is.
    pkuseg_model : path, optional
        A pkuseg model folder (``features.pkl`` + ``weights.npz``).  Default: ``$CPPCC_NLP_PKUSEG_MODEL``, else
        ``models/default`` of the installed ``pkuseg`` package.

    Returns
    -------
    spacy.Language
        With the component ``cppcc_merge_lexicon_v1``; ``nlp.meta["cppcc_nlp"]`` holds the pipeline version,
        the lexicon version and the model folder.

    Raises
    ------
    ModelError
        The model folder is missing or corrupt (the message says how to install the model).
    LexiconError
        A malformed lexicon file (the message names file and line).

    Examples
    --------
    >>> pipe = nlp()
    >>> [t.text for t in pipe("坚决拥护“两个确立”，自觉增强“四个意识”")]
    ['坚决', '拥护', '“', '两个确立', '”', '，', '自觉', '增强', '“', '四个意识', '”']
    """
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    folder = _check_model_dir(Path(pkuseg_model) if pkuseg_model else default_model_dir())
    key = (str(folder), lex.version)
    cached = _NLP_CACHE.get(key)
    if cached is not None:
        return cached
    import spacy

    register_components()
    pipe = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    base = _SEGMENTERS.get(str(folder))
    if base is None:
        try:
            # pkuseg prints "features.msgpack does not exist …" while loading; keep it off the user's terminal
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                pipe.tokenizer.initialize(pkuseg_model=str(folder))
        except Exception as exc:  # pickle, zip, numpy or file errors from a damaged model
            raise ModelError(
                f"{folder}: the pkuseg model cannot be loaded ({type(exc).__name__}: {exc}); "
                f"the folder may be corrupt; {PKUSEG_INSTALL}"
            ) from None
        base = _SEGMENTERS[str(folder)] = _copy_segmenter(pipe.tokenizer.pkuseg_seg)
    # the loaded model (~1 GB in memory) is shared by every pipeline on the same folder; each pipeline has
    # its own user dictionary
    pipe.tokenizer.pkuseg_seg = _copy_segmenter(base)
    # entries that are words only in some contexts stay out of pkuseg's user dictionary (it would force them
    # everywhere); the merge component handles them
    entries, quoted_only, exclude = with_traditional(lex)
    special = quoted_only | set(exclude)
    pipe.tokenizer.pkuseg_update_user_dict([e for e in entries if e not in special])
    merger = pipe.add_pipe(MERGE_COMPONENT)
    merger.set_entries(entries, lex.version, quoted_only=quoted_only, exclude=exclude)
    pipe.max_length = 10**8  # long paragraphs are cut into pieces by tokens(); spaCy's own check is not needed
    pipe.meta["cppcc_nlp"] = {
        "pipeline_version": pipeline_version(folder),
        "lexicon_version": lex.version,
        "pkuseg_model": str(folder),
        "n_lexicon_entries": len(lex),
    }
    pipe._cppcc_lexicon = lex  # the Lexicon object, for cache invalidation
    _NLP_CACHE[key] = pipe
    return pipe


def pipeline_loaded(*, lexicon=None, pkuseg_model=None) -> bool:
    """True when :func:`nlp` with these arguments would return a pipeline already built in this process."""
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    folder = _check_model_dir(Path(pkuseg_model) if pkuseg_model else default_model_dir())
    return (str(folder), lex.version) in _NLP_CACHE


def lexicon_of(pipe) -> Lexicon:
    """The :class:`~cppcc_nlp.resources.lexicon.Lexicon` a pipeline from :func:`nlp` was built with."""
    lex = getattr(pipe, "_cppcc_lexicon", None)
    if lex is None:
        raise ParameterError("the nlp object was not made by cppcc_nlp.nlp(); build it with cppcc_nlp.nlp(...)")
    return lex
