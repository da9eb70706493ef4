"""C3: the cue lexicon is configuration a force can extend, checked before it is used.

A force adds its own phrases (a local refuge's name, local slang) with `merge_lexicon`; a bad entry is
refused with an error that names the family, the entry and the problem, never half-applied.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from watchkeeper.core.errors import Invalid
from watchkeeper.cues import (
    DEFAULT_LEXICON,
    FAMILIES,
    LexiconError,
    compile_lexicon,
    detect,
    families,
    merge_lexicon,
    validate_lexicon,
)

AS_OF = date(2026, 6, 1)


@pytest.mark.safeguard("C3")
def test_the_default_lexicon_is_valid_data_for_every_family() -> None:
    canonical = validate_lexicon(DEFAULT_LEXICON)
    assert set(canonical) == set(FAMILIES)
    assert all(canonical[f] for f in FAMILIES)
    assert all(("phrase" in e) != ("pattern" in e) for f in FAMILIES for e in canonical[f])


@pytest.mark.safeguard("C3")
def test_a_force_adds_a_local_phrase_and_it_is_detected() -> None:
    text = "Caller is staying at Haven House tonight and is frightened he will find her."
    # the rules alone (the learned model may well find this one too)
    assert "domestic_abuse" not in families(detect(text, today=AS_OF, model=None))
    lexicon = merge_lexicon(DEFAULT_LEXICON, {"domestic_abuse": ["Haven House"]})
    cues = detect(text, lexicon, today=AS_OF)
    assert "domestic_abuse" in families(cues)
    assert any(c.rule == "Haven House" and c.category == "domestic_incident" for c in cues)


@pytest.mark.safeguard("C3")
def test_a_force_entry_can_carry_context_words_and_its_own_prompt() -> None:
    additions = {"weapons_firearms": [{
        "pattern": r"chivs?", "unless": ["chiv of"], "suggestion": "run_checks",
        "reason": "Local slang for a knife.",
    }]}
    lexicon = merge_lexicon(DEFAULT_LEXICON, additions)
    rule = r"chivs?"
    [cue] = [c for c in detect("He said he had a chiv in his bag.", lexicon, today=AS_OF) if c.rule == rule]
    assert cue.suggestion == "run_checks" and cue.reason == "Local slang for a knife."
    assert not [c for c in detect("A chiv of lamb was stolen.", lexicon, today=AS_OF) if c.rule == rule]


@pytest.mark.safeguard("C3")
def test_phrases_match_whole_words_with_spaces_and_hyphens_interchangeable() -> None:
    lexicon = merge_lexicon(DEFAULT_LEXICON, {"exploitation_blackmail": ["sugar daddy"]})
    assert "exploitation_blackmail" in families(detect("She calls him her sugar-daddy.", lexicon, today=AS_OF))
    assert "exploitation_blackmail" not in families(detect("Sugar daddylonglegs.", lexicon, today=AS_OF))


@pytest.mark.safeguard("C3")
def test_merging_never_changes_the_default_or_the_additions() -> None:
    before = copy.deepcopy(DEFAULT_LEXICON)
    additions = {"missing": ["gone walkabout"]}
    merged = merge_lexicon(DEFAULT_LEXICON, additions)
    assert DEFAULT_LEXICON == before
    assert additions == {"missing": ["gone walkabout"]}
    assert {"phrase": "gone walkabout"} in merged["missing"]


@pytest.mark.safeguard("C3")
def test_a_force_can_disable_a_default_entry_by_name_but_not_an_unknown_one() -> None:
    text = "Her mum has a court order against her brother."
    assert "domestic_abuse" in families(detect(text, today=AS_OF, model=None))
    merged = merge_lexicon(DEFAULT_LEXICON, disabled={"domestic_abuse": [r"court\s+order"]})
    assert "domestic_abuse" not in families(detect(text, merged, today=AS_OF, model=None))
    with pytest.raises(LexiconError, match="no such entry"):
        merge_lexicon(DEFAULT_LEXICON, disabled={"domestic_abuse": ["no such phrase"]})


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("additions", "problem"), [
    ({"weapons_firearms": [{"pattern": "knife(("}]}, "not a valid regular expression"),
    ({"weapons_firearms": [{"pattern": "x*"}]}, "can match nothing"),
    ({"weapons_firearms": [{"pattern": r"(a+)+b"}]}, "exponential time"),
    ({"weapons_firearms": [{"pattern": "gun", "phrase": "gun"}]}, 'exactly one of "phrase" or "pattern"'),
    ({"weapons_firearms": [{"phrase": "gun", "colour": "red"}]}, "unknown key"),
    ({"weapons_firearms": [42]}, "must be a phrase"),
    ({"weapons_firearms": [{"phrase": "gun", "suggestion": "arrest"}]}, '"suggestion" must be one of'),
    ({"weapons_firearms": [{"phrase": "gun", "window": 0}]}, '"window" must be'),
    ({"weapons_firearms": [{"phrase": "gun", "requires": []}]}, '"requires" must be a non-empty list'),
    ({"children": [{"pattern": r"\d+ years", "max_age": 17}]}, 'named group "age"'),
    ({"children": [{"phrase": "!!!"}]}, "must contain a word"),
    ({"drugs": ["cannabis"]}, "unknown cue family"),
])
def test_bad_force_entries_are_refused_with_a_clear_error(additions: dict, problem: str) -> None:
    with pytest.raises(LexiconError) as refused:
        merge_lexicon(DEFAULT_LEXICON, additions)
    assert problem in str(refused.value)
    family = next(iter(additions))
    assert family in str(refused.value)


@pytest.mark.safeguard("C3")
def test_the_error_names_the_entry_and_is_a_4xx_refusal() -> None:
    with pytest.raises(LexiconError) as refused:
        merge_lexicon(DEFAULT_LEXICON, {"missing": ["gone walkabout", {"pattern": "[unclosed"}]})
    err = refused.value
    assert isinstance(err, Invalid) and 400 <= err.status < 500
    assert (err.family, err.index) == ("missing", 1)
    assert "missing[1]" in err.message and err.details == {"field": "lexicon.missing[1]"}


@pytest.mark.safeguard("C3")
def test_a_compiled_lexicon_gives_the_same_cues_as_the_raw_one() -> None:
    text = "Her ex-partner has a knife and her 8-year-old is missing from home."
    compiled = compile_lexicon(DEFAULT_LEXICON)
    raw = [c.as_dict() for c in detect(text, DEFAULT_LEXICON, today=AS_OF)]
    assert raw == [c.as_dict() for c in detect(text, compiled, today=AS_OF)]
    assert raw == [c.as_dict() for c in detect(text, merge_lexicon(DEFAULT_LEXICON), today=AS_OF)]
