#!/usr/bin/env python3
"""Capture the events a real Celery 5 worker sends, as test fixtures for the event codec.

A stock Celery worker (solo pool, events on) runs a succeeding, a failing and a retried task; every message on the
celeryev exchange is read through a queue bound with '#' and written, with its routing key, to one JSON file.

Usage: capture_events.py OUTPUT_FILE [BROKER_URL]  (same vhost as capture_fixtures.py)
"""
import json
import os
import subprocess
import sys
import time

import kombu

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    out_file = sys.argv[1]
    broker = sys.argv[2] if len(sys.argv) > 2 else "amqp://guest:guest@127.0.0.1:5672/celeriac-fixtures"
    env = dict(os.environ, CELERIAC_FIXTURE_BROKER=broker, PYTHONPATH=HERE)
    events = []
    with kombu.Connection(broker) as conn:
        exchange = kombu.Exchange("celeryev", type="topic")
        queue = kombu.Queue("event-fixtures-capture", exchange, routing_key="#", auto_delete=True)
        queue(conn.default_channel).declare()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_event_app", "worker", "--pool=solo", "-E",
             "--without-gossip", "--without-mingle", "-n", "fixtures@celery", "-Q", "event-fixtures", "-l", "WARNING"],
            env=env, cwd=HERE)
        try:
            sys.path.insert(0, HERE)
            os.environ["CELERIAC_FIXTURE_BROKER"] = broker
            from celery_event_app import app

            def on_message(body, message):
                events.append({"routing_key": message.delivery_info["routing_key"], "body": body})
                message.ack()

            with kombu.Consumer(conn, queues=[queue], callbacks=[on_message], accept=["json"]):
                deadline = time.time() + 30
                while not any(e["body"].get("type") == "worker-online" for e in _flat(events)):
                    conn.drain_events(timeout=30)
                app.send_task("demo.add", args=[2, 3], task_id="aaaaaaaa-0000-4000-8000-000000000001")
                app.send_task("demo.fail", args=["boom"], task_id="aaaaaaaa-0000-4000-8000-000000000002")
                app.send_task("demo.flaky", args=[1], task_id="aaaaaaaa-0000-4000-8000-000000000003")
                wanted = {"task-succeeded": 2, "task-failed": 1, "task-retried": 1, "worker-heartbeat": 1}
                while time.time() < deadline and any(
                        sum(1 for e in _flat(events) if e["body"].get("type") == t) < n for t, n in wanted.items()):
                    try:
                        conn.drain_events(timeout=1)
                    except Exception:
                        pass
                worker.terminate()
                worker.wait(30)
                end = time.time() + 5
                while time.time() < end and not any(e["body"].get("type") == "worker-offline" for e in _flat(events)):
                    try:
                        conn.drain_events(timeout=1)
                    except Exception:
                        pass
        finally:
            if worker.poll() is None:
                worker.kill()
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(events, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("captured %d event messages into %s" % (len(events), out_file))


def _flat(events):
    for e in events:
        body = e["body"]
        if isinstance(body, list):
            for item in body:
                yield {"body": item}
        else:
            yield e


if __name__ == "__main__":
    main()
