# The hotline service (`callcenter serve`) as a container, next to a real Asterisk.
#
#   docker build -t tip-hotline .
#   docker run --rm -p 8000:8000 -v hotline-var:/var/lib/callcenter \
#     -e CALLCENTER_DATABASE__URL=postgresql+asyncpg://hotline@db/hotline \
#     -e CALLCENTER_ARI__URL=http://asterisk:8088 -e CALLCENTER_ARI__PASSWORD=... \
#     -e CALLCENTER_AMI__HOST=asterisk -e CALLCENTER_AMI__SECRET=... \
#     -e CALLCENTER_PRIVACY__HASH_KEY=... -e 'CALLCENTER_PRIVACY__ENCRYPTION_KEYS=["..."]' \
#     tip-hotline
#   docker run --rm tip-hotline watchdog            # the stranded-caller watchdog
#   docker run --rm tip-hotline simulate scenarios/three-centres-day.toml   # the queueing model
#
# Settings come from CALLCENTER_* variables (callcenter/settings.py, docs/db.md). The volume
# holds the records' local outbox and the service's state: keep it across restarts, or call
# records still on their way to the database are lost with the container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY callcenter ./callcenter
COPY ari ./ari
COPY routing ./routing
COPY dashboards ./dashboards
COPY pbxsim ./pbxsim
# the product's Asterisk configuration (for reference and `callcenter pbxsim`) and scenarios
COPY asterisk-conf ./asterisk-conf
COPY scenarios ./scenarios
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /var/lib/callcenter --create-home callcenter

USER callcenter
ENV CALLCENTER_SERVICE__VAR_DIR=/var/lib/callcenter
VOLUME ["/var/lib/callcenter"]
EXPOSE 8000
# /health answers 503 while the service cannot take calls (ARI down, calls on the fallback)
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"
ENTRYPOINT ["callcenter"]
CMD ["serve", "--host", "0.0.0.0"]
