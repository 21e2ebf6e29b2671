import litellm
from litellm import RetryPolicy

MESSAGES = [{"role": "user", "content": "hi"}]


def constant(model: str) -> str:
    return litellm.completion(model=model, messages=MESSAGES, num_retries=4, timeout=30)


def policy(model: str, retries: int) -> str:
    return litellm.completion(
        model=model,
        messages=MESSAGES,
        retry_policy=RetryPolicy(TimeoutErrorRetries=retries),
        timeout=30,
    )


def named_constant(model: str) -> str:
    return litellm.completion(
        model=model, messages=MESSAGES, num_retries=4, retry_strategy="constant_retry", timeout=30
    )


def through_request(request: dict) -> str:
    return litellm.completion(num_retries=4, timeout=30, **request)


def exponential(model: str) -> str:
    return litellm.completion(
        model=model,
        messages=MESSAGES,
        num_retries=4,
        retry_strategy="exponential_backoff_retry",
        timeout=30,
    )


def options_dict(model: str) -> str:
    options = {"num_retries": 4, "retry_strategy": "exponential_backoff_retry"}
    return litellm.completion(model=model, messages=MESSAGES, timeout=30, **options)


def no_retries(model: str) -> str:
    return litellm.completion(model=model, messages=MESSAGES, num_retries=0, timeout=30)


def provider_retries(model: str) -> str:
    return litellm.completion(model=model, messages=MESSAGES, max_retries=3, timeout=30)
