"""ARI (HTTP + WebSocket) for the simulated PBX."""
