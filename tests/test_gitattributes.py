"""Linguist attributes read from `.gitattributes`, with git's pattern semantics."""

from __future__ import annotations

import pytest

from archbot import gitattributes


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.ipynb", "notebooks/tour/intro.ipynb", True),  # no slash: the name, at any depth
        ("*.ipynb", "notebooks/intro.py", False),
        ("/setup_gen.py", "setup_gen.py", True),  # a leading slash anchors at the file's directory
        ("/setup_gen.py", "pkg/setup_gen.py", False),
        ("api/*.py", "api/models.py", True),
        ("api/*.py", "api/v1/models.py", False),  # `*` stays within one directory
        ("api/**", "api/v1/models.py", True),  # a trailing `/**`: everything inside
        ("api/**", "apis/models.py", False),
        ("**/protos/*.py", "protos/ranker_pb.py", True),  # a leading `**/`: any directories, or none
        ("**/protos/*.py", "svc/grpc/protos/ranker_pb.py", True),
        ("src/**/client.py", "src/client.py", True),  # `/**/`: zero or more directories
        ("src/**/client.py", "src/a/b/client.py", True),
        ("src/?.py", "src/a.py", True),
        ("src/?.py", "src/ab.py", False),
    ],
)
def test_patterns_match_as_in_git(pattern: str, path: str, expected: bool) -> None:
    (line,) = gitattributes.parse("", f"{pattern} linguist-generated\n")

    assert gitattributes.matches(line, path) is expected


def marked(lines: list[gitattributes.Line], paths: tuple[str, ...], attribute: str) -> list[str]:
    return [path for path in paths if gitattributes.attribute_of(lines, path, attribute) is not None]


def test_a_later_line_overrides_and_unsets() -> None:
    lines = gitattributes.parse(
        "",
        "# vendored trees\n"
        "lib/** linguist-vendored\n"
        "lib/ranker/** -linguist-vendored\n"
        "lib/tok/** linguist-vendored=false\n"
        "lib/tok/bpe/** linguist-vendored=true text eol=lf\n",
    )

    paths = ("lib/x.py", "lib/ranker/core.py", "lib/tok/a.py", "lib/tok/bpe/merge.py")
    assert marked(lines, paths, "linguist-vendored") == ["lib/x.py", "lib/tok/bpe/merge.py"]


def test_a_nested_file_speaks_for_its_directory_only() -> None:
    lines = gitattributes.parse("sdk", "client/** linguist-generated\n*.pyi linguist-generated\n")

    paths = ("sdk/client/api.py", "client/api.py", "sdk/types.pyi", "types.pyi")
    assert marked(lines, paths, "linguist-generated") == ["sdk/client/api.py", "sdk/types.pyi"]


def test_other_attributes_are_not_read() -> None:
    assert gitattributes.parse("", "*.py text eol=lf diff=python\n*.png binary\n") == []
