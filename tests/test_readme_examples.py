"""Every example output in README.md and docs/ is what the code prints now."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readme_examples import Example, documents, examples, fresh_demo, printed, seed_demo_file

EXAMPLES = [example for document in documents() for example in examples(document)]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_demo_file(tmp_path_factory.mktemp("examples") / "demo.sqlite3")


def test_the_documents_have_examples_and_each_is_marked() -> None:
    assert len(EXAMPLES) >= 3
    unmarked = [example.name for example in EXAMPLES if not example.marked]
    assert unmarked == [], "run `uv run python -m tests.readme_examples` to mark and fill them"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_example_output_is_what_the_code_prints(example: Example, seeded: Path) -> None:
    with fresh_demo(seeded):
        assert printed(example.command) == example.output, (
            f"{example.name} is stale: `uv run python -m tests.readme_examples` writes it again"
        )
