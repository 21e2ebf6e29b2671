"""Publication (repo/packaging.py): the README commands that install a distribution, by its name
or from its git repository, the workflow steps that upload one or push an image, entry by entry."""

from __future__ import annotations

import pytest

from archbot.repo import packaging


@pytest.mark.parametrize(
    "readme",
    [
        "pip install ranker-core",
        "pip install -U ranker-core",
        "pip3 install --upgrade --pre ranker-core",
        "pip install 'ranker-core[gpu]'",
        "pip install ranker-core==1.4.0",
        "uv add ranker-core",
        "uv pip install ranker-core",
        "uv tool install ranker-core",
        "poetry add ranker-core",
        "pipx install ranker-core",
        "conda install -c conda-forge ranker-core",
        "pip install Ranker_Core",
        "pip install ranker.core",
        "uv add git+https://github.com/acme/ranker-core",
        'uv add "ranker-core[gpu] @ git+https://github.com/acme/ranker-core@main"',
        "pip install git+https://github.com/acme/ranker-core.git",
    ],
)
def test_a_readme_installing_the_distribution(readme: str) -> None:
    assert packaging.installs(f"## Install\n\n    {readme}\n", "ranker_core")


@pytest.mark.parametrize(
    "readme",
    [
        "pip install -e .",
        "pip install -r requirements.txt",
        "pip install ranker-core-plugins",
        "pip install rankers",
        "uv sync",
        "pip install ./ranker-core",
    ],
)
def test_a_readme_installing_something_else(readme: str) -> None:
    assert not packaging.installs(f"## Install\n\n    {readme}\n", "ranker_core")


@pytest.mark.parametrize(
    ("workflow", "uploads"),
    [
        ("- uses: pypa/gh-action-pypi-publish@release/v1", True),
        ("- run: twine upload dist/*", True),
        ("- run: poetry publish --build", True),
        ("- run: uv publish", True),
        ("- run: flit publish", True),
        ("- run: hatch publish", True),
        ("- run: pdm publish", True),
        ("- run: maturin publish", True),
        ("- run: uv build", False),
        ("- run: docker push ghcr.io/acme/ranker:1.4.0", False),
    ],
)
def test_a_workflow_uploading_a_package(workflow: str, uploads: bool) -> None:
    assert packaging.uploads(f"jobs:\n  release:\n    steps:\n      {workflow}\n") == uploads


@pytest.mark.parametrize(
    ("file", "text", "name"),
    [
        ("pyproject.toml", '[project]\nname = "ranker-core"\n', "ranker-core"),
        ("pyproject.toml", '[tool.poetry]\nname = "ranker"\n', "ranker"),
        ("pyproject.toml", "[tool.ruff]\nline-length = 110\n", ""),
        ("pyproject.toml", "[project\n", ""),
        ("setup.py", 'setup(\n    name="ranker",\n    version="1.0",\n)\n', "ranker"),
        ("setup.cfg", "[metadata]\nname = ranker-core\n", "ranker-core"),
    ],
)
def test_the_name_a_project_file_declares(file: str, text: str, name: str) -> None:
    assert packaging.distribution_name(file, text) == name


@pytest.mark.parametrize(
    ("workflow", "pushes"),
    [
        ("- uses: docker/build-push-action@v6", True),
        ("- run: docker push ghcr.io/acme/ranker:1.4.0", True),
        ("- run: podman push quay.io/acme/ranker", True),
        ("- run: docker build -t ranker .", False),
        ("- run: twine upload dist/*", False),
    ],
)
def test_a_workflow_pushing_an_image(workflow: str, pushes: bool) -> None:
    assert packaging.pushes(f"jobs:\n  image:\n    steps:\n      {workflow}\n") == pushes
