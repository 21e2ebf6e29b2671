import json
from pathlib import Path

from openai import AsyncOpenAI

LOCALES = Path(__file__).parent / "locales"


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text()))


def section_strings(section: str) -> dict[str, str]:
    return _read(LOCALES / section / "strings.json")


def locale_strings(section: str, language: str) -> dict[str, str]:
    for name in ("strings.json", "fallback.json"):
        path = LOCALES / section / name
        if path.exists():
            strings = json.loads(path.read_text()).get(language, {})
            if isinstance(strings, dict):
                return strings
    return {}


def case_texts(section: str, case_names: list[str]) -> list[str]:
    texts = []
    for name in case_names:
        case = Path(LOCALES, section, name)
        texts.append(case.read_text())
    return texts


async def localized_grade(answer: str, section: str, context: dict[str, str]) -> str:
    client = AsyncOpenAI(timeout=30, max_retries=3)
    if section == "summary":
        strings = section_strings("summary")
    else:
        strings = locale_strings("grading", context.get("language", "en"))  # one of two named files
    reply = await client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": f"{strings}{answer}"}]
    )
    return reply.choices[0].message.content or ""


async def graded_cases(section: str, case_names: list[str]) -> list[str]:
    return case_texts(section, case_names)  # the files a request names, one by one
