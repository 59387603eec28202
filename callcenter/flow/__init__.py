"""The hotline call flow: the Stasis app carrying a call from first ring to last record."""
