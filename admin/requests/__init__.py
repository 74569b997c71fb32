"""Enrollment requests: the queue and the search (routes), one request with its
decisions and possible duplicates (routes_detail), and what they read (queries) and
write (decisions, one transaction each)."""
