# masterstream: one server. docker-compose.yml runs three behind nginx with PostgreSQL and
# Valkey; `docker run -p 8765:8765 -v music:/music:ro masterstream` runs one on its own.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
# no compiler, no build tools: the wheels carry libsndfile, libopus (PyAV), LAME and libpq
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "masterstream[postgres]" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin masterstream \
    && mkdir -p /data /cache /music \
    && chown masterstream:masterstream /data /cache
USER masterstream
ENV MASTERSTREAM_DATA_DIR=/data \
    MASTERSTREAM_CACHE_DIR=/cache \
    MASTERSTREAM_LIBRARY_DIR=/music \
    MASTERSTREAM_HOST=0.0.0.0 \
    NUMBA_CACHE_DIR=/cache/numba
VOLUME ["/data", "/cache"]
EXPOSE 8765
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/readyz', timeout=2)"]
ENTRYPOINT ["masterstream"]
CMD ["serve"]
