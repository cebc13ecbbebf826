"""The load benchmark's mix: every endpoint it weighs has a path, for pages and for the API."""

import random

from bench import load


def test_every_endpoint_of_the_mix_has_a_path_of_its_kind():
    who = {"enquiries": [7], "persons": [9], "names": ["Kermani"]}
    paths = load._paths(who, random.Random(1).choice)
    assert sorted(paths) == sorted(label for label, _ in load.MIX)
    for label, (path, kind) in paths.items():
        assert kind == ("api" if label.startswith("api ") else "page"), label
        assert path.startswith("/api/" if kind == "api" else "/en/"), (label, path)
    assert paths["enquiry page"][0] == "/en/tracing/7/"
    assert paths["api person"][0] == "/api/persons/9/"
    assert paths["persons search"][0] == "/en/persons/?q=Kermani"
