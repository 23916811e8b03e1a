"""The Celery side of `./celeriac bench`: a no-op task on a Celeriac work queue, run by a stock Celery worker.

The harness starts it as `python3 -m celery -A bench_tasks worker -P prefork -c 2 ...` with:
  CELERY_BENCH_BROKER   AMQP URL of the benchmark's vhost
  CELERY_BENCH_QUEUE    the work queue (a Celeriac quorum queue on celeriac.tasks)
  CELERY_BENCH_RESULTS  a result backend URL (redis://...), or empty for no results
  CELERY_BENCH_COUNTS   a directory: each pool process writes "<tasks finished> <time of the last>" to a file of
                        its own every 50 ms, and the main process writes "ready" once the worker consumes
The task messages are sent by Celeriac's Java producer (they are Celery protocol v2 messages), exactly as for the
Celeriac worker, so that both run the same workload from the same producer.
"""
import os
import threading
import time

from celery import Celery
from celery.signals import task_postrun, worker_process_init, worker_ready
from kombu import Exchange, Queue
from kombu.transport import pyamqp

QUEUE = os.environ["CELERY_BENCH_QUEUE"]
COUNTS = os.environ["CELERY_BENCH_COUNTS"]
RESULTS = os.environ.get("CELERY_BENCH_RESULTS", "")

app = Celery("celeriac-bench-peer", broker=os.environ["CELERY_BENCH_BROKER"])
app.conf.update(
    # The same quorum queue as Celeriac's workers consume, declared with the same arguments.
    task_queues=[Queue(QUEUE, Exchange("celeriac.tasks", type="direct"), routing_key=QUEUE, queue_arguments={
        "x-queue-type": "quorum",
        "x-delivery-limit": 10,
        "x-dead-letter-exchange": "celeriac.dead",
        "x-dead-letter-routing-key": QUEUE,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    })],
    task_default_queue=QUEUE,
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
    # Acknowledged after the task, as Celeriac's workers do: a crash means redelivery.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_send_task_events=False,
    result_backend=RESULTS or None,
    task_ignore_result=not RESULTS,
    task_track_started=bool(RESULTS),
)
# Celery before 5.5 asks for a channel-wide prefetch, which quorum queues refuse (docs/celery-interop.md).
pyamqp.Transport.qos_semantics_matches_spec = lambda self, connection: True


@app.task(name="bench.noop")
def noop():
    return None


_finished = 0
_last = 0.0


@task_postrun.connect
def _count(**_):
    global _finished, _last
    _finished += 1
    _last = time.time()


def _report():
    path = os.path.join(COUNTS, str(os.getpid()))
    while True:
        with open(path + ".tmp", "w") as out:
            out.write(f"{_finished} {_last}\n")
        os.replace(path + ".tmp", path)
        time.sleep(0.05)


@worker_process_init.connect
def _start_reporting(**_):
    threading.Thread(target=_report, daemon=True).start()


@worker_ready.connect
def _ready(**_):
    with open(os.path.join(COUNTS, "ready"), "w") as out:
        out.write("ready\n")
