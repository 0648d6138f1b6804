# The production image: the site's runtime packages only (requirements.lock; no test tools, no
# embedded PostgreSQL, no Node), run as an unprivileged user.
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=digest_site.settings.production
WORKDIR /app
# Fonts for the generated social cards (editorial.cards): DejaVu for Latin text with accents,
# WenQuanYi Zen Hei for Chinese. Without them cards are drawn with Pillow's ASCII-only font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# collectstatic needs settings but no database connection or real secret.
RUN SECRET_KEY=build-only-collectstatic-key-that-is-long-enough-0123456789abcdef \
    DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --no-create-home --home-dir /app digest \
    && mkdir -p /app/var/media && chown digest /app/var/media
USER digest
EXPOSE 8000
CMD ["gunicorn", "digest_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

# The front proxy (docker-compose's `proxy`): the official nginx image, with the static files
# collected above under production settings (hashed names, .gz copies), so the proxy always
# serves the same release as the app, and the repository's configuration template, which the
# image's entrypoint fills in from the environment (envsubst) into conf.d/default.conf.
FROM nginx:1.28 AS proxy
COPY --from=app /app/var/staticfiles /srv/digest/static
COPY deploy/nginx/digest.conf.template /etc/nginx/templates/default.conf.template

# The last stage is the default target: `docker build .` still builds the app image.
FROM app
