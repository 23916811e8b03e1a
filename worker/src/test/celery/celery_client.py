#!/usr/bin/env python3
"""A stock Celery 5 client, configured only by the documented celeriacconfig module, calling Java tasks.

Usage: celery_client.py results    -> one JSON object: what AsyncResult.get() returned or raised, per case
       celery_client.py send NAME JSON_ARGS [COUNTDOWN]  -> sends without waiting, prints the task id
"""
import json
import sys
import time
import traceback

from celery import Celery, chunks, group, xmap

app = Celery("interop-client")
app.config_from_object("celeriacconfig")


def outcome(result, timeout=20, **options):
    """What get() gives: {"value": ...} or {"raised": {"type", "module", "message", "args"}}, plus the traceback."""
    try:
        return {"value": result.get(timeout=timeout, **options), "state": getattr(result, "state", None)}
    except Exception as e:  # the point: which exception Celery raises
        return {
            "raised": {"type": type(e).__name__, "module": type(e).__module__, "message": str(e),
                       "args": list(e.args)},
            "state": getattr(result, "state", None),
            "traceback": getattr(result, "traceback", None),
        }


def results():
    out = {}
    out["args"] = outcome(app.send_task("demo.add", args=[2, 3]))
    out["kwargs"] = outcome(app.send_task("demo.add", kwargs={"a": 40, "b": 2}))
    out["echo"] = outcome(app.send_task("demo.echo", kwargs={"text": "héllo ✓", "nested": {"list": [1, 2.5, None, True]}}))
    out["failure"] = outcome(app.send_task("demo.fail", args=["boom"]))
    out["bad_arguments"] = outcome(app.send_task("demo.add", args=[1, 2, 3]))
    out["not_registered"] = outcome(app.send_task("demo.nope", args=[]))
    started = time.monotonic()
    out["countdown"] = outcome(app.send_task("demo.add", args=[1, 1], countdown=2))
    out["countdown"]["elapsed"] = time.monotonic() - started
    out["expired"] = outcome(app.send_task("demo.add", args=[1, 1], countdown=3, expires=1))
    states = []
    out["retried"] = outcome(app.send_task("demo.flaky", args=[2]), timeout=30,
                             on_message=lambda meta: states.append(meta["status"]))
    out["retried"]["states"] = states
    out["retries_header"] = outcome(app.send_task("demo.flaky", args=[6], retries=4), timeout=30)
    out["ignore_result"] = {"id": app.send_task("demo.add", args=[7, 7], ignore_result=True).id}
    out.update(workflows())
    return out


def workflows():
    """Celery's canvas, as a Celery user writes it, run by Java workers."""
    def add(*args):
        return app.signature("demo.add", args=args)

    out = {}
    chained = (add(2, 2) | add(10) | add(100)).apply_async()
    out["chain"] = outcome(chained)
    out["chain"]["parent"] = outcome(chained.parent)
    out["group"] = outcome(group(add(1, 1), add(2, 2), add(3, 3)).apply_async())
    out["chain_to_group"] = outcome((add(1, 1) | group(add(10), add(20))).apply_async())
    stopped = (app.signature("demo.fail", args=("stop",)) | add(1)).apply_async()
    out["chain_failure"] = outcome(stopped.parent)
    out["chain_failure"]["next"] = stopped.id
    out["chunks"] = outcome(chunks(app.signature("demo.add"), [(1, 1), (2, 2), (3, 3)], 2).apply_async())
    out["map"] = outcome(xmap(app.signature("demo.fib"), [10, 20]).apply_async())
    callback = add(10)
    callback_id = callback.freeze().id
    linked = app.send_task("demo.add", args=[2, 2], link=callback)
    out["link"] = outcome(linked)
    out["link"]["id"] = linked.id
    out["link"]["callback"] = callback_id
    errback = app.signature("demo.log")
    errback_id = errback.freeze().id
    failing = app.send_task("demo.fail", args=["boom"], link_error=errback)
    out["link_error"] = outcome(failing)
    out["link_error"]["id"] = failing.id
    out["link_error"]["errback"] = errback_id
    return out


def main():
    if sys.argv[1] == "results":
        print(json.dumps(results()))
    elif sys.argv[1] == "send":
        countdown = float(sys.argv[4]) if len(sys.argv) > 4 else None
        print(app.send_task(sys.argv[2], args=json.loads(sys.argv[3]), countdown=countdown).id)
    else:
        raise SystemExit("unknown command " + sys.argv[1])


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        raise
