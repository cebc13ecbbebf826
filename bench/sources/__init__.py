"""Name-variant sources for the cross-script benchmark.

Every variant the generator writes is tagged with the name of the source that
produced it. The sources live outside kinlink: published romanisation tables
(one module each, written from the standard's letter table), name lists that
ship inside PyPI packages, and independent romanisers from PyPI.

Published tables (this folder):
  - ``bgn-pcgn``  : BGN/PCGN 1958 system for Persian           (bgn_pcgn_persian.py)
  - ``ala-lc``    : ALA-LC romanization table for Persian       (ala_lc_persian.py)
  - ``din-31635`` : DIN 31635:2011 for Arabic                   (din31635_arabic.py)
  - ``iran-common``: Iranian common-usage / passport spelling   (iran_common_usage.py)

Package sources (see bench/generate.py for how each is called):
  - ``fa-script``     : the Persian-script form from the name list itself
  - ``ar-script``     : the same name typed with Arabic code points (U+064A yeh, U+0643 kaf)
  - ``name-variants`` : spelling forms listed by the ``name-variants`` package
  - ``finglish``      : Latin -> Persian script by the ``finglish`` package (f2p)
  - ``anyascii``, ``unidecode``, ``uroman``, ``farsi-faker`` (farsi_faker.romanization),
    ``saara`` (salang-saara: mishkal vocaliser + ALA-LC Arabic transliterator)
"""

from bench.sources import (
    ala_lc_persian,
    bgn_pcgn_persian,
    din31635_arabic,
    iran_common_usage,
)

TABLES = {
    "bgn-pcgn": bgn_pcgn_persian,
    "ala-lc": ala_lc_persian,
    "din-31635": din31635_arabic,
    "iran-common": iran_common_usage,
}
