"""The one settings module, driven by environment variables (documented in .env.example).

Defaults run with nothing else installed: SQLite under var/, Celery tasks run eagerly when no
broker is configured, e-mail goes to the console, uploaded files to var/media. With
DJANGO_DEBUG=false the process refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

from informatics.choices import Role
from informatics.env import env_bool, env_int, env_list, env_pairs, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
PRODUCTION = not DEBUG

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", reason="it is required when DJANGO_DEBUG=false")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        env_required("ALLOWED_HOSTS", reason="it is required when DJANGO_DEBUG=false")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The portal's public address, for links in e-mails sent by background jobs (no request there).
PORTAL_URL = env_str("PORTAL_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "informatics",
    "intake",
    "initiatives",
    "metrics",
    "governance",
    "reports",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "informatics.middleware.CurrentRequestMiddleware",
    # After authentication: a user signed in through the identity provider is re-checked there.
    "informatics.middleware.SsoRecheckMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "informatics.middleware.SiteTimezoneMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "informatics.urls"
WSGI_APPLICATION = "informatics.wsgi.application"
ASGI_APPLICATION = "informatics.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "informatics.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its file here
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins and wait up to DATABASE_BUSY_SECONDS
    # for it, so concurrent writes queue instead of failing with "database is locked". Tests
    # use a file, so that threads share one database.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("DATABASE_BUSY_SECONDS", 20),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails fast (and /healthz says so) instead of hanging.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", 5)
    # JIT off for the portal's sessions: at health-system size, plans whose cost estimate
    # crossed jit_above_cost spent 454 of 487 ms compiling (the metrics needs-me list). The
    # portal's queries are short and indexed; JIT only pays off on long analytic scans.
    # pg_trgm's word-similarity threshold matches intake's SIMILARITY_THRESHOLD, so that the
    # `%>` operator of "similar requests" can use the trigram index on titles.
    options.setdefault("options", "-c jit=off -c pg_trgm.word_similarity_threshold=0.3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis outage must fail a request quickly, not hang a web worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# No broker configured: run tasks in-process, so the embedded default needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A worker or beat started before Redis keeps retrying instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "informatics")

# --- Uploads --------------------------------------------------------------------------------
# Measurement files (metrics imports): each limit is checked before or while a file is read,
# and a file over one is refused with a message naming it. Sizes are set in MB.
_MB = 1024 * 1024
IMPORT_MAX_CSV_BYTES = env_int("IMPORT_MAX_CSV_MB", 50) * _MB
IMPORT_MAX_XLSX_BYTES = env_int("IMPORT_MAX_XLSX_MB", 20) * _MB
IMPORT_MAX_FHIR_BYTES = env_int("IMPORT_MAX_FHIR_MB", 50) * _MB
# An XLSX is a zip: the sum of its members' uncompressed sizes (a zip bomb is refused unopened).
IMPORT_MAX_XLSX_UNZIPPED_BYTES = env_int("IMPORT_MAX_XLSX_UNZIPPED_MB", 200) * _MB
IMPORT_MAX_XLSX_SHARED_STRINGS = env_int("IMPORT_MAX_XLSX_SHARED_STRINGS", 1_000_000)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 500_000)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 10_000)  # also any FHIR JSON string
IMPORT_MAX_JSON_DEPTH = env_int("IMPORT_MAX_JSON_DEPTH", 32)
IMPORT_TIME_LIMIT_SECONDS = env_int("IMPORT_TIME_LIMIT_SECONDS", 900)
# Stored files of rejected, failed and finished imports are deleted this many days after.
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 30)
# Roll-ups of many metrics are split into this many jobs, run side by side by the workers.
ROLLUP_JOBS = max(env_int("ROLLUP_JOBS", 2), 1)

# List exports (CSV): up to EXPORT_INLINE_MAX_ROWS rows stream in the request; a larger one is
# built by a background job into a stored file, deleted EXPORT_FILE_TTL_HOURS after it is built.
# 1,000 rows stream in about a third of a second; past that a page would wait on the CSV.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 1_000)
EXPORT_FILE_TTL_HOURS = env_int("EXPORT_FILE_TTL_HOURS", 24)

# --- Background jobs (JobRun; informatics.jobs) -------------------------------------------
# A job that fails with a transient error (database or broker connection, I/O) is retried
# after JOB_RETRY_BACKOFF_SECONDS, then twice that, …; after JOB_MAX_ATTEMPTS attempts it ends
# failed with its error, and the worker moves on.
JOB_MAX_ATTEMPTS = 3
JOB_RETRY_BACKOFF_SECONDS = env_int("JOB_RETRY_BACKOFF_SECONDS", 30)
# The hard time limit of a job task without one of its own (imports have theirs, above).
JOB_TIME_LIMIT_SECONDS = env_int("JOB_TIME_LIMIT_SECONDS", 3600)
# A running job whose worker has not reported (heartbeat) for this long has lost its lease:
# another delivery may claim it and the reconciler re-enqueues it. A pending job older than
# JOB_PENDING_GRACE_SECONDS was probably never enqueued (the broker was down): re-enqueued too.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 600)
JOB_PENDING_GRACE_SECONDS = env_int("JOB_PENDING_GRACE_SECONDS", 300)
# A message taken but not acknowledged (acks_late: acknowledged when the task ends) goes back
# to the queue after this long: the worker died. It must be longer than the longest job's time
# limit, or a job still running would be delivered again (harmless — the claim refuses it —
# but wasted). Short in tests.
JOB_VISIBILITY_TIMEOUT_SECONDS = env_int(
    "JOB_VISIBILITY_TIMEOUT_SECONDS",
    max(JOB_TIME_LIMIT_SECONDS, IMPORT_TIME_LIMIT_SECONDS + 30) + 600,
)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": JOB_VISIBILITY_TIMEOUT_SECONDS}
# Request bodies: form fields held in memory, and the size above which an uploaded file goes
# to a temporary file instead of memory (Django's defaults, stated).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "informatics.User"
AUTHENTICATION_BACKENDS = [
    # Django's model backend behind django-axes' lock-out and the per-account delay. It returns
    # a user or refuses, so a sign-in never reaches the plain model backend, which stays listed
    # for the sessions begun with it.
    "informatics.auth.SignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = None  # show the "you have signed out" page
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 72) * 3600

# Login throttling. After AXES_FAILURE_LIMIT failures an account is locked for the cool-off,
# for the address they came from only: someone elsewhere cannot lock a person out (a hospital
# NAT address shares the lock, but then only guessing from inside the hospital locks it).
# Across addresses an account is slowed instead: after LOGIN_DELAY_AFTER_FAILURES failures each
# attempt waits 2^k seconds after the last failure, at most LOGIN_DELAY_MAX_SECONDS
# (informatics.auth).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Django's login form posts the e-mail address as "username"; the key is case-folded.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "informatics.auth.lockout_key"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "informatics.auth.lockout_response"
AXES_VERBOSE = False
LOGIN_DELAY_AFTER_FAILURES = env_int("LOGIN_DELAY_AFTER_FAILURES", 5)
LOGIN_DELAY_MAX_SECONDS = env_int("LOGIN_DELAY_MAX_SECONDS", 60)
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Single sign-on (OpenID Connect) ------------------------------------------------------
# Sign-in through the organisation's identity provider (authorization code with PKCE, authlib),
# on when OIDC_CLIENT_ID and a discovery URL (or the issuer, whose discovery document is read)
# are set. Users are created or updated from the ID token's claims at each sign-in; the groups
# claim maps to roles through the admin's mapping (or, while it has no row,
# OIDC_GROUP_ROLES: "group=role,group=role"). A signed-in user is re-checked with the provider
# (a refresh-token grant) every OIDC_RECHECK_MINUTES; a refusal ends their sessions and deletes
# their API token (informatics.services.sso).
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_DISCOVERY_URL = env_str(
    "OIDC_DISCOVERY_URL",
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else "",
)
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid email profile offline_access")
OIDC_EMAIL_CLAIM = env_str("OIDC_EMAIL_CLAIM", "email")
OIDC_NAME_CLAIM = env_str("OIDC_NAME_CLAIM", "name")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_ROLES = env_pairs("OIDC_GROUP_ROLES", allowed=Role.values)
OIDC_BUTTON_LABEL = env_str("OIDC_BUTTON_LABEL", "Sign in with your organisation account")
OIDC_RECHECK_MINUTES = env_int("OIDC_RECHECK_MINUTES", 15)
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)
# Local passwords (the login form, password reset and change, POST /api/v1/auth/token/) can
# be switched off once single sign-on is configured. API tokens made on the account page keep
# working: each use re-checks the person with the provider, as a page does.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
if not LOCAL_PASSWORDS and not (OIDC_CLIENT_ID and OIDC_DISCOVERY_URL):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS=false needs single sign-on (OIDC_CLIENT_ID and OIDC_ISSUER or "
        "OIDC_DISCOVERY_URL): nobody could sign in"
    )

SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8) * 3600
SESSION_SAVE_EVERY_REQUEST = True  # the clock restarts on activity: idle sessions expire
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # /healthz answers plain HTTP so load balancers and container probes can reach it.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the organisation's domain and every subdomain to HTTPS in browsers
        # for years: the domain owner's decision (SECURE_HSTS_PRELOAD=true), not a default.
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("AWS_STORAGE_BUCKET_NAME", reason="STORAGE_BACKEND=s3"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, not {STORAGE_BACKEND!r}")

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# In development, look a file up when it is asked for rather than listing every app's static
# files whenever the middleware starts (each test client starts it anew; the test runner turns
# settings.DEBUG off, which WhiteNoise would otherwise read as "list everything up front").
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    # In development assets come from the finders; WhiteNoise still expects the folder.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- E-mail ---------------------------------------------------------------------------------
# Console by default; EMAIL_BACKEND=smtp sends through EMAIL_HOST.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = env_str("EMAIL_BACKEND", "console")
if _email_backend not in _EMAIL_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"EMAIL_BACKEND must be console or smtp, not {_email_backend!r}")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKENDS[_email_backend],
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": 20,
            }
            if _email_backend == "smtp"
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Informatics Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API request then gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "informatics.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A list read with a query parameter it does not take answers 400 naming it (documented).
    "DEFAULT_SCHEMA_CLASS": "informatics.api_schema.ListSchema",
    "DEFAULT_FILTER_BACKENDS": ["informatics.api_filtering.StrictFilterBackend"],
    # `page` is a whole number from 1 (400 naming it otherwise); past the last page, 404.
    "DEFAULT_PAGINATION_CLASS": "informatics.pagination.NumberedPages",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies past API_JSON_MAX_BYTES or nested past API_JSON_MAX_DEPTH: 400 naming the limit.
    # JSON only (any other body is a 415): a form-encoded body would be read whole, past every
    # limit. The one upload (POST /api/v1/imports/) reads multipart itself, within Django's
    # DATA_UPLOAD_MAX_MEMORY_SIZE and the import's own size limits.
    "DEFAULT_PARSER_CLASSES": ["informatics.parsers.LimitedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # StaleEdit → 409; a service's ValidationError → 400 naming its fields.
    "EXCEPTION_HANDLER": "informatics.exceptions.api_exception_handler",
    # Only the token endpoint is throttled (per client address): django-axes already locks an
    # account after LOGIN_FAILURE_LIMIT failures; this caps guessing across many accounts.
    # Generous, because a hospital puts thousands of clinicians behind one NAT address.
    "DEFAULT_THROTTLE_RATES": {"token": "30/minute"},
}
API_JSON_MAX_BYTES = env_int("API_JSON_MAX_BYTES", 1_000_000)
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32)
# API tokens stop working this many days after they were made (0: they do not expire). A
# password change, "sign out everywhere" or revoking on the account page deletes one sooner.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Informatics Portal API",
    "DESCRIPTION": "Strategic priorities, intake, initiatives, metrics and governance of a "
    "clinical informatics program. Authenticate with a session or with "
    "`Authorization: Token <key>` from POST /api/v1/auth/token/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in users (session or token); anonymous gets 401.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # One error shape for every 4xx answer, and every 4xx an operation can answer documented.
    "POSTPROCESSING_HOOKS": ["informatics.openapi.postprocess"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: every request stays on this host. No deep
    # links: they put a link inside each operation's button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # One named enum per choice set that several fields (or a field named alike) share.
    "ENUM_NAME_OVERRIDES": {
        "FacilityKindEnum": "informatics.choices.FacilityKind",
        "RequestKindEnum": "intake.choices.RequestKind",
        "CommentKindEnum": "intake.choices.CommentKind",
        "RequestStatusEnum": "intake.choices.RequestStatus",
        "InitiativeTypeEnum": "initiatives.choices.InitiativeType",
        "StageEnum": "initiatives.choices.Stage",
        "HealthEnum": "initiatives.choices.Health",
        "ImportStatusEnum": "metrics.choices.ImportStatus",
        "ImportFormatEnum": "metrics.choices.ImportFormat",
        "FrequencyEnum": "intake.choices.Frequency",
        "AimEnum": "metrics.choices.Aim",
        "DirectionEnum": "metrics.choices.Direction",
        "MetricFrequencyEnum": "metrics.choices.MetricFrequency",
        "ChartTypeEnum": "metrics.choices.ChartType",
        "RulePresetEnum": "metrics.choices.RulePreset",
        "VariationEnum": "metrics.choices.Variation",
        "AssuranceEnum": "metrics.choices.Assurance",
        "AnnotationKindEnum": "metrics.choices.AnnotationKind",
        "ReviewStatusEnum": "governance.choices.ReviewStatus",
        "ActionStatusEnum": "governance.choices.ActionStatus",
        "AgendaKindEnum": "governance.choices.AgendaKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own loggers reach the console through the root logger, once. WeasyPrint's
    # layout steps are noise at INFO. With no broker, tasks run in the web process or the
    # command that enqueued them: their "Task … succeeded" lines and kombu's note that no broker
    # host was given are noise too (a worker, with a broker, keeps its task log).
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "weasyprint.progress": {"level": "WARNING"},
        **(
            {"celery.app.trace": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}}
            if CELERY_TASK_ALWAYS_EAGER
            else {}
        ),
    },
}
