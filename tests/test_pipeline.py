"""The per-document kernel's set-up: tables loaded once, before worker processes fork."""

from __future__ import annotations

from corpusclean import Cleaner, Document
from corpusclean.classifier import _stopword_masks
from corpusclean.normalize import _folding


def test_warm_up_builds_the_lazy_tables_and_changes_no_result() -> None:
    """After `warm_up` the stop-word masks and Unicode folding tables exist; outcomes are unchanged."""
    article = Document(
        "lemonde-1",
        "Le port de Marseille a enregistré une hausse de 12 % de son trafic en 2024.\n\n"
        "La direction attribue ce résultat au retour des croisiéristes et au trafic de conteneurs, "
        "qui a progressé de 8 % sur l’année selon le rapport publié mardi.",
        {"source": "lemonde.fr"},
    )
    cold = Cleaner().process(article)
    _stopword_masks.cache_clear()
    _folding.cache_clear()
    cleaner = Cleaner()
    assert cleaner.warm_up() is cleaner
    assert _stopword_masks.cache_info().currsize == 1
    assert _folding.cache_info().currsize == 1
    warm = cleaner.process(article)
    assert (warm.doc, warm.drop, warm.features.keys()) == (cold.doc, cold.drop, cold.features.keys())
