# One image for every role: web (gunicorn), worker and beat (Celery), migrate.
# docker/entrypoint.sh picks the role from the command; see docker-compose.yml.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

# WeasyPrint's system libraries (PDF reports) and a font to render them with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change reuses this layer.
COPY requirements/ requirements/
RUN pip install -c requirements/lock.txt -r requirements/base.txt

COPY . .

# Static files are part of the image; the key only lets the settings load for this step.
RUN DJANGO_DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --system --create-home --uid 10001 portal \
    && mkdir -p /app/var/media \
    && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
