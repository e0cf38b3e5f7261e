"""Handle the errors a gateway call can end with.

The client already retries connection errors, timeouts, 408/409/429 and 5xx with
exponential backoff (max_retries); this loop adds a slower retry for rate limits
on top, and reports timeouts and connection failures by their class.
"""

import os
import time

from routerkit import APIConnectionError, APITimeoutError, OpenAI, RateLimitError

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
    timeout=90.0,
    max_retries=3,
)


def ask(model: str, question: str, tries: int = 3) -> str:
    for attempt in range(1, tries + 1):
        try:
            reply = client.chat.completions.create(
                model=model,
                messages=[{"role": "user", "content": question}],
                max_tokens=256,
            )
            return reply.choices[0].message.content or ""
        except RateLimitError as e:
            pause = e.retry_after or 2.0 * attempt
            print(f"rate limited (attempt {attempt}); waiting {pause:.1f}s")
            time.sleep(pause)
        except APITimeoutError:
            print(f"timed out (attempt {attempt})")
            if attempt == tries:
                raise
        except APIConnectionError as e:
            print(f"cannot reach the gateway: {e}")
            raise
    raise RuntimeError(f"still rate limited after {tries} attempts")


print(ask("deepseek/deepseek-r1", "What is 17 * 23?"))
