#!/usr/bin/env python3
"""Follows events into celery.events.State, the model Flower keeps, and prints what it knows as JSON.

Usage: celery_state.py READY_TASKS  -> prints "ready" once it receives events, then, when READY_TASKS tasks have
reached a ready state (SUCCESS, FAILURE, REVOKED) and a worker heartbeat has come after that (so that the worker's
processed count includes them), one JSON object {"tasks": {...}, "workers": {...}}.
"""
import json
import sys

from celery import Celery, states

app = Celery("interop-monitor")
app.config_from_object("celeriacconfig")


def task_view(task):
    return {
        "name": task.name, "state": task.state, "args": task.args, "kwargs": task.kwargs, "result": task.result,
        "runtime": task.runtime, "exception": task.exception, "traceback": task.traceback, "retries": task.retries,
        "worker": task.worker.hostname if task.worker else None, "received": task.received, "started": task.started,
        "succeeded": task.succeeded, "failed": task.failed, "root_id": task.root_id,
    }


def worker_view(worker):
    return {
        "alive": worker.alive, "sw_ident": worker.sw_ident, "sw_ver": worker.sw_ver, "sw_sys": worker.sw_sys,
        "freq": worker.freq, "processed": worker.processed, "active": worker.active, "loadavg": worker.loadavg,
        "pid": worker.pid,
    }


def main():
    wanted = int(sys.argv[1])
    state = app.events.State()
    seen = []

    def on_event(event):
        state.event(event)
        seen.append(event.get("type"))

    with app.connection_for_read() as conn:
        receiver = app.events.Receiver(conn, handlers={"*": on_event})
        announced = False
        finished = False
        for _ in receiver.itercapture(limit=None, timeout=None, wakeup=True):
            if not announced:
                print("ready", flush=True)
                announced = True
            if finished and "worker-heartbeat" in seen:
                break
            done = [t for t in state.tasks.values() if t.state in states.READY_STATES]
            if not finished and len(done) >= wanted:
                finished = True
                seen.clear()
    print(json.dumps({
        "tasks": {task_id: task_view(task) for task_id, task in state.tasks.items()},
        "workers": {name: worker_view(worker) for name, worker in state.workers.items()},
    }), flush=True)


if __name__ == "__main__":
    main()
