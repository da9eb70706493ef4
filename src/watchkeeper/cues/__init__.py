"""Risk cues in narrative text (C3): a pure detector (rules from the lexicon, and a learned model beside
them, `watchkeeper.cues.model`, trained by `watchkeeper.cues.train`), its evaluation set and held-out
batches; promises to a caller (L11) are found by `watchkeeper.cues.promises`, with their own evaluation set.

Public API: `detect`, `families`, `prompts`, `Cue`, `is_negated`, `compile_lexicon`, `merge_lexicon`,
`validate_lexicon`, `LexiconError`, `DEFAULT_LEXICON`, `FAMILIES`. Nothing here imports Django, so the
rules can run anywhere an entry is written (action, replay, bulk evaluation).
"""

from watchkeeper.cues.detect import (
    CompiledLexicon,
    Cue,
    LexiconError,
    compile_lexicon,
    detect,
    families,
    is_negated,
    merge_lexicon,
    prompts,
    validate_lexicon,
)
from watchkeeper.cues.lexicon import DEFAULT_LEXICON, FAMILIES, FAMILY_PROMPTS, SUGGESTIONS

__all__ = [
    "DEFAULT_LEXICON", "FAMILIES", "FAMILY_PROMPTS", "SUGGESTIONS", "CompiledLexicon", "Cue", "LexiconError",
    "compile_lexicon", "detect", "families", "is_negated", "merge_lexicon", "prompts", "validate_lexicon",
]
