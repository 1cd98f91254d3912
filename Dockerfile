# The one Relay image: `relay api` or `relay worker` (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml ./
COPY relay ./relay
COPY api ./api
COPY interpreter ./interpreter
COPY activities ./activities
COPY worker ./worker
RUN pip install . && rm -rf /src

RUN useradd --create-home --uid 10001 relay
USER relay
# A writable working directory, should someone run it with the SQLite default.
WORKDIR /home/relay

EXPOSE 8000
CMD ["relay", "api"]
