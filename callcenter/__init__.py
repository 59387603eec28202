"""The hotline service: wiring, API, case store and command line."""
