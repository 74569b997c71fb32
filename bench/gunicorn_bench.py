"""gunicorn settings of `make bench` (bench/run.py), the same for the bare route and the
portal: 2 sync workers (the production worker class, gunicorn.conf.py), no access log,
no worker renewal during a run."""
workers = 2
worker_class = "sync"
timeout = 30
max_requests = 0
accesslog = None
errorlog = "-"
loglevel = "warning"
