# The Gongkai platform image: the API, the projection runner and the relay share it.
# Base images are pinned by version; Python dependencies come from requirements.lock
# (exact versions and hashes, refreshed with `make lock`), so a rebuild next month
# installs what the tests ran against today.
FROM python:3.11.11-slim-bookworm
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GONGKAI_HOME=/var/lib/gongkai
# The fonts the PDF reports and 公文 embed (services/reporting/pdf.py,
# services/documents/official_render.py; .ci/cjk-font on a host),
# and pg_dump/pg_restore of compose's PostgreSQL major (16) from the PostgreSQL
# project's own apt repository, so `gongkai backup` and `restore` run in the image:
# bookworm's own client is 15, older than the server, which pg_dump refuses.
ARG PG_MAJOR=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
    fonts-droid-fallback fonts-dejavu-core fonts-arphic-gbsn00lp fonts-arphic-gkai00mp \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
    https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
    > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && apt-get purge -y curl && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY infra ./infra
COPY projections ./projections
COPY services ./services
RUN pip install --no-cache-dir --no-deps . \
 && useradd --system --home /var/lib/gongkai gongkai \
 && mkdir -p /var/lib/gongkai && chown gongkai /var/lib/gongkai
USER gongkai
EXPOSE 8000
CMD ["gongkai", "serve", "--host", "0.0.0.0", "--port", "8000"]
