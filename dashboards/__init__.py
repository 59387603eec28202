"""Supervisor and counsellor web pages."""
