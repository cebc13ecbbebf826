"""Names across Persian, Arabic and Latin scripts: normalisation, keys and similarity.

Pure Python (no Django). The public API:

* :func:`detect_script`, :class:`Script`
* :func:`normalize`: canonical form of a name as typed
* :func:`name_tokens`: normalised parts, compounds joined (Mohammad Reza → mohammadreza)
* :func:`romanize`: one best-guess Latin reading
* :func:`skeleton`: cross-script consonant skeleton (حسین, Hossein, Husain → hsn)
* :func:`name_keys`: blocking keys shared by a name and its spellings in any script
* :func:`name_similarity`, :func:`compare_names`, :class:`NameComparison`
* :func:`nickname_variants`
* :func:`strict_codes`, :func:`loose_skeletons`: finer and looser readings for comparison
"""

from .compounds import name_tokens
from .keys import name_keys, skeleton
from .nicknames import nickname_variants
from .normalize import normalize
from .readings import loose_skeletons, name_tail, strict_codes
from .romanize import romanize
from .scripts import Script, detect_script
from .similarity import NameComparison, compare_names, name_similarity

__all__ = [
    "NameComparison",
    "Script",
    "compare_names",
    "detect_script",
    "loose_skeletons",
    "name_keys",
    "name_similarity",
    "name_tail",
    "name_tokens",
    "nickname_variants",
    "normalize",
    "romanize",
    "skeleton",
    "strict_codes",
]
