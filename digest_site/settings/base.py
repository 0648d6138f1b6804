"""Settings shared by every environment. dev.py, production.py and test.py override them."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from digest_site.database import database_config
from digest_site.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin with the two-step sign-in (see "Two-factor sign-in" below).
    "digest_site.apps.DigestAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    # The task queue's tables (migrations) and `manage.py procrastinate worker`.
    "procrastinate.contrib.django",
    "editorial",
    "companies",
    "sitesettings",
    "stories",
    "issues",
    "newsletter",
    "digest_site.apps.DigestSiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored public pages for readers without a session, before the rest of the stack. Pages
    # are stored with the headers the middleware below added: a hit rebuilds none of them.
    "digest_site.pages.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "digest_site.headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses sign-ins after too many failures (see AXES_* below); last, as its docs ask.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp). No page has an inline script, so
# scripts come from our own origin only and no nonce is needed (stored pages stay shareable).
# Styles allow inline attributes: the admin's widgets set them; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the site never uses, switched off for every page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Proxies in front of gunicorn that append the client's address to X-Forwarded-For (1 for the
# nginx of docker-compose.yml). 0: the connection's address counts and the header is ignored,
# since a client can write it. digest_site.clients.client_address reads it, for sign-in
# throttling and rate limits alike.
DIGEST_TRUSTED_PROXIES = env_int("DIGEST_TRUSTED_PROXIES", 0)
RATELIMIT_IP_META_KEY = "digest_site.clients.client_address"

# Sign-in throttling (django-axes): after DIGEST_LOGIN_FAILURE_LIMIT failures for one account,
# or from one address, sign-ins for it are refused, the right password included, for
# DIGEST_LOGIN_COOLOFF_MINUTES. The address is the client's (see DIGEST_TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "digest_site.clients.client_address"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DIGEST_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DIGEST_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Every failed sign-in is kept for the admins (Axes → access failures), not only the counts.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_COOLOFF_MESSAGE = (
    "Too many failed sign-ins for this account or from this address. Wait a while and try "
    "again; until then even the right password is refused."
)

ROOT_URLCONF = "digest_site.urls"
WSGI_APPLICATION = "digest_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "digest_site.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_config(BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded images: where they are written and the address they are served under (by the web
# server in production). Both from the environment, so a deployment can put them on a volume.
# A path on this site: the Content-Security-Policy allows images from our own origin only.
MEDIA_URL = env_str("MEDIA_URL", "/media/")
if not (MEDIA_URL.startswith("/") and MEDIA_URL.endswith("/") and len(MEDIA_URL) > 1):
    raise ImproperlyConfigured(f"MEDIA_URL={MEDIA_URL!r} must be a path such as /media/.")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
if not MEDIA_ROOT.is_absolute():
    raise ImproperlyConfigured(f"MEDIA_ROOT={str(MEDIA_ROOT)!r} must be an absolute path.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files served by whitenoise; forever-cacheable names.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads (editorial.images): every image is checked and re-encoded; these are its limits.
# The handler drops a file's bytes past the size cap while the request is read; Django's own
# DATA_UPLOAD_MAX_MEMORY_SIZE does not count files.
DIGEST_UPLOAD_MAX_BYTES = env_int("DIGEST_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DIGEST_UPLOAD_MAX_PIXELS = env_int("DIGEST_UPLOAD_MAX_PIXELS", 40_000_000)
FILE_UPLOAD_HANDLERS = [
    "editorial.images.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SITE_ID = 1
SITE_NAME = env_str("SITE_NAME", "Digest")
SITE_TAGLINE = env_str("SITE_TAGLINE", "A weekly digest of the Chinese digital landscape")

# --- Two-factor sign-in for staff (django-otp, TOTP; digest_site/twofactor/) ----------------
# DIGEST_STAFF_2FA: "off" (passwords only), "offered" (staff may set up an authenticator app;
# who has one gives its code after the password) or "required" (as offered, and superusers and
# members of DIGEST_2FA_REQUIRED_GROUPS must set one up before reaching any staff page).
# Production requires it; dev.py and test.py turn it off.
DIGEST_STAFF_2FA = env_choice("DIGEST_STAFF_2FA", ("off", "offered", "required"), "required")
DIGEST_2FA_REQUIRED_GROUPS = env_list("DIGEST_2FA_REQUIRED_GROUPS", ["Reviewers"])
# otp_totp: the authenticator app; otp_static: single-use backup codes for a lost phone.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# Right after AuthenticationMiddleware: django-otp marks the user verified or not, then a
# session without the code its user needs is ended before anything else looks at the user.
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "django_otp.middleware.OTPMiddleware",
    "digest_site.twofactor.middleware.SecondFactorMiddleware",
]
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = SITE_NAME
# Admins may remove a user's device (to reset it) but never read its secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end of two-factor sign-in ---------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis when REDIS_URL is set, so that every gunicorn worker counts the same search and login
# limits; local memory otherwise. Rendered pages are never kept here (digest_site/pages).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "digest"),
            # A Redis that hangs must not hang every request with it.
            "OPTIONS": {
                "socket_timeout": env_int("REDIS_TIMEOUT_MS", 500) / 1000,
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_MS", 500) / 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Searches one address may run (renders, not page-cache hits), e.g. "30/m"; above it, 429.
DIGEST_SEARCH_RATE = env_str("DIGEST_SEARCH_RATE", "30/m")
# How long a rendered public page may be served from the page cache (0 switches it off), and
# how many pages each web process keeps (digest_site/pages).
# Whether the app serves uploaded images under MEDIA_URL itself (the embedded default); off
# where a web server does (docker-compose's nginx).
DIGEST_SERVE_MEDIA = env_bool("DIGEST_SERVE_MEDIA", True)
DIGEST_PAGE_CACHE_SECONDS = env_int("DIGEST_PAGE_CACHE_SECONDS", 300)
DIGEST_PAGE_CACHE_ENTRIES = env_int("DIGEST_PAGE_CACHE_ENTRIES", 500)

# Four eyes: a reviewer cannot publish a story they wrote themselves.
DIGEST_FOUR_EYES = env_bool("DIGEST_FOUR_EYES", True)
# How long a share link for an outside reader stays valid, in days.
DIGEST_SHARE_LINK_DAYS = env_int("DIGEST_SHARE_LINK_DAYS", 7)
# The site's public address, for links in workflow emails (sent outside any request).
DIGEST_SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Mail: SMTP as soon as EMAIL_HOST is set, in every settings module; without it dev prints mail
# to the console, tests keep it in memory and production sends to localhost:25.
SMTP_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    SMTP_EMAIL_BACKEND if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (465).")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Digest <digest@localhost>")

# --- The task queue (Procrastinate, on this PostgreSQL) and the newsletter -------------------
# `manage.py procrastinate worker` runs the jobs: newsletter sending, confirmations, workflow
# mail. More workers (processes or machines) send faster; each claims its own batches.
# How long a confirmation link lives; unconfirmed sign-ups are deleted after it.
DIGEST_NEWSLETTER_CONFIRM_HOURS = env_int("DIGEST_NEWSLETTER_CONFIRM_HOURS", 72)
# Sign-up requests: per address (a mailbox gets at most this many confirmation emails) and
# per client address (above it, 429).
DIGEST_NEWSLETTER_ADDRESS_RATE = env_str("DIGEST_NEWSLETTER_ADDRESS_RATE", "3/h")
DIGEST_NEWSLETTER_CLIENT_RATE = env_str("DIGEST_NEWSLETTER_CLIENT_RATE", "10/h")
# Deliveries a worker claims at a time, how long the claim holds, how many sending jobs an
# issue gets (the most workers that send one issue at once).
DIGEST_NEWSLETTER_BATCH = env_int("DIGEST_NEWSLETTER_BATCH", 100)
DIGEST_NEWSLETTER_LEASE_SECONDS = env_int("DIGEST_NEWSLETTER_LEASE_SECONDS", 120)
DIGEST_NEWSLETTER_SEND_JOBS = env_int("DIGEST_NEWSLETTER_SEND_JOBS", 4)
# SMTP errors: tries per delivery, the first wait (doubling each time).
DIGEST_NEWSLETTER_MAX_ATTEMPTS = env_int("DIGEST_NEWSLETTER_MAX_ATTEMPTS", 5)
DIGEST_NEWSLETTER_RETRY_SECONDS = env_int("DIGEST_NEWSLETTER_RETRY_SECONDS", 60)
# A delivery `sending` for longer than this was interrupted (its worker stopped): the sweep
# marks it failed, as it may have arrived. Well above any SMTP conversation's time limit.
DIGEST_NEWSLETTER_SENDING_TIMEOUT = env_int(
    "DIGEST_NEWSLETTER_SENDING_TIMEOUT", max(60, 6 * EMAIL_TIMEOUT)
)
# Jobs one worker runs at once (threads: sending mostly waits on SMTP and PostgreSQL).
PROCRASTINATE_WORKER_DEFAULTS = {"concurrency": env_int("DIGEST_WORKER_CONCURRENCY", 4)}
# When the sweep runs (cron; a sixth field counts seconds): resumes interrupted sends, gives
# up on interrupted deliveries, purges expired sign-ups.
DIGEST_QUEUE_SWEEP_CRON = env_str("DIGEST_QUEUE_SWEEP_CRON", "* * * * *")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
