"""Django settings for Watchkeeper.

Configuration comes from the environment and is parsed strictly: a value that cannot be understood stops
the process with a message, rather than running with a guess.
"""

from __future__ import annotations

import ipaddress
import math
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from watchkeeper.core import clock as _clock

BASE_DIR = Path(__file__).resolve().parent
# The checkout (where package.json and node_modules live) in a development install; the working
# directory otherwise.
_CHECKOUT = BASE_DIR.parent.parent
PROJECT_DIR = Path(
    os.environ.get("WATCHKEEPER_HOME", _CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd())
)
VAR_DIR = Path(os.environ.get("WATCHKEEPER_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number from the environment, or the default when unset; anything else stops the process."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    _in_range(name, value, minimum, maximum)
    return value


def _env_float(name: str, default: float, minimum: float = 0.0, maximum: float | None = None,
               above_minimum: bool = False) -> float:
    """A number (seconds and the like) from the environment, or the default when unset."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name} must be a finite number, not {raw!r}")
    if above_minimum and value <= minimum:
        raise ImproperlyConfigured(f"{name} must be more than {minimum:g}, not {raw!r}")
    _in_range(name, value, minimum, maximum)
    return value


def _in_range(name: str, value: float, minimum: float, maximum: float | None) -> None:
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        raise ImproperlyConfigured(f"{name} must be {bounds}, not {value:g}")


def _env_networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks (CIDR); a malformed entry stops the process."""
    out: list[str] = []
    for raw in os.environ.get(name, "").split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            parsed = ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)
            out.append(str(parsed))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list IP addresses or networks, not {item!r}") from None
    return out


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    if raw.upper() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw.upper()


DEBUG = _env_bool("WATCHKEEPER_DEBUG", False)
# The demonstration (`watchkeeper demo`) may serve with the development key; see `core.startup`.
DEMO = _env_bool("WATCHKEEPER_DEMO", False)
DEVELOPMENT_SECRET_KEY = "watchkeeper-development-key-not-for-production-use-0123456789"
# A development key keeps `make demo` and the tests zero-set-up. It is public (it is in this file), so
# `watchkeeper serve` refuses it outside WATCHKEEPER_DEBUG: production sets WATCHKEEPER_SECRET_KEY.
SECRET_KEY = os.environ.get("WATCHKEEPER_SECRET_KEY", "") or DEVELOPMENT_SECRET_KEY
DEVELOPMENT_KEY_IN_USE = SECRET_KEY == DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [h for h in os.environ.get("WATCHKEEPER_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("WATCHKEEPER_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "ninja",  # the API docs page served from its own static files (no CDN), as the CSP requires
    "django_htmx",
    "axes",
    "watchkeeper.core",
    "watchkeeper.staff",
    "watchkeeper.audit",
    "watchkeeper.realtime",
    "watchkeeper.incidents",
    "watchkeeper.people",
    "watchkeeper.dispatch",
    "watchkeeper.clocks",
    "watchkeeper.safeguards",
    "watchkeeper.learning",
    "watchkeeper.risk",
    "watchkeeper.search",
    "watchkeeper.geo",
    "watchkeeper.assurance",
    "watchkeeper.cases",
    "watchkeeper.referrals",
    "watchkeeper.web",  # the template library `wk`
    "watchkeeper.root",  # last: the `watchkeeper` command's own commands, and what joins the apps
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "watchkeeper.core.middleware.BidiDisplayMiddleware",
    "watchkeeper.core.middleware.ServerTimingMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "watchkeeper.core.middleware.RequestIdMiddleware",
    "watchkeeper.core.middleware.CleanRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "watchkeeper.core.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "watchkeeper.urls"
ASGI_APPLICATION = "watchkeeper.asgi.application"
AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

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
                "watchkeeper.web.context.navigation",
            ],
        },
    },
]


_SYNC_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def _database_config() -> dict[str, object]:
    url = os.environ.get("WATCHKEEPER_DATABASE_URL", "")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'watchkeeper.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except Exception as exc:  # dj_database_url raises several types; all mean the same thing here.
        raise ImproperlyConfigured(f"WATCHKEEPER_DATABASE_URL is not a database URL: {exc}") from exc
    engine = str(config["ENGINE"])
    if engine == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of failing
        # half-way; WAL lets readers carry on while one writer works.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                f"PRAGMA synchronous={_env_choice('WATCHKEEPER_SQLITE_SYNCHRONOUS', 'FULL', _SYNC_MODES)}; "
                # Reads (the call-time context above all) come straight from the operating system's page
                # cache through a memory map instead of a read() per page; each connection also keeps more
                # pages of its own.
                f"PRAGMA mmap_size={_env_int('WATCHKEEPER_SQLITE_MMAP_MB', 2048) * 1024 * 1024}; "
                f"PRAGMA cache_size=-{_env_int('WATCHKEEPER_SQLITE_CACHE_MB', 64, minimum=1) * 1024};"
            ),
        }
        config["TEST"] = {"NAME": os.environ.get("WATCHKEEPER_TEST_SQLITE_NAME") or None}
    elif engine == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
        # The call-time context's reads are prepared on the server, each kept with one generic plan
        # (people.context): planning them cost more than running them. Only those reads bind parameters on
        # the server; Django's own queries bind in the client, so neither option touches them. A pooler that
        # hands each transaction a different server connection breaks prepared statements (and may refuse
        # the startup option): WATCHKEEPER_PG_PREPARE=false turns both off.
        if _env_bool("WATCHKEEPER_PG_PREPARE", True):
            given = config.get("OPTIONS")
            options: dict[str, object] = dict(given) if isinstance(given, dict) else {}  # those in the URL are kept
            options.setdefault("prepare_threshold", 0)
            options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
            config["OPTIONS"] = options
    else:
        raise ImproperlyConfigured(f"Unsupported database engine {engine}: use sqlite:// or postgresql://")
    # Request threads are long-lived (asgi.py), so each keeps its connection.
    config["CONN_MAX_AGE"] = _env_int("WATCHKEEPER_CONN_MAX_AGE", 300)
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # A password like the username (or the person's name) is the first thing an attacker tries.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _env_int("WATCHKEEPER_SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _env_bool("WATCHKEEPER_SIGNIN_THROTTLE", True)
# Client addresses: the connection's own address (REMOTE_ADDR), never a header the client can write.
# X-Forwarded-For / X-Forwarded-Proto are believed only from the proxies listed in
# WATCHKEEPER_TRUSTED_PROXIES (addresses or CIDR networks; none by default): `serve` hands the list to
# Uvicorn's proxy-headers middleware, which replaces the address with the right-most one a trusted proxy
# did not add. So rotating the header neither unlocks a locked account nor spreads guesses over addresses.
TRUSTED_PROXIES = _env_networks("WATCHKEEPER_TRUSTED_PROXIES")
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_CLIENT_IP_CALLABLE = "watchkeeper.web.security.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600  # one long shift
SESSION_COOKIE_SECURE = _env_bool("WATCHKEEPER_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (secure cookies on): browsers are told to use HTTPS only, for a year by default.
SECURE_HSTS_SECONDS = (_env_int("WATCHKEEPER_HSTS_SECONDS", 31_536_000, minimum=0)
                       if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE and _env_bool("WATCHKEEPER_HSTS_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): scripts and styles only from this server's own
# files, never inline, so an injected <script> or on*= handler does not run even if escaping ever failed.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": [_SELF],
    },
}

# The API's interactive documentation and OpenAPI schema need a signed-in session or a token unless
# they are declared public.
API_DOCS_PUBLIC = _env_bool("WATCHKEEPER_API_DOCS_PUBLIC", False)

# API tokens expire: WATCHKEEPER_API_TOKEN_DAYS is the longest life a token may be issued with
# (`api-token --days N` may ask for less).
API_TOKEN_MAX_DAYS = _env_int("WATCHKEEPER_API_TOKEN_DAYS", 90, minimum=1, maximum=3650)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders; it only needs the folder
# Front-end packages come from npm (package-lock.json); only their distributable files are served.
_NODE = PROJECT_DIR / "node_modules"
STATICFILES_DIRS: list[object] = [BASE_DIR / "static"]  # the UI's own stylesheet and script
STATICFILES_DIRS += [
    (prefix, _NODE / path)
    for prefix, path in [
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/htmx-ext-sse", "htmx-ext-sse/dist"),
        ("vendor/leaflet", "leaflet/dist"),  # the map (geo)
    ]
    if (_NODE / path).exists()
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG


def _env_bounds(name: str, default: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """south,west,north,east in degrees (WGS84); a malformed value stops the process."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        south, west, north, east = (float(x) for x in raw.split(","))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be south,west,north,east in degrees, not {raw!r}") from None
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise ImproperlyConfigured(f"{name} must be south,west,north,east with south < north and west < east")
    return south, west, north, east


# The map (geo): a tile server's URL template ({z}/{x}/{y}, e.g. the force's own or a national mapping API with
# its key) and its attribution. With none, the map draws the force's own streets and boundaries from GeoJSON
# shipped with the product (works offline). Positions and gazetteer entries outside MAP_BOUNDS are refused.
MAP_TILES = os.environ.get("WATCHKEEPER_MAP_TILES", "").strip()
MAP_ATTRIBUTION = os.environ.get("WATCHKEEPER_MAP_ATTRIBUTION", "").strip()
if MAP_TILES and not MAP_TILES.startswith("https://") and not MAP_TILES.startswith("http://"):
    raise ImproperlyConfigured("WATCHKEEPER_MAP_TILES must be an http(s) URL template with {z}, {x} and {y}")
if MAP_TILES and not all(k in MAP_TILES for k in ("{z}", "{x}", "{y}")):
    raise ImproperlyConfigured("WATCHKEEPER_MAP_TILES must contain {z}, {x} and {y}")
if MAP_TILES:  # the page may load tiles from that server, and nothing else new
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(MAP_TILES)
    _host = _tiles.netloc.replace("{s}", "*")  # subdomains a, b, c: any subdomain of that host
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
                                                        f"{_tiles.scheme}://{_host}"]
MAP_BOUNDS = _env_bounds("WATCHKEEPER_MAP_BOUNDS", (49.8, -8.7, 60.9, 1.8))  # Great Britain by default
# Estimated time to a log on the nearest-unit list: straight-line distance at this speed.
MAP_SPEED_KMH = _env_float("WATCHKEEPER_MAP_SPEED_KMH", 40.0, minimum=1.0, maximum=200.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WATCHKEEPER_LOG_LEVEL", "WARNING")},
    # Refusals are answers, not faults: 4xx responses are not logged as warnings.
    "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "ERROR"}},
}

# The sweeper that fires deadlines; `serve` runs it beside the web server.
SWEEPER_INTERVAL_SECONDS = _env_float("WATCHKEEPER_SWEEPER_INTERVAL", 0.5, minimum=0.0, maximum=3600.0,
                                      above_minimum=True)
# A write waiting longer than this for the audit-chain lock is refused with 503 + Retry-After (core/uow.py).
WRITE_LOCK_WAIT_SECONDS = _env_float("WATCHKEEPER_WRITE_LOCK_WAIT_SECONDS", 5.0, minimum=0.05, maximum=120.0)


def _env_rate(name: str, default: str) -> str:
    """A rate limit in `limits` notation ("6000/minute"), or "off"; a malformed one stops the process."""
    raw = os.environ.get(name, "").strip() or default
    if raw.lower() == "off":
        return "off"
    import limits

    try:
        limits.parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a rate such as 6000/minute, or off, not {raw!r}") from None
    return raw


# Per-caller API rate limits (web/ratelimit.py, `limits` notation, "off" to disable) and their store.
API_RATE = _env_rate("WATCHKEEPER_API_RATE", "6000/minute")
API_WRITE_RATE = _env_rate("WATCHKEEPER_API_WRITE_RATE", "1200/minute")
RATE_LIMIT_STORAGE = os.environ.get("WATCHKEEPER_RATE_LIMIT_STORAGE", "").strip() or "memory://"
# One upload limit for the UI and the API (learning documents, K1). The API carries the file as base64
# in JSON, so its body limit follows from the upload limit instead of Django's 2.5 MB default
# (which made the API refuse at ~1.8 MB what the UI accepted up to 20 MB).
UPLOAD_MAX_BYTES = _env_int("WATCHKEEPER_UPLOAD_MAX_MB", 20, minimum=1, maximum=200) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = (UPLOAD_MAX_BYTES + 2) // 3 * 4 + 64 * 1024
# How long parsing one uploaded document may take (seconds, in a child process) before it is refused.
DOCUMENT_PARSE_SECONDS = _env_float("WATCHKEEPER_DOCUMENT_PARSE_SECONDS", 30.0, minimum=1.0, maximum=600.0)

# A3: signed checkpoints of the audit chain, kept outside the database, and the key that signs them.
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("WATCHKEEPER_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints"))
AUDIT_SIGNING_KEY_FILE = Path(os.environ.get("WATCHKEEPER_AUDIT_SIGNING_KEY_FILE",
                                             VAR_DIR / "audit-signing-key.pem"))
AUDIT_CHECKPOINT_INTERVAL_SECONDS = _env_float("WATCHKEEPER_AUDIT_CHECKPOINT_INTERVAL", 60.0, minimum=1.0,
                                               maximum=86400.0)
# Worker threads of the web server (asgi.py), each keeping its database connection.
SERVER_THREADS = _env_int("WATCHKEEPER_THREADS", 8, minimum=1, maximum=256)

# The clock: WATCHKEEPER_CLOCK_OFFSET_SECONDS moves this process's "now" and is refused unless
# WATCHKEEPER_DRILL is set (core/clock.py checks it; read here too so every process checks it at start).
DRILL = _env_bool("WATCHKEEPER_DRILL", False)
# Each response says what it cost (a Server-Timing header: SQL statements, time holding the audit-chain
# lock, CPU): for benchmarks and profiling, off in service.
SERVER_TIMING = _env_bool("WATCHKEEPER_SERVER_TIMING", False)
# Server processes `watchkeeper serve` runs on its port (Python work on every core; each process's live
# streams are woken by the others' commits, see realtime/broker.py).
SERVER_WORKERS = _env_int("WATCHKEEPER_WORKERS", 1, minimum=1, maximum=64)
CLOCK_OFFSET_SECONDS = _clock.offset_from(os.environ).total_seconds()
