"""Appointment requests: their queue, confirm (a time in the practice's zone) or
decline, and "approve enrollment and appointment" (both.py) on the request's page."""
