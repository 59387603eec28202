"""Pure routing policy for the hotline: events in, decisions out, time as an argument."""
