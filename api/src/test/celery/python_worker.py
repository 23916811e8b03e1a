"""A stock Celery 5 worker app for Celeriac queues, configured only by the documented celeriacconfig module.

Run: python3 -m celery -A python_worker worker -E -Q default -n python@interop
"""
from celery import Celery

app = Celery("python-worker")
app.config_from_object("celeriacconfig")


@app.task(name="py.add")
def add(a, b):
    return a + b


@app.task(name="py.greet")
def greet(name, punctuation="!"):
    return {"greeting": "hello " + name + punctuation}


@app.task(name="py.flaky", bind=True, max_retries=3)
def flaky(self, failures):
    """Fails on its first `failures` attempts with Celery's own retry, then returns the retries it took."""
    if self.request.retries < failures:
        raise self.retry(countdown=1, exc=RuntimeError("attempt %d fails" % (self.request.retries + 1)))
    return self.request.retries


@app.task(name="py.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="py.echo")
def echo(value):
    return value
