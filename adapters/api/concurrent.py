"""Independent department calls of one adapter operation, sent at once instead of one after another."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


def gather(calls: Sequence[Callable[[], T]], *, max_workers: int = 4, thread_name: str = "adapter-call") -> list[T]:
    """Run ``calls`` concurrently and return their results in order.

    The first call runs in the calling thread, the others in a small pool of at most ``max_workers`` threads
    made for this one operation and joined before returning: no thread outlives the call. When a call
    raises, calls not yet started are cancelled, the running ones are waited for (each is bounded by the
    adapter's timeout), and the exception of the earliest failed call in ``calls`` order is raised, so the
    outcome does not depend on which reply came first.
    """
    if len(calls) <= 1:
        return [call() for call in calls]
    results: list[T | None] = [None] * len(calls)
    errors: list[Exception | None] = [None] * len(calls)
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(calls) - 1)),
                            thread_name_prefix=thread_name) as pool:
        futures: list[Future[T]] = [pool.submit(call) for call in calls[1:]]
        try:
            results[0] = calls[0]()
        except Exception as exc:  # noqa: BLE001 - re-raised below, after the others are done
            errors[0] = exc
            for future in futures:
                future.cancel()
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.exception() is not None for f in done if not f.cancelled()):
            for future in futures:
                future.cancel()
        wait(futures)
        for index, future in enumerate(futures, start=1):
            if future.cancelled():
                continue
            error = future.exception()
            if error is None:
                results[index] = future.result()
            elif isinstance(error, Exception):
                errors[index] = error
            else:
                raise error
    for error in errors:
        if error is not None:
            raise error
    return results  # type: ignore[return-value]
