#!/usr/bin/env python3
"""Capture real Celery 5 task messages as test fixtures for the protocol codec.

A stock Celery app publishes a few tasks to a throw-away vhost; the raw AMQP
messages (properties, headers and the exact body bytes) are read back with kombu
and written as JSON files, one per message. Nothing Celeriac-specific takes part,
so the fixtures show what Celery itself puts on the wire.

Usage: capture_fixtures.py OUTPUT_DIR [BROKER_URL]
The broker URL defaults to amqp://guest:guest@127.0.0.1:5672/celeriac-fixtures
(create the vhost first: rabbitmqctl add_vhost celeriac-fixtures;
rabbitmqctl set_permissions -p celeriac-fixtures guest '.*' '.*' '.*').
"""
import base64
import datetime
import json
import os
import sys

import celery
import kombu
from celery import Celery

QUEUE = "fixtures"


def main():
    out_dir = sys.argv[1]
    broker = sys.argv[2] if len(sys.argv) > 2 else "amqp://guest:guest@127.0.0.1:5672/celeriac-fixtures"
    app = Celery("fixtures", broker=broker)
    app.conf.task_default_queue = QUEUE
    app.conf.task_serializer = "json"
    app.conf.task_protocol = 2

    fixed_eta = datetime.datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)
    fixed_expires = datetime.datetime(2030, 1, 3, 0, 0, 0, tzinfo=datetime.timezone.utc)
    cases = [
        ("args-only", "demo.add", dict(args=[2, 3])),
        ("kwargs-only", "demo.echo", dict(kwargs={"greeting": "hello", "count": 3, "ratio": 0.5, "flag": True, "nothing": None})),
        ("countdown", "demo.add", dict(args=[1, 2], countdown=30)),
        ("eta-and-expires", "demo.add", dict(args=[1, 2], eta=fixed_eta, expires=fixed_expires)),
        ("expires-seconds", "demo.noop", dict(expires=120)),
        ("priority", "demo.add", dict(args=[4, 5], priority=7)),
        ("unicode", "demo.echo", dict(kwargs={"text": "héllo wörld ✓ 日本語 🥕", "quote": "\"'\\"})),
        ("nested-json", "demo.echo", dict(args=[{"a": [1, 2, {"b": None}], "c": {"d": {"e": [True, False]}}}, [[1], [2, [3]]]], kwargs={"deep": {"x": [1.5, -2, 1e21]}})),
        ("time-limits", "demo.sleep", dict(args=[100], time_limit=60, soft_time_limit=30)),
        ("reply-to-and-ids", "demo.add", dict(args=[7, 8], reply_to="fixtures-replies", task_id="0b8b1c5e-4d3e-4a51-9f6e-2f1d2f6f0c11", parent_id="11111111-2222-3333-4444-555555555555", root_id="66666666-7777-8888-9999-000000000000")),
        ("ignore-result", "demo.noop", dict(ignore_result=True)),
    ]
    sent = {}
    with app.connection_for_write() as conn:
        queue = kombu.Queue(QUEUE, kombu.Exchange(QUEUE, type="direct"), routing_key=QUEUE)
        queue(conn.default_channel).declare()
        queue(conn.default_channel).purge()
        for name, task, options in cases:
            result = app.send_task(task, connection=conn, **options)
            sent[result.id] = name

        # A chain carries its follow-up signatures in the body's embed part.
        sig = app.signature("demo.add", args=(1, 1)) | app.signature("demo.add", args=(10,))
        chained = sig.apply_async(connection=conn)
        sent[chained.parent.id if chained.parent else chained.id] = "chain"
        # A link/errback carries callbacks and errbacks in the embed part.
        linked = app.signature("demo.add", args=(2, 2)).apply_async(
            link=app.signature("demo.echo", kwargs={"then": True}),
            link_error=app.signature("demo.fail", args=("boom",)),
            connection=conn)
        sent[linked.id] = "callbacks-errbacks"

        received = []

        def on_message(body, message):
            received.append(message)
            message.ack()

        with kombu.Consumer(conn, queues=[queue], callbacks=[on_message], accept=["json"]):
            while len(received) < len(sent):
                conn.drain_events(timeout=10)

    os.makedirs(out_dir, exist_ok=True)
    for message in received:
        task_id = message.headers["id"]
        name = sent.get(task_id)
        if name is None:
            continue
        props = dict(message.properties)
        props.pop("delivery_tag", None)
        props.pop("application_headers", None)  # the same as "headers" below
        delivery_info = message.delivery_info
        fixture = {
            "case": name,
            "celery_version": celery.__version__,
            "kombu_version": kombu.__version__,
            "exchange": delivery_info.get("exchange", ""),
            "routing_key": delivery_info.get("routing_key", ""),
            "properties": props,
            "headers": message.headers,
            "body_base64": base64.b64encode(message.body if isinstance(message.body, bytes) else message.body.encode("utf-8")).decode("ascii"),
        }
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(fixture, f, indent=2, sort_keys=True, ensure_ascii=False, default=str)
            f.write("\n")
    print("captured %d messages into %s" % (len(received), out_dir))


if __name__ == "__main__":
    main()
