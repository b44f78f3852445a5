"""The per-document kernel's set-up: tables loaded once, before worker processes fork."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpusclean import Cleaner, Config, Document
from corpusclean.classifier import _tables
from corpusclean.document import Reason
from corpusclean.normalize import _folding


def test_warm_up_builds_the_lazy_tables_and_changes_no_result() -> None:
    """After `warm_up` the classifier's and Unicode folding tables exist; outcomes are unchanged."""
    article = Document(
        "lemonde-1",
        "Le port de Marseille a enregistré une hausse de 12 % de son trafic en 2024.\n\n"
        "La direction attribue ce résultat au retour des croisiéristes et au trafic de conteneurs, "
        "qui a progressé de 8 % sur l’année selon le rapport publié mardi.",
        {"source": "lemonde.fr"},
    )
    cold = Cleaner().process(article)
    _tables.cache_clear()
    _folding.cache_clear()
    cleaner = Cleaner()
    assert cleaner.warm_up() is cleaner
    assert _tables.cache_info().currsize == 1
    assert _folding.cache_info().currsize == 1
    warm = cleaner.process(article)
    assert (warm.doc, warm.drop, warm.features.keys()) == (cold.doc, cold.drop, cold.features.keys())


def test_warm_kernels_dispatch_without_typing_their_arguments_again(monkeypatch) -> None:
    """Once warm, no compiled kernel falls back to typing its arguments in Python on a document.

    numba's fast dispatch types arrays and machine-sized ints in C; anything else (a Python int
    above 2**63 - 1, a list) sends every call through `_compile_for_args`, which cost the
    language stage ~50 µs a document before its hash constants were passed as `np.uint64`.
    """
    import numba

    from corpusclean import _kernels

    fallbacks: list[str] = []
    for name, kernel in vars(_kernels).items():
        if isinstance(kernel, numba.core.registry.CPUDispatcher):
            original = kernel._compile_for_args

            def counting(*args, _name=name, _original=original, **kwargs):
                fallbacks.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(kernel, "_compile_for_args", counting)
    seed = next(iter(sorted(Path(__file__).parent.parent.joinpath("seeds").glob("*.txt"))))
    article = Document("seed", seed.read_text(encoding="utf-8"), {"source": "lemonde.fr"})
    cleaner = Cleaner().warm_up()
    cleaner.process(article)
    fallbacks.clear()
    cleaner.process(Document("again", article.text, article.metadata))
    assert fallbacks == []


@pytest.mark.parametrize(("min_words", "judged"), [(34, False), (33, True)])
def test_repetition_filter_judges_documents_from_min_words_words_on(min_words: int, judged: bool) -> None:
    """A repetitive text of 33 words is left alone under `min_words = 34` and dropped at 33."""
    line = "Les prix de l’énergie ont encore augmenté ce mois-ci, selon l’Insee."
    assert len(line.split()) == 11
    config = Config().replace("repeats", enabled=False).replace("quality", min_words=min_words)
    config = config.replace("classifier", enabled=False).replace("filters", min_chars=0)
    outcome = Cleaner(config).process(Document("insee-1", "\n\n".join([line] * 3), {"source": "insee.fr"}))
    assert (outcome.drop is not None and outcome.drop.reason == Reason.QUALITY) is judged
