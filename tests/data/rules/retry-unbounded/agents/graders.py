"""The grader's calls, through the legacy OpenAI SDK (openai<1) and the current one."""

import backoff
import openai

client = openai.OpenAI(timeout=30)


@backoff.on_exception(backoff.expo, (openai.error.RateLimitError, openai.error.APIError))
def grade(answer: str) -> str:
    reply = openai.ChatCompletion.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": answer}], request_timeout=30
    )
    return reply["choices"][0]["message"]["content"]


@backoff.on_exception(backoff.expo, (openai.RateLimitError, openai.APIError))
def critique(answer: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": answer}])
    return reply.choices[0].message.content or ""
