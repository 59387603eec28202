"""A loopback PBX simulator speaking Asterisk's ARI (HTTP + WebSocket) and AMI (TCP)."""
