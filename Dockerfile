# The Gongkai platform image: the API and the projection runner share it.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GONGKAI_HOME=/var/lib/gongkai
# The fonts the PDF reports embed (services/reporting/pdf.py; .ci/cjk-font on a host).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-droid-fallback fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY infra ./infra
COPY projections ./projections
COPY services ./services
RUN pip install --no-cache-dir . \
 && useradd --system --home /var/lib/gongkai gongkai \
 && mkdir -p /var/lib/gongkai && chown gongkai /var/lib/gongkai
USER gongkai
EXPOSE 8000
CMD ["gongkai", "serve", "--host", "0.0.0.0", "--port", "8000"]
