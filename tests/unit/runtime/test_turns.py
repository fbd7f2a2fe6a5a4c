"""The one-invocation-at-a-time lock: one holder at a time, and waiters served in the order
they came, whatever order the threads happen to wake in."""

from __future__ import annotations

import threading
import time

from functions.runtime.turns import TurnLock


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_waiters_get_the_lock_in_the_order_they_came():
    lock = TurnLock()
    order: list[int] = []
    lock.__enter__()  # held, so each thread below queues
    threads = []
    for number in range(8):

        def take(number: int = number) -> None:
            with lock:
                order.append(number)

        thread = threading.Thread(target=take)
        thread.start()
        threads.append(thread)
        _wait_until(lambda count=number + 1: len(lock._waiting) == count)  # queued before the next comes
    lock.__exit__(None, None, None)
    for thread in threads:
        thread.join(10)
    assert order == list(range(8))


def test_one_holder_at_a_time_under_contention():
    lock = TurnLock()
    inside = 0
    most = 0
    total = 0

    def work() -> None:
        nonlocal inside, most, total
        for _ in range(300):
            with lock:
                inside += 1
                most = max(most, inside)
                total += 1
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert (most, total) == (1, 1800)
    with lock:  # free again once everyone has left
        pass


def test_an_error_inside_still_hands_the_lock_on():
    lock = TurnLock()
    try:
        with lock:
            raise ValueError("the handler failed")
    except ValueError:
        pass
    taken = threading.Event()
    thread = threading.Thread(target=lambda: (lock.__enter__(), taken.set()))
    thread.start()
    assert taken.wait(10)
    thread.join(10)
