"""File roles (roles.py): each role from paths, content and the repository's own metadata, with
positives and negatives, the signals shown by `archbot route`, and the config override."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import GitRepo, Run, places

RunArchbot = Callable[..., Run]

LIBRARY_PYPROJECT = (
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
    '[project]\nname = "ranker"\nversion = "1.0"\ndependencies = ["numpy>=1.26"]\n'
)
# A package found under one root only, the sources of an application beside it.
SEARCH_ROOT_PYPROJECT = (
    LIBRARY_PYPROJECT
    + '\n[tool.setuptools]\npackage-dir = {"" = "backend"}\n\n'
    + '[tool.setuptools.packages.find]\nwhere = ["backend"]\ninclude = ["app*"]\n'
)
DOT_ROOT_PYPROJECT = (
    LIBRARY_PYPROJECT + '\n[tool.setuptools.packages.find]\nwhere = ["."]\nexclude = ["tools*"]\n'
)
WEB_LIBRARY_PYPROJECT = LIBRARY_PYPROJECT.replace('["numpy>=1.26"]', '["numpy>=1.26", "fastapi>=0.110"]')
# An application's project: it names its dependencies and builds no package.
APP_PYPROJECT = (
    '[project]\nname = "ranker"\nversion = "1.0"\ndependencies = ["numpy>=1.26", "fastapi>=0.110"]\n'
)
# A package that pins its dependencies exactly, a web framework among them: an application packaged
# for its deployment. With one range too many, or no framework, it stays a library.
PINNED_APP_PYPROJECT = LIBRARY_PYPROJECT.replace(
    '["numpy>=1.26"]',
    '["numpy==1.26.4", "fastapi==0.115.6", "uvicorn[standard]==0.34.0",'
    " \"httpx==0.28.1; python_version >= '3.11'\"]",
)
LOOSE_APP_PYPROJECT = PINNED_APP_PYPROJECT.replace('"httpx==0.28.1', '"httpx>=0.28').replace(
    '"uvicorn[standard]==0.34.0"', '"uvicorn[standard]~=0.34"'
)
PINNED_LIBRARY_PYPROJECT = PINNED_APP_PYPROJECT.replace('"fastapi==0.115.6", ', "").replace(
    "uvicorn[standard]==0.34.0", "pandas==2.2.3"
)
CLI_PYPROJECT = LIBRARY_PYPROJECT + '\n[project.scripts]\nranker = "ranker.cli:main"\n'
SETUP_EXCLUDING_TOOLS = (
    "from setuptools import find_packages, setup\n\n"
    'setup(name="vidgen", packages=find_packages(exclude=("tools", "scripts", "tests")))\n'
)
FIND_ALL_SETUP = (
    'from setuptools import find_packages, setup\n\nsetup(name="vidgen", packages=find_packages())\n'
)
MODULE = "def score(values):\n    return sum(values)\n"
# A package the repository's own containers run: an application, unless something publishes it.
RANKER_PACKAGE = {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE}
RUNS_RANKER_API = (
    'FROM python:3.12-slim\nCOPY . /app\nRUN pip install /app\nCMD ["uvicorn", "ranker.api:app"]\n'
)
# A package beside a research directory holding a package of its own, with no `__init__.py`.
RESEARCH_BESIDE_PACKAGE = {
    "vidgen/__init__.py": "",
    "research/detector/__init__.py": "",
    "research/detector/head.py": MODULE,
}
MAIN = 'def main():\n    print("ok")\n\n\nif __name__ == "__main__":\n    main()\n'
# A package and a directory of tools beside it that its packaging leaves out.
TOOLS_BESIDE_PACKAGE = {"ranker/__init__.py": "", "tools/__init__.py": "", "tools/export.py": MAIN}
FASTAPI_APP = (
    'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health():\n    return {}\n'
)
LAZY_SERVER = (
    "class Ranker:\n    def serve(self, port):\n        from flask import Flask\n\n"
    "        app = Flask(__name__)\n        app.run(port=port)\n"
)
OPTIONAL_SERVER = "try:\n    from flask import Flask\nexcept ImportError:\n    Flask = None\n"
ROUTER_ONLY = '@router.post("/answers")\nasync def answer(body):\n    return body\n'
MANIFEST = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ranker\n"

# (files in the repository, the file asked about, its role, a piece of the deciding signal)
CASES: dict[str, tuple[dict[str, str], str, str, str]] = {
    # service: a web/task framework import or a handler decorator; an application's own code
    "service-fastapi": ({"api/app.py": FASTAPI_APP}, "api/app.py", "service", "imports fastapi"),
    "service-decorator": ({"web/answers.py": ROUTER_ONLY}, "web/answers.py", "service", "handler decorator"),
    "service-celery-task": (
        {"jobs/summaries.py": "from celery import shared_task\n\n\n@shared_task\ndef run():\n    pass\n"},
        "jobs/summaries.py",
        "service",
        "imports celery",
    ),
    # A handler decorator counts when its name is the project's own or a serving framework's;
    # `@task` of an eval or orchestration package serves no request.
    "service-decorator-of-the-project-app": (
        {
            "jobs/__init__.py": "",
            "jobs/queue.py": "from celery import Celery\n\nworker = Celery('jobs')\n",
            "jobs/digest.py": "from jobs.queue import worker\n\n\n@worker.task(bind=True)\n"
            "def run(self):\n    pass\n",
        },
        "jobs/digest.py",
        "service",
        "handler decorator @…task",
    ),
    "service-decorator-relative-router": (
        {"web/__init__.py": "", "web/answers.py": "from .api import router\n\n" + ROUTER_ONLY},
        "web/answers.py",
        "service",
        "handler decorator @…post",
    ),
    "service-model-server-decorator": (
        {"serve.py": "import bentoml\n\n\n@bentoml.service(resources={'gpu': 1})\nclass Ranker:\n    pass\n"},
        "serve.py",
        "service",
        "handler decorator @…service",
    ),
    "script-eval-framework-task": (
        {
            "graders/grading.py": "from evalkit import Task, task\n\n\n@task\ndef grading():\n"
            '    return Task()\n\n\nif __name__ == "__main__":\n    grading()\n'
        },
        "graders/grading.py",
        "script",
        "__main__",
    ),
    "library-orchestration-task": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/flows.py": "from prefect import task\n\n\n@task(retries=2)\ndef rank():\n    pass\n",
        },
        "ranker/flows.py",
        "library",
        "distributable package",
    ),
    "service-application-project": (
        {"pyproject.toml": APP_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE},
        "ranker/score.py",
        "service",
        "pyproject.toml requires fastapi",
    ),
    "library-with-a-web-framework-dependency": (
        {"pyproject.toml": WEB_LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE},
        "ranker/score.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "service-pinned-application-package": (
        {"pyproject.toml": PINNED_APP_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE},
        "ranker/score.py",
        "service",
        "pyproject.toml requires fastapi and pins its dependencies exactly",
    ),
    "service-package-the-repository-deploys": (
        {**RANKER_PACKAGE, "Dockerfile": RUNS_RANKER_API, "README.md": "# Ranker\n\npip install -e .\n"},
        "ranker/score.py",
        "service",
        "Dockerfile runs ranker and nothing publishes it",
    ),
    "service-src-layout-package-a-compose-file-runs": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "src/ranker/__init__.py": "",
            "src/ranker/score.py": MODULE,
            "deploy/compose.yaml": (
                "services:\n  worker:\n    image: ranker:1.0\n    command: python -m ranker.worker\n"
            ),
        },
        "src/ranker/score.py",
        "service",
        "deploy/compose.yaml runs ranker",
    ),
    "service-package-a-dockerfile-runs-as-a-module": (
        {
            **RANKER_PACKAGE,
            "Dockerfile.prod": 'FROM python:3.12-slim\nCMD ["python", "-m", "ranker.serve"]\n',
        },
        "ranker/score.py",
        "service",
        "Dockerfile.prod runs ranker and nothing publishes it",
    ),
    "library-deployed-and-installed-by-name": (
        {
            **RANKER_PACKAGE,
            "Dockerfile": RUNS_RANKER_API,
            "README.md": "# Ranker\n\n    pip install -U ranker\n",
        },
        "ranker/score.py",
        "library",
        "in a distributable package",
    ),
    "library-deployed-and-installed-from-its-git-repository": (
        {
            **RANKER_PACKAGE,
            "Dockerfile": RUNS_RANKER_API,
            "README.md": '# Ranker\n\n    uv add "ranker[gpu] @ git+https://github.com/acme/ranker@main"\n',
        },
        "ranker/score.py",
        "library",
        "in a distributable package",
    ),
    # The index compares names with case and `-_.` aside: `Ranker_Core` is `ranker-core`.
    "library-deployed-and-installed-by-its-normalized-name": (
        {
            **RANKER_PACKAGE,
            "pyproject.toml": LIBRARY_PYPROJECT.replace('name = "ranker"', 'name = "Ranker_Core"'),
            "Dockerfile": RUNS_RANKER_API,
            "README.md": "# Ranker\n\n    pip install ranker-core\n",
        },
        "ranker/score.py",
        "library",
        "in a distributable package",
    ),
    "library-deployed-and-uploaded-by-a-workflow": (
        {
            **RANKER_PACKAGE,
            "Dockerfile": RUNS_RANKER_API,
            ".github/workflows/release.yml": "jobs:\n  publish:\n    steps:\n"
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        },
        "ranker/score.py",
        "library",
        "in a distributable package",
    ),
    # A container of its image name only, and a demo server outside the package, run no package.
    "library-whose-containers-run-something-else": (
        {
            **RANKER_PACKAGE,
            "docker-compose.yml": "services:\n  ranker:\n    image: ranker:latest\n",
            "demo/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "server:app"]\n',
        },
        "ranker/score.py",
        "library",
        "in a distributable package",
    ),
    "library-with-a-web-framework-and-ranges": (
        {"pyproject.toml": LOOSE_APP_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE},
        "ranker/score.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "library-pinned-without-a-web-framework": (
        {"pyproject.toml": PINNED_LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE},
        "ranker/score.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "service-handler-of-a-library-with-a-web-ui": (
        {"pyproject.toml": WEB_LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/ui.py": FASTAPI_APP},
        "ranker/ui.py",
        "service",
        "imports fastapi",
    ),
    # A framework imported only inside a function is an optional feature of a library module; one
    # imported at module level, even under `try:`, makes the module a service.
    "library-module-with-a-lazy-web-server": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/models.py": LAZY_SERVER},
        "ranker/models.py",
        "library",
        "in a distributable package",
    ),
    "service-optional-import-at-module-level": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/ui.py": OPTIONAL_SERVER},
        "ranker/ui.py",
        "service",
        "imports flask",
    ),
    # A tool-settings-only pyproject beside a package's sources builds nothing: the package is the
    # root project's (setuptools `where = ["sdk/python"]`).
    "library-under-a-tools-only-pyproject": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "sdk/python/pyproject.toml": "[tool.ruff]\nline-length = 100\n",
            "sdk/python/ranker/__init__.py": "",
            "sdk/python/ranker/score.py": MODULE,
        },
        "sdk/python/ranker/score.py",
        "library",
        "pyproject.toml builds a package",
    ),
    # A module outside any package named for a demo or an example is one; in a package the same
    # word names library code.
    "example-named-module": (
        {"API_DEMO_CHAT.py": MODULE},
        "API_DEMO_CHAT.py",
        "example",
        "(demo), outside any package",
    ),
    "example-named-module-in-a-tree": (
        {"rag/retrieval_example.py": MODULE},
        "rag/retrieval_example.py",
        "example",
        "(example), outside any package",
    ),
    "example-demo-tree": (
        {"composite_demo/client.py": MODULE, "composite_demo/main.py": MODULE},
        "composite_demo/client.py",
        "example",
        "path composite_demo/ (a tree of examples outside any package)",
    ),
    "library-demo-tree-in-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/demo_assets/__init__.py": "",
            "ranker/demo_assets/loader.py": MODULE,
        },
        "ranker/demo_assets/loader.py",
        "library",
        "in a distributable package",
    ),
    "example-numbered-demo": (
        {"web_demo2.py": FASTAPI_APP},
        "web_demo2.py",
        "example",
        "file name web_demo2.py (demo), outside any package",
    ),
    "library-demo-mode-in-a-package": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/demo_mode.py": MODULE},
        "ranker/demo_mode.py",
        "library",
        "in a distributable package",
    ),
    "service-app-main-guard": (
        {"serve.py": FASTAPI_APP + 'if __name__ == "__main__":\n    pass\n'},
        "serve.py",
        "service",
        "imports fastapi",
    ),
    "service-unpackaged-code": (
        {"app/logic.py": MODULE},
        "app/logic.py",
        "service",
        "no distributable package",
    ),
    # library: code of a distributable package
    "library-flat": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE},
        "ranker/score.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "library-src-layout": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "src/ranker/score.py": MODULE},
        "src/ranker/score.py",
        "library",
        "distributable package",
    ),
    "library-setup-py": (
        {
            "setup.py": "from setuptools import setup\nsetup(name='ranker')\n",
            "ranker/__init__.py": "",
            "ranker/a.py": MODULE,
        },
        "ranker/a.py",
        "library",
        "setup.py builds a package",
    ),
    "library-setup-cfg": (
        {
            "setup.cfg": "[metadata]\nname = ranker\n\n[options]\npackages = find:\n",
            "ranker/__init__.py": "",
            "ranker/a.py": MODULE,
        },
        "ranker/a.py",
        "library",
        "setup.cfg builds a package",
    ),
    "library-subproject": (
        {
            "libs/core/pyproject.toml": LIBRARY_PYPROJECT,
            "libs/core/ranker/__init__.py": "",
            "libs/core/ranker/a.py": MODULE,
        },
        "libs/core/ranker/a.py",
        "library",
        "libs/core/pyproject.toml",
    ),
    "library-own-pyproject": (
        {"pyproject.toml": LIBRARY_PYPROJECT},
        "pyproject.toml",
        "library",
        "builds a package",
    ),
    "library-with-an-optional-web-extra": (
        {
            "pyproject.toml": '[build-system]\nrequires = ["poetry-core"]\n\n[tool.poetry]\nname = "ranker"\n'
            'packages = [{ include = "ranker" }]\n\n[tool.poetry.dependencies]\npython = "^3.10"\n'
            'fastapi = { version = "^0.110", optional = true }\n',
            "ranker/__init__.py": "",
            "ranker/score.py": MODULE,
        },
        "ranker/score.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "service-poetry-application": (
        {
            "pyproject.toml": '[tool.poetry]\nname = "ranker"\npackage-mode = false\n\n'
            '[tool.poetry.dependencies]\npython = "^3.10"\nfastapi = "^0.110"\n',
            "ranker/__init__.py": "",
            "ranker/score.py": MODULE,
        },
        "ranker/score.py",
        "service",
        "pyproject.toml requires fastapi",
    ),
    "library-tools-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/tools/__init__.py": "",
            "ranker/tools/search.py": MODULE,
        },
        "ranker/tools/search.py",
        "library",
        "distributable package",
    ),
    "script-benchmark-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/recall_benchmark.py": MODULE + MAIN,
        },
        "ranker/recall_benchmark.py",
        "script",
        "in a benchmark (recall_benchmark.py)",
    ),
    "library-bazel-wheel": (
        {
            "BUILD.bazel": 'load("@rules_python//python:packaging.bzl", "py_wheel")\n\n'
            'py_wheel(\n    name = "wheel",\n    distribution = "ranker",\n)\n',
            "ranker/BUILD.bazel": 'py_library(\n    name = "ranker",\n    srcs = glob(["*.py"]),\n)\n',
            "ranker/__init__.py": "",
            "ranker/score.py": MODULE,
        },
        "ranker/score.py",
        "library",
        "BUILD.bazel builds a wheel (py_wheel)",
    ),
    "service-bazel-without-a-wheel": (
        {
            "BUILD.bazel": 'py_binary(\n    name = "server",\n    srcs = ["ranker/score.py"],\n)\n',
            "ranker/__init__.py": "",
            "ranker/score.py": MODULE,
        },
        "ranker/score.py",
        "service",
        "no distributable package declares it",
    ),
    "script-smoke-check-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/serving_smoke.py": MODULE + MAIN,
        },
        "ranker/serving_smoke.py",
        "script",
        "in a smoke check (serving_smoke.py)",
    ),
    "script-smoke-check-starting-its-server": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/grpc_smoke.py": "import grpc\n\n" + MODULE + MAIN,
        },
        "ranker/grpc_smoke.py",
        "script",
        "in a smoke check (grpc_smoke.py)",
    ),
    "service-server-module-with-main": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/grpc_server.py": "import grpc\n\n" + MODULE + MAIN,
        },
        "ranker/grpc_server.py",
        "service",
        "imports grpc",
    ),
    "library-smoke-named-without-main-inside-package": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/smoke_inputs.py": MODULE},
        "ranker/smoke_inputs.py",
        "library",
        "distributable package",
    ),
    "library-smoker-inside-package": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/smoker.py": MODULE + MAIN},
        "ranker/smoker.py",
        "library",
        "distributable package",
    ),
    "script-converter-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/encoder/__init__.py": "",
            "ranker/encoder/convert_encoder_to_hf.py": MODULE + MAIN,
        },
        "ranker/encoder/convert_encoder_to_hf.py",
        "script",
        "in a converter (convert_encoder_to_hf.py)",
    ),
    "library-converter-without-main-inside-package": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/convert.py": MODULE},
        "ranker/convert.py",
        "library",
        "distributable package",
    ),
    "script-evaluation-runner-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/recsys/__init__.py": "",
            "ranker/recsys/eval_ndcg.py": MODULE + MAIN,
        },
        "ranker/recsys/eval_ndcg.py",
        "script",
        "in an evaluation runner (eval_ndcg.py)",
    ),
    # An evaluator the package imports (no `__main__` guard), or one named otherwise, is library code.
    "library-evaluator-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/evaluate.py": MODULE,
            "ranker/evaluator.py": MODULE + MAIN,
        },
        "ranker/evaluator.py",
        "library",
        "distributable package",
    ),
    "library-conversion-helpers-inside-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/conversions.py": MODULE + MAIN,
        },
        "ranker/conversions.py",
        "library",
        "distributable package",
    ),
    "library-benchmark-helpers-inside-package": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/benchmark_data.py": MODULE},
        "ranker/benchmark_data.py",
        "library",
        "distributable package",
    ),
    "library-namespace-directory-inside-package": (
        {
            "pyproject.toml": WEB_LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/tasks/arithmetic/solver.py": MODULE,
        },
        "ranker/tasks/arithmetic/solver.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "library-main-guard-inside-package": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/score.py": MODULE + MAIN},
        "ranker/score.py",
        "library",
        "distributable package",
    ),
    # not a library: no build, a module outside any package, poetry's package-mode = false
    "not-library-no-build": (
        {"pyproject.toml": '[project]\nname = "ranker"\n', "ranker/__init__.py": "", "ranker/a.py": MODULE},
        "ranker/a.py",
        "service",
        "no distributable package",
    ),
    "not-library-loose-module": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "notes/helper.py": MODULE},
        "notes/helper.py",
        "service",
        "no distributable package",
    ),
    "not-library-setup-cfg-of-tool-settings": (
        {"setup.cfg": "[flake8]\nmax-line-length = 120\n", "ranker/__init__.py": "", "ranker/a.py": MODULE},
        "ranker/a.py",
        "service",
        "no distributable package",
    ),
    "not-library-package-mode-false": (
        {
            "pyproject.toml": '[tool.poetry]\nname = "ranker"\npackage-mode = false\n\n'
            '[build-system]\nrequires = ["poetry-core"]\n',
            "ranker/__init__.py": "",
            "ranker/a.py": MODULE,
        },
        "ranker/a.py",
        "service",
        "no distributable package",
    ),
    # infra
    "infra-dockerfile": (
        {"docker/Dockerfile.gpu": "FROM python:3.12\n"},
        "docker/Dockerfile.gpu",
        "infra",
        "Dockerfile",
    ),
    "infra-dockerfile-named-for-its-target": (
        {"deploy/Dockerfile.serving-prod": "FROM python:3.12\n"},
        "deploy/Dockerfile.serving-prod",
        "infra",
        "Dockerfile",
    ),
    # An image build file's name qualifies it as a directory would.
    "script-benchmark-image": (
        {"docker/Dockerfile.benchmark.grasping": "FROM acme/ranker-gpu:latest\n"},
        "docker/Dockerfile.benchmark.grasping",
        "script",
        "image name Dockerfile.benchmark.grasping",
    ),
    "test-image-suffix": (
        {"ci/e2e.Dockerfile": "FROM python:3.12\n"},
        "ci/e2e.Dockerfile",
        "test",
        "image name e2e.Dockerfile",
    ),
    "test-image-dash": (
        {"Dockerfile-tests": "FROM python:3.12\n"},
        "Dockerfile-tests",
        "test",
        "image name Dockerfile-tests",
    ),
    "example-recipe-singular": (
        {"recipe/grpo/rollout.py": MODULE},
        "recipe/grpo/rollout.py",
        "example",
        "path recipe/",
    ),
    "example-image": (
        {"docker/Dockerfile.examples": "FROM python:3.12\n"},
        "docker/Dockerfile.examples",
        "example",
        "image name Dockerfile.examples",
    ),
    "infra-manifest": ({"ops/ranker.yaml": MANIFEST}, "ops/ranker.yaml", "infra", "apiVersion/kind"),
    "infra-k8s-dir": (
        {"k8s/values-prod.yaml": "replicas: 2\n"},
        "k8s/values-prod.yaml",
        "infra",
        "file values-prod.yaml",
    ),
    "infra-helm-template": (
        {"serving/Chart.yaml": "name: ranker\n", "serving/templates/svc.yaml": "port: 80\n"},
        "serving/templates/svc.yaml",
        "infra",
        "Helm chart",
    ),
    "infra-ci-workflow": (
        {".github/workflows/ci.yml": "on: push\n"},
        ".github/workflows/ci.yml",
        "infra",
        "CI workflow",
    ),
    "infra-compose": (
        {"docker-compose.gpu.yml": "services: {}\n"},
        "docker-compose.gpu.yml",
        "infra",
        "docker-compose",
    ),
    "not-infra-prompt-templates": (
        {"prompts/templates/answer.yaml": "system: Answer briefly.\n"},
        "prompts/templates/answer.yaml",
        "service",
        "no distributable package",
    ),
    "not-infra-settings-yaml": (
        {"config/settings.yaml": "top_k: 5\n"},
        "config/settings.yaml",
        "service",
        "no distributable",
    ),
    # test
    "test-dir": ({"tests/unit/helpers.py": MODULE}, "tests/unit/helpers.py", "test", "path tests/"),
    "test-autotest-dir": (
        {"autotest/utils/client_checks.py": MODULE},
        "autotest/utils/client_checks.py",
        "test",
        "path autotest/",
    ),
    "test-module-name": (
        {"ranker/test_score.py": MODULE},
        "ranker/test_score.py",
        "test",
        "test module name",
    ),
    "test-suffix-name": (
        {"ranker/score_test.py": MODULE},
        "ranker/score_test.py",
        "test",
        "test module name",
    ),
    "test-conftest": ({"conftest.py": MODULE}, "conftest.py", "test", "conftest.py"),
    "test-js-spec": (
        {"web/src/chat.spec.ts": "export {};\n"},
        "web/src/chat.spec.ts",
        "test",
        "test module name",
    ),
    "test-fixtures": (
        {"data/fixtures/client.py": MODULE},
        "data/fixtures/client.py",
        "test",
        "path fixtures/",
    ),
    "script-runner-among-tests": (
        {"tests/evals/run_eval.py": MAIN},
        "tests/evals/run_eval.py",
        "script",
        "a program under tests/",
    ),
    "test-module-with-main-guard": (
        {"tests/test_score.py": MAIN},
        "tests/test_score.py",
        "test",
        "path tests/",
    ),
    "not-test-latest": ({"app/latest.py": MODULE}, "app/latest.py", "service", "no distributable"),
    # An evaluation's tree is no test suite: its runners are scripts.
    "not-test-evaluation": (
        {"evaluation/metrics.py": MODULE},
        "evaluation/metrics.py",
        "script",
        "path evaluation/ (an evaluation's tree outside any package)",
    ),
    # example
    "example-dir": ({"examples/rag/app.py": FASTAPI_APP}, "examples/rag/app.py", "example", "path examples/"),
    "example-notebook": (
        {"analysis/explore.ipynb": '{"cells": []}\n'},
        "analysis/explore.ipynb",
        "example",
        "notebook",
    ),
    "example-cookbook": ({"cookbook/agents.py": MODULE}, "cookbook/agents.py", "example", "path cookbook/"),
    "example-project-template": (
        {"templates/basic/src/workflow.py": MODULE},
        "templates/basic/src/workflow.py",
        "example",
        "code under templates/ (a project scaffold)",
    ),
    "example-docs-code": (
        {"docs/snippets/client.py": MODULE},
        "docs/snippets/client.py",
        "example",
        "code under docs/",
    ),
    "example-tree-named-for-its-project": (
        {"labs/ranker_examples/__init__.py": "", "labs/ranker_examples/judge/prompt.py": MODULE},
        "labs/ranker_examples/judge/prompt.py",
        "example",
        "path ranker_examples/ (a tree of examples outside any package)",
    ),
    # `__init__.py` in a directory whose name is no identifier makes no package: the demo tree
    # below it is outside any package.
    "example-demo-tree-below-a-directory-no-package-can-be": (
        {"Ranker-2.5-Live/__init__.py": "", "Ranker-2.5-Live/web_demo/app.py": FASTAPI_APP},
        "Ranker-2.5-Live/web_demo/app.py",
        "example",
        "path web_demo/ (a tree of examples outside any package)",
    ),
    "not-example-demo-tree-in-a-package": (
        {"ranker_live/__init__.py": "", "ranker_live/web_demo/app.py": FASTAPI_APP},
        "ranker_live/web_demo/app.py",
        "service",
        "imports fastapi",
    ),
    # A repository whose README's title calls it a collection of examples: its projects are
    # examples, outside the package its root builds.
    "example-repository-by-its-title": (
        {
            "README.md": '<p align="center"><img src="logo.png"></p>\n\n# Ranker Cookbook\n\nRecipes.\n',
            "retrieval/agent/app.py": FASTAPI_APP,
        },
        "retrieval/agent/app.py",
        "example",
        "a repository of examples: its README's title says cookbook",
    ),
    "example-repository-by-an-html-title": (
        {
            "README.md": '<div align="center">\n<h1 align="center">\n'
            '  <img src="logo.svg"> Ranker Quickstarts\n</h1>\n',
            "chat/bot.py": MODULE,
        },
        "chat/bot.py",
        "example",
        "its README's title says quickstarts",
    ),
    "example-repository-by-an-underlined-title": (
        {"README.rst": "Ranker samples\n==============\n\nText.\n", "batch/score.py": MODULE},
        "batch/score.py",
        "example",
        "its README's title says samples",
    ),
    "example-repository-project-of-its-own": (
        {
            "README.md": "# Agent Samples\n",
            "agents/travel/pyproject.toml": LIBRARY_PYPROJECT,
            "agents/travel/ranker/__init__.py": "",
            "agents/travel/ranker/agent.py": MODULE,
        },
        "agents/travel/ranker/agent.py",
        "example",
        "its README's title says samples",
    ),
    "not-example-repository-its-root-package": (
        {
            "README.md": "# Ranker Cookbook\n",
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/stages.py": MODULE,
        },
        "ranker/stages.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-example-repository-word-below-the-title": (
        {"README.md": "# Ranker\n\n## Examples\n\nSee the examples.\n", "api/app.py": FASTAPI_APP},
        "api/app.py",
        "service",
        "imports fastapi",
    ),
    "not-example-repository-word-inside-a-word": (
        {"README.md": "```\n# examples\n```\n\n# Democratizing Ranking\n", "api/app.py": FASTAPI_APP},
        "api/app.py",
        "service",
        "imports fastapi",
    ),
    "not-example-repository-readme-of-a-directory": (
        {"docs/README.md": "# Cookbook\n", "api/app.py": FASTAPI_APP},
        "api/app.py",
        "service",
        "imports fastapi",
    ),
    "not-example-examples-data-inside-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/few_shot_examples/__init__.py": "",
            "ranker/few_shot_examples/pairs.py": MODULE,
        },
        "ranker/few_shot_examples/pairs.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "script-tree-named-for-what-it-processes": (
        {"vision/corpus_cleaning_scripts/dedup/near_duplicates.py": MODULE},
        "vision/corpus_cleaning_scripts/dedup/near_duplicates.py",
        "script",
        "path corpus_cleaning_scripts/ (a tree of scripts outside any package)",
    ),
    "script-tree-named-for-a-benchmark": (
        {"video-edit-Bench/judges/vision_judge.py": MODULE},
        "video-edit-Bench/judges/vision_judge.py",
        "script",
        "path video-edit-Bench/ (a benchmark's tree outside any package)",
    ),
    # A library's own package named for what it measures is its code.
    "library-package-named-for-a-benchmark": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "detkit_benchmark/__init__.py": "",
            "detkit_benchmark/modeling/__init__.py": "",
            "detkit_benchmark/modeling/backbone.py": MODULE,
        },
        "detkit_benchmark/modeling/backbone.py",
        "library",
        "in a distributable package",
    ),
    "script-tree-of-an-evaluation": (
        {"evaluation/ChartQA/run_chartqa.py": MODULE, "evaluation/ChartQA/utils.py": MODULE},
        "evaluation/ChartQA/utils.py",
        "script",
        "path evaluation/ (an evaluation's tree outside any package)",
    ),
    "script-tree-named-for-an-evaluation": (
        {"video-eval_suite/tasks/temporal.py": MODULE},
        "video-eval_suite/tasks/temporal.py",
        "script",
        "path video-eval_suite/ (an evaluation's tree outside any package)",
    ),
    # An evaluation framework's own package, and a word that only contains the letters.
    "not-script-evaluation-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/evaluation/__init__.py": "",
            "ranker/evaluation/metrics.py": MODULE,
        },
        "ranker/evaluation/metrics.py",
        "library",
        "pyproject.toml builds a package",
    ),
    # An application's evaluation package, beside the package its containers run: its harness.
    "script-an-evaluation-package-beside-a-deployed-app": (
        {
            "api/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app"]\n',
            "api/app/__init__.py": "",
            "api/app/main.py": MODULE,
            "evaluation/__init__.py": "",
            "evaluation/runners/__init__.py": "",
            "evaluation/runners/model_runner.py": MODULE,
        },
        "evaluation/runners/model_runner.py",
        "script",
        "path evaluation/ (a harness beside the application api/Dockerfile runs)",
    ),
    # The containers run the evaluation package itself: it serves.
    "not-script-an-evaluation-package-the-containers-run": (
        {
            "Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "evals.server"]\n',
            "evals/__init__.py": "",
            "evals/server.py": MODULE,
            "evals/judges.py": MODULE,
        },
        "evals/judges.py",
        "service",
        "no distributable",
    ),
    "not-script-a-top-level-evaluation-package": (
        {"vision_eval/__init__.py": "", "vision_eval/models/judge.py": MODULE},
        "vision_eval/models/judge.py",
        "service",
        "no distributable",
    ),
    # A package's tools/ holds the programs it ships (its other modules there are its code:
    # library-tools-inside-package).
    "script-a-packages-tool": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/tools/__init__.py": "",
            "ranker/tools/merge_heads.py": MODULE + "\n\nif __name__ == '__main__':\n    main()\n",
        },
        "ranker/tools/merge_heads.py",
        "script",
        '`if __name__ == "__main__"` in a package\'s tools/ (a program it ships)',
    ),
    # A package's command line is its product's interface, not a tool beside it.
    "not-script-a-packages-cli-program": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/cli/__init__.py": "",
            "ranker/cli/preprocess.py": MODULE + "\n\nif __name__ == '__main__':\n    main()\n",
        },
        "ranker/cli/preprocess.py",
        "library",
        "pyproject.toml builds a package",
    ),
    # A parser built as the module is imported, read by its `__main__` guard: a program, inside a
    # package too; built in a function, or with no guard to read it, it says nothing.
    "script-a-module-building-its-parser": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/scoring/__init__.py": "",
            "ranker/scoring/sweep.py": (
                "import argparse\n\nparser = argparse.ArgumentParser()\nparser.add_argument('--shots')\n\n"
                + MODULE
                + "\n\nif __name__ == '__main__':\n    score(parser.parse_args().shots)\n"
            ),
        },
        "ranker/scoring/sweep.py",
        "script",
        '`if __name__ == "__main__"` with a parser built at module level (`argparse.ArgumentParser`)',
    ),
    "not-script-a-parser-built-in-a-function": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/scoring/__init__.py": "",
            "ranker/scoring/sweep.py": (
                "import argparse\n\ndef arguments():\n    parser = argparse.ArgumentParser()\n"
                "    return parser.parse_args()\n\n"
                + MODULE
                + "\n\nif __name__ == '__main__':\n    score(arguments())\n"
            ),
        },
        "ranker/scoring/sweep.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-script-a-shared-parser-without-a-guard": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/options.py": (
                "from transformers import HfArgumentParser\n\nparser = HfArgumentParser(())\n"
            ),
        },
        "ranker/options.py",
        "library",
        "pyproject.toml builds a package",
    ),
    # A module whose user types at its prompt in a loop is an interactive terminal program,
    # inside a package too; a demo loop under its `__main__` guard, a single confirmation, or an
    # `input` the module binds itself says nothing.
    "script-an-interactive-chat-loop": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/serve/__init__.py": "",
            "ranker/serve/chat.py": (
                "def main(model):\n    while True:\n        question = input('you: ')\n"
                "        print(model(question))\n\n\nif __name__ == '__main__':\n    main(print)\n"
            ),
        },
        "ranker/serve/chat.py",
        "script",
        "reads its user's console input in a loop (`input(...)` in a `while`)",
    ),
    "not-script-a-console-demo-under-the-guard": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/chat.py": (
                MODULE + "\n\nif __name__ == '__main__':\n    while True:\n        print(score([input()]))\n"
            ),
        },
        "ranker/chat.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-script-a-single-confirmation": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/cache.py": (
                "def clear(paths):\n    if input('delete? ') == 'y':\n        while paths:\n"
                "            paths.pop()\n"
            ),
        },
        "ranker/cache.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-script-its-own-input": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/stream.py": "def drain(input):\n    while True:\n        yield input()\n",
        },
        "ranker/stream.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-script-a-retrieval-tree": (
        {"app/retrieval/search.py": MODULE},
        "app/retrieval/search.py",
        "service",
        "no distributable",
    ),
    "not-script-benchmark-module-inside-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/long_bench/__init__.py": "",
            "ranker/long_bench/tasks.py": MODULE,
        },
        "ranker/long_bench/tasks.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-script-a-workbench": (
        {"app/workbench/panel.py": MODULE},
        "app/workbench/panel.py",
        "service",
        "no distributable",
    ),
    "not-script-scripts-module-inside-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/launch_scripts/__init__.py": "",
            "ranker/launch_scripts/slurm.py": MODULE,
        },
        "ranker/launch_scripts/slurm.py",
        "library",
        "pyproject.toml builds a package",
    ),
    "not-example-sample-weights": (
        {"app/sample_weights.py": MODULE},
        "app/sample_weights.py",
        "service",
        "no distributable",
    ),
    # script
    "script-dir": ({"scripts/backfill.py": MODULE}, "scripts/backfill.py", "script", "path scripts/"),
    "script-benchmarks": (
        {"benchmarks/latency.py": MODULE},
        "benchmarks/latency.py",
        "script",
        "path benchmarks/",
    ),
    # A benchmark package at the top of a repository holds programs; one inside a package is the
    # package's code (an evaluation framework's scenarios).
    "script-benchmarks-package-at-the-top": (
        {"benchmarks/__init__.py": "", "benchmarks/latency.py": MODULE},
        "benchmarks/latency.py",
        "script",
        "path benchmarks/",
    ),
    "library-benchmark-subpackage": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "src/ranker/__init__.py": "",
            "src/ranker/benchmark/__init__.py": "",
            "src/ranker/benchmark/scenarios/__init__.py": "",
            "src/ranker/benchmark/scenarios/qa.py": MAIN,
        },
        "src/ranker/benchmark/scenarios/qa.py",
        "library",
        "in a distributable package",
    ),
    "script-dunder-main": (
        {"pyproject.toml": LIBRARY_PYPROJECT, "ranker/__init__.py": "", "ranker/__main__.py": MAIN},
        "ranker/__main__.py",
        "script",
        "name __main__.py",
    ),
    "script-main-guard": ({"train.py": MAIN}, "train.py", "script", "outside any package"),
    "script-top-tools": ({"tools/release.py": MODULE}, "tools/release.py", "script", "top-level tools/"),
    # A package the project's packaging leaves out of what it ships is no library code.
    "script-tools-left-out-of-find-packages": (
        {
            "setup.py": SETUP_EXCLUDING_TOOLS,
            "vidgen/__init__.py": "",
            "tools/__init__.py": "",
            "tools/caption/__init__.py": "",
            "tools/caption/caption_frames.py": MAIN,
        },
        "tools/caption/caption_frames.py",
        "script",
        "top-level tools/ outside any package (setup.py leaves it out of find_packages)",
    ),
    "library-beside-left-out-tools": (
        {
            "setup.py": SETUP_EXCLUDING_TOOLS,
            "vidgen/__init__.py": "",
            "vidgen/utils/__init__.py": "",
            "vidgen/utils/ckpt.py": MODULE,
            "tools/__init__.py": "",
        },
        "vidgen/utils/ckpt.py",
        "library",
        "in a distributable package: setup.py builds a package",
    ),
    "not-library-outside-included-packages": (
        {
            "setup.py": "from setuptools import find_packages, setup\n\n"
            'setup(name="vidgen", packages=find_packages(include=["vidgen", "vidgen.*"]))\n',
            "vidgen/__init__.py": "",
            "labs/__init__.py": "",
            "labs/probe.py": MODULE,
        },
        "labs/probe.py",
        "service",
        "no distributable package",
    ),
    # find_packages() enters a directory only through its `__init__.py`: a package beneath a
    # directory without one is not shipped; find_namespace_packages() and a `package_dir` mapping
    # find it.
    "not-library-beneath-a-directory-find-packages-skips": (
        {
            "setup.py": FIND_ALL_SETUP,
            **RESEARCH_BESIDE_PACKAGE,
        },
        "research/detector/head.py",
        "service",
        "no distributable package",
    ),
    "library-find-packages-through-packages": (
        {
            "setup.py": FIND_ALL_SETUP,
            "vidgen/__init__.py": "",
            "vidgen/detector/__init__.py": "",
            "vidgen/detector/head.py": MODULE,
        },
        "vidgen/detector/head.py",
        "library",
        "in a distributable package: setup.py builds a package",
    ),
    "library-find-namespace-packages-beneath-a-plain-directory": (
        {
            "setup.py": FIND_ALL_SETUP.replace("find_packages", "find_namespace_packages"),
            **RESEARCH_BESIDE_PACKAGE,
        },
        "research/detector/head.py",
        "library",
        "in a distributable package: setup.py builds a package",
    ),
    "library-find-packages-with-a-package-dir": (
        {
            "setup.py": FIND_ALL_SETUP.replace("find_packages()", 'find_packages(), package_dir={"": "."}'),
            **RESEARCH_BESIDE_PACKAGE,
        },
        "research/detector/head.py",
        "library",
        "in a distributable package: setup.py builds a package",
    ),
    "script-tools-left-out-by-pyproject": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT + '\n[tool.setuptools.packages.find]\nexclude = ["tools*"]\n',
            **TOOLS_BESIDE_PACKAGE,
        },
        "tools/export.py",
        "script",
        "[tool.setuptools.packages.find] leaves it out",
    ),
    # A finder given a root (`where = ["backend"]`) ships the packages under it alone: a package
    # beside that root is in no wheel (an evaluation harness beside an application's backend).
    "library-under-the-finders-root": (
        {
            "pyproject.toml": SEARCH_ROOT_PYPROJECT,
            "backend/app/__init__.py": "",
            "backend/app/rag/__init__.py": "",
            "backend/app/rag/ingest.py": MODULE,
        },
        "backend/app/rag/ingest.py",
        "library",
        "in a distributable package: pyproject.toml builds a package",
    ),
    "script-evaluation-beside-the-finders-root": (
        {
            "pyproject.toml": SEARCH_ROOT_PYPROJECT,
            "backend/app/__init__.py": "",
            "evaluation/__init__.py": "",
            "evaluation/runners.py": MODULE,
        },
        "evaluation/runners.py",
        "script",
        "path evaluation/ (an evaluation's tree outside any package)",
    ),
    # `where = ["."]` is the project itself: its exclusions still apply, its packages still ship.
    "script-tools-left-out-under-a-dot-root": (
        {"pyproject.toml": DOT_ROOT_PYPROJECT, **TOOLS_BESIDE_PACKAGE},
        "tools/export.py",
        "script",
        "[tool.setuptools.packages.find] leaves it out",
    ),
    "library-under-a-dot-root": (
        {
            "pyproject.toml": DOT_ROOT_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/scores/__init__.py": "",
            "ranker/scores/rank.py": MODULE,
        },
        "ranker/scores/rank.py",
        "library",
        "in a distributable package: pyproject.toml builds a package",
    ),
    "not-library-beside-the-finders-root": (
        {
            "pyproject.toml": SEARCH_ROOT_PYPROJECT,
            "backend/app/__init__.py": "",
            "worker/__init__.py": "",
            "worker/jobs.py": MODULE,
        },
        "worker/jobs.py",
        "service",
        "no distributable package",
    ),
    # A module that reads the command line as it is imported is run, not imported; one that
    # parses arguments inside a function is whatever the rest says.
    "script-arguments-at-module-level": (
        {
            "study/label_pairs.py": (
                "import argparse\n\nparser = argparse.ArgumentParser()\nargs = parser.parse_args()\n"
            )
        },
        "study/label_pairs.py",
        "script",
        "command-line arguments read at module level (`parser.parse_args`)",
    ),
    # `sys.argv` read by the module's own statements, in a package or not; inside a function it
    # says nothing.
    "script-argv-at-module-level": (
        {"study/merge_scores.py": "import sys\n\nROOT = sys.argv[1]\nprint(ROOT)\n"},
        "study/merge_scores.py",
        "script",
        "command-line arguments read at module level (`sys.argv`)",
    ),
    "script-argv-in-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/merge.py": "import sys\n\nif len(sys.argv) > 1:\n    print(sys.argv[1])\n",
        },
        "ranker/merge.py",
        "script",
        "(`sys.argv`)",
    ),
    # In a package, the command line read under a `__main__` guard leaves the module importable.
    "not-script-argv-under-a-main-guard-in-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/merge.py": "import sys\n\nif __name__ == '__main__':\n    print(sys.argv[1])\n",
        },
        "ranker/merge.py",
        "library",
        "in a distributable package",
    ),
    "not-script-argv-in-a-function": (
        {"study/merge_scores.py": "import sys\n\n\ndef root():\n    return sys.argv[1]\n"},
        "study/merge_scores.py",
        "service",
        "no distributable",
    ),
    "script-fire-in-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/sweep.py": MODULE + "fire.Fire(main)\n",
        },
        "ranker/sweep.py",
        "script",
        "(`fire.Fire`)",
    ),
    # A module that writes files as it is imported (a dataset converted and saved, in a loop or
    # not) is run; one that writes inside its functions, or reads at module level, is whatever the
    # rest says, and inside a package the package's.
    "script-writes-files-at-module-level": (
        {
            "data_prep/pairs.py": (
                "import json\n\nrows = [{'q': 1}]\nfor split in ('train', 'test'):\n"
                "    with open(\n        f'{split}.jsonl', mode='w'\n    ) as out:\n"
                "        out.write(json.dumps(rows))\n"
            )
        },
        "data_prep/pairs.py",
        "script",
        "writes files at module level",
    ),
    # A model fetched and saved as the module is imported: a one-off program.
    "script-saves-a-model-at-module-level": (
        {
            "fetch/get_model.py": (
                "from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained('org/m')\n"
                "model.save_pretrained('checkpoints/m')\n"
            )
        },
        "fetch/get_model.py",
        "script",
        "writes files at module level (`.save_pretrained(...)` outside any function)",
    ),
    # Images generated and saved as the module is imported: a program run for its output.
    "script-saves-images-at-module-level": (
        {
            "generate_images.py": (
                "from diffusers import DiffusionPipeline\n\n"
                "pipe = DiffusionPipeline.from_pretrained('org/m')\n"
                "for i, image in enumerate(pipe('a cat').images):\n    image.save(f'result_{i}.png')\n"
            )
        },
        "generate_images.py",
        "script",
        "writes files at module level (`.save(...)` outside any function)",
    ),
    # Weights converted and saved under a path the code joins: the file name ends the join.
    "script-saves-weights-under-a-joined-path": (
        {
            "convert/merge_shards.py": (
                "import os\nimport torch\n\nstate = {}\nfor i in range(2):\n"
                "    state.update(torch.load(os.path.join('in', f'part-{i}.bin')))\n"
                "torch.save(state, os.path.join('out', 'merged.pt'))\n"
            )
        },
        "convert/merge_shards.py",
        "script",
        "writes files at module level (`.save(...)` outside any function)",
    ),
    "script-saves-an-image-under-a-path-divided": (
        {
            "render_grid.py": (
                "from pathlib import Path\nfrom PIL import Image\n\n"
                "Image.new('RGB', (8, 8)).save(Path('out') / 'grid.png')\n"
            )
        },
        "render_grid.py",
        "script",
        "writes files at module level (`.save(...)` outside any function)",
    ),
    # A record saved at module level writes no file the code names.
    "not-script-a-record-saved-under-a-joined-name": (
        {
            "seed_admin.py": (
                "from app.models import User\n\nUser(name='/'.join(['a', 'b'])).save(', '.join(['x']))\n"
            )
        },
        "seed_admin.py",
        "service",
        "no distributable",
    ),
    # A record saved at module level writes no file the code names.
    "not-script-a-record-saved-at-module-level": (
        {"seed_admin.py": "from app.models import User\n\nadmin = User(name='admin')\nadmin.save()\n"},
        "seed_admin.py",
        "service",
        "no distributable",
    ),
    # A model asked and its answer printed as the module is imported: run for its output.
    "script-prints-an-answer-at-module-level": (
        {
            "ask_model.py": (
                "from transformers import pipeline\n\nask = pipeline('text-generation', model='org/m')\n"
                "for prompt in ('a', 'b'):\n    print(ask(prompt)[0]['generated_text'])\n"
            )
        },
        "ask_model.py",
        "script",
        "shows results at module level (`print(...)` outside any function)",
    ),
    "script-shows-a-plot-at-module-level": (
        {"plots/loss_curve.py": "import matplotlib.pyplot as plt\n\nplt.plot([3, 2, 1])\nplt.show()\n"},
        "plots/loss_curve.py",
        "script",
        "shows results at module level (`.show()` outside any function)",
    ),
    # A fixed message, a warning in a handler or a branch, a print in a function or in a
    # package: nothing says the module is run for its output.
    "not-script-prints-a-constant-message": (
        {"worker_setup.py": "print('loading settings')\nprint(f'done')\nLIMIT = 3\n"},
        "worker_setup.py",
        "service",
        "no distributable",
    ),
    "not-script-prints-in-a-handler-or-branch": (
        {
            "answer_cache.py": (
                "import os\n\ntry:\n    import redis\nexcept ImportError as error:\n    print(error)\n"
                "if not os.environ.get('CACHE_URL'):\n    print(os.environ.get('CACHE_HOST'))\n"
            )
        },
        "answer_cache.py",
        "service",
        "no distributable",
    ),
    "not-script-prints-in-a-function": (
        {"report.py": "def show(rows):\n    print(rows)\n    rows.plot().show()\n"},
        "report.py",
        "service",
        "no distributable",
    ),
    "not-script-prints-at-module-level-in-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/banner.py": "import sys\n\nprint(sys.version)\n",
        },
        "ranker/banner.py",
        "library",
        "in a distributable package",
    ),
    "not-script-writes-in-a-function": (
        {
            "data_prep/pairs.py": (
                "import json\n\nwith open('rows.json') as source:\n    ROWS = json.load(source)\n\n\n"
                "def save(path):\n    json.dump(ROWS, open(path, 'w'))\n"
            )
        },
        "data_prep/pairs.py",
        "service",
        "no distributable",
    ),
    "not-script-writes-at-module-level-in-a-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/stats.py": "import json\n\njson.dump({}, open('stats.json', 'w'))\n",
        },
        "ranker/stats.py",
        "library",
        "in a distributable package",
    ),
    "not-script-arguments-in-a-function": (
        {"study/label_pairs.py": "def cli(parser):\n    args = parser.parse_args()\n    return args\n"},
        "study/label_pairs.py",
        "service",
        "no distributable",
    ),
    "script-entry-point": (
        {"pyproject.toml": CLI_PYPROJECT, "ranker/__init__.py": "", "ranker/cli.py": MODULE},
        "ranker/cli.py",
        "script",
        "entry point ranker.cli",
    ),
    "script-ci-program": (
        {".github/actions/conformance/client.py": MAIN},
        ".github/actions/conformance/client.py",
        "script",
        "a CI program under .github/",
    ),
    "script-hidden-tooling": (
        {
            ".kiro/specs/ranking/retune.py": (
                "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n\nasyncio.run(main())\n"
            )
        },
        ".kiro/specs/ranking/retune.py",
        "script",
        "path .kiro/ (a hidden directory: the repository's own tooling)",
    ),
    "script-hidden-agent-skill": (
        {"app/.claude/skills/report/render.ts": "export const render = () => 1;\n"},
        "app/.claude/skills/report/render.ts",
        "script",
        "path .claude/ (a hidden directory",
    ),
    "not-script-hidden-service": (
        {".serverless/handler.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"},
        ".serverless/handler.py",
        "service",
        "imports fastapi",
    ),
    "script-unimportable-name": (
        {"setup-index.py": "import weaviate\n\nweaviate.Client().schema.delete_all()\n"},
        "setup-index.py",
        "script",
        "file name setup-index.py is no module name",
    ),
    "not-script-module-name": (
        {"setup_index.py": "import weaviate\n\nweaviate.Client().schema.delete_all()\n"},
        "setup_index.py",
        "service",
        "no distributable",
    ),
    "script-shell": ({"deploy.sh": "echo ok\n"}, "deploy.sh", "script", "shell script"),
    # docs
    "docs-sphinx-conf": ({"docs/conf.py": "project = 'ranker'\n"}, "docs/conf.py", "docs", "path docs/"),
    "docs-mkdocs": ({"mkdocs.yml": "site_name: ranker\n"}, "mkdocs.yml", "docs", "mkdocs.yml"),
    # generated
    "generated-editor-history": (
        {"ranker/__init__.py": "", ".history/ranker/score_20231022213139.py": MODULE},
        ".history/ranker/score_20231022213139.py",
        "generated",
        "path .history/ (an editor's local history: copies of files, not code)",
    ),
    "generated-notebook-checkpoint": (
        {"notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb": '{"cells": [], "nbformat": 4}'},
        "notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb",
        "generated",
        "path .ipynb_checkpoints/ (Jupyter's autosaved checkpoints: copies of files, not code)",
    ),
    "generated-build-output": (
        {
            "setup.py": "from setuptools import setup\nsetup(name='ranker')\n",
            "build/lib/ranker/score.py": MODULE,
        },
        "build/lib/ranker/score.py",
        "generated",
        "path build/lib/ (a package build's copy of its sources)",
    ),
    "generated-build-output-of-a-platform": (
        {"build/lib.linux-x86_64-cpython-311/ranker/_ext.py": MODULE},
        "build/lib.linux-x86_64-cpython-311/ranker/_ext.py",
        "generated",
        "path build/lib.linux-x86_64-cpython-311/",
    ),
    "not-generated-build-scripts": (
        {"build/release.py": MODULE, "build/library/notes.py": MODULE},
        "build/library/notes.py",
        "service",
        "no distributable package",
    ),
    "generated-protobuf": (
        {"api/ranker_pb2.py": MODULE},
        "api/ranker_pb2.py",
        "generated",
        "generated file name",
    ),
    "generated-header": (
        {"app/migrations/0002_auto.py": "# Generated by Django 5.0 on 2024-05-01 10:00\n" + MODULE},
        "app/migrations/0002_auto.py",
        "generated",
        "generated by",
    ),
    "generated-do-not-edit": (
        {"client/api.go": "// Code generated by oapi-codegen. DO NOT EDIT.\npackage client\n"},
        "client/api.go",
        "generated",
        "do not edit",
    ),
    "not-generated-mention": (
        {"app/clean.py": "# Cleans text generated by the model before display.\n" + MODULE},
        "app/clean.py",
        "service",
        "no distributable",
    ),
    # vendored
    "vendored-third-party": (
        {"third_party/tok/bpe.py": MODULE},
        "third_party/tok/bpe.py",
        "vendored",
        "third_party/",
    ),
    "vendored-3rdparty": (
        {"3rdparty/matcher/assign.py": MODULE},
        "3rdparty/matcher/assign.py",
        "vendored",
        "path 3rdparty/",
    ),
    # `external/` that is no package keeps other projects' code; a package's `external/` module
    # is its own code (integrations with external services).
    "vendored-external-directory": (
        {"tracker/external/refiner/lib/heads.py": MODULE, "tracker/lib/train.py": MODULE},
        "tracker/external/refiner/lib/heads.py",
        "vendored",
        "path external/, no Python package",
    ),
    "not-vendored-an-external-package": (
        {
            "pyproject.toml": LIBRARY_PYPROJECT,
            "ranker/__init__.py": "",
            "ranker/external/__init__.py": "",
            "ranker/external/search.py": MODULE,
        },
        "ranker/external/search.py",
        "library",
        "in a distributable package",
    ),
    "vendored-beats-test": (
        {"vendor/lib/tests/test_x.py": MODULE},
        "vendor/lib/tests/test_x.py",
        "vendored",
        "vendor/",
    ),
    "vendored-repository-imported-whole": (
        {"libs/parsekit/.github/workflows/ci.yml": "on: push\n", "libs/parsekit/parsekit/vision.py": MODULE},
        "libs/parsekit/parsekit/vision.py",
        "vendored",
        "a repository this change imports: its own .github/ added at libs/parsekit/",
    ),
    "vendored-codebase-imported-whole": (
        {
            "ext/retriever/LICENSE": "MIT License\n",
            "ext/retriever/setup.py": "from setuptools import setup\nsetup(name='retriever')\n",
            "ext/retriever/retriever/__init__.py": "",
            **{f"ext/retriever/retriever/stage{i}.py": MODULE for i in range(97)},
        },
        "ext/retriever/retriever/stage0.py",
        "vendored",
        "a repository this change imports: 100 files added with their own LICENSE and packaging at "
        "ext/retriever/",
    ),
    "vendored-codebase-whose-packaging-declares-its-license": (
        {
            "video/sft/pyproject.toml": LIBRARY_PYPROJECT.replace(
                'version = "1.0"', 'version = "1.0"\nlicense = {text = "Apache License 2.0"}'
            ),
            "video/sft/tuner/__init__.py": "",
            **{f"video/sft/tuner/stage{i}.py": MODULE for i in range(99)},
        },
        "video/sft/tuner/stage0.py",
        "vendored",
        "a repository this change imports: 101 files added with their own license in pyproject.toml "
        "and packaging at video/sft/",
    ),
    "vendored-repository-with-its-code-of-conduct": (
        {
            "research/DPR/LICENSE": "MIT License\n",
            "research/DPR/CODE_OF_CONDUCT.md": "# Code of Conduct\n",
            "research/DPR/setup.py": "from setuptools import setup\nsetup(name='dpr')\n",
            "research/DPR/dpr/__init__.py": "",
            "research/DPR/dpr/index.py": MODULE,
        },
        "research/DPR/dpr/index.py",
        "vendored",
        "a repository this change imports: added with its own LICENSE, packaging and "
        "CODE_OF_CONDUCT.md at research/DPR/",
    ),
    "vendored-installed-checkout": (
        {
            "ext/ranker/LICENSE.txt": "Apache License\n",
            "ext/ranker/setup.py": "from setuptools import setup\nsetup(name='ranker')\n",
            "ext/ranker/ranker.egg-info/PKG-INFO": "Name: ranker\n",
            "ext/ranker/ranker/model.py": MODULE,
        },
        "ext/ranker/ranker/model.py",
        "vendored",
        "added with its own LICENSE.txt, packaging and ranker.egg-info at ext/ranker/",
    ),
    # A research repository copied whole without packaging: its license beside its code of conduct.
    "vendored-license-and-code-of-conduct-without-packaging": (
        {
            "models/encoders/ImageKit/LICENSE": "Attribution-NonCommercial 4.0\n",
            "models/encoders/ImageKit/CODE_OF_CONDUCT.md": "# Code of Conduct\n",
            "models/encoders/ImageKit/models/backbone.py": MODULE,
        },
        "models/encoders/ImageKit/models/backbone.py",
        "vendored",
        "added with its own LICENSE and CODE_OF_CONDUCT.md at models/encoders/ImageKit/",
    ),
    # A published package copied into the repository keeps its own `__version__`; the same name
    # for a project's integration module, or the package its own packaging builds, is the
    # project's.
    "vendored-a-copied-package-declaring-its-version": (
        {
            "segmenter/ultralytics/__init__.py": "__version__ = '8.0.120'\n",
            "segmenter/ultralytics/nn/tasks.py": MODULE,
        },
        "segmenter/ultralytics/nn/tasks.py",
        "vendored",
        "a copy of the ultralytics package at segmenter/ultralytics/: it declares its own __version__",
    ),
    "vendored-a-copied-package-importing-its-version": (
        {
            "reward/open_clip/__init__.py": (
                "from .version import __version__\nfrom .factory import create_model\n"
            ),
            "reward/open_clip/factory.py": MODULE,
        },
        "reward/open_clip/factory.py",
        "vendored",
        "a copy of the open_clip package at reward/open_clip/",
    ),
    "not-vendored-an-integration-named-for-its-sdk": (
        {
            "app/__init__.py": "",
            "app/providers/__init__.py": "",
            "app/providers/anthropic/__init__.py": "from .client import Client\n",
            "app/providers/anthropic/client.py": MODULE,
        },
        "app/providers/anthropic/client.py",
        "service",
        "no distributable",
    ),
    "not-vendored-the-package-its-packaging-builds": (
        {
            "libs/ranker/pyproject.toml": LIBRARY_PYPROJECT.replace("ranker", "timm"),
            "libs/ranker/timm/__init__.py": "__version__ = '1.0.0'\n",
            "libs/ranker/timm/layers.py": MODULE,
        },
        "libs/ranker/timm/layers.py",
        "library",
        "in a distributable package",
    ),
    # A package of the monorepo with a code of conduct but no license of its own is the
    # project's own.
    "not-vendored-code-of-conduct-without-license": (
        {
            "libs/ranker/CODE_OF_CONDUCT.md": "# Code of Conduct\n",
            "libs/ranker/pyproject.toml": LIBRARY_PYPROJECT,
            "libs/ranker/ranker/__init__.py": "",
            "libs/ranker/ranker/model.py": MODULE,
        },
        "libs/ranker/ranker/model.py",
        "library",
        "in a distributable package: libs/ranker/pyproject.toml",
    ),
    # A copy keeps its author's license; a repository with no license of its own did not write
    # the licensed project inside it.
    "vendored-licensed-copy-in-an-unlicensed-repository": (
        {
            "speech/clapkit/LICENSE": "CC0 1.0 Universal\n",
            "speech/clapkit/pyproject.toml": LIBRARY_PYPROJECT,
            "speech/clapkit/src/clapkit/__init__.py": "",
            "speech/clapkit/src/clapkit/model.py": MODULE,
        },
        "speech/clapkit/src/clapkit/model.py",
        "vendored",
        "a repository this change imports: added with its own LICENSE and packaging, in a repository "
        "with no license of its own at speech/clapkit/",
    ),
    # A project at the top of an unlicensed repository (its Python SDK beside its JS one) is the
    # repository's own.
    "not-vendored-top-level-project-of-an-unlicensed-repository": (
        {
            "python/LICENSE": "MIT License\n",
            "python/pyproject.toml": LIBRARY_PYPROJECT,
            "python/ranker/__init__.py": "",
            "python/ranker/model.py": MODULE,
        },
        "python/ranker/model.py",
        "library",
        "in a distributable package: python/pyproject.toml",
    ),
    # A monorepo's new package, written in the change: tens of files, its license (the
    # repository's) and packaging.
    "not-vendored-new-package": (
        {
            "LICENSE": "MIT License\n",
            "libs/retriever/LICENSE": "MIT License\n",
            "libs/retriever/pyproject.toml": LIBRARY_PYPROJECT,
            "libs/retriever/ranker/__init__.py": "",
            **{f"libs/retriever/ranker/stage{i}.py": MODULE for i in range(30)},
        },
        "libs/retriever/ranker/stage0.py",
        "library",
        "in a distributable package: libs/retriever/pyproject.toml",
    ),
    "not-vendored-name": ({"app/vendors.py": MODULE}, "app/vendors.py", "service", "no distributable"),
}


def route_roles(run_archbot: RunArchbot) -> dict[str, dict[str, object]]:
    result = run_archbot("route", "--format", "json")
    assert (result.code, result.err) == (0, "")
    return {f["path"]: f["role"] for f in json.loads(result.out)["files"]}


@pytest.mark.parametrize("case", sorted(CASES))
def test_role(case: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    files, path, role, signal = CASES[case]
    for name, text in files.items():
        repo.stage(name, text)

    found = route_roles(run_archbot)[path]

    assert found["role"] == role
    assert any(signal in str(s) for s in found["signals"]), found["signals"]  # type: ignore[attr-defined]


def test_config_overrides_the_role(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", 'roles:\n  "tools/**": library\n  "**/legacy_*.py": vendored\n')
    repo.stage("tools/release.py", MODULE)
    repo.stage("app/legacy_client.py", MODULE)
    repo.stage("app/client.py", MODULE)

    roles = route_roles(run_archbot)

    assert roles["tools/release.py"] == {"role": "library", "signals": ["config roles: tools/**"]}
    assert roles["app/legacy_client.py"] == {"role": "vendored", "signals": ["config roles: **/legacy_*.py"]}
    assert roles["app/client.py"]["role"] == "service"


def test_an_unknown_role_in_config_is_a_usage_error(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", 'roles:\n  "tools/**": scripts\n')
    repo.stage("tools/release.py", MODULE)

    result = run_archbot("route")

    assert result.code == 2
    assert "'roles' has invalid value 'scripts'" in result.err and "did you mean 'script'?" in result.err


def test_route_prints_role_and_signals(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/llm.py", "import openai\n\nclient = openai.OpenAI(timeout=10)\n")

    result = run_archbot("route")

    assert result.code == 0
    block = result.out.split("ranker/llm.py -> ", 1)[1].splitlines()
    assert block[0] == "llm-ml-engineer"
    assert block[1] == "  role: library (in a distributable package: pyproject.toml builds a package)"


def test_the_json_report_carries_roles_and_routing(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("tests/test_llm.py", "import openai\n\nclient = openai.OpenAI(timeout=None)\n")
    repo.stage("app/llm.py", "import openai\n\nclient = openai.OpenAI(timeout=None)\n")

    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    report = json.loads(result.out)
    routed = json.loads(run_archbot("route", "--format", "json").out)["files"]

    roles = report["files"]["roles"]
    assert {path: {k: v for k, v in entry.items() if k != "routing"} for path, entry in roles.items()} == {
        "app/llm.py": {
            "role": "service",
            "signals": ["application code: no distributable package declares it"],
        },
        "tests/test_llm.py": {"role": "test", "signals": ["path tests/"]},
    }
    assert roles["app/llm.py"]["routing"] == {
        "routed_to": "llm-ml-engineer",
        "scores": {
            "llm-ml-engineer": 5.5,
            "senior-ml-systems-architect": 0,
            "ml-system-architect": 0,
            "ml-architecture-expert": 0,
            "ai-architect-agent": 0,
        },
        "signals": {"llm-ml-engineer": ["path **/llm.py", "keyword openai", "imports openai"]},
    }
    # The same decision `archbot route` explains, number for number.
    assert {f["path"]: roles[f["path"]]["routing"] for f in routed} == {
        f["path"]: {"routed_to": f["routed_to"], "scores": f["scores"], "signals": f["signals"]}
        for f in routed
    }
    assert [(f["file"], f["rule"], f["role"]) for f in report["findings"]] == [
        ("app/llm.py", "llm-timeout-disabled", "service")
    ]


def test_an_imported_repository_is_reviewed_once_it_is_edited(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """The change that imports a repository whole (its own .github/) does not review its code as
    the author's; a later change that edits it does."""
    repo.stage("libs/parsekit/.github/workflows/ci.yml", "on: push\n")
    repo.stage("libs/parsekit/parsekit/vision.py", MODULE)
    assert route_roles(run_archbot)["libs/parsekit/parsekit/vision.py"]["role"] == "vendored"
    repo.commit("import parsekit")

    repo.stage("libs/parsekit/parsekit/vision.py", MODULE + "\n\nLIMIT = 3\n")

    assert route_roles(run_archbot)["libs/parsekit/parsekit/vision.py"] == {
        "role": "service",
        "signals": ["application code: no distributable package declares it"],
    }


def test_a_copy_uploaded_in_several_changes_is_vendored(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """Files added to a copy already there (its license, packaging and `*.egg-info/`) are more of
    the copy; a change that also edits a file of it is the author's work there."""
    repo.stage("LICENSE", "Apache License\n")
    repo.stage("critic/EasyTrain/LICENSE", "Apache License\n")
    repo.stage("critic/EasyTrain/setup.py", "from setuptools import setup\nsetup(name='easytrain')\n")
    repo.stage("critic/EasyTrain/easytrain.egg-info/PKG-INFO", "Name: easytrain\n")
    repo.stage("critic/EasyTrain/easytrain/__init__.py", "")
    repo.commit("upload EasyTrain, part 1")

    repo.stage("critic/EasyTrain/easytrain/protocol.py", MODULE)
    repo.stage("critic/EasyTrain/easytrain/workers/actor.py", MODULE)
    roles = route_roles(run_archbot)

    sign = (
        "a repository this change imports: added with its own LICENSE, packaging and easytrain.egg-info "
        "at critic/EasyTrain/"
    )
    assert roles["critic/EasyTrain/easytrain/protocol.py"] == {"role": "vendored", "signals": [sign]}
    assert roles["critic/EasyTrain/easytrain/workers/actor.py"] == {"role": "vendored", "signals": [sign]}

    repo.commit("upload EasyTrain, part 2")
    repo.stage("critic/EasyTrain/easytrain/protocol.py", MODULE + "\n\nLIMIT = 3\n")
    repo.stage("critic/EasyTrain/easytrain/reward.py", MODULE)
    roles = route_roles(run_archbot)

    assert roles["critic/EasyTrain/easytrain/protocol.py"]["role"] == "library"
    assert roles["critic/EasyTrain/easytrain/reward.py"]["role"] == "library"


def test_an_update_of_a_whole_copied_repository_is_vendored(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A change rewriting a hundred files of a copied repository at once (an update from upstream)
    brings another project's code as its import did; an edit of a few files there is the
    author's. A monorepo package (its own license and packaging, no .github/ or code of conduct)
    rewritten as widely stays the project's."""
    repo.stage("deps/tokkit/.github/workflows/ci.yml", "on: push\n")
    repo.stage("deps/tokkit/LICENSE", "MIT License\n")
    repo.stage("libs/ranker/LICENSE", "MIT License\n")
    repo.stage("libs/ranker/pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("libs/ranker/ranker/__init__.py", "")
    for i in range(99):
        repo.stage(f"deps/tokkit/tokkit/part{i}.py", MODULE)
        repo.stage(f"libs/ranker/ranker/part{i}.py", MODULE)
    repo.commit("import tokkit, write ranker")

    for i in range(99):
        repo.stage(f"deps/tokkit/tokkit/part{i}.py", MODULE + f"\n\nLIMIT = {i}\n")
        repo.stage(f"libs/ranker/ranker/part{i}.py", MODULE + f"\n\nLIMIT = {i}\n")
    repo.stage("deps/tokkit/tokkit/added.py", MODULE)
    roles = route_roles(run_archbot)

    assert roles["deps/tokkit/tokkit/part7.py"] == {
        "role": "vendored",
        "signals": [
            "a repository this change imports: an update of 100 files to its copy with its own .github/ "
            "at deps/tokkit/"
        ],
    }
    assert roles["libs/ranker/ranker/part7.py"]["role"] == "library"

    repo.commit("update tokkit")
    repo.stage("deps/tokkit/tokkit/part7.py", MODULE + "\n\nLIMIT = 70\n")

    assert route_roles(run_archbot)["deps/tokkit/tokkit/part7.py"]["role"] == "service"


REMOTE_LOADER = (
    "from transformers import AutoModel\n\n\n"
    "def load(path):\n    return AutoModel.from_pretrained(path, trust_remote_code=True)\n"
)


def reported(run_archbot: RunArchbot, *source: str) -> list[tuple[str, int, str]]:
    result = run_archbot("review", *source, "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    return sorted((f["file"], f["line"], f["rule"]) for f in places(json.loads(result.out)))


@pytest.mark.parametrize("committed", [False, True], ids=["staged", "range"])
def test_a_bulk_copy_of_the_repository_own_code_is_vendored(
    committed: bool, repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A change copying a hundred of the repository's own files at once (a directory duplicated
    or reorganized) adds no code of its own: its exact copies are vendored and say nothing. A
    file it edits while copying is the change's; so are a few files copied to start a variant."""
    for i in range(100):
        repo.stage(f"v1/stage{i}.py", MODULE + f"\nSTAGE = {i}\n")
    repo.stage("v1/loader.py", REMOTE_LOADER)
    repo.stage("v1/__init__.py", "")
    repo.commit("v1")
    for i in range(100):
        repo.stage(f"v2/stage{i}.py", MODULE + f"\nSTAGE = {i}\n")
    repo.stage("v2/loader.py", REMOTE_LOADER)
    repo.stage("v2/stage0.py", MODULE + "\nSTAGE = 'edited'\n")
    repo.stage("v2/edited_loader.py", REMOTE_LOADER + "\nLIMIT = 1\n")
    source = ("--base", "HEAD~1") if committed else ()
    if committed:
        repo.commit("v2")

    found = route_roles(run_archbot) if not committed else None
    findings = reported(run_archbot, *source)

    if found is not None:
        assert found["v2/loader.py"] == {
            "role": "vendored",
            "signals": ["an exact copy of v1/loader.py, one of 100 files this change copies"],
        }
        assert found["v2/stage0.py"]["role"] == "service"
    assert findings == [("v2/edited_loader.py", 5, "trust-remote-code")]


def test_a_few_files_copied_are_the_change_own(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("v1/loader.py", REMOTE_LOADER)
    for i in range(120):
        repo.stage(f"v1/stage{i}.py", MODULE + f"\nSTAGE = {i}\n")
    repo.commit("v1")
    repo.stage("v3/loader.py", REMOTE_LOADER)
    for i in range(120):
        repo.stage(f"v3/new{i}.py", MODULE + f"\nNEW = {i}\n")

    assert route_roles(run_archbot)["v3/loader.py"]["role"] == "service"
    assert reported(run_archbot) == [("v3/loader.py", 5, "trust-remote-code")]


def test_an_update_of_a_copy_with_its_code_of_conduct_is_vendored(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.stage("research/DPR/LICENSE", "MIT License\n")
    repo.stage("research/DPR/CODE_OF_CONDUCT.md", "# Code of Conduct\n")
    repo.stage("research/DPR/setup.py", "from setuptools import setup\nsetup(name='dpr')\n")
    for i in range(100):
        repo.stage(f"research/DPR/dpr/stage{i}.py", MODULE)
    repo.commit("import DPR")

    for i in range(100):
        repo.stage(f"research/DPR/dpr/stage{i}.py", MODULE + f"\n\nLIMIT = {i}\n")

    assert route_roles(run_archbot)["research/DPR/dpr/stage3.py"] == {
        "role": "vendored",
        "signals": [
            "a repository this change imports: an update of 100 files to its copy with its own LICENSE, "
            "packaging and CODE_OF_CONDUCT.md at research/DPR/"
        ],
    }


def test_a_copied_repository_moved_unchanged_is_vendored(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A copy moved elsewhere (its license and code of conduct renamed unchanged) arrives there as
    an import does: a file the change adds to it is more of the copy. A moved file edited on the
    way is the author's work there, so the copy's files are reviewed."""
    repo.stage("code/Embedder/LICENSE", "MIT License\n")
    repo.stage("code/Embedder/CODE_OF_CONDUCT.md", "# Code of Conduct\n")
    repo.stage("code/Embedder/data.py", MODULE)
    repo.commit("embedder")
    (repo.path / "app/encoders").mkdir(parents=True)
    repo.git("mv", "code/Embedder", "app/encoders/Embedder")
    repo.stage("app/encoders/Embedder/models/embedder_model.py", MODULE + "\n\nWIDTH = 512\n")

    assert route_roles(run_archbot)["app/encoders/Embedder/models/embedder_model.py"] == {
        "role": "vendored",
        "signals": [
            "a repository this change imports: added with its own LICENSE and CODE_OF_CONDUCT.md "
            "at app/encoders/Embedder/"
        ],
    }

    repo.stage("app/encoders/Embedder/data.py", MODULE + "\n\nLIMIT = 3\n")

    assert route_roles(run_archbot)["app/encoders/Embedder/models/embedder_model.py"]["role"] == "service"


def test_a_change_cannot_mark_its_own_code_generated(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A `.gitattributes` line the change under review adds is not read (a change cannot silence
    itself, as a pull request cannot change the config it is reviewed with); once committed, it is
    the repository's word."""
    repo.stage(".gitattributes", "*.png binary\n")
    repo.commit("attributes")
    repo.stage(".gitattributes", "*.png binary\napp/** linguist-generated\n")
    repo.stage("app/llm.py", MODULE)

    assert route_roles(run_archbot)["app/llm.py"] == {
        "role": "service",
        "signals": ["application code: no distributable package declares it"],
    }

    repo.commit("mark app generated")
    repo.stage("app/llm.py", MODULE + "\n\nLIMIT = 3\n")

    assert route_roles(run_archbot)["app/llm.py"] == {
        "role": "generated",
        "signals": [".gitattributes: app/** linguist-generated"],
    }


# The repository's own word, for GitHub Linguist: (.gitattributes path, its text, file, role, signal).
LINGUIST: dict[str, tuple[str, str, str, str, str]] = {
    "generated": (
        ".gitattributes",
        "*.py text\napi/client/** linguist-generated=true\n",
        "api/client/models.py",
        "generated",
        ".gitattributes: api/client/** linguist-generated=true",
    ),
    "vendored-by-name": (
        ".gitattributes",
        "*_upstream.py linguist-vendored\n",
        "app/ranker_upstream.py",
        "vendored",
        ".gitattributes: *_upstream.py linguist-vendored",
    ),
    "nested": (
        "sdk/.gitattributes",
        "client/** linguist-generated\n",
        "sdk/client/api.py",
        "generated",
        "sdk/.gitattributes: client/** linguist-generated",
    ),
    "unset-by-a-later-line": (
        ".gitattributes",
        "lib/** linguist-vendored\nlib/ranker/** -linguist-vendored\n",
        "lib/ranker/core.py",
        "service",
        "application code: no distributable package declares it",
    ),
}


@pytest.mark.parametrize("case", sorted(LINGUIST))
def test_linguist_attributes_give_a_role(case: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    attributes, text, path, role, signal = LINGUIST[case]
    repo.stage(attributes, text)
    repo.commit("attributes")
    repo.stage(path, MODULE)

    assert route_roles(run_archbot)[path] == {"role": role, "signals": [signal]}
