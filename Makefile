# Two entry points (see README):  `make analyze`  and  `make test`.
# Both create .venv on first use and install everything from package registries only.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= results

.PHONY: install analyze models test clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip numpy cython setuptools wheel
	# pkuseg's setup.py imports numpy: build it without isolation (it carries the pretrained model).
	$(BIN)/python -m pip install --quiet --no-build-isolation pkuseg==0.0.25
	$(BIN)/python -m pip install --quiet -e '.[test,notebooks]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

analyze: install
	$(BIN)/cppcc-nlp analyze corpora --out $(OUT) --force --jobs -1
	@echo "Report: $(OUT)/report.html"

# The topic model of the bundled corpus (models/topic_model.zip): see models/README.md.
models: install
	$(BIN)/python -c "import cppcc_nlp as cn; m = cn.TopicModel(random_state=0).fit(cn.Corpus.from_path('corpora')); m.save('models/topic_model.zip'); print(m.n_topics_, 'topics')"

test: install
	$(BIN)/ruff check cppcc_nlp tests tools benchmarks
	$(BIN)/ruff format --check cppcc_nlp tests tools benchmarks
	$(BIN)/python -m pytest -n 2 tests

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
