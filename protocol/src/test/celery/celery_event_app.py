"""A stock Celery app whose worker emits the events captured by capture_events.py."""
import os

from celery import Celery

app = Celery("eventfixtures", broker=os.environ["CELERIAC_FIXTURE_BROKER"])
app.conf.task_default_queue = "event-fixtures"
app.conf.worker_send_task_events = True
app.conf.task_send_sent_event = True
app.conf.worker_hijack_root_logger = False


@app.task(name="demo.add")
def add(a, b):
    return a + b


@app.task(name="demo.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="demo.flaky", bind=True, max_retries=3, default_retry_delay=0)
def flaky(self, failures):
    if self.request.retries < failures:
        raise self.retry(exc=RuntimeError("attempt %d failed" % self.request.retries), countdown=0)
    return self.request.retries
