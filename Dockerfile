# statusbot container image: `serve --http` on port 3000.
# UNTESTED: written where no Docker engine was available. See deploy/README.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The PDF's font (Typst): the list in reports/pdf_packages.txt.
COPY reports/pdf_packages.txt /tmp/pdf_packages.txt
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(grep -v '^#' /tmp/pdf_packages.txt) \
    && rm -rf /var/lib/apt/lists/* /tmp/pdf_packages.txt

COPY . /src
RUN pip install "/src[pdf,postgres]" \
    && install -m 0755 /src/deploy/docker-entrypoint.sh /usr/local/bin/statusbot-entrypoint \
    && rm -rf /src

RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home statusbot \
    && install -d -o statusbot -g statusbot /app/data
USER statusbot
WORKDIR /app

# SQLite in the /app/data volume unless STATUSBOT_DATABASE_URL says otherwise
# (compose.yaml points it at PostgreSQL).
ENV STATUSBOT_DATABASE_URL=sqlite:////app/data/statusbot.db
VOLUME ["/app/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

ENTRYPOINT ["statusbot-entrypoint"]
CMD ["serve", "--http", "--port", "3000"]
