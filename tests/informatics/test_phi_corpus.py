"""The PHI guard on the corpus (done-when 3 of issue 11): recall of at least 95 % on the
sentences that must be flagged, and no false alarm on the clean ones."""

import pytest

from informatics.phi import phi_scan
from tests.informatics.phi_corpus import CLEAN, FLAGGED, corpus_run


def test_the_corpus_is_large_enough() -> None:
    assert (len(FLAGGED), len(CLEAN)) == (73, 72)


def test_recall_is_at_least_95_percent_with_no_false_alarm() -> None:
    result = corpus_run()

    print(result.summary())
    assert result.summary() == "flagged: 72/73 (98.6 %), false alarms: 0/72"
    assert result.recall >= 0.95
    assert result.false_alarms == []
    # The one known miss: a name typed all in lower case.
    assert [text for text, _ in result.missed] == ["pt john smith fell in bed 4 overnight."]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_sentence_is_not_flagged(text: str) -> None:
    assert phi_scan(text) == []
