"""Document summaries for the search index."""

import logging

from langchain_openai import ChatOpenAI

logger = logging.getLogger(__name__)
llm = ChatOpenAI(model="gpt-4o-mini", timeout=20, max_tokens=300)


def summary_or_nothing(doc: str) -> str | None:
    try:
        return llm.invoke(f"Summarize: {doc}").content
    except Exception:  # positive: silently dropped
        pass
    return None


def summaries(docs: list[str]) -> list[str]:
    out = []
    for doc in docs:
        try:
            out.append(llm.invoke(f"Summarize: {doc}").content)
        except:  # positive: bare except, continue
            continue
    return out


def summary_or_empty(doc: str) -> str:
    try:
        return llm.invoke(f"Summarize: {doc}").content
    except BaseException:  # positive: returns ""
        return ""


def summary_logged(doc: str) -> str | None:
    try:
        return llm.invoke(f"Summarize: {doc}").content
    except Exception:  # negative: logged
        logger.exception("summary failed")
        return None


def summary_reraised(doc: str) -> str:
    try:
        return llm.invoke(f"Summarize: {doc}").content
    except Exception:  # negative: re-raised
        raise


def summary_narrow(doc: str) -> str | None:
    try:
        return llm.invoke(f"Summarize: {doc}").content
    except ValueError:  # negative: narrow handler
        pass
    return None


def read_doc(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except Exception:  # negative: no LLM call in the try
        return ""


def summary_with_fallback(doc: str) -> str:
    try:
        return llm.invoke(f"Summarize: {doc}").content
    except Exception:  # negative: explicit fallback text
        return "Summary unavailable."
