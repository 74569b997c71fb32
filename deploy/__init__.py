"""Running the portal on several servers: gunicorn's access log (access_log.py), a
local cluster of gunicorn app servers behind nginx (cluster.py, for the load-balanced
test and the load bench), and the nginx server block (nginx.conf)."""
